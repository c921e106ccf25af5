select
    load_id,
    sheet_name,
    source_row,
    indicator_code,
    name_zh as indicator_name_zh,
    name_en as indicator_name_en,
    family as indicator_family,
    unit_zh,
    unit_en,
    direction,
    numerator as funding_numerator,
    denominator as population_denominator,
    definition_zh,
    definition_en
from {{ source('raw', 'indicators') }}
