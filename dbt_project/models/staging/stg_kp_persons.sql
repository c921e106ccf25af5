select
    load_id,
    sheet_name,
    source_row,
    unit_code,
    year,
    full_time_staff,
    full_time_managers,
    full_time_qualified,
    part_time_staff,
    part_time_qualified,
    part_time_person_months,
    registered_volunteers,
    explanation
from {{ source('raw', 'kp_persons') }}
