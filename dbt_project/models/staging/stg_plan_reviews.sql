select
    load_id,
    source_row,
    plan_id,
    review_year,
    review_kind
from {{ source('raw', 'plan_reviews') }}
