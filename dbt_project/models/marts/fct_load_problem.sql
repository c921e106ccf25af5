-- Every problem found in a file offered, located and coded: the page and the reports
-- write the sentence (ingest.problems) from error_code, expected_code and error_fields.
with

load_audit as (
    select * from {{ ref('fct_load_audit') }}
),

load_errors as (
    select * from {{ ref('stg_load_errors') }}
),

offered as (
    select distinct
        load_id,
        loaded_at,
        received_on
    from load_audit
)

select
    load_errors.load_id
    || '|' || row_number() over (
        partition by load_errors.load_id
        order by load_errors.sheet_name, load_errors.source_row, load_errors.cell
    ) as load_problem_id,
    load_errors.load_id,
    load_errors.file_name,
    load_errors.sheet_name,
    load_errors.source_row,
    load_errors.cell,
    load_errors.column_name,
    load_errors.cell_value,
    load_errors.error_code,
    load_errors.expected_code,
    load_errors.error_fields,
    offered.loaded_at,
    offered.received_on
from load_errors
inner join offered on load_errors.load_id = offered.load_id
