-- One row per file × sheet offered, with its outcome today: accepted (some of its rows
-- are current), superseded (accepted, but every row replaced by a later load) or
-- rejected (refused by the loader; its problems are in fct_load_problem). A file is
-- superseded when every sheet of it that landed rows is.
with

load_audit as (
    select * from {{ ref('fct_load_audit') }}
),

current_sheets as (
    select * from {{ ref('int_load_sheets_current') }}
),

outcomes as (
    select
        load_audit.load_sheet_id,
        load_audit.load_id,
        load_audit.file_name,
        load_audit.sheet_name,
        load_audit.table_name,
        load_audit.rows_read,
        load_audit.rows_accepted,
        load_audit.rows_rejected,
        coalesce(current_sheets.rows_current, 0) as rows_current,
        load_audit.loaded_at,
        load_audit.received_on,
        case
            when load_audit.load_status <> 'accepted' then load_audit.load_status
            when load_audit.rows_accepted > 0 and current_sheets.load_id is null then 'superseded'
            else 'accepted'
        end as load_outcome
    from load_audit
    left join current_sheets
        on
        load_audit.load_id = current_sheets.load_id
        and load_audit.sheet_name = current_sheets.sheet_name
),

files as (
    select
        *,
        case
            when bool_or(load_outcome = 'rejected') over per_file then 'rejected'
            when
                bool_or(load_outcome = 'superseded') over per_file
                and not bool_or(load_outcome = 'accepted' and rows_accepted > 0) over per_file
                then 'superseded'
            else 'accepted'
        end as file_outcome
    from outcomes
    window per_file as (partition by load_id)
)

select * from files
