select
    load_id,
    sheet_name,
    source_row,
    plan_id,
    name_zh as plan_name_zh,
    name_en as plan_name_en,
    issuer_zh,
    coalesce(issuer_en, issuer_zh) as issuer_en,
    region_code,
    period_start,
    period_end,
    issued_on,
    source_file
from {{ source('raw', 'plans') }}
