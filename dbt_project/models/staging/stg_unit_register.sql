select
    load_id,
    sheet_name,
    source_row,
    year,
    region_code,
    unit_name
from {{ source('raw', 'unit_register') }}
