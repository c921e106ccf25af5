select
    load_id,
    sheet_name,
    source_row,
    region_code,
    year,
    source as funding_source,
    amount as amount_yuan,
    note
from {{ source('raw', 'funding_returns') }}
