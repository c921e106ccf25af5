-- Literacy ratio estimates (公民具备科学素质的比例) per wave, region and group, with the
-- NCHS 2017 presentation standard for proportions applied in order:
--   no respondents → suppress; no variance (lonely PSU, option fail) → review;
--   n_eff < 30 → suppress; Korn–Graubard CI width ≥ 0.30 → suppress;
--   width / p > 130% (width > 0.05) → suppress; df < 8 → review;
--   width / (1 − p) > 130% (width > 0.05) → flag; otherwise present.
-- Every domain the wave has is listed for every region, so empty domains show as such.
with

intervals as (
    select * from {{ ref('int_survey_intervals') }}
),

waves as (
    select * from {{ ref('int_survey_waves_current') }}
),

loads as (
    select distinct load_id, is_synthetic from {{ ref('stg_load_audit') }}
),

wave_loads as (
    select distinct respondents.wave_id, respondents.load_id, loads.is_synthetic
    from {{ ref('int_survey_respondents_current') }} as respondents
    inner join loads on respondents.load_id = loads.load_id
),

domains as (
    select distinct regions.wave_id, regions.region_code, groups.group_dimension, groups.group_value
    from (select distinct wave_id, region_code from intervals) as regions
    inner join (select distinct wave_id, group_dimension, group_value from intervals) as groups
        on regions.wave_id = groups.wave_id
),

estimates as (
    select
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
        intervals.lonely_psu,
        intervals.lonely_strata
    from domains
    left join intervals
        on domains.wave_id = intervals.wave_id
        and domains.region_code = intervals.region_code
        and domains.group_dimension = intervals.group_dimension
        and domains.group_value = intervals.group_value
),

flagged as (
    select
        *,
        case
            when estimate is null then 'suppress'
            when standard_error is null then 'review'
            when effective_sample_size < 30 then 'suppress'
            when ci_beta_width >= 0.30 then 'suppress'
            when ci_beta_width > 0.05 and estimate > 0 and ci_beta_width / estimate > 1.30
                then 'suppress'
            when degrees_of_freedom < 8 then 'review'
            when ci_beta_width > 0.05 and estimate < 1 and ci_beta_width / (1 - estimate) > 1.30
                then 'flag'
            else 'present'
        end as quality_flag,
        case
            when estimate is null then 'no respondents in this domain'
            when standard_error is null then 'no variance: a stratum has one PSU and lonely_psu = fail'
            when effective_sample_size < 30 then 'effective sample size below 30'
            when ci_beta_width >= 0.30 then 'confidence interval width 30 points or more'
            when ci_beta_width > 0.05 and estimate > 0 and ci_beta_width / estimate > 1.30
                then 'relative confidence interval width above 130%'
            when degrees_of_freedom < 8 then 'fewer than 8 degrees of freedom'
            when ci_beta_width > 0.05 and estimate < 1 and ci_beta_width / (1 - estimate) > 1.30
                then 'relative width of the complement above 130%'
        end as quality_reason
    from estimates
)

select
    flagged.wave_id || '|' || flagged.region_code || '|' || flagged.group_dimension || '|'
        || flagged.group_value as literacy_estimate_id,
    flagged.wave_id,
    waves.survey_year,
    waves.rule_id,
    flagged.region_code,
    flagged.group_dimension,
    flagged.group_value,
    flagged.sample_size,
    flagged.weighted_n,
    flagged.estimate,
    flagged.standard_error,
    flagged.degrees_of_freedom,
    flagged.ci_logit_lower,
    flagged.ci_logit_upper,
    flagged.ci_beta_lower,
    flagged.ci_beta_upper,
    flagged.effective_sample_size,
    flagged.design_effect,
    coalesce(flagged.lonely_psu, waves.lonely_psu) as lonely_psu,
    flagged.quality_flag,
    flagged.quality_reason,
    wave_loads.is_synthetic,
    wave_loads.load_id
from flagged
inner join waves on flagged.wave_id = waves.wave_id
inner join wave_loads on flagged.wave_id = wave_loads.wave_id
