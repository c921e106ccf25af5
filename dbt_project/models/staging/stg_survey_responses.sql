select
    load_id,
    sheet_name,
    source_row,
    wave_id,
    respondent_id,
    item_code,
    response
from {{ source('raw', 'survey_responses') }}
