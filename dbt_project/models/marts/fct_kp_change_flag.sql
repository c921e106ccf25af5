-- The online system's rule: an item that changed by more than 8% on the unit's previous
-- year needs an explanation (说明). Flagged, not refused: one row per unexplained change,
-- with the values an auditor checks it by.
{%- set max_change_share = 0.08 %}

with

forms as (
    select * from {{ ref('int_kp_forms_current') }}
),

changes as (
    select
        current_year.kp_table,
        current_year.unit_code,
        current_year.form_id,
        current_year.indicator_code,
        current_year.year,
        current_year.indicator_value,
        previous_year.indicator_value as previous_value,
        current_year.explanation
    from forms as current_year
    inner join forms as previous_year
        on
        current_year.kp_table = previous_year.kp_table
        and current_year.unit_code = previous_year.unit_code
        and current_year.form_id = previous_year.form_id
        and current_year.indicator_code = previous_year.indicator_code
        and current_year.year = previous_year.year + 1
)

select
    kp_table || '|' || unit_code || '|' || form_id || '|' || indicator_code || '|'
    || cast(year as varchar) as kp_change_flag_id,
    kp_table,
    unit_code,
    form_id,
    indicator_code,
    year,
    indicator_value,
    previous_value,
    (indicator_value - previous_value) / nullif(previous_value, 0) as change_share,
    'change_unexplained' as flag_code
from changes
where
    abs(indicator_value - previous_value) > {{ max_change_share }} * previous_value
    and explanation is null
