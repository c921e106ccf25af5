{{ current_rows(ref('stg_survey_responses'), ['wave_id']) }}
