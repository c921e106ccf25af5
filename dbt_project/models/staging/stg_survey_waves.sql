select
    load_id,
    sheet_name,
    source_row,
    wave_id,
    year as survey_year,
    region_code,
    title_zh,
    coalesce(title_en, title_zh) as title_en,
    rule_id,
    scoring,
    lonely_psu,
    note
from {{ source('raw', 'survey_waves') }}
