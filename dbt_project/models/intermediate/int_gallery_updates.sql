-- Content updates of active galleries under a target's update_compliance (or
-- update_frequency) rule: the median number of updates per gallery in the year, and the
-- share of galleries that reach the rule's per-unit threshold (Zengcheng: 10 a year; an
-- update_frequency rule without one takes the target value). A gallery that reports no
-- number made no update.
with

scopes as (
    select * from {{ ref('int_measurement_rule_scopes') }}
    where record_source = 'facilities' and measure in ('update_frequency', 'update_compliance')
),

facilities as (
    select * from {{ ref('int_facilities_current') }}
),

galleries as (
    select
        scopes.target_id,
        scopes.indicator_code,
        scopes.region_code,
        coalesce(scopes.unit_threshold, scopes.target_value) as unit_threshold,
        facilities.year,
        coalesce(facilities.content_updates, 0) as content_updates,
        facilities.load_id
    from scopes
    {{ in_target_subtree('scopes', 'facilities') }}
    where {{ list_has('scopes.facility_types', 'facilities.facility_type') }}
        and facilities.facility_status = 'active'
        and facilities.year between scopes.period_start - 1 and scopes.period_end
),

per_year as (
    select
        target_id,
        indicator_code,
        region_code,
        year,
        count(*) as galleries,
        percentile_cont(0.5) within group (order by content_updates) as median_updates,
        max(unit_threshold) as unit_threshold,
        count(*) filter (where content_updates >= unit_threshold) as compliant_galleries,
        array_agg(distinct load_id) as load_ids
    from galleries
    group by target_id, indicator_code, region_code, year
)

select
    target_id,
    indicator_code,
    region_code,
    year,
    galleries,
    median_updates,
    unit_threshold,
    compliant_galleries,
    cast(compliant_galleries as double precision) / galleries as compliance_share,
    load_ids
from per_year
