{#-
The SQL that DuckDB and PostgreSQL spell differently, one macro each (issue 13), through
`adapter.dispatch`: `duckdb__` is the form the models were written in, `postgres__` its
PostgreSQL equivalent. SQL both engines accept (array[…], array_agg, string_to_array,
array_append, percentile_cont, filter clauses, double precision) is written in the
models directly.
-#}

{#- Whether the list `list` holds `value` (null when the list is null). -#}
{% macro list_has(list, value) -%}
    {{ return(adapter.dispatch('list_has')(list, value)) }}
{%- endmacro %}

{% macro duckdb__list_has(list, value) -%}
    list_contains({{ list }}, {{ value }})
{%- endmacro %}

{% macro postgres__list_has(list, value) -%}
    ({{ value }} = any({{ list }}))
{%- endmacro %}


{#- The number of elements of a list. -#}
{% macro list_length(list) -%}
    {{ return(adapter.dispatch('list_length')(list)) }}
{%- endmacro %}

{% macro duckdb__list_length(list) -%}
    len({{ list }})
{%- endmacro %}

{% macro postgres__list_length(list) -%}
    cardinality({{ list }})
{%- endmacro %}


{#- Whether two lists have an element in common. -#}
{% macro lists_overlap(list, other) -%}
    {{ return(adapter.dispatch('lists_overlap')(list, other)) }}
{%- endmacro %}

{% macro duckdb__lists_overlap(list, other) -%}
    list_has_any({{ list }}, {{ other }})
{%- endmacro %}

{% macro postgres__lists_overlap(list, other) -%}
    ({{ list }} && {{ other }})
{%- endmacro %}


{#- A list's elements in ascending order (null stays null). -#}
{% macro list_sorted(list) -%}
    {{ return(adapter.dispatch('list_sorted')(list)) }}
{%- endmacro %}

{% macro duckdb__list_sorted(list) -%}
    list_sort({{ list }})
{%- endmacro %}

{% macro postgres__list_sorted(list) -%}
    case when {{ list }} is not null then
        array(select element from unnest({{ list }}) as element order by element)
    end
{%- endmacro %}


{#- A list's distinct non-null elements (null stays null). -#}
{% macro list_distinct_of(list) -%}
    {{ return(adapter.dispatch('list_distinct_of')(list)) }}
{%- endmacro %}

{% macro duckdb__list_distinct_of(list) -%}
    list_distinct({{ list }})
{%- endmacro %}

{% macro postgres__list_distinct_of(list) -%}
    case when {{ list }} is not null then
        array(
            select distinct element from unnest({{ list }}) as element
            where element is not null order by element
        )
    end
{%- endmacro %}


{#- Aggregate: the distinct non-null elements of the lists of a group. -#}
{% macro list_union_agg(list) -%}
    {{ return(adapter.dispatch('list_union_agg')(list)) }}
{%- endmacro %}

{% macro duckdb__list_union_agg(list) -%}
    list_distinct(flatten(list({{ list }})))
{%- endmacro %}

{% macro postgres__list_union_agg(list) -%}
    array(
        select distinct element from unnest(kepu_array_cat_agg({{ list }})) as element
        where element is not null order by element
    )
{%- endmacro %}


{#- The elements of `list` that `other` does not hold. -#}
{% macro list_without(list, other) -%}
    {{ return(adapter.dispatch('list_without')(list, other)) }}
{%- endmacro %}

{% macro duckdb__list_without(list, other) -%}
    list_filter({{ list }}, element -> not list_contains({{ other }}, element))
{%- endmacro %}

{% macro postgres__list_without(list, other) -%}
    array(
        select element from unnest({{ list }}) with ordinality as listed (element, position)
        where not (element = any({{ other }})) order by position
    )
{%- endmacro %}


{#- Set-returning, in a select list: one row per integer from `first` to `last`. -#}
{% macro integer_series(first, last) -%}
    {{ return(adapter.dispatch('integer_series')(first, last)) }}
{%- endmacro %}

{% macro duckdb__integer_series(first, last) -%}
    unnest(range({{ first }}, {{ last }} + 1))
{%- endmacro %}

{% macro postgres__integer_series(first, last) -%}
    generate_series({{ first }}, {{ last }})
{%- endmacro %}


{#- The calendar year of a date or timestamp, as an integer. -#}
{% macro year_of(moment) -%}
    {{ return(adapter.dispatch('year_of')(moment)) }}
{%- endmacro %}

{% macro duckdb__year_of(moment) -%}
    year({{ moment }})
{%- endmacro %}

{% macro postgres__year_of(moment) -%}
    cast(extract(year from {{ moment }}) as integer)
{%- endmacro %}


{#- Functions PostgreSQL lacks, created before an intermediate model (pre-hook) unless
    they exist; two models building at once may both try, hence the second exception. -#}
{% macro create_portable_functions() -%}
    {{ return(adapter.dispatch('create_portable_functions')()) }}
{%- endmacro %}

{% macro duckdb__create_portable_functions() -%}
{%- endmacro %}

{% macro postgres__create_portable_functions() -%}
    do $$ begin
        create aggregate kepu_array_cat_agg(anycompatiblearray) (
            sfunc = array_cat, stype = anycompatiblearray
        );
    exception when duplicate_function or unique_violation then null;
    end $$
{%- endmacro %}


{#- Statistics for the planner after a model is built (post-hook); nothing on DuckDB. -#}
{% macro analyze_relation() -%}
    {{ return(adapter.dispatch('analyze_relation')()) }}
{%- endmacro %}

{% macro duckdb__analyze_relation() -%}
{%- endmacro %}

{% macro postgres__analyze_relation() -%}
    {% if model.config.materialized == 'table' %}analyze {{ this }}{% endif %}
{%- endmacro %}


{#- Pre- and post-hook of the survey models on PostgreSQL: their chains of aggregated CTEs
    are estimated at one row each, and the nested loops the planner picks for that run for
    many minutes; hash joins take seconds. Nothing on DuckDB. -#}
{% macro without_nested_loops() -%}
    {{ return(adapter.dispatch('without_nested_loops')()) }}
{%- endmacro %}

{% macro duckdb__without_nested_loops() -%}
{%- endmacro %}

{% macro postgres__without_nested_loops() -%}
    set enable_nestloop = off
{%- endmacro %}

{% macro with_nested_loops() -%}
    {{ return(adapter.dispatch('with_nested_loops')()) }}
{%- endmacro %}

{% macro duckdb__with_nested_loops() -%}
{%- endmacro %}

{% macro postgres__with_nested_loops() -%}
    reset enable_nestloop
{%- endmacro %}


{#- The survey wave a `table_by_wave` model is building (macros/table_by_wave.sql): a
    session variable, set before each wave's statement and reset after the last.
    `in_build_wave(column)` is true for every row when no wave is set (dbt compile, unit
    tests) and for the wave's rows when one is; DuckDB folds it to a constant filter
    pushed into the scan. A failed build rolls PostgreSQL's setting back with its
    transaction; DuckDB's variable belongs to the model's connection. -#}
{% macro set_build_wave(wave_id) -%}
    {{ return(adapter.dispatch('set_build_wave')(wave_id)) }}
{%- endmacro %}

{% macro duckdb__set_build_wave(wave_id) -%}
    set variable kepu_build_wave = '{{ wave_id | replace("'", "''") }}'
{%- endmacro %}

{% macro postgres__set_build_wave(wave_id) -%}
    set kepu.build_wave = '{{ wave_id | replace("'", "''") }}'
{%- endmacro %}

{% macro reset_build_wave() -%}
    {{ return(adapter.dispatch('reset_build_wave')()) }}
{%- endmacro %}

{% macro duckdb__reset_build_wave() -%}
    reset variable kepu_build_wave
{%- endmacro %}

{% macro postgres__reset_build_wave() -%}
    reset kepu.build_wave
{%- endmacro %}

{% macro in_build_wave(column) -%}
    {{ return(adapter.dispatch('in_build_wave')(column)) }}
{%- endmacro %}

{% macro duckdb__in_build_wave(column) -%}
    (getvariable('kepu_build_wave') is null or {{ column }} = getvariable('kepu_build_wave'))
{%- endmacro %}

{% macro postgres__in_build_wave(column) -%}
    (
        nullif(current_setting('kepu.build_wave', true), '') is null
        or {{ column }} = current_setting('kepu.build_wave', true)
    )
{%- endmacro %}


{#- Statistics for the planner on a table a custom materialization built (analyze_relation
    covers dbt's `table`); nothing on DuckDB. -#}
{% macro analyze_table(relation) -%}
    {{ return(adapter.dispatch('analyze_table')(relation)) }}
{%- endmacro %}

{% macro duckdb__analyze_table(relation) -%}
{%- endmacro %}

{% macro postgres__analyze_table(relation) -%}
    analyze {{ relation }}
{%- endmacro %}
