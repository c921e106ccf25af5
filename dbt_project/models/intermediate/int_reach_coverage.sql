-- Coverage by reach (全覆盖 goals): the share of a register's units that the rule's
-- activity records reached, per target and year. The units are either the entities of the
-- rule's register types on the register at 31 December (schools, civil servants), reached
-- when a record lists their id, or the units of the rule's level in the year's unit
-- register below the target region (districts), reached when a record is held anywhere in
-- their subtree. reach_coverage counts the records of the year; reach_coverage_cumulative
-- those since the start of the period. A reached id or place outside the year's register
-- does not count, and a unit never reached counts as not covered.
with

scopes as (
    select * from {{ ref('int_measurement_rule_scopes') }}
    where record_source = 'activities'
        and measure in ('reach_coverage', 'reach_coverage_cumulative')
),

activities as (
    select * from {{ ref('int_activities_current') }}
),

entities as (
    select * from {{ ref('int_entity_register_current') }}
),

unit_register as (
    select * from {{ ref('int_unit_register_current') }}
),

regions as (
    select * from {{ ref('int_regions_current') }}
),

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
),

matched as (
    -- the rule's records anywhere in the target region's subtree
    select
        scopes.target_id,
        activities.activity_year as year,
        activities.region_code,
        activities.participant_ids,
        activities.load_id
    from scopes
    {{ in_target_subtree('scopes', 'activities') }}
    where {{ list_has('scopes.activity_types', 'activities.activity_type') }}
        and (
            scopes.target_groups is null
            or {{ list_has('scopes.target_groups', 'activities.target_group') }}
        )
),

last_years as (
    select
        target_id,
        max(year) as last_year
    from matched
    group by target_id
),

spine as (
    -- the years of the period up to the last year the rule has records for
    select
        scopes.target_id,
        scopes.indicator_code,
        scopes.region_code,
        scopes.measure,
        scopes.entity_types,
        scopes.unit_level,
        scopes.period_start,
        {{ integer_series(
            'scopes.period_start', 'least(scopes.period_end, last_years.last_year)'
        ) }} as year
    from scopes
    inner join last_years on scopes.target_id = last_years.target_id
),

entity_units as (
    select
        spine.target_id,
        spine.year,
        entities.entity_id as unit_id
    from spine
    {{ in_target_subtree('spine', 'entities') }}
    where {{ list_has('spine.entity_types', 'entities.entity_type') }}
        and entities.registered_on <= make_date(spine.year, 12, 31)
        and (entities.exited_on is null or entities.exited_on > make_date(spine.year, 12, 31))
),

place_units as (
    select
        spine.target_id,
        spine.year,
        unit_register.region_code as unit_id
    from spine
    inner join ancestors
        on spine.region_code = ancestors.ancestor_code and ancestors.depth > 0
    inner join unit_register
        on ancestors.region_code = unit_register.region_code
        and spine.year = unit_register.year
    inner join regions on unit_register.region_code = regions.region_code
    where spine.entity_types is null and regions.region_level = spine.unit_level
),

units as (
    select * from entity_units
    union all
    select * from place_units
),

reached_ids as (
    -- what each record reached: the ids it lists, or every region above the place it was
    -- held (so a district counts an event held in one of its towns)
    select
        matched.target_id,
        matched.year,
        unnest(matched.participant_ids) as unit_id,
        matched.load_id
    from matched
    union all
    select
        matched.target_id,
        matched.year,
        ancestors.ancestor_code as unit_id,
        matched.load_id
    from matched
    inner join ancestors on matched.region_code = ancestors.region_code
),

reached as (
    -- a unit reached in the year, or since the period start for a cumulative rule
    select
        spine.target_id,
        spine.year,
        reached_ids.unit_id,
        array_agg(distinct reached_ids.load_id) as load_ids
    from spine
    inner join reached_ids
        on spine.target_id = reached_ids.target_id
        and spine.year >= reached_ids.year
        and case
            when spine.measure = 'reach_coverage_cumulative' then spine.period_start
            else spine.year
        end <= reached_ids.year
    group by spine.target_id, spine.year, reached_ids.unit_id
),

counted as (
    select
        units.target_id,
        units.year,
        count(*) as units,
        count(reached.unit_id) as covered_units,
        {{ list_union_agg('reached.load_ids') }} as load_ids
    from units
    left join reached
        on units.target_id = reached.target_id
        and units.year = reached.year
        and units.unit_id = reached.unit_id
    group by units.target_id, units.year
)

select
    spine.target_id,
    spine.indicator_code,
    spine.region_code,
    spine.year,
    spine.measure,
    coalesce(counted.units, 0) as units,
    coalesce(counted.covered_units, 0) as covered_units,
    cast(counted.covered_units as double precision) / counted.units as coverage,
    coalesce(counted.load_ids, cast(array[] as integer[])) as load_ids
from spine
left join counted on spine.target_id = counted.target_id and spine.year = counted.year
