-- Every indicator value the warehouse computes, one row per indicator, region, year and
-- group, with the method (a value_method code) and what the value was computed from.
-- Survey estimates fill the standard error, CI, sample size and quality columns; a
-- suppressed estimate keeps its flag and reason code but no number. Coverage is flagged
-- where units of the register did not report. Other computed values (funding, counts)
-- are present and have no sampling error. Units are the indicator registry's.
-- The columns of all_values, and which of them each source has (union all by name).
{% set value_columns = [
    ('indicator_code', 'varchar'),
    ('region_code', 'varchar'),
    ('year', 'bigint'),
    ('group_dimension', 'varchar'),
    ('group_value', 'varchar'),
    ('value', 'double precision'),
    ('numerator_value', 'double precision'),
    ('denominator_value', 'double precision'),
    ('numerator_kind', 'varchar'),
    ('denominator_kind', 'varchar'),
    ('standard_error', 'double precision'),
    ('ci_lower', 'double precision'),
    ('ci_upper', 'double precision'),
    ('ci_method', 'varchar'),
    ('degrees_of_freedom', 'integer'),
    ('sample_size', 'bigint'),
    ('design_effect', 'double precision'),
    ('quality_flag', 'varchar'),
    ('quality_reason', 'varchar'),
    ('quality_measure_value', 'double precision'),
    ('quality_threshold', 'double precision'),
    ('method', 'varchar'),
    ('wave_id', 'varchar'),
    ('is_synthetic', 'boolean'),
    ('load_ids', 'integer[]'),
    ('reporting_regions', 'bigint'),
    ('rule_target_id', 'varchar'),
    ('record_source', 'varchar'),
    ('non_reporting_units', 'bigint')
] %}
{% set value_branches = [
    ('literacy_values', [
        'indicator_code', 'region_code', 'year', 'group_dimension', 'group_value', 'value',
        'numerator_value', 'denominator_value', 'numerator_kind', 'denominator_kind',
        'standard_error', 'ci_lower', 'ci_upper', 'ci_method', 'degrees_of_freedom',
        'sample_size', 'design_effect', 'quality_flag', 'quality_reason',
        'quality_measure_value', 'quality_threshold', 'method', 'wave_id', 'is_synthetic',
        'load_ids'
    ]),
    ('gap_values', [
        'indicator_code', 'region_code', 'year', 'group_dimension', 'group_value', 'value',
        'numerator_kind', 'denominator_kind', 'standard_error', 'ci_lower', 'ci_upper',
        'ci_method', 'degrees_of_freedom', 'sample_size', 'quality_flag', 'quality_reason',
        'method', 'wave_id', 'is_synthetic', 'load_ids'
    ]),
    ('funding_values', [
        'indicator_code', 'region_code', 'year', 'group_dimension', 'group_value', 'value',
        'numerator_value', 'denominator_value', 'numerator_kind', 'denominator_kind', 'method',
        'reporting_regions', 'is_synthetic', 'load_ids'
    ]),
    ('gallery_values', [
        'indicator_code', 'region_code', 'year', 'group_dimension', 'group_value', 'value',
        'denominator_value', 'numerator_kind', 'denominator_kind', 'method', 'rule_target_id',
        'load_ids', 'numerator_value'
    ]),
    ('count_values', [
        'indicator_code', 'region_code', 'year', 'group_dimension', 'group_value', 'value',
        'numerator_kind', 'method', 'record_source', 'rule_target_id', 'load_ids'
    ]),
    ('coverage_values', [
        'indicator_code', 'region_code', 'year', 'group_dimension', 'group_value', 'value',
        'numerator_value', 'denominator_value', 'numerator_kind', 'denominator_kind',
        'quality_flag', 'quality_reason', 'method', 'rule_target_id', 'reporting_regions',
        'non_reporting_units', 'load_ids'
    ]),
    ('dispersion_values', [
        'indicator_code', 'region_code', 'year', 'group_dimension', 'group_value', 'value',
        'standard_error', 'ci_lower', 'ci_upper', 'ci_method', 'sample_size', 'quality_flag',
        'quality_reason', 'method', 'wave_id', 'reporting_regions', 'is_synthetic', 'load_ids'
    ]),
    ('coverage_dispersion_values', [
        'indicator_code', 'region_code', 'year', 'group_dimension', 'group_value', 'value',
        'method', 'rule_target_id', 'record_source', 'reporting_regions', 'load_ids'
    ]),
    ('reach_values', [
        'indicator_code', 'region_code', 'year', 'group_dimension', 'group_value', 'value',
        'numerator_value', 'denominator_value', 'numerator_kind', 'denominator_kind', 'method',
        'rule_target_id', 'record_source', 'load_ids'
    ])
] %}

