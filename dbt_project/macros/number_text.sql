{#- A number as a reader writes it: 22 not 22.0, 3.62 stays 3.62. -#}
{% macro number_text(expression) -%}
    regexp_replace(cast({{ expression }} as varchar), '\.0$', '')
{%- endmacro %}
