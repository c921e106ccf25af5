{{ current_rows(ref('stg_plans'), ['plan_id']) }}
