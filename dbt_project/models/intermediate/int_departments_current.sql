{{ current_rows(ref('stg_departments'), ['region_code', 'department_name_zh']) }}
