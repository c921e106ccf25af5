-- The settings of fct_target_progress (ε, the default tolerance of "approx" targets, the
-- overdue share of measures), published from the seed for the methods annex.
with

progress_settings as (
    select * from {{ ref('progress_settings') }}
)

select
    setting,
    value
from progress_settings