with

indicators as (
    select * from {{ ref('dim_indicator') }}
),

per_capita as (
    select * from {{ ref('int_funding_per_capita') }}
),

literacy as (
    select * from {{ ref('fct_literacy_estimate') }}
),

literacy_gaps as (
    select * from {{ ref('fct_literacy_gap') }}
),

coverage as (
    select * from {{ ref('int_facility_coverage') }}
    where measure = 'coverage'
),

coverage_dispersion as (
    select * from {{ ref('int_facility_coverage_dispersion') }}
),

reach as (
    select * from {{ ref('int_reach_coverage') }}
),

literacy_dispersion as (
    select * from {{ ref('fct_literacy_dispersion') }}
),

gallery_updates as (
    select * from {{ ref('int_gallery_updates') }}
),

record_counts as (
    select * from {{ ref('fct_record_count') }}
),

load_audit as (
    select * from {{ ref('stg_load_audit') }}
),

count_series as (
    -- every count as the annual value; counts with a running total also as that series
    select
        'total' as group_dimension,
        'all' as group_value
    union all
    select
        'cumulative' as group_dimension,
        'since_period_start' as group_value
),

funding_values as (
    select
        indicators.indicator_code,
        per_capita.region_code,
        per_capita.year,
        'total' as group_dimension,
        'all' as group_value,
        per_capita.per_capita_yuan as value,
        per_capita.amount_yuan as numerator_value,
        per_capita.population_persons as denominator_value,
        'funding_' || per_capita.funding_numerator as numerator_kind,
        per_capita.population_denominator || '_population' as denominator_kind,
        'funding_over_population' as method,
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
        case when quality_flag <> 'suppress' then estimate * weighted_n end as numerator_value,
        weighted_n as denominator_value,
        'weighted_literate_adults' as numerator_kind,
        'weighted_adults_18_69' as denominator_kind,
        case when quality_flag <> 'suppress' then standard_error * 100 end as standard_error,
        -- the logit interval, or Korn–Graubard where it is undefined (p̂ = 0 or 1)
        case
            when quality_flag <> 'suppress'
                then coalesce(ci_logit_lower, ci_beta_lower) * 100
        end as ci_lower,
        case
            when quality_flag <> 'suppress'
                then coalesce(ci_logit_upper, ci_beta_upper) * 100
        end as ci_upper,
        case when ci_logit_lower is null then 'korn-graubard' else 'logit' end as ci_method,
        degrees_of_freedom,
        sample_size,
        design_effect,
        quality_flag,
        quality_reason,
        quality_measure_value,
        quality_threshold,
        'survey_taylor' as method,
        wave_id,
        is_synthetic,
        array[load_id] as load_ids
    from literacy
),

gap_values as (
    select
        'literacy_ratio_gap' as indicator_code,
        region_code,
        survey_year as year,
        group_dimension,
        gap_label as group_value,
        case when quality_flag <> 'suppress' then gap * 100 end as value,
        minuend as numerator_kind,
        subtrahend as denominator_kind,
        case when quality_flag <> 'suppress' then standard_error * 100 end as standard_error,
        case when quality_flag <> 'suppress' then ci_lower * 100 end as ci_lower,
        case when quality_flag <> 'suppress' then ci_upper * 100 end as ci_upper,
        't' as ci_method,
        degrees_of_freedom,
        minuend_sample_size + subtrahend_sample_size as sample_size,
        quality_flag,
        quality_reason,
        'survey_gap_taylor' as method,
        wave_id,
        is_synthetic,
        array[load_id] as load_ids
    from literacy_gaps
),

dispersion_values as (
    -- in percentage points; a suppressed dispersion keeps its flag and reason, no number
    select
        'literacy_ratio_dispersion' as indicator_code,
        region_code,
        survey_year as year,
        'total' as group_dimension,
        'all' as group_value,
        case when quality_flag <> 'suppress' then dispersion * 100 end as value,
        case when quality_flag <> 'suppress' then standard_error * 100 end as standard_error,
        case when quality_flag <> 'suppress' then ci_lower * 100 end as ci_lower,
        case when quality_flag <> 'suppress' then ci_upper * 100 end as ci_upper,
        'normal' as ci_method,
        sample_size,
        quality_flag,
        quality_reason,
        'survey_dispersion' as method,
        wave_id,
        child_regions as reporting_regions,
        is_synthetic,
        array[load_id] as load_ids
    from literacy_dispersion
),

coverage_dispersion_values as (
    select
        indicator_code,
        region_code,
        year,
        'total' as group_dimension,
        'all' as group_value,
        dispersion as value,
        'coverage_dispersion' as method,
        target_id as rule_target_id,
        'facilities' as record_source,
        towns as reporting_regions,
        load_ids
    from coverage_dispersion
),

