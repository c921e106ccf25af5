{{ current_rows(ref('stg_population'), ['region_code', 'year', 'population_type']) }}
