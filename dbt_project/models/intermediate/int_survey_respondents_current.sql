{{ current_rows(ref('stg_survey_respondents'), ['wave_id']) }}
