-- A presentation rule compares its measure with a threshold by one of the comparators
-- the `compared` macro knows; with any other (approx, range) the rule would never hold.
with

rules as (
    select * from {{ ref('presentation_rules') }}
)

select
    rule_order,
    comparator
from rules
where {{ compared('threshold', 'comparator', 'threshold') }} is null
