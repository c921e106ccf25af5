{{ config(materialized='table') }}
-- The design of each wave for the literacy ratio: adults 18–69 only (the indicator's
-- population), with stratum, PSU (nested in stratum), weight, fpc and the wave's
-- lonely-PSU option. outcome = 1 for a literate respondent.
with

waves as (
    select * from {{ ref('int_survey_waves_current') }}
),

respondents as (
    select * from {{ ref('int_survey_respondents_current') }}
),

scores as (
    select * from {{ ref('int_survey_respondents_scored') }}
)

select
    respondents.wave_id,
    respondents.respondent_id,
    respondents.region_code,
    respondents.stratum,
    respondents.stratum || '|' || respondents.psu as psu,
    respondents.weight,
    cast(cast(scores.is_literate as integer) as double precision) as outcome,
    respondents.fpc,
    waves.lonely_psu,
    respondents.sex,
    respondents.urban_rural,
    respondents.education,
    respondents.occupation,
    case
        when respondents.age between 18 and 29 then '18-29'
        when respondents.age between 30 and 39 then '30-39'
        when respondents.age between 40 and 49 then '40-49'
        when respondents.age between 50 and 59 then '50-59'
        else '60-69'
    end as age_band
from respondents
inner join waves on respondents.wave_id = waves.wave_id
inner join scores
    on respondents.wave_id = scores.wave_id and respondents.respondent_id = scores.respondent_id
where respondents.age between 18 and 69
