{{ current_rows(ref('stg_targets'), ['plan_id']) }}
