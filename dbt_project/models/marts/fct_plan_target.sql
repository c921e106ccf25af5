with

targets as (
    select * from {{ ref('int_targets_current') }}
),

indicators as (
    select * from {{ ref('int_indicators_current') }}
),

labelled as (
    select
        targets.*,
        indicators.indicator_name_zh,
        indicators.indicator_name_en,
        indicators.indicator_family,
        case targets.comparator
            when 'ge' then '≥' when 'gt' then '>' when 'le' then '≤' when 'lt' then '<'
            when 'approx' then '≈' when 'range' then ''
        end as comparator_symbol
    from targets
    inner join indicators on targets.indicator_code = indicators.indicator_code
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
    comparator,
    comparator_symbol,
    target_value,
    target_value_upper,
    tolerance,
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
                || ' '
                || unit_en
        when comparator = 'approx' and tolerance is not null
            then '≈'
                || {{ number_text('target_value') }}
                || ' '
                || unit_en
                || ' (±'
                || {{ number_text('tolerance') }}
                || ')'
        else comparator_symbol || {{ number_text('target_value') }} || ' ' || unit_en
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
