select
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
    status as load_status,
    is_synthetic,
    loaded_at,
    received_on,
    message
from {{ source('raw', 'load_audit') }}
