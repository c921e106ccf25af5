-- Facility coverage under each target's rule: units of the rule's level in the register
-- of the year (all of them, reporting or not) that have an active facility of one of the
-- rule's types, for the target region and for every region between it and the units
-- (towns, for village-level coverage), by summing numerators and denominators. A
-- coverage_dispersion rule (regional gaps) is counted the same way; its towns' coverage is
-- what int_facility_coverage_dispersion compares.
with

scopes as (
    select * from {{ ref('int_measurement_rule_scopes') }}
    where record_source = 'facilities' and measure in ('coverage', 'coverage_dispersion')
),

register as (
    select * from {{ ref('int_unit_register_current') }}
),

regions as (
    select * from {{ ref('int_regions_current') }}
),

facilities as (
    select * from {{ ref('int_facilities_current') }}
),

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
),

units as (
    -- each unit of the rule's level in the target's subtree, once per region above it
    select
        scopes.target_id,
        scopes.indicator_code,
        scopes.measure,
        register.year,
        register.region_code as unit_code,
        reporting_regions.ancestor_code as region_code
    from scopes
    {{ in_target_subtree('scopes', 'register') }}
    inner join regions on register.region_code = regions.region_code
    inner join ancestors as reporting_regions
        on register.region_code = reporting_regions.region_code
    inner join ancestors as below_target
        on reporting_regions.ancestor_code = below_target.region_code
        and scopes.region_code = below_target.ancestor_code
    where regions.region_level = scopes.unit_level
        and register.year between scopes.period_start - 1 and scopes.period_end
        and reporting_regions.depth > 0
),

unit_status as (
    select
        scopes.target_id,
        facilities.year,
        facilities.region_code as unit_code,
        bool_or(
            facilities.facility_status = 'active'
            and {{ list_has('scopes.facility_types', 'facilities.facility_type') }}
        ) as is_covered,
        array_agg(distinct facilities.load_id) as load_ids
    from scopes
    inner join facilities on true
    group by scopes.target_id, facilities.year, facilities.region_code
)

select
    units.target_id,
    units.indicator_code,
    units.measure,
    units.region_code,
    units.year,
    count(*) as units,
    count(*) filter (where unit_status.is_covered) as covered_units,
    count(unit_status.unit_code) as reporting_units,
    count(*) - count(unit_status.unit_code) as non_reporting_units,
    cast(count(*) filter (where unit_status.is_covered) as double precision) / count(*) as coverage,
    {{ list_union_agg('unit_status.load_ids') }} as load_ids
from units
left join unit_status
    on units.target_id = unit_status.target_id
    and units.year = unit_status.year
    and units.unit_code = unit_status.unit_code
group by units.target_id, units.indicator_code, units.measure, units.region_code, units.year
