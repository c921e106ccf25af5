{{ current_rows(ref('stg_measurement_rules'), ['target_id']) }}
