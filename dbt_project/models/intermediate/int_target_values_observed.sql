-- The values a progress judgement as of a date (dbt var `as_of`) may use: one row per
-- target and year of the target's series (the running total for a cumulative target, the
-- annual value otherwise) up to the as-of year and, for a finished plan, up to the plan's
-- own last year: nothing after it counts. Whether the year lies in the plan period,
-- whether the value meets the target (an "approx" target without a registry tolerance
-- takes the progress_settings default) and which value is the latest are decided here
-- once, for fct_target_progress and fct_target_observation.
with

targets as (
    select * from {{ ref('fct_plan_target') }}
),

indicator_values as (
    select * from {{ ref('fct_indicator_value') }}
),

settings as (
    select
        any_value(value) filter (where setting = 'approx_default_tolerance')
            as approx_default_tolerance
    from {{ ref('progress_settings') }}
),

observed as (
    select
        targets.target_id,
        targets.plan_id,
        targets.indicator_code,
        targets.region_code,
        targets.comparator,
        targets.target_value,
        targets.target_value_upper,
        targets.tolerance,
        targets.period_start,
        targets.period_end,
        indicator_values.year,
        indicator_values.group_dimension as series,
        indicator_values.value,
        indicator_values.unit_zh,
        indicator_values.unit_en,
        indicator_values.standard_error,
        indicator_values.ci_lower,
        indicator_values.ci_upper,
        indicator_values.sample_size,
        indicator_values.quality_flag,
        indicator_values.quality_reason,
        indicator_values.quality_measure_value,
        indicator_values.quality_threshold,
        indicator_values.non_reporting_units,
        indicator_values.denominator_value,
        coalesce(targets.period_end, targets.target_year) as last_year
    from targets
    inner join indicator_values
        on targets.indicator_code = indicator_values.indicator_code
        and targets.region_code = indicator_values.region_code
        and indicator_values.group_dimension = case
            when targets.target_kind = 'cumulative' then 'cumulative' else 'total'
        end
    where indicator_values.year <= year(date '{{ as_of_date() }}')
),

in_scope as (
    -- a finished plan is judged on its own period: nothing after its last year counts
    select *
    from observed
    where last_year is null or year <= last_year
),

judged as (
    select
        in_scope.*,
        coalesce(in_scope.year between in_scope.period_start and in_scope.period_end, false)
            as is_in_period,
        {{ target_met('in_scope.value', 'in_scope', 'settings.approx_default_tolerance') }}
            as is_met,
        row_number() over (partition by in_scope.target_id order by in_scope.year desc) = 1
            as is_latest
    from in_scope
    cross join settings
)

select
    target_id,
    plan_id,
    date '{{ as_of_date() }}' as as_of_date,
    indicator_code,
    region_code,
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
    is_in_period,
    is_met,
    is_latest
from judged
