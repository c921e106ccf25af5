-- Progress of every target as of a date (dbt var `as_of`, default today), with the method
-- and every component, so an evaluator can recompute the status by hand. The values come
-- from int_target_values_observed (the as-of cut-off, whether each value meets the target,
-- which one is the latest); the bands, ε and the measure threshold are rows of the seeds
-- progress_bands and progress_settings.
--   level      Open SDG / Statistics Canada: CAGR_obs = (y_t/y_0)^(1/(t−t_0)) − 1,
--              CAGR_req = (y_T/y_0)^(1/(T−t_0)) − 1, R = CAGR_obs/|CAGR_req| (sign flipped
--              when a decrease is desired); met → achieved, otherwise the band of R;
--              zero values become ε; two data points needed. Share of the way
--              (y_t − y_0)/(y_T − y_0) alongside.
--   cumulative running total against the pro-rata path target × elapsed share of the
--              period; R = running total / expected, in the same bands.
--   annual     each year met or missed; achieved when every year of a finished period is
--              met, otherwise the share of years met in the same bands.
--   qualitative (measures, one row each) share of its measure × responsible-unit pairs
--              completed and overdue by their latest report: all completed → achieved;
--              none overdue → on_track; an overdue share below the setting → accelerate;
--              more → limited; no report at all → insufficient_data.
-- A ratio takes the band with the highest min_ratio it reaches. A suppressed latest
-- estimate cannot decide a status: insufficient_data, with the reason code.
with

targets as (
    select * from {{ ref('fct_plan_target') }}
),

observations as (
    select * from {{ ref('int_target_values_observed') }}
),

bands as (
    select * from {{ ref('progress_bands') }}
),

measure_status as (
    select * from {{ ref('fct_measure_status') }}
),

measures as (
    select * from {{ ref('fct_plan_measure') }}
),

settings as (
    select
        any_value(value) filter (where setting = 'epsilon') as epsilon,
        any_value(value) filter (where setting = 'measure_accelerate_max_overdue_share')
            as measure_accelerate_max_overdue_share
    from {{ ref('progress_settings') }}
),

thresholds as (
    select
        any_value(min_ratio) filter (where progress_status = 'on_track') as threshold_on_track,
        any_value(min_ratio) filter (where progress_status = 'accelerate')
            as threshold_accelerate
    from bands
),

latest as (
    select * from observations
    where is_latest
),

first_observed as (
    -- without a registry baseline: the last value before the plan starts, else its first
    select
        observations.target_id,
        observations.year as first_year,
        observations.value as first_value
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
    qualify row_number() over nearest_before_start = 1
),

annual_years as (
    select
        observations.target_id,
        count(*) as years_assessed,
        count(*) filter (where observations.is_met) as years_met
    from observations
    inner join targets on observations.target_id = targets.target_id
    where
        targets.target_kind = 'annual'
        and observations.is_in_period
        and observations.value is not null
    group by observations.target_id
),

components as (
    select
        targets.*,
        date '{{ as_of_date() }}' as as_of_date,
        latest.year as latest_year,
        latest.value as latest_value,
        latest.quality_flag as latest_quality_flag,
        latest.quality_reason as latest_quality_reason,
        latest.quality_measure_value as latest_quality_measure_value,
        latest.quality_threshold as latest_quality_threshold,
        latest.non_reporting_units as latest_non_reporting_units,
        latest.denominator_value as latest_denominator_value,
        latest.ci_lower as latest_ci_lower,
        latest.ci_upper as latest_ci_upper,
        latest.is_met,
        coalesce(targets.baseline_year, first_observed.first_year) as base_year,
        coalesce(targets.baseline_value, first_observed.first_value) as base_value,
        coalesce(targets.target_year, targets.period_end) as due_year,
        annual_years.years_assessed,
        annual_years.years_met,
        settings.epsilon
    from targets
    left join latest on targets.target_id = latest.target_id
    left join first_observed on targets.target_id = first_observed.target_id
    left join annual_years on targets.target_id = annual_years.target_id
    cross join settings
),

bounded as (
    -- zero values (a zero baseline, say) become ε so the growth rates are defined; years
    -- are counted inclusively (2021–2025 is five years)
    select
        *,
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
            when target_kind = 'level' and latest_year > base_year
                then power(yt / y0, 1.0 / (latest_year - base_year)) - 1
        end as cagr_observed,
        case
            when target_kind = 'level' and due_year > base_year
                then power(y_target / y0, 1.0 / (due_year - base_year)) - 1
        end as cagr_required,
        case
            when target_kind = 'level' and target_value <> base_value
                then (latest_value - base_value) / (target_value - base_value)
        end as share_of_way,
        case
            when target_kind = 'cumulative' and latest_year is not null
                then least(1.0, years_elapsed / period_years)
        end as elapsed_share
    from bounded
),

ratios as (
    select
        *,
        case
            when target_kind = 'level' and cagr_required is not null and cagr_required <> 0
                then
                    cagr_observed / abs(cagr_required)
                    * (case when direction = 'decrease' then -1 else 1 end)
            when target_kind = 'cumulative'
                then latest_value / nullif(target_value * elapsed_share, 0)
            when target_kind = 'annual'
                then years_met / nullif(years_assessed, 0)
        end as progress_ratio,
        case when target_kind = 'cumulative' then target_value * elapsed_share end
            as expected_to_date
    from rates
),

