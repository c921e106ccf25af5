select
    load_id,
    sheet_name,
    source_row,
    unit_code,
    year,
    lectures,
    lecture_attendance,
    exhibitions,
    exhibition_visitors,
    week_events,
    week_participants,
    explanation
from {{ source('raw', 'kp_activities') }}
