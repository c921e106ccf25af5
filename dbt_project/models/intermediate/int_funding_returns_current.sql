{{ current_rows(ref('stg_funding_returns'), ['region_code', 'year']) }}
