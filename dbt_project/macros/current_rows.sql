{#- The rows of the latest load for each `unit` (a list of columns): a correction loaded
    later supersedes the whole unit it covers, and the superseded rows stay in raw. -#}
{% macro current_rows(relation, unit) -%}
    select *
    from {{ relation }}
    qualify load_id = max(load_id) over (partition by {{ unit | join(', ') }})
{%- endmacro %}
