-- A status report must come from one of the measure's responsible units (责任单位).
select
    reports.measure_id,
    reports.department_name_zh,
    reports.reporting_period
from {{ ref('int_measure_reports_current') }} as reports
left join {{ ref('bridge_measure_unit') }} as pairs
    on reports.measure_id = pairs.measure_id
    and reports.department_name_zh = pairs.department_name_zh
where pairs.measure_id is null
