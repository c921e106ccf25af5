{{ current_rows(ref('stg_facilities'), ['region_code', 'year']) }}
