-- Funding per region, year and source, summed over the region and everything below it.
-- A return covers the reporting unit's own spending (本级), so a parent's figure is its
-- own return plus those of all its descendants, never a sum of already-rolled-up values.
-- The source `total` is every source but the special fund (科普专项经费), which is part
-- of the government appropriation.
with

current_returns as (
    select * from {{ ref('int_funding_returns_current') }}
),

returns as (
    select
        region_code,
        year,
        funding_source,
        amount_yuan,
        load_id
    from current_returns
    union all
    select
        region_code,
        year,
        'total' as funding_source,
        amount_yuan,
        load_id
    from current_returns
    where funding_source <> 'special_fund'
),

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
),

loads as (
    select distinct
        load_id,
        is_synthetic
    from {{ ref('stg_load_audit') }}
),

rolled_up as (
    select
        ancestors.ancestor_code as region_code,
        returns.year,
        returns.funding_source,
        sum(returns.amount_yuan) as amount_yuan,
        sum(case when ancestors.depth = 0 then returns.amount_yuan else 0 end) as own_amount_yuan,
        count(distinct returns.region_code) as reporting_regions,
        bool_or(loads.is_synthetic) as is_synthetic,
        array_agg(distinct returns.load_id order by returns.load_id) as load_ids
    from returns
    inner join ancestors on returns.region_code = ancestors.region_code
    inner join loads on returns.load_id = loads.load_id
    group by ancestors.ancestor_code, returns.year, returns.funding_source
)

select * from rolled_up
