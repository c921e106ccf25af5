with

regions as (
    select * from {{ ref('int_regions_current') }}
),

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
),

depths as (
    select
        region_code,
        max(depth) as depth
    from ancestors
    group by region_code
)

select
    regions.region_code,
    regions.region_name_zh,
    regions.region_name_en,
    regions.region_level,
    regions.parent_region_code,
    depths.depth,
    regions.is_synthetic,
    regions.load_id,
    regions.source_row
from regions
inner join depths on regions.region_code = depths.region_code
