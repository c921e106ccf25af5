{#- Every column of one row of `relation` (its alias in the FROM clause) as a row of
    (entry_key, entry_value): the column's name and its value as text, NULL where the
    value is NULL. For a lateral join, so a wide table becomes long without its columns
    being named here: int_kp_forms_current keeps the columns that kp_indicators lists. -#}
{% macro row_entries(relation) -%}
    {{ return(adapter.dispatch('row_entries')(relation)) }}
{%- endmacro %}

{% macro duckdb__row_entries(relation) -%}
    (
        select
            key as entry_key,
            value ->> '$' as entry_value
        from json_each(to_json({{ relation }}))
    )
{%- endmacro %}

{% macro postgres__row_entries(relation) -%}
    lateral (
        select
            key as entry_key,
            value as entry_value
        from jsonb_each_text(to_jsonb({{ relation }}))
    )
{%- endmacro %}
