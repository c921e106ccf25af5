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
    cast(null as double) as standard_error,
    cast(null as double) as ci_lower,
    cast(null as double) as ci_upper,
    cast(null as varchar) as ci_method,
    cast(null as integer) as degrees_of_freedom,
    cast(null as integer) as sample_size,
    cast(null as double) as design_effect,
    'present' as quality_flag,
    cast(null as varchar) as quality_reason,
    method,
    reporting_regions,
    is_synthetic,
    load_ids
from funding_values
