select
    load_id,
    source_row,
    region_code,
    year,
    population_type,
    population as population_persons
from {{ source('raw', 'population') }}
