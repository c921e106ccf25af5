-- The online system's rule: an item that changed by more than a share of the unit's
-- previous year (8%, progress_settings.kp_change_max_share) needs an explanation (说明).
-- Flagged, not refused: one row per unexplained change, with the values an auditor
-- checks it by.

with

forms as (
    select * from {{ ref('int_kp_forms_current') }}
),

threshold as (
    select value as max_change_share
    from {{ ref('progress_settings') }}
    where setting = 'kp_change_max_share'
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
    changes.kp_table || '|' || changes.unit_code || '|' || changes.form_id || '|'
    || changes.indicator_code || '|' || cast(changes.year as varchar) as kp_change_flag_id,
    changes.kp_table,
    changes.unit_code,
    changes.form_id,
    changes.indicator_code,
    changes.year,
    changes.indicator_value,
    changes.previous_value,
    (changes.indicator_value - changes.previous_value)
    / nullif(changes.previous_value, 0) as change_share,
    'change_unexplained' as flag_code
from changes
cross join threshold
where
    abs(changes.indicator_value - changes.previous_value)
    > threshold.max_change_share * changes.previous_value
    and changes.explanation is null
