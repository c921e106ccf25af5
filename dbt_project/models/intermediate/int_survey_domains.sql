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
    unpivot (
        select
            wave_id,
            respondent_id,
            domain_region_code,
            'all' as total,
            sex,
            urban_rural,
            age_band,
            education,
            occupation
        from respondent_regions
    )
    on total, sex, urban_rural, age_band, education, occupation
    into name group_dimension value group_value
)

select
    wave_id,
    respondent_id,
    domain_region_code as region_code,
    group_dimension,
    group_value
from grouped
