-- The evaluator's paragraphs of sections 4-6 of an assessment report; a section with rows
-- here replaces the section drafted from the data.
with

notes as (
    select * from {{ ref('int_evaluator_notes_current') }}
)

select
    plan_id
    || '|' || review_kind
    || '|' || cast(as_of_date as varchar)
    || '|' || report_section
    || '|' || cast(note_order as varchar) as evaluator_note_id,
    plan_id,
    review_kind,
    as_of_date,
    report_section,
    note_order,
    note_text_zh,
    note_text_en,
    author,
    written_on,
    load_id
from notes
