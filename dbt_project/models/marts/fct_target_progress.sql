-- Every goal of every plan with its verdict as of a date (dbt var `as_of`, default today):
-- the quantitative targets of every kind and the tasks, measures and safeguards, one row
-- each, with the stage of the judgement, the method, the rule and every component, so an
-- evaluator can recompute the status by hand. The components come from
-- int_target_progress_components; which rule applies to a kind at a stage is the seed
-- verdict_rules; the bands, ε, the critical value and the task threshold are the seeds
-- progress_bands and progress_settings.
--   forward (before or in the due year): growth_ratio_bands, pro_rata_bands and
--       years_met_bands give the band of R (met already → achieved; the band with the
--       highest min_ratio R reaches); change_test gives on_track when the gap narrowed
--       significantly (the 95% interval of the change below 0), must accelerate when it
--       narrowed without significance, limited when it did not narrow, moving_away when it
--       widened significantly; completion_bands give achieved when every unit completed,
--       on_track when none is overdue or never reported, accelerate below the setting's
--       share of such units, limited above (insufficient_data only while no unit of the
--       plan has reported anything: a unit that never reported counts against its task).
--   final (the as-of year after the due year): achieved or not_achieved, never a band.
--       final_comparison: the final value meets the target; all_years_met: every year of
--       the period met. A target not yet met whose due year's value (or a year of the
--       period) has not arrived by the as-of date waits: insufficient_data,
--       due_year_missing (a missed year already makes an annual target not_achieved, a
--       running total met early stays met, a level met before the due year is not yet
--       achieved: it must hold in the due year, as must a narrowed gap);
--       change_test: a significant
--       narrowing; all_units_completed: every unit reported completion (a unit that
--       never reported counts as not done).
--   context targets are shown and not judged.
-- A suppressed latest estimate cannot decide a status: insufficient_data, with the reason.
-- The columns of the goals, and which of them targets and tasks have (union all by name).
{% set goal_columns = [
    ('target_progress_id', 'varchar'),
    ('target_id', 'varchar'),
    ('plan_id', 'varchar'),
    ('indicator_code', 'varchar'),
    ('indicator_name_zh', 'varchar'),
    ('indicator_name_en', 'varchar'),
    ('region_code', 'varchar'),
    ('target_kind', 'varchar'),
    ('gap_group_a', 'varchar'),
    ('gap_group_b', 'varchar'),
    ('comparator', 'varchar'),
    ('target_value', 'double precision'),
    ('target_value_upper', 'double precision'),
    ('tolerance', 'double precision'),
    ('is_target_on_value_scale', 'boolean'),
    ('target_label_zh', 'varchar'),
    ('target_label_en', 'varchar'),
    ('direction', 'varchar'),
    ('as_of_date', 'date'),
    ('verdict_stage', 'varchar'),
    ('baseline_year', 'bigint'),
    ('baseline_value', 'double precision'),
    ('baseline_standard_error', 'double precision'),
    ('latest_year', 'bigint'),
    ('latest_value', 'double precision'),
    ('latest_standard_error', 'double precision'),
    ('latest_quality_flag', 'varchar'),
    ('latest_quality_reason', 'varchar'),
    ('latest_quality_measure_value', 'double precision'),
    ('latest_quality_threshold', 'double precision'),
    ('latest_non_reporting_units', 'bigint'),
    ('latest_denominator_value', 'double precision'),
    ('latest_ci_lower', 'double precision'),
    ('latest_ci_upper', 'double precision'),
    ('is_target_inside_ci', 'boolean'),
    ('target_year', 'integer'),
    ('period_start', 'integer'),
    ('period_end', 'integer'),
    ('period_years', 'integer'),
    ('cagr_observed', 'double precision'),
    ('cagr_required', 'double precision'),
    ('progress_ratio', 'double precision'),
    ('share_of_way', 'double precision'),
    ('elapsed_share', 'double precision'),
    ('expected_to_date', 'double precision'),
    ('years_assessed', 'bigint'),
    ('years_met', 'bigint'),
    ('change_value', 'double precision'),
    ('change_standard_error', 'double precision'),
    ('change_ci_lower', 'double precision'),
    ('change_ci_upper', 'double precision'),
    ('change_z', 'double precision'),
    ('critical_value', 'double precision'),
    ('is_met', 'boolean'),
    ('final_year', 'bigint'),
    ('final_value', 'double precision'),
    ('gap_to_target', 'double precision'),
    ('share_achieved', 'double precision'),
    ('lead_departments', 'varchar'),
    ('cooperating_departments', 'varchar'),
    ('progress_method', 'varchar'),
    ('verdict_rule', 'varchar'),
    ('progress_status', 'varchar'),
    ('status_reason', 'varchar'),
    ('threshold_on_track', 'double precision'),
    ('threshold_accelerate', 'double precision'),
    ('task_kind', 'varchar'),
    ('measure_unit_pairs', 'bigint'),
    ('completed_pairs', 'bigint'),
    ('overdue_pairs', 'bigint'),
    ('not_reported_pairs', 'bigint'),
    ('completed_share', 'double precision'),
    ('overdue_share', 'double precision')
] %}
{% set goal_branches = [
    ('quantitative', [
        'target_progress_id', 'target_id', 'plan_id', 'indicator_code', 'indicator_name_zh',
        'indicator_name_en', 'region_code', 'target_kind', 'gap_group_a', 'gap_group_b',
        'comparator', 'target_value', 'target_value_upper', 'tolerance',
        'is_target_on_value_scale', 'target_label_zh', 'target_label_en', 'direction', 'as_of_date', 'verdict_stage', 'baseline_year',
        'baseline_value', 'baseline_standard_error', 'latest_year', 'latest_value',
        'latest_standard_error', 'latest_quality_flag', 'latest_quality_reason',
        'latest_quality_measure_value', 'latest_quality_threshold',
        'latest_non_reporting_units', 'latest_denominator_value', 'latest_ci_lower',
        'latest_ci_upper', 'is_target_inside_ci', 'target_year', 'period_start', 'period_end',
        'period_years', 'cagr_observed', 'cagr_required', 'progress_ratio', 'share_of_way',
        'elapsed_share', 'expected_to_date', 'years_assessed', 'years_met', 'change_value',
        'change_standard_error', 'change_ci_lower', 'change_ci_upper', 'change_z',
        'critical_value', 'is_met', 'final_year', 'final_value', 'gap_to_target',
        'share_achieved', 'lead_departments', 'cooperating_departments', 'progress_method',
        'verdict_rule', 'progress_status', 'status_reason', 'threshold_on_track',
        'threshold_accelerate'
    ]),
    ('qualitative', [
        'target_progress_id', 'target_id', 'plan_id', 'target_kind', 'task_kind',
        'target_label_zh', 'target_label_en', 'as_of_date', 'verdict_stage', 'progress_method',
        'verdict_rule', 'target_year', 'measure_unit_pairs', 'completed_pairs', 'overdue_pairs',
        'not_reported_pairs', 'completed_share', 'overdue_share', 'share_achieved',
        'progress_status', 'status_reason', 'lead_departments', 'cooperating_departments'
    ])
] %}

