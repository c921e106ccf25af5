-- How many goals of each plan have each status as of a date (dbt var `as_of`), for the
-- summary line of an assessment ("已达成 4 项，未达成 5 项…"): quantitative targets, tasks
-- and safeguards counted apart, with the share of task × unit pairs completed.
with

progress as (
    select * from {{ ref('fct_target_progress') }}
),

grouped as (
    select
        plan_id,
        as_of_date,
        case
            when target_kind <> 'qualitative' then 'target'
            else task_kind
        end as goal_group,
        progress_status,
        count(*) as goal_count,
        sum(measure_unit_pairs) as unit_pairs,
        sum(completed_pairs) as completed_pairs
    from progress
    group by plan_id, as_of_date, goal_group, progress_status
)

select
    plan_id || '|' || as_of_date || '|' || goal_group || '|' || progress_status
        as plan_status_count_id,
    plan_id,
    as_of_date,
    goal_group,
    progress_status,
    goal_count,
    unit_pairs,
    completed_pairs
from grouped
