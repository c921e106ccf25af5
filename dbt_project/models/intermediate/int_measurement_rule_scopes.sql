-- Each measurement rule with the target it serves: the region whose subtree it counts and
-- the plan period it runs over.
with

rules as (
    select * from {{ ref('int_measurement_rules_current') }}
),

targets as (
    select * from {{ ref('int_targets_current') }}
)

select
    rules.target_id,
    targets.indicator_code,
    targets.region_code,
    targets.target_kind,
    targets.target_value,
    coalesce(targets.period_start, targets.baseline_year, targets.target_year) as period_start,
    coalesce(targets.period_end, targets.target_year) as period_end,
    rules.record_source,
    rules.measure,
    rules.activity_types,
    rules.target_groups,
    rules.entity_types,
    rules.facility_types,
    rules.unit_level,
    rules.unit_threshold
from rules
inner join targets on rules.target_id = targets.target_id
