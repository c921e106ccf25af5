-- Every indicator value the warehouse computes, one row per indicator, region, year and
-- group. Survey estimates fill the standard error, CI, sample size and quality columns;
-- computed values (funding, counts) carry `present` and no sampling error.
with

indicators as (
    select * from {{ ref('int_indicators_current') }}
),

per_capita as (
    select * from {{ ref('int_funding_per_capita') }}
),

funding_values as (
    select
        indicators.indicator_code,
        per_capita.region_code,
        per_capita.year,
        'total' as group_dimension,
        'all' as group_value,
        per_capita.per_capita_yuan as value,
        indicators.unit_zh,
        indicators.unit_en,
        per_capita.amount_yuan as numerator_value,
        per_capita.population_persons as denominator_value,
        'funding_' || per_capita.funding_numerator as numerator_kind,
        per_capita.population_denominator || '_population' as denominator_kind,
        'funding / population' as method,
        per_capita.reporting_regions,
        per_capita.is_synthetic,
        per_capita.load_ids
    from indicators
    inner join per_capita
        on indicators.funding_numerator = per_capita.funding_numerator
        and indicators.population_denominator = per_capita.population_denominator
    where indicators.indicator_family = 'funding_per_capita'
),

literacy_values as (
    -- in percent, as the targets are; a suppressed estimate has no value, only its reason
    select
        'literacy_ratio' as indicator_code,
        region_code,
        survey_year as year,
        group_dimension,
        group_value,
        case when quality_flag <> 'suppress' then estimate * 100 end as value,
        '%' as unit_zh,
        '%' as unit_en,
        case when quality_flag <> 'suppress' then estimate * weighted_n end as numerator_value,
        weighted_n as denominator_value,
        'weighted_literate_adults' as numerator_kind,
        'weighted_adults_18_69' as denominator_kind,
        case when quality_flag <> 'suppress' then standard_error * 100 end as standard_error,
        -- the logit interval, or Korn–Graubard where it is undefined (p̂ = 0 or 1)
        case when quality_flag <> 'suppress'
            then coalesce(ci_logit_lower, ci_beta_lower) * 100 end as ci_lower,
        case when quality_flag <> 'suppress'
            then coalesce(ci_logit_upper, ci_beta_upper) * 100 end as ci_upper,
        case when ci_logit_lower is null then 'korn-graubard' else 'logit' end as ci_method,
        degrees_of_freedom,
        sample_size,
        design_effect,
        quality_flag,
        quality_reason,
        'design-based, Taylor linearisation (wave ' || wave_id || ')' as method,
        cast(null as bigint) as reporting_regions,
        is_synthetic,
        [load_id] as load_ids
    from {{ ref('fct_literacy_estimate') }}
),

gap_values as (
    select
        'literacy_ratio_gap' as indicator_code,
        region_code,
        survey_year as year,
        group_dimension,
        gap_label as group_value,
        case when quality_flag <> 'suppress' then gap * 100 end as value,
        '百分点' as unit_zh,
        'percentage points' as unit_en,
        cast(null as double) as numerator_value,
        cast(null as double) as denominator_value,
        minuend as numerator_kind,
        subtrahend as denominator_kind,
        case when quality_flag <> 'suppress' then standard_error * 100 end as standard_error,
        case when quality_flag <> 'suppress' then ci_lower * 100 end as ci_lower,
        case when quality_flag <> 'suppress' then ci_upper * 100 end as ci_upper,
        't' as ci_method,
        degrees_of_freedom,
        minuend_sample_size + subtrahend_sample_size as sample_size,
        cast(null as double) as design_effect,
        quality_flag,
        case when quality_flag <> 'present' then 'a group estimate is ' || quality_flag end
            as quality_reason,
        'difference of design-based estimates, linearised (wave ' || wave_id || ')' as method,
        cast(null as bigint) as reporting_regions,
        is_synthetic,
        [load_id] as load_ids
    from {{ ref('fct_literacy_gap') }}
),

coverage_values as (
    select
        indicator_code,
        region_code,
        year,
        'total' as group_dimension,
        'all' as group_value,
        coverage * 100 as value,
        '%' as unit_zh,
        '%' as unit_en,
        covered_units as numerator_value,
        units as denominator_value,
        'units_with_active_facility' as numerator_kind,
        'units_in_register' as denominator_kind,
        case when non_reporting_units > 0 then 'flag' else 'present' end as quality_flag,
        case when non_reporting_units > 0
            then non_reporting_units || ' of ' || units || ' units did not report (counted as not covered)'
        end as quality_reason,
        'facility coverage, rule of ' || target_id as method,
        reporting_units as reporting_regions,
        load_ids
    from {{ ref('int_facility_coverage') }}
),

gallery_values as (
    select
        indicator_code, region_code, year, 'total' as group_dimension, 'all' as group_value,
        median_updates as value, '次/年' as unit_zh, 'updates per year' as unit_en,
        cast(null as double) as numerator_value, galleries as denominator_value,
        'median_updates' as numerator_kind, 'active_galleries' as denominator_kind,
        'median of active galleries, rule of ' || target_id as method, load_ids
    from {{ ref('int_gallery_updates') }}
    union all
    select
        'gallery_update_compliance', region_code, year, 'total', 'all',
        compliance_share * 100, '%', '%', compliant_galleries, galleries,
        'galleries_reaching_target', 'active_galleries',
        'share of active galleries reaching the target, rule of ' || target_id, load_ids
    from {{ ref('int_gallery_updates') }}
),

count_values as (
    select
        counts.indicator_code,
        counts.region_code,
        counts.year,
        grouping.group_dimension,
        grouping.group_value,
        case grouping.group_dimension
            when 'total' then counts.annual_value else counts.cumulative_value
        end as value,
        indicators.unit_zh,
        indicators.unit_en,
        cast(null as double) as numerator_value,
        cast(null as double) as denominator_value,
        counts.measure as numerator_kind,
        cast(null as varchar) as denominator_kind,
        counts.measure || ' from ' || counts.record_source || ', rule of ' || counts.target_id
            as method,
        counts.load_ids
    from {{ ref('fct_record_count') }} as counts
    inner join indicators on counts.indicator_code = indicators.indicator_code
    inner join (
        select 'total' as group_dimension, 'all' as group_value
        union all
        select 'cumulative', 'since period start'
    ) as grouping
        on grouping.group_dimension = 'total'
        or (counts.cumulative_value is not null and counts.year >= counts.period_start)
),

synthetic_loads as (
    select distinct load_id from {{ ref('stg_load_audit') }} where is_synthetic
),

all_values as (
    -- union by name: a column a source does not have (SE, CI for computed values) is null
    select * from literacy_values
    union all by name
    select * from gap_values
    union all by name
    select * from funding_values
    union all by name
    select * from gallery_values
    union all by name
    select * from count_values
    union all by name
    select * from coverage_values
)

select
    indicator_code || '|' || region_code || '|' || year || '|' || group_dimension || '|'
        || group_value as indicator_value_id,
    indicator_code,
    region_code,
    year,
    group_dimension,
    group_value,
    value,
    unit_zh,
    unit_en,
    numerator_value,
    denominator_value,
    numerator_kind,
    denominator_kind,
    standard_error,
    ci_lower,
    ci_upper,
    ci_method,
    degrees_of_freedom,
    sample_size,
    design_effect,
    coalesce(quality_flag, 'present') as quality_flag,
    quality_reason,
    method,
    reporting_regions,
    coalesce(is_synthetic, false)
        or list_has_any(load_ids, (select list(load_id) from synthetic_loads)) as is_synthetic,
    load_ids
from all_values
