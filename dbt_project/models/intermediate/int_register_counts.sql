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

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
),

matched as (
    select scopes.target_id, entities.*
    from scopes
    inner join ancestors on ancestors.ancestor_code = scopes.region_code
    inner join entities on entities.region_code = ancestors.region_code
    where list_contains(scopes.entity_types, entities.entity_type)
),

last_years as (
    select target_id, max(year(registered_on)) as last_year
    from matched
    group by target_id
),

spine as (
    select
        scopes.*,
        unnest(range(scopes.period_start - 1, least(scopes.period_end, last_years.last_year) + 1))
            as year
    from scopes
    inner join last_years on scopes.target_id = last_years.target_id
),

valued as (
    select
        spine.target_id,
        spine.indicator_code,
        spine.region_code,
        spine.target_kind,
        spine.measure,
        spine.period_start,
        spine.year,
        case spine.measure
            when 'new_entities' then count(distinct matched.entity_id) filter (
                where year(matched.registered_on) = spine.year)
            else count(distinct matched.entity_id) filter (
                where matched.registered_on <= make_date(spine.year, 12, 31)
                and (matched.exited_on is null or matched.exited_on > make_date(spine.year, 12, 31)))
        end as annual_value,
        coalesce(list(distinct matched.load_id) filter (where matched.load_id is not null), [])
            as load_ids
    from spine
    left join matched on spine.target_id = matched.target_id
    group by
        spine.target_id, spine.indicator_code, spine.region_code, spine.target_kind,
        spine.measure, spine.period_start, spine.year
)

select
    *,
    case when measure = 'new_entities' then sum(
        case when year >= period_start then annual_value else 0 end
    ) over (
        partition by target_id order by year rows between unbounded preceding and current row
    ) end as cumulative_value
from valued
