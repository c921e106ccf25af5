-- The latest load of each section replaces the whole section, so a paragraph the evaluator
-- deleted disappears. No vintage cut-off: the text is written after the as-of date, about
-- the assessment, and is not data the assessment measures.
with

notes as (
    select * from {{ ref('stg_evaluator_notes') }}
),

latest_loads as (
    select
        plan_id,
        review_kind,
        as_of_date,
        report_section,
        max(load_id) as load_id
    from notes
    group by plan_id, review_kind, as_of_date, report_section
)

select
    notes.load_id,
    notes.sheet_name,
    notes.source_row,
    notes.plan_id,
    notes.review_kind,
    notes.as_of_date,
    notes.report_section,
    notes.note_order,
    notes.note_text_zh,
    notes.note_text_en,
    notes.author,
    notes.written_on
from notes
inner join latest_loads
    on notes.plan_id = latest_loads.plan_id
    and notes.review_kind = latest_loads.review_kind
    and notes.as_of_date = latest_loads.as_of_date
    and notes.report_section = latest_loads.report_section
    and notes.load_id = latest_loads.load_id
