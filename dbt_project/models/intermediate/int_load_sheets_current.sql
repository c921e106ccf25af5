-- The sheets of accepted loads that still give rows after supersession: a sheet absent
-- here had all its rows replaced by later loads of the same units.
{%- set current_models = [
    'int_activities_current', 'int_departments_current', 'int_entity_register_current',
    'int_facilities_current', 'int_funding_returns_current', 'int_indicators_current',
    'int_measure_reports_current', 'int_measurement_rules_current', 'int_measures_current',
    'int_plan_reviews_current', 'int_plans_current', 'int_population_current',
    'int_regions_current', 'int_survey_items_current', 'int_survey_respondents_current',
    'int_survey_responses_current', 'int_survey_rule_minima_current',
    'int_survey_rules_current', 'int_survey_waves_current', 'int_targets_current',
    'int_unit_register_current'
] %}

with

current_rows as (
    {% for model in current_models %}
        select
            load_id,
            sheet_name,
            count(*) as rows_current
        from {{ ref(model) }}
        group by load_id, sheet_name
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select
    load_id,
    sheet_name,
    cast(sum(rows_current) as integer) as rows_current
from current_rows
group by load_id, sheet_name
