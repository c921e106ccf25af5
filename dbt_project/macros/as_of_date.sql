{#- The date progress is judged as of: the dbt var `as_of` (YYYY-MM-DD), by default the
    day the run started. One definition for every model that cuts values at that date. -#}
{% macro as_of_date() -%}
    {{ return(var('as_of', run_started_at.strftime('%Y-%m-%d'))) }}
{%- endmacro %}
