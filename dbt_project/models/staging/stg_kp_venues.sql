select
    load_id,
    sheet_name,
    source_row,
    unit_code,
    year,
    venue_id,
    venue_name,
    venue_type,
    opened_year,
    building_area,
    exhibition_area,
    venue_visitors,
    community_rooms,
    rural_sites,
    vehicles,
    explanation
from {{ source('raw', 'kp_venues') }}
