-- Every region paired with itself and each of its ancestors: the closure of the register.
with recursive

regions as (
    select * from {{ ref('int_regions_current') }}
),

ancestry as (
    select
        region_code,
        region_code as ancestor_code,
        0 as depth
    from regions
    union all
    select
        ancestry.region_code,
        regions.parent_region_code as ancestor_code,
        ancestry.depth + 1 as depth
    from ancestry
    inner join regions on ancestry.ancestor_code = regions.region_code
    where regions.parent_region_code is not null
)

select
    region_code,
    ancestor_code,
    depth
from ancestry
