-- The NCHS 2017 presentation rules of fct_literacy_estimate, published from the seed so
-- that reports render the methods annex from the rows the model uses.
with

presentation_rules as (
    select * from {{ ref('presentation_rules') }}
)

select
    rule_order,
    quality_reason,
    measure,
    comparator,
    threshold,
    min_ci_width,
    quality_flag
from presentation_rules
