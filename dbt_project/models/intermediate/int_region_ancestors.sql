-- Every region paired with itself and each of its ancestors: the closure of the register.
with recursive

regions as (
    select * from {{ ref('int_regions_current') }}
),

ancestry (region_code, ancestor_code, depth) as (
    select region_code, region_code, 0
    from regions
    union all
    select ancestry.region_code, regions.parent_region_code, ancestry.depth + 1
    from ancestry
    inner join regions on ancestry.ancestor_code = regions.region_code
    where regions.parent_region_code is not null
)

select
    region_code,
    ancestor_code,
    depth
from ancestry
