-- The headline figures of the national 科普统计 releases, computed as they compute them:
-- 人均科普专项经费 = 科普专项经费 ÷ year-end resident population; 科普场馆 = 科技馆 +
-- 科学技术类博物馆; 万人拥有场馆 = population in 万 ÷ 场馆. The nation's population is the
-- sum of its provinces' (the regions without a parent).
{%- set nation_code = '100000' %}

with

statistics as (
    select * from {{ ref('fct_kp_statistic') }}
),

population as (
    select * from {{ ref('int_population_current') }}
    where population_type = 'resident'
),

regions as (
    select * from {{ ref('int_regions_current') }}
),

region_population as (
    select
        region_code,
        year,
        population_persons
    from population
    union all
    select
        '{{ nation_code }}' as region_code,
        population.year,
        sum(population.population_persons) as population_persons
    from population
    inner join regions on population.region_code = regions.region_code
    where regions.parent_region_code is null
    group by population.year
),

headline as (
    select
        region_code,
        year,
        max(case when indicator_code = 'raised_total' then indicator_value end)
            as raised_total_yuan,
        max(case when indicator_code = 'government_funding' then indicator_value end)
            as government_funding_yuan,
        max(case when indicator_code = 'special_funding' then indicator_value end)
            as special_funding_yuan,
        max(case when indicator_code = 'full_time_staff' then indicator_value end)
            as full_time_staff,
        max(case when indicator_code = 'part_time_staff' then indicator_value end)
            as part_time_staff,
        coalesce(max(case when indicator_code = 'science_centres' then indicator_value end), 0)
            as science_centres,
        coalesce(max(case when indicator_code = 'science_museums' then indicator_value end), 0)
            as science_museums
    from statistics
    group by region_code, year
)

select
    headline.region_code || '|' || cast(headline.year as varchar) as kp_headline_id,
    headline.region_code,
    headline.year,
    headline.raised_total_yuan,
    headline.government_funding_yuan,
    headline.government_funding_yuan / nullif(headline.raised_total_yuan, 0) as government_share,
    headline.special_funding_yuan,
    region_population.population_persons as resident_population,
    headline.special_funding_yuan
    / nullif(region_population.population_persons, 0) as special_per_capita_yuan,
    headline.full_time_staff,
    headline.part_time_staff,
    headline.full_time_staff + headline.part_time_staff as staff,
    headline.science_centres,
    headline.science_museums,
    headline.science_centres + headline.science_museums as venues,
    region_population.population_persons / 10000.0
    / nullif(headline.science_centres + headline.science_museums, 0)
        as population_10k_per_venue
from headline
left join region_population
    on headline.region_code = region_population.region_code
    and headline.year = region_population.year
