{{ current_rows(ref('stg_survey_rules'), ['rule_id']) }}
