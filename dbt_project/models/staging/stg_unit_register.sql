select
    load_id,
    source_row,
    year,
    region_code,
    unit_name
from {{ source('raw', 'unit_register') }}
