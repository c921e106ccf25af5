{#- No two rows share the values of `columns` (a list of column names): `unique` for a key
    of several columns. dbt_utils has one, but this project installs no dbt packages.
    The failing rows are each key found more than once, with how many rows hold it. -#}
{% test unique_combination(model, columns) %}
{{ unique_combination_sql(model, columns) }}
{% endtest %}
