select
    load_id,
    sheet_name,
    source_row,
    wave_id,
    item_code,
    dimension,
    correct_answers,
    points
from {{ source('raw', 'survey_items') }}
