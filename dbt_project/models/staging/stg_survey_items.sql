select
    load_id,
    source_row,
    wave_id,
    item_code,
    dimension,
    correct_answers,
    points
from {{ source('raw', 'survey_items') }}
