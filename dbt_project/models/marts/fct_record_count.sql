-- Counts from activity logs and registers per target and year: the annual value and the
-- running total over the plan period, with the rule that produced them.
with

activities as (
    select * from {{ ref('int_activity_counts') }}
),

registers as (
    select * from {{ ref('int_register_counts') }}
),

combined as (
    select
        *,
        'activities' as record_source
    from activities
    union all by name
    select
        *,
        'register' as record_source
    from registers
)

select
    target_id || '|' || year as record_count_id,
    target_id,
    indicator_code,
    region_code,
    year,
    record_source,
    measure,
    target_kind,
    period_start,
    annual_value,
    cumulative_value,
    list_sort(load_ids) as load_ids
from combined
