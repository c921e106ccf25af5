select
    region_code || '|' || department_name_zh as department_id,
    region_code,
    department_name_zh,
    department_name_en,
    short_name_zh,
    load_id,
    source_row
from {{ ref('int_departments_current') }}
