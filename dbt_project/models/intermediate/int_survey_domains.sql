{{ config(materialized='table') }}
-- Domains: each respondent belongs to its own region and every ancestor up to the wave's
-- coverage region (parent estimates come from the pooled microdata, never from averaging
-- child ratios), overall and within each group dimension.
with

design as (
    select * from {{ ref('int_survey_design') }}
),

waves as (
    select * from {{ ref('int_survey_waves_current') }}
),

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
),

respondent_regions as (
    select
        design.*,
        ancestors.ancestor_code as domain_region_code
    from design
    inner join waves on design.wave_id = waves.wave_id
    inner join ancestors on design.region_code = ancestors.region_code
    inner join ancestors as within_coverage
        on ancestors.ancestor_code = within_coverage.region_code
        and waves.region_code = within_coverage.ancestor_code
),

grouped as (
    -- one row per respondent, region and group dimension it has a value of
    select
        wave_id,
        respondent_id,
        domain_region_code,
        'total' as group_dimension,
        'all' as group_value
    from respondent_regions
    union all
    select
        wave_id,
        respondent_id,
        domain_region_code,
        'sex' as group_dimension,
        sex as group_value
    from respondent_regions
    where sex is not null
    union all
    select
        wave_id,
        respondent_id,
        domain_region_code,
        'urban_rural' as group_dimension,
        urban_rural as group_value
    from respondent_regions
    where urban_rural is not null
    union all
    select
        wave_id,
        respondent_id,
        domain_region_code,
        'age_band' as group_dimension,
        age_band as group_value
    from respondent_regions
    where age_band is not null
    union all
    select
        wave_id,
        respondent_id,
        domain_region_code,
        'education' as group_dimension,
        education as group_value
    from respondent_regions
    where education is not null
    union all
    select
        wave_id,
        respondent_id,
        domain_region_code,
        'occupation' as group_dimension,
        occupation as group_value
    from respondent_regions
    where occupation is not null
)

select
    wave_id,
    respondent_id,
    domain_region_code as region_code,
    group_dimension,
    group_value
from grouped
