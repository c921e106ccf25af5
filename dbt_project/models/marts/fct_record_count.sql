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
    {% for source_name, relation in [('activities', 'activities'), ('register', 'registers')] %}
        select
            target_id,
            indicator_code,
            region_code,
            year,
            '{{ source_name }}' as record_source,
            measure,
            target_kind,
            period_start,
            annual_value,
            cumulative_value,
            load_ids
        from {{ relation }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
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
    {{ list_sorted('load_ids') }} as load_ids
from combined
