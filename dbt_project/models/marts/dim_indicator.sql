select
    indicator_code,
    indicator_name_zh,
    indicator_name_en,
    indicator_family,
    unit_zh,
    unit_en,
    direction,
    funding_numerator,
    population_denominator,
    definition_zh,
    definition_en,
    load_id,
    source_row
from {{ ref('int_indicators_current') }}
