-- A range target needs an upper bound above its lower one; an "about" target needs a tolerance.
select
    target_id,
    comparator,
    target_value,
    target_value_upper,
    tolerance
from {{ ref('fct_plan_target') }}
where
    (comparator = 'range' and (target_value_upper is null or target_value_upper <= target_value))
    or (comparator = 'approx' and tolerance is null)
