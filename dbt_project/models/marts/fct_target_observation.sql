-- The values each target's progress may be judged on as of a date (dbt var `as_of`): one
-- row per target and year (per wave for a gap or dispersion), with its standard error, CI
-- and quality, whether the year lies in the plan period, whether the value meets the
-- target (for a growth target: whether it grew over the previous year, whose value it
-- shows) and whether it is the latest value (the one fct_target_progress judged). The rows
-- are int_target_values_observed, the model that gives fct_target_progress its values.
with

observations as (
    select * from {{ ref('int_target_values_observed') }}
)

select
    target_id || '|' || as_of_date || '|' || year as target_observation_id,
    target_id,
    plan_id,
    as_of_date,
    indicator_code,
    region_code,
    target_kind,
    year,
    series,
    value,
    unit_zh,
    unit_en,
    standard_error,
    ci_lower,
    ci_upper,
    sample_size,
    quality_flag,
    quality_reason,
    quality_measure_value,
    quality_threshold,
    non_reporting_units,
    denominator_value,
    previous_value,
    growth_rate,
    is_in_period,
    is_met,
    is_latest
from observations
