-- One row per measure and responsible unit (责任单位): the pairs whose status later
-- assessments track.
with

measures as (
    select * from {{ ref('int_measures_current') }}
),

pairs as (
    select
        measure_id,
        plan_id,
        unnest(string_split(responsible_units, '；')) as department_name_zh
    from measures
)

select
    measure_id || '|' || department_name_zh as measure_unit_id,
    measure_id,
    plan_id,
    department_name_zh
from pairs
