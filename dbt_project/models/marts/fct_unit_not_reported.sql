-- The responsible units that have not reported a task or measure for the plan's current
-- period (the latest period any unit of the plan reported for), unless their last report
-- says it is completed. A plan no unit has reported on has no current period.
with

measure_status as (
    select * from {{ ref('fct_measure_status') }}
),

current_periods as (
    select
        plan_id,
        max(reporting_period) as current_period
    from measure_status
    group by plan_id
)

select
    measure_status.measure_unit_id,
    measure_status.plan_id,
    measure_status.measure_id,
    measure_status.department_name_zh,
    measure_status.unit_role,
    measure_status.measure_status,
    measure_status.reporting_period as last_period,
    current_periods.current_period,
    measure_status.is_overdue
from measure_status
inner join current_periods on measure_status.plan_id = current_periods.plan_id
where
    current_periods.current_period is not null
    and measure_status.reporting_period is distinct from current_periods.current_period
    and measure_status.measure_status <> 'completed'
