-- Every status report on a qualitative measure, per responsible unit and period.
select
    measure_id || '|' || department_name_zh || '|' || reporting_period as measure_report_id,
    measure_id,
    department_name_zh,
    reporting_period,
    measure_status,
    evidence,
    document_ref,
    reported_on,
    load_id
from {{ ref('int_measure_reports_current') }}
