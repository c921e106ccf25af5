select
    plan_id || '|' || review_year || '|' || review_kind as plan_review_id,
    plan_id,
    review_year,
    review_kind,
    load_id,
    source_row
from {{ ref('int_plan_reviews_current') }}
