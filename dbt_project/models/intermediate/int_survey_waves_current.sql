{{ current_rows(ref('stg_survey_waves'), ['wave_id']) }}
