{{ current_rows(ref('stg_survey_rule_minima'), ['rule_id']) }}
