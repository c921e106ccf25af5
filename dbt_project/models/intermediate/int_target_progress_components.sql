-- Every component a verdict on a quantitative target needs, as of a date (dbt var
-- `as_of`): the stage of the judgement, the baseline and latest values, the growth rates,
-- the pro-rata path, the years met, the change of a gap between two waves with its SE, and
-- after the due year the shortfall. fct_target_progress turns them into a status by the
-- rule of verdict_rules; an evaluator recomputes the status by hand from these columns.
--   stage       final once the as-of year lies after the due year (target year, else the
--               period end), forward before.
--   baseline    the registry's, else the last value before the period, else the first in
--               it (for a gap or dispersion always the observed wave, with its SE).
--   level, coverage: CAGR_obs = (y_t/y_0)^(1/(t−t_0)) − 1, CAGR_req = (y_T/y_0)^(1/(T−t_0))
--               − 1, R = CAGR_obs/|CAGR_req| (sign flipped for a decrease), zeros as ε;
--               share of the way (y_t − y_0)/(y_T − y_0).
--   cumulative  R = running total / (target × elapsed share of the period).
--   annual, growth: R = years met / years assessed, over the years of the period with a
--               value; period_years for the final count (a year without a value is missed).
--   gap, dispersion: Δ = latest − base, SE(Δ) = sqrt(SE_t² + SE_0²) (independent waves; a
--               census value has no SE), Δ ± z · SE(Δ) with z = change_critical_value.
--   shortfall   (final only) the final value against the target: gap_to_target = target −
--               value for an increase, value − target for a decrease (> 0 is short), and
--               share_achieved = value / target (target / value for a decrease); for annual
--               and growth targets the share of the period's years met.
with

targets as (
    select * from {{ ref('fct_plan_target') }}
),

observations as (
    select * from {{ ref('int_target_values_observed') }}
),

settings as (
    select
        max(value) filter (where setting = 'epsilon') as epsilon,
        max(value) filter (where setting = 'change_critical_value') as critical_value
    from {{ ref('progress_settings') }}
),

latest as (
    select * from observations
    where is_latest
),

ranked_before_start as (
    select
        observations.target_id,
        observations.year as first_year,
        observations.value as first_value,
        observations.standard_error as first_standard_error,
        row_number() over nearest_before_start as nearness
    from observations
    inner join targets on observations.target_id = targets.target_id
    where observations.value is not null
    window
        nearest_before_start as (
            partition by observations.target_id
            order by
                (observations.year < targets.period_start) desc,
                case
                    when observations.year < targets.period_start then -observations.year
                    else observations.year
                end
        )
),

first_observed as (
    -- without a registry baseline: the last value before the plan starts, else its first
    select
        target_id,
        first_year,
        first_value,
        first_standard_error
    from ranked_before_start
    where nearness = 1
),

years as (
    select
        target_id,
        count(*) as years_assessed,
        count(*) filter (where is_met) as years_met
    from observations
    where target_kind in ('annual', 'growth') and is_in_period and is_met is not null
    group by target_id
),

components as (
    select
        targets.*,
        date '{{ as_of_date() }}' as as_of_date,
        coalesce(targets.target_year, targets.period_end) as due_year,
        latest.year as latest_year,
        latest.value as latest_value,
        latest.standard_error as latest_standard_error,
        latest.quality_flag as latest_quality_flag,
        latest.quality_reason as latest_quality_reason,
        latest.quality_measure_value as latest_quality_measure_value,
        latest.quality_threshold as latest_quality_threshold,
        latest.non_reporting_units as latest_non_reporting_units,
        latest.denominator_value as latest_denominator_value,
        latest.ci_lower as latest_ci_lower,
        latest.ci_upper as latest_ci_upper,
        latest.is_met,
        case
            when targets.target_kind in ('gap', 'dispersion') then first_observed.first_year
            else coalesce(targets.baseline_year, first_observed.first_year)
        end as base_year,
        case
            when targets.target_kind in ('gap', 'dispersion') then first_observed.first_value
            else coalesce(targets.baseline_value, first_observed.first_value)
        end as base_value,
        first_observed.first_standard_error as base_standard_error,
        years.years_assessed,
        years.years_met,
        settings.epsilon,
        settings.critical_value
    from targets
    left join latest on targets.target_id = latest.target_id
    left join first_observed on targets.target_id = first_observed.target_id
    left join years on targets.target_id = years.target_id
    cross join settings
),

