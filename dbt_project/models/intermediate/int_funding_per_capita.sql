-- Per-capita funding (元/人) for every numerator and denominator an indicator may name:
-- numerator total (all sources) or special_fund (科普专项经费); denominator resident (常住)
-- or registered (户籍) population of the same region and year.
with

funding as (
    select * from {{ ref('int_funding_rolled_up') }}
),

population as (
    select * from {{ ref('int_population_current') }}
),

loads as (
    select distinct
        load_id,
        is_synthetic
    from {{ ref('stg_load_audit') }}
),

numerators as (
    select
        region_code,
        year,
        funding_source as funding_numerator,
        amount_yuan,
        reporting_regions,
        is_synthetic,
        load_ids
    from funding
    where funding_source in ('total', 'special_fund')
),

denominators as (
    select
        population.region_code,
        population.year,
        population.population_type as population_denominator,
        population.population_persons,
        population.load_id,
        loads.is_synthetic
    from population
    inner join loads on population.load_id = loads.load_id
),

per_capita as (
    select
        numerators.region_code,
        numerators.year,
        numerators.funding_numerator,
        denominators.population_denominator,
        numerators.amount_yuan,
        denominators.population_persons,
        numerators.amount_yuan / denominators.population_persons as per_capita_yuan,
        numerators.reporting_regions,
        numerators.is_synthetic or denominators.is_synthetic as is_synthetic,
        {{ list_sorted(list_distinct_of(
            'array_append(numerators.load_ids, denominators.load_id)'
        )) }} as load_ids
    from numerators
    inner join denominators
        on numerators.region_code = denominators.region_code
        and numerators.year = denominators.year
    where numerators.amount_yuan is not null and denominators.population_persons > 0
)

select * from per_capita
