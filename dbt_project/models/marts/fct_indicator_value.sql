-- Every indicator value the warehouse computes, one row per indicator, region, year and
-- group. Survey estimates fill the standard error, CI, sample size and quality columns;
-- computed values (funding, counts) carry `present` and no sampling error.
with

indicators as (
    select * from {{ ref('int_indicators_current') }}
),

per_capita as (
    select * from {{ ref('int_funding_per_capita') }}
),

funding_values as (
    select
        indicators.indicator_code,
        per_capita.region_code,
        per_capita.year,
        'total' as group_dimension,
        'all' as group_value,
        per_capita.per_capita_yuan as value,
        indicators.unit_zh,
        indicators.unit_en,
        per_capita.amount_yuan as numerator_value,
        per_capita.population_persons as denominator_value,
        'funding_' || per_capita.funding_numerator as numerator_kind,
        per_capita.population_denominator || '_population' as denominator_kind,
        'funding / population' as method,
        per_capita.reporting_regions,
        per_capita.is_synthetic,
        per_capita.load_ids
    from indicators
    inner join per_capita
        on indicators.funding_numerator = per_capita.funding_numerator
        and indicators.population_denominator = per_capita.population_denominator
    where indicators.indicator_family = 'funding_per_capita'
),

literacy_values as (
    -- in percent, as the targets are; a suppressed estimate has no value, only its reason
    select
        'literacy_ratio' as indicator_code,
        region_code,
        survey_year as year,
        group_dimension,
        group_value,
        case when quality_flag <> 'suppress' then estimate * 100 end as value,
        '%' as unit_zh,
        '%' as unit_en,
        case when quality_flag <> 'suppress' then estimate * weighted_n end as numerator_value,
        weighted_n as denominator_value,
        'weighted_literate_adults' as numerator_kind,
        'weighted_adults_18_69' as denominator_kind,
        case when quality_flag <> 'suppress' then standard_error * 100 end as standard_error,
        case when quality_flag <> 'suppress' then ci_logit_lower * 100 end as ci_lower,
        case when quality_flag <> 'suppress' then ci_logit_upper * 100 end as ci_upper,
        'logit' as ci_method,
        degrees_of_freedom,
        sample_size,
        design_effect,
        quality_flag,
        quality_reason,
        'design-based, Taylor linearisation (wave ' || wave_id || ')' as method,
        cast(null as bigint) as reporting_regions,
        is_synthetic,
        [load_id] as load_ids
    from {{ ref('fct_literacy_estimate') }}
),

gap_values as (
    select
        'literacy_ratio_gap' as indicator_code,
        region_code,
        survey_year as year,
        group_dimension,
        gap_label as group_value,
        case when quality_flag <> 'suppress' then gap * 100 end as value,
        '百分点' as unit_zh,
        'percentage points' as unit_en,
        cast(null as double) as numerator_value,
        cast(null as double) as denominator_value,
        minuend as numerator_kind,
        subtrahend as denominator_kind,
        case when quality_flag <> 'suppress' then standard_error * 100 end as standard_error,
        case when quality_flag <> 'suppress' then ci_lower * 100 end as ci_lower,
        case when quality_flag <> 'suppress' then ci_upper * 100 end as ci_upper,
        't' as ci_method,
        degrees_of_freedom,
        minuend_sample_size + subtrahend_sample_size as sample_size,
        cast(null as double) as design_effect,
        quality_flag,
        case when quality_flag <> 'present' then 'a group estimate is ' || quality_flag end
            as quality_reason,
        'difference of design-based estimates, linearised (wave ' || wave_id || ')' as method,
        cast(null as bigint) as reporting_regions,
        is_synthetic,
        [load_id] as load_ids
    from {{ ref('fct_literacy_gap') }}
),

computed_values as (
    select
        *,
        cast(null as double) as standard_error,
        cast(null as double) as ci_lower,
        cast(null as double) as ci_upper,
        cast(null as varchar) as ci_method,
        cast(null as integer) as degrees_of_freedom,
        cast(null as integer) as sample_size,
        cast(null as double) as design_effect,
        'present' as quality_flag,
        cast(null as varchar) as quality_reason
    from funding_values
),

all_values as (
    select * from literacy_values
    union all by name
    select * from gap_values
    union all by name
    select * from computed_values
)

select
    indicator_code || '|' || region_code || '|' || year || '|' || group_dimension || '|'
        || group_value as indicator_value_id,
    indicator_code,
    region_code,
    year,
    group_dimension,
    group_value,
    value,
    unit_zh,
    unit_en,
    numerator_value,
    denominator_value,
    numerator_kind,
    denominator_kind,
    standard_error,
    ci_lower,
    ci_upper,
    ci_method,
    degrees_of_freedom,
    sample_size,
    design_effect,
    quality_flag,
    quality_reason,
    method,
    reporting_regions,
    is_synthetic,
    load_ids
from all_values
