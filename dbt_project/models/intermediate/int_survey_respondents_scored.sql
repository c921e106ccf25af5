{{ config(materialized='table_by_wave', wave_list='int_survey_waves_current') }}
-- Each respondent's score under the wave's literacy rule: item responses scored against
-- the answer key (an answer earns the item's points when it is one of its correct
-- answers), or section scores taken as given; then the literate flag and bands.
with

waves as (
    select * from {{ ref('int_survey_waves_current') }}
),

rules as (
    select * from {{ ref('int_survey_rules_current') }}
),

minima as (
    select * from {{ ref('int_survey_rule_minima_current') }}
),

items as (
    select * from {{ ref('int_survey_items_current') }}
),

respondents as (
    select * from {{ ref('int_survey_respondents_current') }}
    where {{ in_build_wave('wave_id') }}
),

responses as (
    select * from {{ ref('int_survey_responses_current') }}
    where {{ in_build_wave('wave_id') }}
),

answer_keys as (
    select
        wave_id,
        item_code,
        dimension,
        points,
        regexp_split_to_array(upper(correct_answers), '[、,，;；/\s]+') as accepted_answers
    from items
),

item_points as (
    select
        responses.wave_id,
        responses.respondent_id,
        answer_keys.dimension,
        case
            when {{ list_has('answer_keys.accepted_answers', 'upper(trim(responses.response))') }}
                then answer_keys.points
            else 0.0
        end as points
    from responses
    inner join waves on responses.wave_id = waves.wave_id
    inner join answer_keys
        on responses.wave_id = answer_keys.wave_id
        and responses.item_code = answer_keys.item_code
    where waves.scoring = 'items'
),

section_points as (
    select
        responses.wave_id,
        responses.respondent_id,
        responses.item_code as dimension,
        cast(responses.response as double precision) as points
    from responses
    inner join waves on responses.wave_id = waves.wave_id
    where waves.scoring = 'sections'
),

all_points as (
    select * from item_points
    union all
    select * from section_points
),

dimension_scores as (
    select
        wave_id,
        respondent_id,
        dimension,
        sum(points) as score
    from all_points
    group by wave_id, respondent_id, dimension
),

key_totals as (
    select
        wave_id,
        sum(points) as max_score
    from items
    group by wave_id
),

minima_met as (
    select
        dimension_scores.wave_id,
        dimension_scores.respondent_id,
        bool_and(dimension_scores.score >= minima.min_score) as meets_minima
    from dimension_scores
    inner join waves on dimension_scores.wave_id = waves.wave_id
    inner join minima
        on waves.rule_id = minima.rule_id and dimension_scores.dimension = minima.dimension
    group by dimension_scores.wave_id, dimension_scores.respondent_id
),

totals as (
    select
        wave_id,
        respondent_id,
        sum(score) as total_score
    from dimension_scores
    group by wave_id, respondent_id
),

thresholds as (
    select
        waves.wave_id,
        rules.rule_id,
        key_totals.max_score,
        case rules.threshold_unit
            when 'percent' then rules.threshold / 100 * key_totals.max_score
            else rules.threshold
        end as threshold_points,
        rules.is_threshold_inclusive,
        rules.advanced_threshold,
        rules.is_advanced_inclusive,
        rules.basic_threshold,
        rules.is_basic_inclusive
    from waves
    inner join rules on waves.rule_id = rules.rule_id
    left join key_totals on waves.wave_id = key_totals.wave_id
),

scored as (
    select
        respondents.wave_id,
        respondents.respondent_id,
        coalesce(totals.total_score, 0.0) as total_score,
        thresholds.max_score,
        thresholds.threshold_points,
        coalesce(minima_met.meets_minima, true) as meets_minima,
        thresholds.is_threshold_inclusive,
        thresholds.advanced_threshold,
        thresholds.is_advanced_inclusive,
        thresholds.basic_threshold,
        thresholds.is_basic_inclusive
    from respondents
    inner join thresholds on respondents.wave_id = thresholds.wave_id
    left join totals
        on respondents.wave_id = totals.wave_id and respondents.respondent_id = totals.respondent_id
    left join minima_met
        on respondents.wave_id = minima_met.wave_id
        and respondents.respondent_id = minima_met.respondent_id
)

select
    wave_id,
    respondent_id,
    total_score,
    max_score,
    threshold_points,
    meets_minima,
    meets_minima and case
        when is_threshold_inclusive then total_score >= threshold_points
        else total_score > threshold_points
    end as is_literate,
    case
        when is_advanced_inclusive then total_score >= advanced_threshold
        else total_score > advanced_threshold
    end as is_advanced,
    case
        when is_basic_inclusive then total_score >= basic_threshold
        else total_score > basic_threshold
    end as is_basically_literate
from scored
