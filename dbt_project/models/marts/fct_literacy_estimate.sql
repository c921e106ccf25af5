{{ config(materialized='table_by_wave', wave_list='int_survey_waves_current') }}
-- Literacy ratio estimates (公民具备科学素质的比例) per wave, region and group, with the
-- NCHS 2017 presentation standard for proportions. The rules are the rows of the seed
-- presentation_rules: every rule is evaluated for every estimate, and the first that holds
-- (by rule_order) gives the flag and the reason code, with the value of its measure and
-- its threshold; a rule with min_ci_width holds only where the Korn–Graubard CI is wider.
-- No rule holds → present. Every domain the wave has is listed for every region, so
-- empty domains show as such.
--
-- A domain and its interval are matched on the one column literacy_estimate_id, not on
-- its four parts: PostgreSQL, estimating the distinct domains from no statistics, merged
-- on three of them and compared the region row by row (73 minutes at national scale,
-- against 43 s on the one key).
--
-- Built a wave at a time (macros/table_by_wave.sql): every row is one wave's, and the
-- national build's 2.6 million estimates held at once took DuckDB past its memory limit.
{%- set estimate_id -%}
    wave_id || '|' || region_code || '|' || group_dimension || '|' || group_value
{%- endset %}
with

intervals as (
    select
        {{ estimate_id }} as literacy_estimate_id,
        *
    from {{ ref('int_survey_intervals') }}
    where {{ in_build_wave('wave_id') }}
),

waves as (
    select * from {{ ref('int_survey_waves_current') }}
),

respondents as (
    select * from {{ ref('int_survey_respondents_current') }}
    where {{ in_build_wave('wave_id') }}
),

load_audit as (
    select * from {{ ref('stg_load_audit') }}
),

rules as (
    select * from {{ ref('presentation_rules') }}
),

loads as (
    select distinct
        load_id,
        is_synthetic
    from load_audit
),

wave_loads as (
    select distinct
        respondents.wave_id,
        respondents.load_id,
        loads.is_synthetic
    from respondents
    inner join loads on respondents.load_id = loads.load_id
),

wave_regions as (
    select distinct
        wave_id,
        region_code
    from intervals
),

wave_groups as (
    select distinct
        wave_id,
        group_dimension,
        group_value
    from intervals
),

domains as (
    -- every group of a wave in every region of the wave
    select
        wave_regions.wave_id,
        wave_regions.region_code,
        wave_groups.group_dimension,
        wave_groups.group_value
    from wave_regions
    inner join wave_groups on wave_regions.wave_id = wave_groups.wave_id
),

keyed_domains as (
    select
        {{ estimate_id }} as literacy_estimate_id,
        *
    from domains
),

estimates as (
    select
        domains.literacy_estimate_id,
        domains.wave_id,
        domains.region_code,
        domains.group_dimension,
        domains.group_value,
        coalesce(intervals.sample_size, 0) as sample_size,
        coalesce(intervals.weighted_n, 0.0) as weighted_n,
        intervals.estimate,
        intervals.standard_error,
        intervals.degrees_of_freedom,
        intervals.ci_logit_lower,
        intervals.ci_logit_upper,
        intervals.ci_beta_lower,
        intervals.ci_beta_upper,
        intervals.ci_beta_upper - intervals.ci_beta_lower as ci_beta_width,
        intervals.effective_sample_size,
        intervals.design_effect,
        intervals.lonely_psu
    from keyed_domains as domains
    left join intervals on domains.literacy_estimate_id = intervals.literacy_estimate_id
),

measured as (
    -- every rule against every estimate, with the value of the rule's measure
    -- (quality_measure codes); a relative width is undefined where its divisor is 0
    select
        estimates.literacy_estimate_id,
        estimates.ci_beta_width,
        rules.rule_order,
        rules.comparator,
        rules.threshold,
        rules.min_ci_width,
        rules.quality_flag,
        rules.quality_reason,
        case rules.measure
            when 'sample_size' then estimates.sample_size
            -- 0 when the variance cannot be estimated: no SE (a lonely PSU under fail), no
            -- degrees of freedom (the domain lies in one PSU, or in one PSU per stratum), or
            -- an SE that is zero but for rounding (1e-16 where one PSU holds the domain)
            -- although 0 < p < 1
            when 'has_variance'
                then case
                        when estimates.standard_error is null then 0
                        when estimates.degrees_of_freedom < 1 then 0
                        when
                            estimates.estimate > 0 and estimates.estimate < 1
                            and estimates.standard_error < 1e-9 then 0
                        else 1
                    end
            when 'effective_sample_size' then estimates.effective_sample_size
            when 'ci_width' then estimates.ci_beta_width
            -- width / p is defined for p > 0 only, width / (1 − p) for p < 1 only
            when 'relative_ci_width' then estimates.ci_beta_width / nullif(estimates.estimate, 0)
            when 'degrees_of_freedom' then estimates.degrees_of_freedom
            when 'relative_complement_ci_width'
                then estimates.ci_beta_width / nullif(1 - estimates.estimate, 0)
        end as measure_value
    from estimates
    cross join rules
),

matching_rules as (
    select
        *,
        row_number() over (partition by literacy_estimate_id order by rule_order) as rule_rank
    from measured
    where
        {{ compared('measure_value', 'comparator', 'threshold') }}
        and (min_ci_width is null or ci_beta_width > min_ci_width)
),

first_rules as (
    select * from matching_rules
    where rule_rank = 1
)

select
    estimates.literacy_estimate_id,
    estimates.wave_id,
    waves.survey_year,
    waves.rule_id,
    estimates.region_code,
    estimates.group_dimension,
    estimates.group_value,
    estimates.sample_size,
    estimates.weighted_n,
    estimates.estimate,
    estimates.standard_error,
    estimates.degrees_of_freedom,
    estimates.ci_logit_lower,
    estimates.ci_logit_upper,
    estimates.ci_beta_lower,
    estimates.ci_beta_upper,
    estimates.ci_beta_width,
    estimates.effective_sample_size,
    estimates.design_effect,
    coalesce(estimates.lonely_psu, waves.lonely_psu) as lonely_psu,
    coalesce(first_rules.quality_flag, 'present') as quality_flag,
    first_rules.quality_reason,
    first_rules.measure_value as quality_measure_value,
    first_rules.threshold as quality_threshold,
    wave_loads.is_synthetic,
    wave_loads.load_id
from estimates
inner join waves on estimates.wave_id = waves.wave_id
inner join wave_loads on estimates.wave_id = wave_loads.wave_id
left join first_rules on estimates.literacy_estimate_id = first_rules.literacy_estimate_id
