{{ current_rows(ref('stg_indicators'), ['indicator_code']) }}
