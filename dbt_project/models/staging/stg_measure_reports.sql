select
    load_id,
    sheet_name,
    source_row,
    measure_id,
    responsible_unit as department_name_zh,
    period as reporting_period,
    status as measure_status,
    evidence,
    document_ref,
    reported_on
from {{ source('raw', 'measure_reports') }}
