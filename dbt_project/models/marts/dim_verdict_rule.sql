-- The verdict rules of fct_target_progress, published from the seed so that reports
-- render the methods annex from the rows the model uses: which rule judges each kind of
-- target before its due year (forward) and after it (final).
with

verdict_rules as (
    select * from {{ ref('verdict_rules') }}
)

select
    target_kind || '|' || verdict_stage as verdict_rule_id,
    target_kind,
    verdict_stage,
    progress_method,
    verdict_rule
from verdict_rules
