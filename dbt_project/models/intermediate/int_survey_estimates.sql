{{ config(
    materialized='table',
    pre_hook="{{ without_nested_loops() }}",
    post_hook="{{ with_nested_loops() }}",
) }}
-- Literacy ratio per wave, region and group: estimate, SE, df, n, weighted population.
{{ survey_cell_proportions(
    ref('int_survey_design'),
    ref('int_survey_domain_cells'),
    ['region_code', 'group_dimension', 'group_value'],
) }}
