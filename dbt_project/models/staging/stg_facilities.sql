select
    load_id,
    sheet_name,
    source_row,
    year,
    region_code,
    facility_type,
    facility_id,
    facility_name,
    coalesce(status, 'active') as facility_status,
    opened_year,
    content_updates
from {{ source('raw', 'facilities') }}
