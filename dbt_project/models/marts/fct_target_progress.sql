-- Progress of every target as of a date (dbt var `as_of`, default today), with the method
-- and every component, so an evaluator can recompute the status by hand:
--   level      Open SDG / Statistics Canada: CAGR_obs = (y_t/y_0)^(1/(t−t_0)) − 1,
--              CAGR_req = (y_T/y_0)^(1/(T−t_0)) − 1, R = CAGR_obs/|CAGR_req| (sign flipped
--              when a decrease is desired); met → achieved, R ≥ 0.95 on_track,
--              0.60 ≤ R < 0.95 accelerate, 0 ≤ R < 0.60 limited, R < 0 moving_away;
--              zero values become 1e-6; two data points needed. Share of the way
--              (y_t − y_0)/(y_T − y_0) alongside.
--   cumulative running total against the pro-rata path target × elapsed share of the
--              period; ratio bands as above.
--   annual     each year met or missed; achieved when every year of a finished period is
--              met, otherwise the share of years met in the same bands.
--   qualitative (measures, one row each) share of its measure × responsible-unit pairs
--              completed and overdue by their latest report: all completed → achieved;
--              none overdue → on_track; under a quarter overdue → accelerate; more →
--              limited; no report at all → insufficient_data.
-- "approx" targets are met within the registry's tolerance, "range" targets inside the
-- range. A suppressed latest estimate cannot decide a status: insufficient_data, with why.
{% set as_of = var('as_of', run_started_at.strftime('%Y-%m-%d')) %}
with

targets as (
    select * from {{ ref('fct_plan_target') }}
),

indicator_values as (
    select * from {{ ref('fct_indicator_value') }}
    where year <= year(date '{{ as_of }}')
),

observed as (
    select
        targets.target_id,
        indicator_values.year,
        indicator_values.value,
        indicator_values.quality_flag,
        indicator_values.quality_reason,
        indicator_values.ci_lower,
        indicator_values.ci_upper,
        indicator_values.group_dimension
    from targets
    inner join indicator_values
        on targets.indicator_code = indicator_values.indicator_code
        and targets.region_code = indicator_values.region_code
        and indicator_values.group_dimension = case
            when targets.target_kind = 'cumulative' then 'cumulative' else 'total'
        end
    -- a finished plan is judged on its own period: nothing after its last year counts
    where indicator_values.year <= coalesce(targets.period_end, targets.target_year, 9999)
),

latest as (
    select *
    from observed
    qualify row_number() over (partition by target_id order by year desc) = 1
),

first_observed as (
    -- without a registry baseline: the last value before the plan starts, else its first
    select observed.target_id, observed.year as first_year, observed.value as first_value
    from observed
    inner join targets on observed.target_id = targets.target_id
    where observed.value is not null
    qualify row_number() over (
        partition by observed.target_id
        order by (observed.year < targets.period_start) desc,
            case when observed.year < targets.period_start then -observed.year
                else observed.year end
    ) = 1
),

annual_years as (
    select
        observed.target_id,
        count(*) as years_assessed,
        count(*) filter (where {{ target_met('observed.value', 'targets') }}) as years_met,
        string_agg(observed.year || (case when {{ target_met('observed.value', 'targets') }}
            then ' met' else ' missed' end), ', ' order by observed.year) as years_detail
    from observed
    inner join targets on observed.target_id = targets.target_id
    where targets.target_kind = 'annual'
        and observed.year between targets.period_start and targets.period_end
        and observed.value is not null
    group by observed.target_id
),

components as (
    select
        targets.*,
        date '{{ as_of }}' as as_of_date,
        latest.year as latest_year,
        latest.value as latest_value,
        latest.quality_flag as latest_quality_flag,
        latest.quality_reason as latest_quality_reason,
        latest.ci_lower as latest_ci_lower,
        latest.ci_upper as latest_ci_upper,
        coalesce(targets.baseline_year, first_observed.first_year) as base_year,
        coalesce(targets.baseline_value, first_observed.first_value) as base_value,
        coalesce(targets.target_year, targets.period_end) as due_year,
        annual_years.years_assessed,
        annual_years.years_met,
        annual_years.years_detail,
        {{ target_met('latest.value', 'targets') }} as is_met
    from targets
    left join latest on targets.target_id = latest.target_id
    left join first_observed on targets.target_id = first_observed.target_id
    left join annual_years on targets.target_id = annual_years.target_id
),

