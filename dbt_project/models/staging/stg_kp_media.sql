select
    load_id,
    sheet_name,
    source_row,
    unit_code,
    year,
    book_titles,
    book_copies,
    periodical_titles,
    periodical_copies,
    websites,
    wechat_accounts,
    explanation
from {{ source('raw', 'kp_media') }}
