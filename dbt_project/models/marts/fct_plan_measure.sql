select
    measure_id,
    plan_id,
    measure_no,
    title_zh,
    title_en,
    summary_zh,
    summary_en,
    responsible_units,
    len(string_split(responsible_units, '；')) as responsible_unit_count,
    source_quote,
    load_id,
    source_row
from {{ ref('int_measures_current') }}
