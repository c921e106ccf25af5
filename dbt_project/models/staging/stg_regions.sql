select
    load_id,
    sheet_name,
    source_row,
    region_code,
    name_zh as region_name_zh,
    coalesce(name_en, name_zh) as region_name_en,
    level as region_level,
    parent_code as parent_region_code,
    coalesce(is_synthetic, false) as is_synthetic
from {{ source('raw', 'regions') }}
