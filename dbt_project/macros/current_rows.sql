{#- The rows of the latest load for each `unit` (a list of columns): a correction loaded
    later supersedes the whole unit it covers, and the superseded rows stay in raw.
    With the var `vintage` (a date), only loads received by then count: an assessment
    regenerated later gives the numbers it gave on its date. `also`: a further condition
    on the rows kept. -#}
{% macro current_rows(relation, unit, also=none) -%}
    {%- set vintage = var('vintage', none) -%}
    select *
    from {{ relation }}
    where ({{ unit | join(', ') }}, load_id) in (
        select {{ unit | join(', ') }}, max(load_id)
        from {{ relation }}
        {% if vintage %}where {{ received_by_vintage('load_id', vintage) }}{% endif %}
        group by {{ unit | join(', ') }}
    )
    {%- if also %}
        and {{ also }}
    {%- endif %}
{%- endmacro %}

{#- Whether the load `load_id` was received by the date `vintage`. -#}
{% macro received_by_vintage(load_id, vintage) -%}
    {{ load_id }} in (
        select load_id from {{ source('raw', 'load_audit') }}
        where received_on <= date '{{ vintage }}'
    )
{%- endmacro %}
