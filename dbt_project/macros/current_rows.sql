{#- The rows of the latest load for each `unit` (a list of columns): a correction loaded
    later supersedes the whole unit it covers, and the superseded rows stay in raw.
    With the var `vintage` (a date), only loads received by then count: an assessment
    regenerated later gives the numbers it gave on its date. -#}
{% macro current_rows(relation, unit) -%}
    select *
    from {{ relation }}
    {% if var('vintage', none) %}
    where load_id in (
        select load_id from {{ source('raw', 'load_audit') }}
        where received_on <= date '{{ var("vintage") }}'
    )
    {% endif %}
    qualify load_id = max(load_id) over (partition by {{ unit | join(', ') }})
{%- endmacro %}