ratio_bands as (
    -- the band with the highest min_ratio the ratio reaches; the band without a minimum
    -- takes every ratio below the others
    select
        ratios.target_id,
        bands.progress_status as band
    from ratios
    inner join bands
        on ratios.progress_ratio >= coalesce(bands.min_ratio, cast('-infinity' as double))
    window highest_band as (partition by ratios.target_id order by bands.min_ratio desc nulls last)
    qualify row_number() over highest_band = 1
),

statused as (
    select
        ratios.*,
        case
            when year(ratios.as_of_date) < ratios.period_start then 'not_yet_due'
            when ratios.latest_quality_flag = 'suppress' then 'insufficient_data'
            when ratios.latest_value is null then 'insufficient_data'
            when
                ratios.target_kind = 'annual' and ratios.years_met = ratios.years_assessed
                and year(ratios.as_of_date) >= ratios.period_end
                and ratios.latest_year >= ratios.period_end then 'achieved'
            when ratios.target_kind <> 'annual' and ratios.is_met then 'achieved'
            when
                ratios.target_kind = 'level'
                and (ratios.latest_year <= ratios.base_year or ratios.base_year is null)
                then 'insufficient_data'
            when ratios.progress_ratio is null then 'insufficient_data'
            else ratio_bands.band
        end as progress_status
    from ratios
    left join ratio_bands on ratios.target_id = ratio_bands.target_id
),

quantitative as (
    select
        statused.target_id || '|' || statused.as_of_date as target_progress_id,
        statused.target_id,
        statused.plan_id,
        statused.indicator_code,
        statused.indicator_name_zh,
        statused.indicator_name_en,
        statused.region_code,
        statused.target_kind,
        statused.comparator,
        statused.target_value,
        statused.target_value_upper,
        statused.tolerance,
        statused.target_label_zh,
        statused.target_label_en,
        statused.direction,
        statused.as_of_date,
        case statused.target_kind
            when 'level' then 'growth_ratio'
            when 'cumulative' then 'pro_rata'
            when 'annual' then 'years_met'
        end as progress_method,
        statused.base_year as baseline_year,
        statused.base_value as baseline_value,
        statused.latest_year,
        statused.latest_value,
        statused.latest_quality_flag,
        statused.latest_quality_reason,
        statused.latest_quality_measure_value,
        statused.latest_quality_threshold,
        statused.latest_non_reporting_units,
        statused.latest_denominator_value,
        statused.latest_ci_lower,
        statused.latest_ci_upper,
        case
            when statused.latest_ci_lower is not null
                then
                    statused.target_value
                    between statused.latest_ci_lower and statused.latest_ci_upper
        end as is_target_inside_ci,
        statused.due_year as target_year,
        statused.period_start,
        statused.period_end,
        statused.cagr_observed,
        statused.cagr_required,
        statused.progress_ratio,
        statused.share_of_way,
        statused.elapsed_share,
        statused.expected_to_date,
        statused.years_assessed,
        statused.years_met,
        statused.is_met,
        statused.progress_status,
        case
            when statused.progress_status = 'not_yet_due' then 'period_not_started'
            when statused.latest_quality_flag = 'suppress' then 'latest_suppressed'
            when statused.latest_value is null then 'no_value'
            when statused.progress_status = 'insufficient_data' then 'too_few_points'
        end as status_reason,
        thresholds.threshold_on_track,
        thresholds.threshold_accelerate,
        statused.lead_departments,
        statused.cooperating_departments
    from statused
    cross join thresholds
),

measure_pairs as (
    select
        measure_id,
        plan_id,
        count(*) as pairs,
        count(*) filter (where measure_status = 'completed') as completed_pairs,
        count(*) filter (where measure_status = 'overdue') as overdue_pairs,
        count(*) filter (where measure_status <> 'not_reported') as reported_pairs
    from measure_status
    group by all
),

qualitative as (
    select
        measure_pairs.measure_id || '|' || date '{{ as_of_date() }}' as target_progress_id,
        measure_pairs.measure_id as target_id,
        measure_pairs.plan_id,
        'qualitative' as target_kind,
        measures.title_zh as target_label_zh,
        measures.title_en as target_label_en,
        date '{{ as_of_date() }}' as as_of_date,
        'measure_completion' as progress_method,
        measure_pairs.pairs as measure_unit_pairs,
        measure_pairs.completed_pairs,
        measure_pairs.overdue_pairs,
        measure_pairs.completed_pairs / measure_pairs.pairs as completed_share,
        measure_pairs.overdue_pairs / measure_pairs.pairs as overdue_share,
        case
            when measure_pairs.reported_pairs = 0 then 'insufficient_data'
            when measure_pairs.completed_pairs = measure_pairs.pairs then 'achieved'
            when measure_pairs.overdue_pairs = 0 then 'on_track'
            when
                measure_pairs.overdue_pairs / measure_pairs.pairs
                < settings.measure_accelerate_max_overdue_share then 'accelerate'
            else 'limited'
        end as progress_status,
        case when measure_pairs.reported_pairs = 0 then 'no_reports' end as status_reason,
        measures.responsible_units as lead_departments
    from measure_pairs
    inner join measures on measure_pairs.measure_id = measures.measure_id
    cross join settings
)

-- by name: a measure has no indicator values, a target no measure pairs
select * from quantitative  -- noqa: AM07
union all by name
select * from qualitative
