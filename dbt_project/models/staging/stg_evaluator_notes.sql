select
    load_id,
    sheet_name,
    source_row,
    plan_id,
    review_kind,
    as_of as as_of_date,
    section as report_section,
    note_order,
    text_zh as note_text_zh,
    text_en as note_text_en,
    author,
    written_on
from {{ source('raw', 'evaluator_notes') }}
