select
    load_id,
    sheet_name,
    source_row,
    region_code,
    year,
    population_type,
    population as population_persons
from {{ source('raw', 'population') }}
