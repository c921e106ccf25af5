{{ config(
    materialized='table_by_wave',
    wave_list='int_survey_waves_current',
    pre_hook="{{ without_nested_loops() }}",
    post_hook="{{ with_nested_loops() }}",
) }}
-- Literacy ratio per wave, region and group: estimate, SE, df, n, weighted population.
-- Built a wave at a time (macros/table_by_wave.sql); the waves' list:
-- depends_on: {{ ref('int_survey_waves_current') }}
with

design as (
    select * from {{ ref('int_survey_design') }}
    where {{ in_build_wave('wave_id') }}
),

cells as (
    select * from {{ ref('int_survey_domain_cells') }}
    where {{ in_build_wave('wave_id') }}
),

estimates as (
    {{ survey_cell_proportions(
        'design',
        'cells',
        ['region_code', 'group_dimension', 'group_value'],
    ) }}
)

select * from estimates
