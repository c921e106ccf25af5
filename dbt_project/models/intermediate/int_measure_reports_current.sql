{{ current_rows(
    ref('stg_measure_reports'),
    ['measure_id', 'department_name_zh', 'reporting_period'],
) }}
