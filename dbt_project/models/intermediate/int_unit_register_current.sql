{{ current_rows(ref('stg_unit_register'), ['year', 'region_code']) }}
