select
    load_id,
    sheet_name,
    source_row,
    rule_id,
    name_zh as rule_name_zh,
    coalesce(name_en, name_zh) as rule_name_en,
    threshold,
    coalesce(threshold_inclusive, true) as is_threshold_inclusive,
    threshold_unit,
    advanced_threshold,
    coalesce(advanced_inclusive, false) as is_advanced_inclusive,
    basic_threshold,
    coalesce(basic_inclusive, true) as is_basic_inclusive,
    source as rule_source
from {{ source('raw', 'survey_rules') }}
