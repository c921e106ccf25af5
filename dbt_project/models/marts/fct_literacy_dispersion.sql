-- Regional differences of the literacy ratio (区域差异): per wave and region, the spread
-- of its direct children's ratios (Beijing's 16 districts), where at least two children
-- have an estimate. With w_k the child's share of the weighted population and p̄ =
-- Σ w_k p_k, the dispersion is the population-weighted standard deviation
-- SD = sqrt(D̂), D̂ = Σ w_k (p_k − p̄)². By the delta method, with the children independent
-- (the design stratifies by them), Var(D̂) = Σ (2 w_k (p_k − p̄))² SE_k² and SE(SD) =
-- SE(D̂) / (2 SD); the 95% interval is SD ± z · SE (progress_settings
-- change_critical_value), at least 0. D̂ includes the children's sampling noise, whose
-- expected share Σ w_k (1 − w_k) SE_k² is published as sampling_sd, and the spread
-- without it as between_region_sd (0 when the noise exceeds it): a change of SD between two
-- waves of similar size is therefore conservative. Quality: suppress
-- (variance_not_estimable) when a child has no usable variance, so no SE can be had;
-- review (group_review) when a child is suppressed or under review for its precision;
-- flag (group_flag) when one is flagged.
with

estimates as (
    select * from {{ ref('fct_literacy_estimate') }}
    where group_dimension = 'total'
),

regions as (
    select * from {{ ref('int_regions_current') }}
),

settings as (
    select max(value) filter (where setting = 'change_critical_value') as critical_value
    from {{ ref('progress_settings') }}
),

children as (
    select
        estimates.wave_id,
        estimates.survey_year,
        regions.parent_region_code as region_code,
        estimates.region_code as child_code,
        estimates.sample_size,
        estimates.weighted_n,
        estimates.estimate,
        estimates.standard_error,
        estimates.quality_flag,
        estimates.quality_reason,
        estimates.is_synthetic,
        estimates.load_id,
        estimates.weighted_n / sum(estimates.weighted_n) over (
            partition by estimates.wave_id, regions.parent_region_code
        ) as weight
    from estimates
    inner join regions on estimates.region_code = regions.region_code
    where regions.parent_region_code is not null and estimates.sample_size > 0
),

centred as (
    select
        *,
        sum(weight * estimate) over (partition by wave_id, region_code) as mean_estimate
    from children
),

summed as (
    select
        wave_id,
        max(survey_year) as survey_year,
        region_code,
        count(*) as child_regions,
        sum(sample_size) as sample_size,
        max(mean_estimate) as mean_estimate,
        sum(weight * power(estimate - mean_estimate, 2)) as raw_variance,
        sum(weight * (1 - weight) * power(standard_error, 2)) as sampling_variance,
        sum(power(2 * weight * (estimate - mean_estimate), 2) * power(standard_error, 2))
            as raw_variance_variance,
        case
            when bool_or(quality_flag = 'suppress') then 'suppress'
            when bool_or(quality_flag = 'review') then 'review'
            when bool_or(quality_flag = 'flag') then 'flag'
            else 'present'
        end as children_flag,
        bool_or(
            standard_error is null or coalesce(quality_reason = 'variance_not_estimable', false)
        ) as has_unusable_child,
        bool_or(is_synthetic) as is_synthetic,
        max(load_id) as load_id
    from centred
    group by wave_id, region_code
    having count(*) >= 2
),

dispersed as (
    select
        *,
        sqrt(raw_variance) as dispersion,
        sqrt(sampling_variance) as sampling_sd,
        sqrt(greatest(raw_variance - sampling_variance, 0)) as between_region_sd
    from summed
),

with_se as (
    select
        dispersed.*,
        case
            when dispersed.dispersion > 0 and not dispersed.has_unusable_child
                then sqrt(dispersed.raw_variance_variance) / (2 * dispersed.dispersion)
        end as standard_error,
        settings.critical_value
    from dispersed
    cross join settings
)

select
    wave_id || '|' || region_code as literacy_dispersion_id,
    wave_id,
    survey_year,
    region_code,
    child_regions,
    sample_size,
    mean_estimate,
    dispersion,
    standard_error,
    greatest(dispersion - critical_value * standard_error, 0) as ci_lower,
    dispersion + critical_value * standard_error as ci_upper,
    sampling_sd,
    between_region_sd,
    case
        when standard_error is null then 'suppress'
        when children_flag in ('suppress', 'review') then 'review'
        when children_flag = 'flag' then 'flag'
        else 'present'
    end as quality_flag,
    case
        when standard_error is null then 'variance_not_estimable'
        when children_flag in ('suppress', 'review') then 'group_review'
        when children_flag = 'flag' then 'group_flag'
    end as quality_reason,
    is_synthetic,
    load_id
from with_se
