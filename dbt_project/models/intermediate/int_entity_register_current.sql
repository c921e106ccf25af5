{{ current_rows(ref('stg_entity_register'), ['entity_type', 'entity_id']) }}
