-- The special fund (科普专项经费) is part of the government appropriation: a return whose
-- special fund exceeds its appropriation is inconsistent.
with

returns as (
    select * from {{ ref('int_funding_returns_current') }}
)

select
    region_code,
    year,
    sum(amount_yuan) filter (where funding_source = 'special_fund') as special_fund_yuan,
    sum(amount_yuan) filter (where funding_source = 'government') as government_yuan
from returns
group by region_code, year
having
    sum(amount_yuan) filter (where funding_source = 'special_fund')
    > coalesce(sum(amount_yuan) filter (where funding_source = 'government'), 0) + 0.005
