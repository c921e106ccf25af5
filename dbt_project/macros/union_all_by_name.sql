{#- `union all by name` written out, for engines without it (PostgreSQL): every branch
    selects every column of `columns` (pairs of name and type), a column the branch does
    not have (not in its list of columns) as a null of the column's type. `branches` is a
    list of pairs: a relation (a CTE) and the columns it has. -#}
{% macro union_all_by_name(branches, columns) -%}
    {%- for relation, present in branches %}
    select
        {%- for name, type in columns %}
        {% if name in present %}{{ name }}{% else %}cast(null as {{ type }}) as {{ name }}{% endif %}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ relation }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
