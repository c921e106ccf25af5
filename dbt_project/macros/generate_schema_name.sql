{#- Layers live in schemas named after the layer (staging, intermediate, marts), not
    prefixed with the target schema: the published snapshot copies `marts` by name. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name if custom_schema_name is not none else target.schema }}
{%- endmacro %}
