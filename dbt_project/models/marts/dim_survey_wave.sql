-- Survey waves with their literacy rule and the size of their design.
with

waves as (
    select * from {{ ref('int_survey_waves_current') }}
),

rules as (
    select * from {{ ref('int_survey_rules_current') }}
),

design as (
    select
        wave_id,
        count(*) as respondents_18_69,
        count(distinct psu) as psu_count,
        count(distinct stratum) as strata_count
    from {{ ref('int_survey_design') }}
    group by wave_id
)

select
    waves.wave_id,
    waves.survey_year,
    waves.region_code,
    waves.title_zh,
    waves.title_en,
    waves.rule_id,
    rules.rule_name_zh,
    rules.rule_name_en,
    rules.threshold,
    rules.threshold_unit,
    rules.is_threshold_inclusive,
    waves.scoring,
    waves.lonely_psu,
    design.respondents_18_69,
    design.psu_count,
    design.strata_count,
    design.psu_count - design.strata_count as degrees_of_freedom,
    waves.load_id
from waves
inner join rules on waves.rule_id = rules.rule_id
left join design on waves.wave_id = design.wave_id
