select
    load_id,
    sheet_name,
    source_row,
    activity_id,
    activity_date,
    {{ year_of('activity_date') }} as activity_year,
    region_code,
    trim(activity_type) as activity_type,
    trim(target_group) as target_group,
    coalesce(sessions, 1) as sessions,
    coalesce(participants, 0) as participants,
    amount as amount_yuan,
    organiser,
    title,
    nullif(regexp_split_to_array(participant_ids, '、'), array['']) as participant_ids
from {{ source('raw', 'activities') }}
