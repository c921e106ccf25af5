-- Gaps in the literacy ratio between groups, with the SE of the difference and a 95%
-- t interval (df of the design). A gap takes the weaker quality flag of its two groups,
-- with the reason code group_suppressed, group_review or group_flag.
with

gaps as (
    select * from {{ ref('int_survey_gap_intervals') }}
),

estimates as (
    select * from {{ ref('fct_literacy_estimate') }}
),

flagged as (
    select
        gaps.*,
        minuend.survey_year,
        minuend.is_synthetic,
        minuend.load_id,
        case
            when 'suppress' in (minuend.quality_flag, subtrahend.quality_flag) then 'suppress'
            when 'review' in (minuend.quality_flag, subtrahend.quality_flag) then 'review'
            when 'flag' in (minuend.quality_flag, subtrahend.quality_flag) then 'flag'
            else 'present'
        end as quality_flag
    from gaps
    inner join estimates as minuend
        on gaps.wave_id = minuend.wave_id
        and gaps.region_code = minuend.region_code
        and gaps.group_dimension = minuend.group_dimension
        and gaps.minuend = minuend.group_value
    inner join estimates as subtrahend
        on gaps.wave_id = subtrahend.wave_id
        and gaps.region_code = subtrahend.region_code
        and gaps.group_dimension = subtrahend.group_dimension
        and gaps.subtrahend = subtrahend.group_value
)

select
    wave_id || '|' || region_code || '|' || group_dimension || '|' || gap_label
        as literacy_gap_id,
    wave_id,
    survey_year,
    region_code,
    group_dimension,
    gap_label,
    minuend,
    subtrahend,
    minuend_estimate,
    subtrahend_estimate,
    gap,
    standard_error,
    degrees_of_freedom,
    ci_lower,
    ci_upper,
    minuend_sample_size,
    subtrahend_sample_size,
    quality_flag,
    case quality_flag
        when 'suppress' then 'group_suppressed'
        when 'review' then 'group_review'
        when 'flag' then 'group_flag'
    end as quality_reason,
    is_synthetic,
    load_id
from flagged
