{#- Layers live in schemas named after the layer (staging, intermediate, marts), not
    prefixed with the target schema: the published snapshot copies `marts` by name.
    On PostgreSQL a build writes beside the published layers, into schemas ending in the
    var `build_schema_suffix` (marts_build_…), and publishing renames them into place in
    one transaction (orchestration/postgres_publish.py). -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name ~ var('build_schema_suffix', '') if custom_schema_name is not none else target.schema }}
{%- endmacro %}
