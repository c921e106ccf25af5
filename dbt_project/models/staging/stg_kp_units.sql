select
    load_id,
    sheet_name,
    source_row,
    unit_code,
    unit_name,
    department_category,
    form_level,
    region_code,
    filled_on,
    year
from {{ source('raw', 'kp_units') }}
