-- Group gaps of the literacy ratio (men − women, urban − rural, highest − lowest occupation
-- group with at least 30 respondents) per wave and region, with the design-based SE of the
-- difference: the PSU totals of the linearised difference are z_a − z_b.
{% set keys = ['region_code', 'group_dimension', 'group_value'] %}
{% set gap_keys = ['region_code', 'group_dimension', 'gap_label'] %}
with

totals as (
    {{ survey_domain_totals(ref('int_survey_design'), ref('int_survey_domains'), keys) }}
),

scores as (
    {{ survey_psu_scores(ref('int_survey_design'), ref('int_survey_domains'), 'totals', keys) }}
),

fixed_pairs as (
    select
        'sex' as group_dimension,
        'male' as minuend,
        'female' as subtrahend
    union all
    select
        'urban_rural' as group_dimension,
        'urban' as minuend,
        'rural' as subtrahend
),

occupation_pairs as (
    select
        wave_id,
        region_code,
        'occupation' as group_dimension,
        arg_max(group_value, estimate) as minuend,
        arg_min(group_value, estimate) as subtrahend
    from totals
    where group_dimension = 'occupation' and sample_size >= 30
    group by wave_id, region_code
    having count(*) >= 2
),

pairs as (
    select
        totals.wave_id,
        totals.region_code,
        fixed_pairs.*
    from fixed_pairs
    inner join totals
        on fixed_pairs.group_dimension = totals.group_dimension
        and fixed_pairs.minuend = totals.group_value
    inner join totals as other
        on totals.wave_id = other.wave_id
        and totals.region_code = other.region_code
        and fixed_pairs.group_dimension = other.group_dimension
        and fixed_pairs.subtrahend = other.group_value
    union all
    select * from occupation_pairs
),

signed_scores as (
    select
        pairs.wave_id,
        pairs.region_code,
        pairs.group_dimension,
        pairs.minuend || '-' || pairs.subtrahend as gap_label,
        scores.stratum,
        scores.psu,
        case when scores.group_value = pairs.minuend then scores.z else -scores.z end as z,
        scores.weight
    from pairs
    inner join scores
        on pairs.wave_id = scores.wave_id
        and pairs.region_code = scores.region_code
        and pairs.group_dimension = scores.group_dimension
        and scores.group_value in (pairs.minuend, pairs.subtrahend)
),

gap_scores as (
    select
        wave_id,
        region_code,
        group_dimension,
        gap_label,
        stratum,
        psu,
        sum(z) as z,
        sum(weight) as weight
    from signed_scores
    group by all
),

variances as (
    {{ survey_variance(ref('int_survey_design'), 'gap_scores', gap_keys) }}
),

gaps as (
    select
        pairs.wave_id,
        pairs.region_code,
        pairs.group_dimension,
        pairs.minuend || '-' || pairs.subtrahend as gap_label,
        pairs.minuend,
        pairs.subtrahend,
        minuend_totals.estimate - subtrahend_totals.estimate as gap,
        minuend_totals.estimate as minuend_estimate,
        subtrahend_totals.estimate as subtrahend_estimate,
        minuend_totals.sample_size as minuend_sample_size,
        subtrahend_totals.sample_size as subtrahend_sample_size
    from pairs
    inner join totals as minuend_totals
        on pairs.wave_id = minuend_totals.wave_id
        and pairs.region_code = minuend_totals.region_code
        and pairs.group_dimension = minuend_totals.group_dimension
        and pairs.minuend = minuend_totals.group_value
    inner join totals as subtrahend_totals
        on pairs.wave_id = subtrahend_totals.wave_id
        and pairs.region_code = subtrahend_totals.region_code
        and pairs.group_dimension = subtrahend_totals.group_dimension
        and pairs.subtrahend = subtrahend_totals.group_value
)

select
    gaps.*,
    sqrt(variances.variance) as standard_error,
    variances.degrees_of_freedom,
    variances.lonely_psu
from gaps
left join variances
    on gaps.wave_id = variances.wave_id
    and gaps.region_code = variances.region_code
    and gaps.group_dimension = variances.group_dimension
    and gaps.gap_label = variances.gap_label
