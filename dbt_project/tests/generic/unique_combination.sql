{#- No two rows share the values of `columns` (a list of column names): `unique` for a key
    of several columns. dbt_utils has one, but this project installs no dbt packages. -#}
{% test unique_combination(model, columns) %}
select
    {{ columns | join(', ') }},
    count(*) as rows_with_this_key
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
