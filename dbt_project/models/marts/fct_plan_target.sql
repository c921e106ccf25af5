with

targets as (
    select * from {{ ref('int_targets_current') }}
),

indicators as (
    select * from {{ ref('int_indicators_current') }}
),

gap_rules as (
    select * from {{ ref('int_measurement_rule_scopes') }}
    where measure = 'gap_change'
),

labelled as (
    select
        targets.*,
        indicators.indicator_name_zh,
        indicators.indicator_name_en,
        indicators.indicator_family,
        gap_rules.target_groups[1] as gap_group_a,
        gap_rules.target_groups[2] as gap_group_b,
        case targets.comparator
            when 'ge' then '≥' when 'gt' then '>' when 'le' then '≤' when 'lt' then '<'
            when 'approx' then '≈' when 'range' then ''
        end as comparator_symbol,
        -- English writes a unit after a space, but '%' close to its number, as Chinese
        case when targets.unit_en = '%' then '' else ' ' end as unit_en_space
    from targets
    inner join indicators on targets.indicator_code = indicators.indicator_code
    left join gap_rules on targets.target_id = gap_rules.target_id
)

select
    target_id,
    plan_id,
    indicator_code,
    indicator_name_zh,
    indicator_name_en,
    indicator_family,
    region_code,
    target_kind,
    gap_group_a,
    gap_group_b,
    comparator,
    comparator_symbol,
    target_value,
    target_value_upper,
    tolerance,
    -- a growth target's value is a rate of change a year, not a level of the indicator's
    -- yearly values: a chart of those values draws no line for it
    target_kind <> 'growth' as is_target_on_value_scale,
    unit_zh,
    unit_en,
    case
        when comparator = 'range'
            then {{ number_text('target_value') }}
                || '–'
                || {{ number_text('target_value_upper') }}
                || unit_zh
        when comparator = 'approx' and tolerance is not null
            then '≈'
                || {{ number_text('target_value') }}
                || unit_zh
                || '（±'
                || {{ number_text('tolerance') }}
                || '）'
        else comparator_symbol || {{ number_text('target_value') }} || unit_zh
    end as target_label_zh,
    case
        when comparator = 'range'
            then {{ number_text('target_value') }}
                || '–'
                || {{ number_text('target_value_upper') }}
                || unit_en_space
                || unit_en
        when comparator = 'approx' and tolerance is not null
            then '≈'
                || {{ number_text('target_value') }}
                || unit_en_space
                || unit_en
                || ' (±'
                || {{ number_text('tolerance') }}
                || ')'
        else comparator_symbol || {{ number_text('target_value') }} || unit_en_space || unit_en
    end as target_label_en,
    baseline_year,
    baseline_value,
    period_start,
    period_end,
    target_year,
    direction,
    lead_departments,
    cooperating_departments,
    source_quote,
    note_zh,
    note_en,
    load_id,
    source_row
from labelled
