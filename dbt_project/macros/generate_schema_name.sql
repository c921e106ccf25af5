{#- Layers live in schemas named after the layer (staging, intermediate, marts), not
    prefixed with the target schema: the published snapshot copies `marts` by name.
    On PostgreSQL a build writes beside the published layers, into schemas ending in the
    var `build_schema_suffix` (marts_build_…), and publishing renames them into place in
    one transaction (orchestration/postgres_publish.py). A build of some of the models
    (a late file's) names the others in the var `published_nodes`: they keep the published
    schema, so that the models it builds read them there, and publishing carries them
    into the new layers. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif node.name in var('published_nodes', []) -%}
        {{ custom_schema_name }}
    {%- else -%}
        {{ custom_schema_name ~ var('build_schema_suffix', '') }}
    {%- endif -%}
{%- endmacro %}
