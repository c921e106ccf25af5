{#- `union all by name` written out, for engines without it (PostgreSQL): every branch
    selects every column of `columns` (pairs of name and type) as that type, a column the
    branch does not have (not in its list of columns) as a null of it. `branches` is a
    list of pairs: a relation (a CTE) and the columns it has. The types are the
    relation's on either engine, whatever a branch computes: a sum of counts (a HUGEINT on
    DuckDB, a numeric on PostgreSQL) is the bigint the columns say. -#}
{% macro union_all_by_name(branches, columns) -%}
    {%- for relation, present in branches %}
    select
        {%- for name, type in columns %}
        cast({% if name in present %}{{ name }}{% else %}null{% endif %} as {{ type }}) as {{ name }}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ relation }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
