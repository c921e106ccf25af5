{{ current_rows(ref('stg_kp_units'), ['unit_code', 'year']) }}
