-- One row per file × sheet offered to the warehouse. The loader's English message stays
-- in raw.load_audit: marts carry codes and numbers, not sentences.
with

load_audit as (
    select * from {{ ref('stg_load_audit') }}
    {% if var('vintage', none) %}
    where received_on <= date '{{ var("vintage") }}'
    {% endif %}
)

select
    load_id || '|' || coalesce(sheet_name, '') as load_sheet_id,
    load_id,
    file_name,
    file_sha256,
    file_bytes,
    archived_path,
    sheet_name,
    table_name,
    rows_read,
    rows_accepted,
    rows_rejected,
    load_status,
    is_synthetic,
    loaded_at,
    received_on
from load_audit
