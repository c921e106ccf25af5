-- The latest status of every task (measure) × responsible unit pair; pairs that never
-- reported are listed as not_reported. A pair is overdue when its latest report says so,
-- or when the task's due year lies before the as-of date (dbt var `as_of`) and the unit
-- has not reported it completed (a unit that never reported included).
with

pairs as (
    select * from {{ ref('bridge_measure_unit') }}
),

measures as (
    select * from {{ ref('int_measures_current') }}
),

reports as (
    -- in an assessment (var as_of), only what had been reported by then
    select * from {{ ref('int_measure_reports_current') }}
    {% if var('as_of', none) %}
    where reported_on <= date '{{ var("as_of") }}'
    {% endif %}
),

ranked as (
    select
        *,
        row_number() over (
            partition by measure_id, department_name_zh
            order by reported_on desc nulls last, reporting_period desc nulls last, load_id desc
        ) as recency
    from reports
),

latest as (
    select * from ranked
    where recency = 1
),

history as (
    select
        measure_id,
        department_name_zh,
        count(*) as report_count
    from reports
    group by measure_id, department_name_zh
)

select
    pairs.measure_unit_id,
    pairs.measure_id,
    pairs.plan_id,
    pairs.department_name_zh,
    coalesce(latest.measure_status, 'not_reported') as measure_status,
    latest.reporting_period,
    latest.reported_on,
    latest.evidence,
    latest.document_ref,
    coalesce(history.report_count, 0) as report_count,
    pairs.unit_role,
    measures.due_year,
    coalesce(
        latest.measure_status = 'overdue'
        or (
            {{ year_of("date '" ~ as_of_date() ~ "'") }} > measures.due_year
            and coalesce(latest.measure_status, 'not_reported') <> 'completed'
        ),
        false
    ) as is_overdue
from pairs
inner join measures on pairs.measure_id = measures.measure_id
left join latest
    on pairs.measure_id = latest.measure_id
    and pairs.department_name_zh = latest.department_name_zh
left join history
    on pairs.measure_id = history.measure_id
    and pairs.department_name_zh = history.department_name_zh
