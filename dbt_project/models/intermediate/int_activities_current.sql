{{ current_rows(ref('stg_activities'), ['activity_id']) }}
