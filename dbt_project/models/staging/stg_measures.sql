select
    load_id,
    sheet_name,
    source_row,
    measure_id,
    plan_id,
    measure_no,
    title_zh,
    title_en,
    summary_zh,
    summary_en,
    responsible_units,
    source_quote,
    coalesce(task_kind, 'task') as task_kind,
    lead_units,
    due_year
from {{ source('raw', 'measures') }}
