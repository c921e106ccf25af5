select
    load_id,
    sheet_name,
    source_row,
    target_id,
    source as record_source,
    measure,
    nullif(regexp_split_to_array(activity_types, '、'), array['']) as activity_types,
    nullif(regexp_split_to_array(target_groups, '、'), array['']) as target_groups,
    nullif(regexp_split_to_array(entity_types, '、'), array['']) as entity_types,
    nullif(regexp_split_to_array(facility_types, '、'), array['']) as facility_types,
    unit_level,
    unit_threshold,
    note
from {{ source('raw', 'measurement_rules') }}
