-- Every task, measure and safeguard (任务、措施、保障措施) of the plans with the units that
-- report on it: XX city's 21 measures with their 责任单位, and the other plans' key tasks,
-- projects and actions with their 牵头 and 配合 units, and their 保障措施.
select
    measure_id,
    plan_id,
    measure_no,
    task_kind,
    title_zh,
    title_en,
    summary_zh,
    summary_en,
    responsible_units,
    {{ list_length("string_to_array(responsible_units, '；')") }} as responsible_unit_count,
    lead_units,
    due_year,
    source_quote,
    load_id,
    source_row
from {{ ref('int_measures_current') }}
