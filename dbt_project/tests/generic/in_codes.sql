{#- Every non-null value of the column is a code of `namespace` in the seed `codes`
    (codes.csv, the only list of codes). With `complete=true` every code of the namespace
    must also appear in the column (settings a model reads by name). Fails with one row per
    unknown value (is_missing false) and per absent code (is_missing true). -#}
{% test in_codes(model, column_name, namespace, complete=false) %}

with

codes as (
    select code from {{ ref('codes') }}
    where namespace = '{{ namespace }}'
),

emitted as (
    select distinct cast({{ column_name }} as varchar) as code
    from {{ model }}
    where {{ column_name }} is not null
),

unknown as (
    select code, false as is_missing from emitted
    where code not in (select code from codes)
),

absent as (
    select code, true as is_missing from codes
    where {{ 'true' if complete else 'false' }}
        and code not in (select code from emitted)
)

select * from unknown
union all
select * from absent

{% endtest %}
