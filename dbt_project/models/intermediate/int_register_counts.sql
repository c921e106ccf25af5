-- Counts from the registers under each target's rule, per year: new_entities = entities
-- registered during the year; stock = distinct entities registered on or before 31
-- December and not exited by then. Entities anywhere in the target region's subtree.
with

scopes as (
    select * from {{ ref('int_measurement_rule_scopes') }}
    where record_source = 'register'
),

entities as (
    select * from {{ ref('int_entity_register_current') }}
),

matched as (
    select
        scopes.target_id,
        entities.*
    from scopes
    {{ in_target_subtree('scopes', 'entities') }}
    where {{ list_has('scopes.entity_types', 'entities.entity_type') }}
),

last_years as (
    select
        target_id,
        max({{ year_of('registered_on') }}) as last_year
    from matched
    group by target_id
),

spine as (
    select
        scopes.*,
        {{ integer_series(
            'scopes.period_start - 1', 'least(scopes.period_end, last_years.last_year)'
        ) }} as year
    from scopes
    inner join last_years on scopes.target_id = last_years.target_id
),

counted as (
    select
        spine.target_id,
        spine.indicator_code,
        spine.region_code,
        spine.target_kind,
        spine.measure,
        spine.period_start,
        spine.year,
        count(distinct matched.entity_id) filter (
            where {{ year_of('matched.registered_on') }} = spine.year
        ) as new_entities,
        count(distinct matched.entity_id) filter (
            where matched.registered_on <= make_date(spine.year, 12, 31)
            and (matched.exited_on is null or matched.exited_on > make_date(spine.year, 12, 31))
        ) as year_end_stock,
        coalesce(
            array_agg(distinct matched.load_id) filter (where matched.load_id is not null),
            cast(array[] as integer[])
        ) as load_ids
    from spine
    left join matched on spine.target_id = matched.target_id
    group by
        spine.target_id,
        spine.indicator_code,
        spine.region_code,
        spine.target_kind,
        spine.measure,
        spine.period_start,
        spine.year
),

running as (
    -- new entries add up from the first year of the period, not from the baseline year
    select
        *,
        sum(case when year >= period_start then new_entities else 0 end) over (
            partition by target_id order by year rows between unbounded preceding and current row
        ) as new_entities_since_start
    from counted
)

select
    target_id,
    indicator_code,
    region_code,
    target_kind,
    measure,
    period_start,
    year,
    case measure when 'new_entities' then new_entities else year_end_stock end as annual_value,
    load_ids,
    case when measure = 'new_entities' then new_entities_since_start end as cumulative_value
from running
