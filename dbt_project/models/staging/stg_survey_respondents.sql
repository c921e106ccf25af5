select
    load_id,
    sheet_name,
    source_row,
    wave_id,
    respondent_id,
    region_code,
    stratum,
    psu,
    weight,
    sex,
    age,
    urban_rural,
    education,
    occupation,
    fpc
from {{ source('raw', 'survey_respondents') }}
