-- One row per task (measure) and responsible unit: the pairs whose status later
-- assessments track, with the unit's role: lead (牵头) or cooperating (配合) where the plan
-- says which units lead, responsible (责任单位) where it does not.
with

measures as (
    select * from {{ ref('int_measures_current') }}
),

pairs as (
    select
        measure_id,
        plan_id,
        lead_units,
        unnest(string_to_array(responsible_units, '；')) as department_name_zh
    from measures
)

select
    measure_id || '|' || department_name_zh as measure_unit_id,
    measure_id,
    plan_id,
    department_name_zh,
    case
        when lead_units is null then 'responsible'
        when {{ list_has("string_to_array(lead_units, '；')", 'department_name_zh') }} then 'lead'
        else 'cooperating'
    end as unit_role
from pairs
