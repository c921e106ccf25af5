select
    load_id,
    sheet_name,
    source_row,
    rule_id,
    dimension,
    min_score
from {{ source('raw', 'survey_rule_minima') }}
