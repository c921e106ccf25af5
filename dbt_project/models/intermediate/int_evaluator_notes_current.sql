-- The latest load of each section replaces the whole section, so a paragraph the evaluator
-- deleted disappears. No vintage cut-off: the text is written after the as-of date, about
-- the assessment, and is not data the assessment measures.
with

notes as (
    select * from {{ ref('stg_evaluator_notes') }}
)

select
    load_id,
    sheet_name,
    source_row,
    plan_id,
    review_kind,
    as_of_date,
    report_section,
    note_order,
    note_text_zh,
    note_text_en,
    author,
    written_on
from notes
where (plan_id, review_kind, as_of_date, report_section, load_id) in (
    select plan_id, review_kind, as_of_date, report_section, max(load_id)
    from notes
    group by plan_id, review_kind, as_of_date, report_section
)