bounded as (
    -- zero values (a zero baseline, say) become ε so the growth rates are defined; years
    -- are counted inclusively (2021–2025 is five years)
    select
        *,
        case
            when {{ year_of('as_of_date') }} > due_year then 'final' else 'forward'
        end as verdict_stage,
        greatest(base_value, epsilon) as y0,
        greatest(latest_value, epsilon) as yt,
        greatest(target_value, epsilon) as y_target,
        latest_year - period_start + 1.0 as years_elapsed,
        period_end - period_start + 1 as period_years
    from components
),

rates as (
    select
        *,
        case
            when target_kind in ('level', 'coverage') and latest_year > base_year
                then power(yt / y0, 1.0 / (latest_year - base_year)) - 1
        end as cagr_observed,
        case
            when target_kind in ('level', 'coverage') and due_year > base_year
                then power(y_target / y0, 1.0 / (due_year - base_year)) - 1
        end as cagr_required,
        case
            when target_kind in ('level', 'coverage') and target_value <> base_value
                then (latest_value - base_value) / (target_value - base_value)
        end as share_of_way,
        case
            when target_kind = 'cumulative' and latest_year is not null
                then least(1.0, years_elapsed / period_years)
        end as elapsed_share,
        case
            when target_kind in ('gap', 'dispersion') and latest_year > base_year
                then latest_value - base_value
        end as change_value,
        case
            when target_kind in ('gap', 'dispersion') and latest_year > base_year
                then sqrt(
                        power(coalesce(latest_standard_error, 0), 2)
                        + power(coalesce(base_standard_error, 0), 2)
                    )
        end as change_standard_error
    from bounded
)

select
    target_id || '|' || as_of_date as target_progress_id,
    target_id,
    plan_id,
    indicator_code,
    indicator_name_zh,
    indicator_name_en,
    region_code,
    target_kind,
    gap_group_a,
    gap_group_b,
    comparator,
    target_value,
    target_value_upper,
    tolerance,
    target_label_zh,
    target_label_en,
    direction,
    as_of_date,
    verdict_stage,
    base_year as baseline_year,
    base_value as baseline_value,
    base_standard_error as baseline_standard_error,
    latest_year,
    latest_value,
    latest_standard_error,
    latest_quality_flag,
    latest_quality_reason,
    latest_quality_measure_value,
    latest_quality_threshold,
    latest_non_reporting_units,
    latest_denominator_value,
    latest_ci_lower,
    latest_ci_upper,
    case
        when target_kind in ('gap', 'dispersion') and change_standard_error > 0
            then 0 between change_value - critical_value * change_standard_error
                and change_value + critical_value * change_standard_error
        when latest_ci_lower is not null
            then target_value between latest_ci_lower and latest_ci_upper
    end as is_target_inside_ci,
    due_year as target_year,
    period_start,
    period_end,
    period_years,
    cagr_observed,
    cagr_required,
    case
        when
            target_kind in ('level', 'coverage')
            and cagr_required is not null and cagr_required <> 0
            then
                cagr_observed / abs(cagr_required)
                * (case when direction = 'decrease' then -1 else 1 end)
        when target_kind = 'cumulative'
            then latest_value / nullif(target_value * elapsed_share, 0)
        when target_kind in ('annual', 'growth')
            then cast(years_met as double precision) / nullif(years_assessed, 0)
    end as progress_ratio,
    share_of_way,
    elapsed_share,
    case when target_kind = 'cumulative' then target_value * elapsed_share end as expected_to_date,
    years_assessed,
    years_met,
    change_value,
    change_standard_error,
    change_value - critical_value * change_standard_error as change_ci_lower,
    change_value + critical_value * change_standard_error as change_ci_upper,
    change_value / nullif(change_standard_error, 0) as change_z,
    critical_value,
    is_met,
    case
        when verdict_stage = 'final' and target_kind in ('level', 'coverage', 'cumulative')
            then latest_year
    end as final_year,
    case
        when verdict_stage = 'final' and target_kind in ('level', 'coverage', 'cumulative')
            then latest_value
    end as final_value,
    case
        when verdict_stage = 'final' and target_kind in ('level', 'coverage', 'cumulative')
            then case
                    when direction = 'decrease' then latest_value - target_value
                    else target_value - latest_value
                end
    end as gap_to_target,
    case
        when verdict_stage = 'final' and target_kind in ('level', 'coverage', 'cumulative')
            then case
                    when direction = 'decrease' then target_value / nullif(latest_value, 0)
                    else latest_value / nullif(target_value, 0)
                end
        when verdict_stage = 'final' and target_kind in ('annual', 'growth')
            then cast(coalesce(years_met, 0) as double precision) / period_years
    end as share_achieved,
    lead_departments,
    cooperating_departments
from rates
