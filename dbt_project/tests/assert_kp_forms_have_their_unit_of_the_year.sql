-- Every current 科普统计 form has its unit's 单位信息 row of the same year: without it the
-- form has no 所在地, and fct_kp_statistic (an inner join on unit and year) would drop it
-- silently. The loader refuses a unit code no load has registered; a unit registered
-- only for another year passes it (its check is by unit code alone), and is caught here.
with

forms as (
    select * from {{ ref('int_kp_forms_current') }}
),

units as (
    select * from {{ ref('int_kp_units_current') }}
)

select distinct
    forms.kp_table,
    forms.unit_code,
    forms.year,
    forms.load_id
from forms
left join units
    on
    forms.unit_code = units.unit_code
    and forms.year = units.year
where units.unit_code is null
