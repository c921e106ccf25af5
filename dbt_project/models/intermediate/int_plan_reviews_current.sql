{{ current_rows(ref('stg_plan_reviews'), ['plan_id']) }}
