{{ config(materialized='table_by_wave', wave_list='int_survey_waves_current') }}
-- The survey's domains as stratum × PSU cells (n, Σw, Σwy), which every estimate and gap
-- is derived from: each respondent counts in its own region and every ancestor up to the
-- wave's coverage region (parent estimates come from the pooled microdata, never from
-- averaging child ratios), overall and within each group dimension. Built a wave at a
-- time (macros/table_by_wave.sql): ~3 M cells at national size.
with

design as (
    select * from {{ ref('int_survey_design') }}
    where {{ in_build_wave('wave_id') }}
),

waves as (
    select * from {{ ref('int_survey_waves_current') }}
    where {{ in_build_wave('wave_id') }}
),

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
),

domain_regions as (
    -- per wave, each region and the regions within the coverage it counts in
    select
        waves.wave_id,
        ancestors.region_code,
        ancestors.ancestor_code as domain_region_code
    from waves
    inner join ancestors as within_coverage on waves.region_code = within_coverage.ancestor_code
    inner join ancestors on within_coverage.region_code = ancestors.ancestor_code
)

{{ survey_region_group_cells(
    'design',
    'domain_regions',
    ['sex', 'urban_rural', 'age_band', 'education', 'occupation'],
) }}