with

components as (
    select * from {{ ref('int_target_progress_components') }}
),

verdict_rules as (
    select * from {{ ref('verdict_rules') }}
),

plan_targets as (
    select * from {{ ref('fct_plan_target') }}
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
        max(value) filter (where setting = 'measure_accelerate_max_overdue_share')
            as measure_accelerate_max_overdue_share
    from {{ ref('progress_settings') }}
),

thresholds as (
    select
        max(min_ratio) filter (where progress_status = 'on_track') as threshold_on_track,
        max(min_ratio) filter (where progress_status = 'accelerate')
            as threshold_accelerate
    from bands
),

ruled as (
    select
        components.*,
        verdict_rules.progress_method,
        verdict_rules.verdict_rule
    from components
    inner join verdict_rules
        on components.target_kind = verdict_rules.target_kind
        and components.verdict_stage = verdict_rules.verdict_stage
),

reached_bands as (
    select
        ruled.target_id,
        bands.progress_status as band,
        row_number() over highest_band as band_rank
    from ruled
    inner join bands
        on ruled.progress_ratio
        >= coalesce(bands.min_ratio, cast('-infinity' as double precision))
    window highest_band as (partition by ruled.target_id order by bands.min_ratio desc nulls last)
),

ratio_bands as (
    -- the band with the highest min_ratio the ratio reaches; the band without a minimum
    -- takes every ratio below the others
    select
        target_id,
        band
    from reached_bands
    where band_rank = 1
),

