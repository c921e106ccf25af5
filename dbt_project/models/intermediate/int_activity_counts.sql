-- Annual and cumulative counts from the activity log under each target's rule: the
-- records of the listed activity types and target groups (any, when the rule lists none)
-- held anywhere in the target region's subtree, measured as events (records), sessions,
-- participants (person-times), amount, or distinct_participants (persons: the distinct
-- ids the records list; the running total counts each person once, in the first year of
-- the period they appear). Years of the plan period without a record count 0, up to the
-- last year the log covers for that region.
with

scopes as (
    -- the counting rules of the activity log (its reach rules are int_reach_coverage's)
    select * from {{ ref('int_measurement_rule_scopes') }}
    where record_source = 'activities'
        and measure in ('events', 'sessions', 'participants', 'amount', 'distinct_participants')
),

activities as (
    select * from {{ ref('int_activities_current') }}
),

matched as (
    select
        scopes.target_id,
        activities.activity_year as year,
        activities.sessions,
        activities.participants,
        activities.amount_yuan,
        activities.participant_ids,
        activities.load_id
    from scopes
    {{ in_target_subtree('scopes', 'activities') }}
    where (
        scopes.activity_types is null
        or {{ list_has('scopes.activity_types', 'activities.activity_type') }}
    )
    and (
        scopes.target_groups is null
        or {{ list_has('scopes.target_groups', 'activities.target_group') }}
    )
),

persons as (
    -- each id a record lists, in the year it appears
    select
        target_id,
        year,
        unnest(participant_ids) as participant_id
    from matched
),

people as (
    select
        target_id,
        year,
        count(distinct participant_id) as distinct_participants
    from persons
    group by target_id, year
),

first_seen as (
    -- each person of the period in the first year they appear
    select
        persons.target_id,
        persons.participant_id,
        min(persons.year) as first_year
    from persons
    inner join scopes on persons.target_id = scopes.target_id
    where persons.year >= scopes.period_start
    group by persons.target_id, persons.participant_id
),

newcomers as (
    select
        target_id,
        first_year as year,
        count(*) as new_participants
    from first_seen
    group by target_id, first_year
),

annual as (
    select
        target_id,
        year,
        count(*) as events,
        sum(sessions) as sessions,
        sum(participants) as participants,
        sum(amount_yuan) / 10000 as amount_10k_yuan,
        array_agg(distinct load_id) as load_ids
    from matched
    group by target_id, year
),

covered_years as (
    -- the last year of records in the region, whatever their type
    select
        scopes.target_id,
        max(activities.activity_year) as last_year
    from scopes
    {{ in_target_subtree('scopes', 'activities') }}
    group by scopes.target_id
),

spine as (
    select
        scopes.*,
        {{ integer_series(
            'scopes.period_start', 'least(scopes.period_end, covered_years.last_year)'
        ) }} as year
    from scopes
    inner join covered_years on scopes.target_id = covered_years.target_id
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
        coalesce(case spine.measure
            when 'events' then annual.events
            when 'sessions' then annual.sessions
            when 'participants' then annual.participants
            when 'amount' then annual.amount_10k_yuan
            when 'distinct_participants' then people.distinct_participants
        end, 0) as annual_value,
        -- what the running total adds in the year: persons seen for the first time, or
        -- the annual value
        coalesce(case spine.measure
            when 'distinct_participants' then newcomers.new_participants
            when 'events' then annual.events
            when 'sessions' then annual.sessions
            when 'participants' then annual.participants
            when 'amount' then annual.amount_10k_yuan
        end, 0) as added_value,
        coalesce(annual.load_ids, cast(array[] as integer[])) as load_ids
    from spine
    left join annual on spine.target_id = annual.target_id and spine.year = annual.year
    left join people on spine.target_id = people.target_id and spine.year = people.year
    left join newcomers on spine.target_id = newcomers.target_id and spine.year = newcomers.year
)

select
    target_id,
    indicator_code,
    region_code,
    target_kind,
    measure,
    period_start,
    year,
    annual_value,
    load_ids,
    sum(added_value) over (
        partition by target_id order by year rows between unbounded preceding and current row
    ) as cumulative_value
from valued
