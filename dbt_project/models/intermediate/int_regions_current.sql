{{ current_rows(ref('stg_regions'), ['region_code']) }}
