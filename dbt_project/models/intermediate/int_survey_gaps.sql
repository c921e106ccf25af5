{{ config(
    materialized='table_by_wave',
    wave_list='int_survey_waves_current',
    pre_hook="{{ without_nested_loops() }}",
    post_hook="{{ with_nested_loops() }}",
) }}
-- Group gaps of the literacy ratio per wave and region, with the design-based SE of the
-- difference: the PSU totals of the linearised difference are z_a − z_b. The pairs are
-- fixed, so a change between waves compares the same groups: men − women and urban −
-- rural always, and every pair a gap rule of the registry names (计量规则, measure
-- gap_change: target_groups = minuend、subtrahend, e.g. 专业技术人员、农民), in the
-- dimension its groups belong to. Built a wave at a time (macros/table_by_wave.sql); the
-- waves' list:
-- depends_on: {{ ref('int_survey_waves_current') }}
{% set keys = ['region_code', 'group_dimension', 'group_value'] %}
{% set gap_keys = ['region_code', 'group_dimension', 'gap_label'] %}
with

design as (
    select * from {{ ref('int_survey_design') }}
    where {{ in_build_wave('wave_id') }}
),

cells as (
    select * from {{ ref('int_survey_domain_cells') }}
    where {{ in_build_wave('wave_id') }}
),

totals as materialized (
    {{ survey_domain_totals('cells', keys) }}
),

scores as (
    {{ survey_psu_scores('cells', 'totals', keys) }}
),

rules as (
    select * from {{ ref('int_measurement_rules_current') }}
    where measure = 'gap_change'
),

fixed_pairs as (
    select
        'sex' as group_dimension,
        'male' as minuend,
        'female' as subtrahend
    union all
    select
        'urban_rural' as group_dimension,
        'urban' as minuend,
        'rural' as subtrahend
),

groups as (
    select distinct
        group_dimension,
        group_value
    from totals
),

rule_pairs as (
    select
        groups.group_dimension,
        rules.target_groups[1] as minuend,
        rules.target_groups[2] as subtrahend
    from rules
    inner join groups on rules.target_groups[1] = groups.group_value
),

all_pairs as (
    select * from fixed_pairs
    union
    select * from rule_pairs
),

pairs as (
    -- a pair in every wave and region that has respondents of both groups
    select
        totals.wave_id,
        totals.region_code,
        all_pairs.group_dimension,
        all_pairs.minuend,
        all_pairs.subtrahend
    from all_pairs
    inner join totals
        on all_pairs.group_dimension = totals.group_dimension
        and all_pairs.minuend = totals.group_value
    inner join totals as other
        on totals.wave_id = other.wave_id
        and totals.region_code = other.region_code
        and all_pairs.group_dimension = other.group_dimension
        and all_pairs.subtrahend = other.group_value
),

signed_scores as (
    select
        pairs.wave_id,
        pairs.region_code,
        pairs.group_dimension,
        pairs.minuend || '-' || pairs.subtrahend as gap_label,
        scores.stratum,
        scores.psu,
        case when scores.group_value = pairs.minuend then scores.z else -scores.z end as z,
        scores.weight
    from pairs
    inner join scores
        on pairs.wave_id = scores.wave_id
        and pairs.region_code = scores.region_code
        and pairs.group_dimension = scores.group_dimension
        and scores.group_value in (pairs.minuend, pairs.subtrahend)
),

gap_scores as (
    select
        wave_id,
        region_code,
        group_dimension,
        gap_label,
        stratum,
        psu,
        sum(z) as z,
        sum(weight) as weight
    from signed_scores
    group by wave_id, region_code, group_dimension, gap_label, stratum, psu
),

variances as (
    {{ survey_variance('design', 'gap_scores', gap_keys) }}
),

gaps as (
    select
        pairs.wave_id,
        pairs.region_code,
        pairs.group_dimension,
        pairs.minuend || '-' || pairs.subtrahend as gap_label,
        pairs.minuend,
        pairs.subtrahend,
        minuend_totals.estimate - subtrahend_totals.estimate as gap,
        minuend_totals.estimate as minuend_estimate,
        subtrahend_totals.estimate as subtrahend_estimate,
        minuend_totals.sample_size as minuend_sample_size,
        subtrahend_totals.sample_size as subtrahend_sample_size
    from pairs
    inner join totals as minuend_totals
        on pairs.wave_id = minuend_totals.wave_id
        and pairs.region_code = minuend_totals.region_code
        and pairs.group_dimension = minuend_totals.group_dimension
        and pairs.minuend = minuend_totals.group_value
    inner join totals as subtrahend_totals
        on pairs.wave_id = subtrahend_totals.wave_id
        and pairs.region_code = subtrahend_totals.region_code
        and pairs.group_dimension = subtrahend_totals.group_dimension
        and pairs.subtrahend = subtrahend_totals.group_value
)

select
    gaps.*,
    sqrt(variances.variance) as standard_error,
    variances.degrees_of_freedom,
    variances.lonely_psu
from gaps
left join variances
    on gaps.wave_id = variances.wave_id
    and gaps.region_code = variances.region_code
    and gaps.group_dimension = variances.group_dimension
    and gaps.gap_label = variances.gap_label
