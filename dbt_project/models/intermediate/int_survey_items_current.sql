{{ current_rows(ref('stg_survey_items'), ['wave_id']) }}