statused as (
    select
        ruled.*,
        case
            when {{ year_of('ruled.as_of_date') }} < ruled.period_start then 'not_yet_due'
            when ruled.verdict_rule = 'not_judged' then 'not_judged'
            when ruled.latest_quality_flag = 'suppress' then 'insufficient_data'
            when ruled.latest_value is null then 'insufficient_data'
            when ruled.verdict_rule = 'change_test'
                then case
                        when ruled.change_value is null then 'insufficient_data'
                        when ruled.verdict_stage = 'final' and ruled.latest_year < ruled.target_year
                            then 'insufficient_data'
                        when ruled.change_ci_upper < 0 and ruled.verdict_stage = 'final'
                            then 'achieved'
                        when ruled.change_ci_upper < 0 then 'on_track'
                        when ruled.verdict_stage = 'final' then 'not_achieved'
                        when ruled.change_ci_lower > 0 then 'moving_away'
                        when ruled.change_value < 0 then 'accelerate'
                        else 'limited'
                    end
            -- the due year's value decides (a running total met early stays met); until
            -- it arrives the verdict waits
            when
                ruled.verdict_rule = 'final_comparison' and ruled.target_kind = 'cumulative'
                and ruled.is_met
                then 'achieved'
            when ruled.verdict_rule = 'final_comparison' and ruled.latest_year < ruled.target_year
                then 'insufficient_data'
            when ruled.verdict_rule = 'final_comparison' and ruled.is_met then 'achieved'
            when ruled.verdict_rule = 'final_comparison' then 'not_achieved'
            when ruled.verdict_rule = 'all_years_met' and ruled.years_met = ruled.period_years
                then 'achieved'
            when ruled.verdict_rule = 'all_years_met' and ruled.years_met < ruled.years_assessed
                then 'not_achieved'
            when ruled.verdict_rule = 'all_years_met' then 'insufficient_data'
            when
                ruled.target_kind in ('annual', 'growth') and ruled.years_met = ruled.period_years
                then 'achieved'
            when ruled.target_kind not in ('annual', 'growth') and ruled.is_met then 'achieved'
            when
                ruled.target_kind in ('level', 'coverage')
                and (ruled.latest_year <= ruled.baseline_year or ruled.baseline_year is null)
                then 'insufficient_data'
            when ruled.progress_ratio is null then 'insufficient_data'
            else ratio_bands.band
        end as progress_status
    from ruled
    left join ratio_bands on ruled.target_id = ratio_bands.target_id
),

quantitative as (
    select
        statused.*,
        plan_targets.is_target_on_value_scale,
        case
            when statused.progress_status = 'not_yet_due' then 'period_not_started'
            when statused.progress_status = 'not_judged' then 'context_indicator'
            when statused.latest_quality_flag = 'suppress' then 'latest_suppressed'
            when statused.latest_value is null then 'no_value'
            when
                statused.progress_status = 'insufficient_data'
                and (
                    statused.verdict_rule in ('final_comparison', 'all_years_met')
                    or statused.verdict_stage = 'final'
                    and statused.latest_year < statused.target_year
                )
                then 'due_year_missing'
            when statused.progress_status = 'insufficient_data' then 'too_few_points'
            when statused.verdict_rule = 'change_test' and statused.change_ci_lower > 0
                then 'gap_widened'
            when statused.verdict_rule = 'change_test' and statused.change_ci_upper >= 0
                then 'change_not_significant'
            when
                statused.progress_status = 'not_achieved'
                and statused.verdict_rule = 'all_years_met'
                then 'years_missed'
            when statused.progress_status = 'not_achieved' then 'shortfall'
        end as status_reason,
        thresholds.threshold_on_track,
        thresholds.threshold_accelerate
    from statused
    left join plan_targets on statused.target_id = plan_targets.target_id
    cross join thresholds
),

