-- Content updates of active galleries under a target's update_frequency rule: the median
-- number of updates per gallery in the year, and the share of galleries that reach the
-- target's number (Zengcheng: 10 a year).
with

scopes as (
    select * from {{ ref('int_measurement_rule_scopes') }}
    where record_source = 'facilities' and measure = 'update_frequency'
),

facilities as (
    select * from {{ ref('int_facilities_current') }}
),

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
)

select
    scopes.target_id,
    scopes.indicator_code,
    scopes.region_code,
    facilities.year,
    count(*) as galleries,
    median(coalesce(facilities.content_updates, 0)) as median_updates,
    count(*) filter (where coalesce(facilities.content_updates, 0) >= scopes.target_value)
        as compliant_galleries,
    count(*) filter (where coalesce(facilities.content_updates, 0) >= scopes.target_value)
        / count(*) as compliance_share,
    list(distinct facilities.load_id) as load_ids
from scopes
inner join ancestors on ancestors.ancestor_code = scopes.region_code
inner join facilities on facilities.region_code = ancestors.region_code
where list_contains(scopes.facility_types, facilities.facility_type)
    and facilities.facility_status = 'active'
    and facilities.year between scopes.period_start - 1 and scopes.period_end
group by all
