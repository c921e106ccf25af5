select
    load_id,
    sheet_name,
    source_row,
    trim(entity_type) as entity_type,
    entity_id,
    region_code,
    entity_name,
    registered_on,
    exited_on
from {{ source('raw', 'entity_register') }}
