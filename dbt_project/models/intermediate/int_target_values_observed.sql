-- The values a progress judgement as of a date (dbt var `as_of`) may use: one row per
-- target and year of the target's series up to the as-of year and, for a finished plan,
-- up to the plan's own last year: nothing after it counts. The series is the running
-- total of a cumulative target, the gap between the rule's two groups of a gap target
-- (计量规则: target_groups = minuend、subtrahend) and the annual value otherwise. Whether
-- the year lies in the plan period, whether the value meets the target (an "approx"
-- target without a registry tolerance takes the progress_settings default; a growth
-- target compares the growth rate over the previous year, or over a registry baseline of
-- the year before; gap, dispersion and context targets are judged on the whole series,
-- not year by year) and which value is the latest are decided here once, for
-- int_target_progress_components and fct_target_observation.
with

targets as (
    select * from {{ ref('fct_plan_target') }}
),

indicator_values as (
    select * from {{ ref('fct_indicator_value') }}
),

gap_rules as (
    select * from {{ ref('int_measurement_rule_scopes') }}
    where measure = 'gap_change'
),

settings as (
    select
        max(value) filter (where setting = 'approx_default_tolerance')
            as approx_default_tolerance
    from {{ ref('progress_settings') }}
),

series as (
    -- the group_dimension and group_value of each target's series in fct_indicator_value
    -- (a gap's dimension follows from its label)
    select
        targets.*,
        case
            when targets.target_kind = 'cumulative' then 'cumulative'
            when targets.target_kind <> 'gap' then 'total'
        end as series_dimension,
        case
            when targets.target_kind = 'cumulative' then 'since_period_start'
            when targets.target_kind = 'gap'
                then gap_rules.target_groups[1] || '-' || gap_rules.target_groups[2]
            else 'all'
        end as series_value
    from targets
    left join gap_rules on targets.target_id = gap_rules.target_id
),

observed as (
    select
        series.target_id,
        series.plan_id,
        series.indicator_code,
        series.region_code,
        series.target_kind,
        series.comparator,
        series.target_value,
        series.target_value_upper,
        series.tolerance,
        series.baseline_year,
        series.baseline_value,
        series.period_start,
        series.period_end,
        indicator_values.year,
        case
            when indicator_values.group_dimension in ('total', 'cumulative')
                then indicator_values.group_dimension
            else 'gap'
        end as series,
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
        coalesce(series.period_end, series.target_year) as last_year
    from series
    inner join indicator_values
        on series.indicator_code = indicator_values.indicator_code
        and series.region_code = indicator_values.region_code
        and series.series_value = indicator_values.group_value
        and coalesce(series.series_dimension = indicator_values.group_dimension, true)
    where indicator_values.year <= {{ year_of("date '" ~ as_of_date() ~ "'") }}
),

in_scope as (
    -- a finished plan is judged on its own period: nothing after its last year counts
    select
        *,
        lag(value) over (partition by target_id order by year) as lagged_value,
        lag(year) over (partition by target_id order by year) as lagged_year
    from observed
    where last_year is null or year <= last_year
),

grown as (
    -- a growth target compares each year with the one before (the registry baseline when
    -- the series starts in the year after it)
    select
        *,
        case
            when target_kind = 'growth' and lagged_year = year - 1 then lagged_value
            when target_kind = 'growth' and baseline_year = year - 1 then baseline_value
        end as previous_value
    from in_scope
),

judged as (
    select
        grown.*,
        (grown.value / nullif(grown.previous_value, 0) - 1) * 100 as growth_rate,
        coalesce(grown.year between grown.period_start and grown.period_end, false)
            as is_in_period,
        case
            when grown.target_kind in ('gap', 'dispersion', 'context') then null
            when grown.target_kind = 'growth'
                then {{ target_met(
                    '(grown.value / nullif(grown.previous_value, 0) - 1) * 100',
                    'grown',
                    'settings.approx_default_tolerance',
                ) }}
            else {{ target_met('grown.value', 'grown', 'settings.approx_default_tolerance') }}
        end as is_met,
        row_number() over (partition by grown.target_id order by grown.year desc) = 1
            as is_latest
    from grown
    cross join settings
)

select
    target_id,
    plan_id,
    date '{{ as_of_date() }}' as as_of_date,
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
from judged
