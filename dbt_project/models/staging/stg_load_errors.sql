select
    load_id,
    file_name,
    sheet_name,
    source_row,
    cell,
    column_name,
    value as cell_value,
    error_code,
    expected as expected_code,
    error_fields
from {{ source('raw', 'load_errors') }}
