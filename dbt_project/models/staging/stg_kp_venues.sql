-- KP-002 科普场地, as loaded: the columns are the spec's, and its indicator columns are the rows
-- of the seed kp_indicators (the only list of them), already typed and in their unit
-- by the loader, so they are not named again here.
select * -- noqa: AM04
from {{ source('raw', 'kp_venues') }}
