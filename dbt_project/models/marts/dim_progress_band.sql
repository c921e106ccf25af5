-- The progress bands of fct_target_progress, published from the seed so that reports
-- render the methods annex from the rows the model uses.
with

progress_bands as (
    select * from {{ ref('progress_bands') }}
)

select
    progress_status,
    min_ratio
from progress_bands