rates as (
    select
        *,
        greatest(coalesce(base_value, 0), 1e-6) as y0,
        greatest(coalesce(latest_value, 0), 1e-6) as yt,
        greatest(target_value, 1e-6) as y_target,
        case
            when target_kind = 'level' and latest_year > base_year
                then power(greatest(latest_value, 1e-6) / greatest(base_value, 1e-6),
                    1.0 / (latest_year - base_year)) - 1
        end as cagr_observed,
        case
            when target_kind = 'level' and due_year > base_year
                then power(greatest(target_value, 1e-6) / greatest(base_value, 1e-6),
                    1.0 / (due_year - base_year)) - 1
        end as cagr_required,
        case
            when target_kind = 'level' and target_value <> base_value
                then (latest_value - base_value) / (target_value - base_value)
        end as share_of_way,
        case
            when target_kind = 'cumulative' and latest_year is not null
                then least(1.0, (latest_year - period_start + 1.0) / (period_end - period_start + 1))
        end as elapsed_share
    from components
),

ratios as (
    select
        *,
        case
            when target_kind = 'level' and cagr_required is not null and cagr_required <> 0
                then cagr_observed / abs(cagr_required)
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

statused as (
    select
        *,
        case
            when year(as_of_date) < period_start then 'not_yet_due'
            when latest_quality_flag = 'suppress' then 'insufficient_data'
            when latest_value is null then 'insufficient_data'
            when target_kind = 'annual' and years_met = years_assessed
                and year(as_of_date) >= period_end and latest_year >= period_end then 'achieved'
            when target_kind <> 'annual' and is_met then 'achieved'
            when target_kind = 'level' and (latest_year <= base_year or base_year is null)
                then 'insufficient_data'
            when progress_ratio is null then 'insufficient_data'
            when progress_ratio >= 0.95 then 'on_track'
            when progress_ratio >= 0.60 then 'accelerate'
            when progress_ratio >= 0 then 'limited'
            else 'moving_away'
        end as progress_status
    from ratios
),

quantitative as (
    select
        target_id || '|' || as_of_date as target_progress_id,
        target_id,
        plan_id,
        indicator_code,
        indicator_name_zh,
        indicator_name_en,
        region_code,
        target_kind,
        comparator,
        target_value,
        target_value_upper,
        tolerance,
        target_label_zh,
        target_label_en,
        direction,
        as_of_date,
        case target_kind
            when 'level' then 'growth_ratio'
            when 'cumulative' then 'pro_rata'
            when 'annual' then 'years_met'
        end as progress_method,
        base_year as baseline_year,
        base_value as baseline_value,
        latest_year,
        latest_value,
        latest_quality_flag,
        latest_ci_lower,
        latest_ci_upper,
        case
            when latest_ci_lower is not null
                then target_value between latest_ci_lower and latest_ci_upper
        end as is_target_inside_ci,
        due_year as target_year,
        period_start,
        period_end,
        cagr_observed,
        cagr_required,
        progress_ratio,
        share_of_way,
        elapsed_share,
        expected_to_date,
        years_assessed,
        years_met,
        years_detail,
        is_met,
        progress_status,
        case
            when progress_status = 'not_yet_due' then 'the plan period has not started'
            when latest_quality_flag = 'suppress'
                then 'latest estimate suppressed: ' || coalesce(latest_quality_reason, '')
            when latest_value is null then 'no value for this target up to the as-of date'
            when progress_status = 'insufficient_data' then 'fewer than two data points'
        end as status_reason,
        0.95 as threshold_on_track,
        0.60 as threshold_accelerate,
        lead_departments,
        cooperating_departments
    from statused
),

measure_pairs as (
    select
        measure_status.measure_id,
        measure_status.plan_id,
        count(*) as pairs,
        count(*) filter (where measure_status = 'completed') as completed_pairs,
        count(*) filter (where measure_status = 'overdue') as overdue_pairs,
        count(*) filter (where measure_status <> 'not_reported') as reported_pairs
    from {{ ref('fct_measure_status') }} as measure_status
    group by all
),

qualitative as (
    select
        measure_pairs.measure_id || '|' || date '{{ as_of }}' as target_progress_id,
        measure_pairs.measure_id as target_id,
        measure_pairs.plan_id,
        'qualitative' as target_kind,
        measures.title_zh as target_label_zh,
        measures.title_en as target_label_en,
        date '{{ as_of }}' as as_of_date,
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
            when measure_pairs.overdue_pairs / measure_pairs.pairs < 0.25 then 'accelerate'
            else 'limited'
        end as progress_status,
        case when measure_pairs.reported_pairs = 0 then 'no responsible unit has reported' end
            as status_reason,
        measures.responsible_units as lead_departments
    from measure_pairs
    inner join {{ ref('fct_plan_measure') }} as measures
        on measure_pairs.measure_id = measures.measure_id
)

select * from quantitative
union all by name
select * from qualitative
