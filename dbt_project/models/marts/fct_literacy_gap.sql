-- Gaps in the literacy ratio between groups, with the SE of the difference and a 95%
-- t interval (df of the design). A gap is marked suppress when either group's estimate is.
with

gaps as (
    select * from {{ ref('int_survey_gap_intervals') }}
),

estimates as (
    select * from {{ ref('fct_literacy_estimate') }}
)

select
    gaps.wave_id || '|' || gaps.region_code || '|'
        || gaps.group_dimension || '|' || gaps.gap_label as literacy_gap_id,
    gaps.wave_id,
    minuend.survey_year,
    gaps.region_code,
    gaps.group_dimension,
    gaps.gap_label,
    gaps.minuend,
    gaps.subtrahend,
    gaps.minuend_estimate,
    gaps.subtrahend_estimate,
    gaps.gap,
    gaps.standard_error,
    gaps.degrees_of_freedom,
    gaps.ci_lower,
    gaps.ci_upper,
    gaps.minuend_sample_size,
    gaps.subtrahend_sample_size,
    case
        when 'suppress' in (minuend.quality_flag, subtrahend.quality_flag) then 'suppress'
        when 'review' in (minuend.quality_flag, subtrahend.quality_flag) then 'review'
        when 'flag' in (minuend.quality_flag, subtrahend.quality_flag) then 'flag'
        else 'present'
    end as quality_flag,
    minuend.is_synthetic,
    minuend.load_id
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