task_pairs as (
    select
        measure_id,
        plan_id,
        count(*) as pairs,
        count(*) filter (where measure_status = 'completed') as completed_pairs,
        count(*) filter (where measure_status = 'overdue') as overdue_pairs,
        count(*) filter (where measure_status = 'not_reported') as not_reported_pairs,
        count(*) filter (where measure_status <> 'not_reported') as reported_pairs
    from measure_status
    group by measure_id, plan_id
),

tasks as (
    select
        task_pairs.*,
        measures.task_kind,
        measures.title_zh,
        measures.title_en,
        measures.due_year,
        measures.responsible_units,
        measures.lead_units,
        date '{{ as_of_date() }}' as as_of_date,
        case
            when {{ year_of("date '" ~ as_of_date() ~ "'") }} > measures.due_year then 'final'
            else 'forward'
        end as verdict_stage,
        cast(task_pairs.overdue_pairs + task_pairs.not_reported_pairs as double precision)
        / task_pairs.pairs
            as against_share,
        sum(task_pairs.reported_pairs) over (partition by task_pairs.plan_id) as plan_reports
    from task_pairs
    inner join measures on task_pairs.measure_id = measures.measure_id
),

task_ruled as (
    select
        tasks.*,
        verdict_rules.progress_method,
        verdict_rules.verdict_rule,
        settings.measure_accelerate_max_overdue_share
    from tasks
    inner join verdict_rules
        on verdict_rules.target_kind = 'qualitative'
        and tasks.verdict_stage = verdict_rules.verdict_stage
    cross join settings
),

qualitative as (
    select
        measure_id || '|' || as_of_date as target_progress_id,
        measure_id as target_id,
        plan_id,
        'qualitative' as target_kind,
        task_kind,
        title_zh as target_label_zh,
        title_en as target_label_en,
        as_of_date,
        verdict_stage,
        progress_method,
        verdict_rule,
        due_year as target_year,
        pairs as measure_unit_pairs,
        completed_pairs,
        overdue_pairs,
        not_reported_pairs,
        cast(completed_pairs as double precision) / pairs as completed_share,
        cast(overdue_pairs as double precision) / pairs as overdue_share,
        case
            when verdict_stage = 'final' then cast(completed_pairs as double precision) / pairs
        end as share_achieved,
        case
            when completed_pairs = pairs then 'achieved'
            when verdict_stage = 'final' then 'not_achieved'
            when plan_reports = 0 then 'insufficient_data'
            when overdue_pairs + not_reported_pairs = 0 then 'on_track'
            when against_share < measure_accelerate_max_overdue_share then 'accelerate'
            else 'limited'
        end as progress_status,
        case
            when completed_pairs = pairs then null
            when verdict_stage = 'final' then 'units_not_completed'
            when plan_reports = 0 then 'no_reports'
            when not_reported_pairs > 0 then 'units_not_reported'
        end as status_reason,
        coalesce(lead_units, responsible_units) as lead_departments,
        case
            when lead_units is not null
                then nullif(
                        array_to_string(
                            {{ list_without(
                                "string_to_array(responsible_units, '；')",
                                "string_to_array(lead_units, '；')"
                            ) }},
                            '；'
                        ),
                        ''
                    )
        end as cooperating_departments
    from task_ruled
)

-- by name: a task has no indicator values, a target no unit pairs
{{ union_all_by_name(goal_branches, goal_columns) }}
