{{ current_rows(ref('stg_measures'), ['plan_id']) }}
