-- The latest status of every measure × responsible unit pair; pairs that never reported
-- are listed as not_reported.
with

pairs as (
    select * from {{ ref('bridge_measure_unit') }}
),

reports as (
    -- in an assessment (var as_of), only what had been reported by then
    select * from {{ ref('int_measure_reports_current') }}
    {% if var('as_of', none) %}
    where reported_on <= date '{{ var("as_of") }}'
    {% endif %}
),

latest as (
    select *
    from reports
    qualify
        row_number() over (
            partition by measure_id, department_name_zh
            order by reported_on desc, reporting_period desc, load_id desc
        ) = 1
),

history as (
    select
        measure_id,
        department_name_zh,
        count(*) as report_count
    from reports
    group by all
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
    coalesce(history.report_count, 0) as report_count
from pairs
left join latest
    on pairs.measure_id = latest.measure_id
    and pairs.department_name_zh = latest.department_name_zh
left join history
    on pairs.measure_id = history.measure_id
    and pairs.department_name_zh = history.department_name_zh
