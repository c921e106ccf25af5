select
    load_id,
    sheet_name,
    source_row,
    region_code,
    name_zh as department_name_zh,
    name_en as department_name_en,
    short_name_zh
from {{ source('raw', 'departments') }}
