-- Funding per region, year and source (元), own return and rolled up over the region's
-- subtree. `total` is the sum of all sources except the special fund, which is part of
-- the government appropriation.
with

funding as (
    select * from {{ ref('int_funding_rolled_up') }}
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
from funding
