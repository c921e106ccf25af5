with

plans as (
    select * from {{ ref('int_plans_current') }}
),

regions as (
    select * from {{ ref('int_regions_current') }}
),

reviews as (
    select
        plan_id,
        string_agg(review_year || ' ' || review_kind, '; ' order by review_year, review_kind)
            as review_points
    from {{ ref('int_plan_reviews_current') }}
    group by plan_id
),

targets as (
    select
        plan_id,
        count(*) as target_count
    from {{ ref('int_targets_current') }}
    group by plan_id
),

measures as (
    select
        plan_id,
        count(*) as measure_count
    from {{ ref('int_measures_current') }}
    group by plan_id
)

select
    plans.plan_id,
    plans.plan_name_zh,
    plans.plan_name_en,
    plans.issuer_zh,
    plans.issuer_en,
    plans.region_code,
    regions.region_name_zh,
    regions.region_name_en,
    plans.period_start,
    plans.period_end,
    plans.issued_on,
    reviews.review_points,
    coalesce(targets.target_count, 0) as target_count,
    coalesce(measures.measure_count, 0) as measure_count,
    plans.source_file,
    plans.load_id,
    plans.source_row
from plans
left join regions on plans.region_code = regions.region_code
left join reviews on plans.plan_id = reviews.plan_id
left join targets on plans.plan_id = targets.plan_id
left join measures on plans.plan_id = measures.plan_id
