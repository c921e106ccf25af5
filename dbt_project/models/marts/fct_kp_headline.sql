-- The headline figures of the national 科普统计 releases, computed as they compute them:
-- 人均科普专项经费 = 科普专项经费 ÷ year-end resident population; 科普场馆 = 科技馆 +
-- 科学技术类博物馆; 万人拥有场馆 = population in 万 ÷ 场馆. The nation's population is the
-- sum of its provinces' (the regions without a parent).

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

nation_population as (
    select
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
        is_nation,
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
    group by region_code, is_nation, year
),

located as (
    select
        headline.*,
        case
            when headline.is_nation then nation_population.population_persons
            else population.population_persons
        end as resident_population
    from headline
    left join population
        on headline.region_code = population.region_code and headline.year = population.year
    left join nation_population
        on headline.is_nation and headline.year = nation_population.year
)

select
    region_code || '|' || cast(year as varchar) as kp_headline_id,
    region_code,
    is_nation,
    year,
    raised_total_yuan,
    government_funding_yuan,
    government_funding_yuan / nullif(raised_total_yuan, 0) as government_share,
    special_funding_yuan,
    resident_population,
    special_funding_yuan / nullif(resident_population, 0) as special_per_capita_yuan,
    full_time_staff,
    part_time_staff,
    full_time_staff + part_time_staff as staff,
    science_centres,
    science_museums,
    science_centres + science_museums as venues,
    resident_population / 10000.0
    / nullif(science_centres + science_museums, 0) as population_10k_per_venue
from located