reach_values as (
    select
        indicator_code,
        region_code,
        year,
        'total' as group_dimension,
        'all' as group_value,
        coverage * 100 as value,
        covered_units as numerator_value,
        units as denominator_value,
        'units_reached' as numerator_kind,
        'units_in_register' as denominator_kind,
        'reach_coverage' as method,
        target_id as rule_target_id,
        'activities' as record_source,
        load_ids
    from reach
),

coverage_values as (
    select
        indicator_code,
        region_code,
        year,
        'total' as group_dimension,
        'all' as group_value,
        coverage * 100 as value,
        covered_units as numerator_value,
        units as denominator_value,
        'units_with_active_facility' as numerator_kind,
        'units_in_register' as denominator_kind,
        case when non_reporting_units > 0 then 'flag' else 'present' end as quality_flag,
        case when non_reporting_units > 0 then 'units_not_reporting' end as quality_reason,
        'facility_coverage' as method,
        target_id as rule_target_id,
        reporting_units as reporting_regions,
        non_reporting_units,
        load_ids
    from coverage
),

gallery_values as (
    -- the median (shown for reference) and the compliance share (what the target judges)
    select
        'science_gallery_update_frequency' as indicator_code,
        region_code,
        year,
        'total' as group_dimension,
        'all' as group_value,
        median_updates as value,
        galleries as denominator_value,
        'median_updates' as numerator_kind,
        'active_galleries' as denominator_kind,
        'gallery_median_updates' as method,
        target_id as rule_target_id,
        load_ids,
        cast(null as bigint) as numerator_value
    from gallery_updates
    union all
    select
        'gallery_update_compliance' as indicator_code,
        region_code,
        year,
        'total' as group_dimension,
        'all' as group_value,
        compliance_share * 100 as value,
        galleries as denominator_value,
        'galleries_reaching_target' as numerator_kind,
        'active_galleries' as denominator_kind,
        'gallery_update_compliance' as method,
        target_id as rule_target_id,
        load_ids,
        compliant_galleries as numerator_value
    from gallery_updates
),

count_values as (
    select
        record_counts.indicator_code,
        record_counts.region_code,
        record_counts.year,
        count_series.group_dimension,
        count_series.group_value,
        case count_series.group_dimension
            when 'total' then record_counts.annual_value else record_counts.cumulative_value
        end as value,
        record_counts.measure as numerator_kind,
        'record_count' as method,
        record_counts.record_source,
        record_counts.target_id as rule_target_id,
        record_counts.load_ids
    from record_counts
    inner join indicators on record_counts.indicator_code = indicators.indicator_code
    inner join count_series
        on count_series.group_dimension = 'total'
        or (
            record_counts.cumulative_value is not null
            and record_counts.year >= record_counts.period_start
        )
),

synthetic_loads as (
    select coalesce(array_agg(distinct load_id), cast(array[] as integer[])) as load_ids
    from load_audit
    where is_synthetic
),

all_values as (
    -- by name: a column a source does not have (SE, CI for computed values) is null
    {{ union_all_by_name(value_branches, value_columns) }}
)

select
    all_values.indicator_code || '|' || all_values.region_code || '|' || all_values.year || '|'
    || all_values.group_dimension || '|' || all_values.group_value as indicator_value_id,
    all_values.indicator_code,
    all_values.region_code,
    all_values.year,
    all_values.group_dimension,
    all_values.group_value,
    all_values.value,
    indicators.unit_zh,
    indicators.unit_en,
    all_values.numerator_value,
    all_values.denominator_value,
    all_values.numerator_kind,
    all_values.denominator_kind,
    all_values.standard_error,
    all_values.ci_lower,
    all_values.ci_upper,
    all_values.ci_method,
    all_values.degrees_of_freedom,
    all_values.sample_size,
    all_values.design_effect,
    coalesce(all_values.quality_flag, 'present') as quality_flag,
    all_values.quality_reason,
    all_values.quality_measure_value,
    all_values.quality_threshold,
    all_values.non_reporting_units,
    all_values.method,
    all_values.wave_id,
    all_values.rule_target_id,
    all_values.record_source,
    all_values.reporting_regions,
    coalesce(all_values.is_synthetic, false)
    or {{ lists_overlap('all_values.load_ids', 'synthetic_loads.load_ids') }} as is_synthetic,
    -- in load order: the same loads give the same list, whatever order the joins met them
    {{ list_sorted('all_values.load_ids') }} as load_ids
from all_values
left join indicators on all_values.indicator_code = indicators.indicator_code
cross join synthetic_loads
