{#- Every indicator of every current 科普统计 form, one row per form × indicator. A unit's
    latest load of a table replaces all its forms of that table for the year (as a
    resubmitted return does). The indicators are the rows of the seed kp_indicators, the
    only list of them: a form's columns become rows, and those the seed names are kept.
    Money is in 元 (the loader applies the form's 万元); `-` (not reported) stays NULL.
    Venue forms count one 科技馆, 博物馆 or other venue each (the seed's venue_count rows);
    the unit's other form counts none.

    Incremental by table, unit and year: a late county return recomputes only the forms of
    the units and years its loads cover, the loads newer than any in the table (load ids
    only grow, and raw rows are only ever added), and replaces all their rows (delete and
    insert on the key), as a full build would. Every run that is not a partial one is
    built with --full-refresh (orchestration/defs/dbt.py), so rows computed by other code
    or from other loads never stay. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['kp_table', 'unit_code', 'year'],
) }}

{%- set tables = ['kp_persons', 'kp_venues', 'kp_funding', 'kp_media', 'kp_activities'] -%}

with

indicators as (
    select * from {{ ref('kp_indicators') }}
),

{% for table in tables %}
    {%- set newly_loaded -%}
        (unit_code, year) in (
            select
                unit_code,
                year
            from {{ ref('stg_' ~ table) }}
            where load_id > (select coalesce(max(load_id), 0) from {{ this }})
        )
    {%- endset %}
    {{ table }} as (
        {{ current_rows(
            ref('stg_' ~ table),
            ['unit_code', 'year'],
            also=newly_loaded if is_incremental() else none,
        ) | indent(4) }}
    ),

{% endfor %}
entries as (
    {%- for table in tables %}
        select
            '{{ table }}' as kp_table,
            {{ table }}.unit_code,
            {{ table }}.year,
            {{ table ~ ".venue_id" if table == 'kp_venues' else "''" }} as form_id,
            {{ table }}.explanation,
            {{ table }}.load_id,
            entries.entry_key,
            entries.entry_value
        from {{ table }}
        cross join {{ row_entries(table) | indent(8) }} as entries
        {{ "union all" if not loop.last }}
    {%- endfor %}
),

items as (
    select
        entries.kp_table,
        entries.unit_code,
        entries.year,
        entries.form_id,
        indicators.indicator_code,
        indicators.value_unit,
        cast(entries.entry_value as double precision) as indicator_value,
        entries.explanation,
        entries.load_id
    from entries
    inner join indicators
        on
        entries.kp_table = indicators.kp_table
        and entries.entry_key = indicators.indicator_code
),

venue_counts as (
    select
        'kp_venues' as kp_table,
        kp_venues.unit_code,
        kp_venues.year,
        kp_venues.venue_id as form_id,
        indicators.indicator_code,
        indicators.value_unit,
        cast(1 as double precision) as indicator_value,
        kp_venues.explanation,
        kp_venues.load_id
    from kp_venues
    inner join indicators
        on
        indicators.form_part = 'venue_count'
        and kp_venues.venue_type = indicators.venue_type
),

long_form as (
    select * from items
    union all
    select * from venue_counts
)

select
    kp_table,
    unit_code,
    year,
    form_id,
    indicator_code,
    value_unit,
    indicator_value,
    explanation,
    load_id
from long_form
