select
    load_id,
    sheet_name,
    source_row,
    plan_id,
    review_year,
    review_kind
from {{ source('raw', 'plan_reviews') }}
