-- Funding per region, year and source (元), own return and rolled up over the region's
-- subtree. `total` is the sum of all sources except the special fund, which is part of
-- the government appropriation.
with

funding as (
    select * from {{ ref('int_funding_rolled_up') }}
),

totals as (
    select
        region_code,
        year,
        'total' as funding_source,
        sum(amount_yuan) as amount_yuan,
        sum(own_amount_yuan) as own_amount_yuan,
        max(reporting_regions) as reporting_regions,
        bool_or(is_synthetic) as is_synthetic
    from funding
    where funding_source <> 'special_fund'
    group by region_code, year
),

combined as (
    select region_code, year, funding_source, amount_yuan, own_amount_yuan,
        reporting_regions, is_synthetic
    from funding
    union all
    select * from totals
)

select
    region_code || '|' || year || '|' || funding_source as funding_id,
    region_code,
    year,
    funding_source,
    amount_yuan,
    own_amount_yuan,
    amount_yuan / 10000 as amount_10k_yuan,
    reporting_regions,
    is_synthetic
from combined
