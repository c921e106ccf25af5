{#-
A table built one survey wave at a time (issue 12): the survey's large tables hold every
wave, but no estimate pools waves, so each wave's rows are computed by a statement of
their own and the engine never holds more than one wave's cells and joins at once. At
national size (10 waves of 300,000 respondents) the cells and estimates of all waves in one
statement outgrew DuckDB's memory limit; a wave at a time they stay well inside it.

The model's SQL is the one code path for every wave: it filters its inputs with
`in_build_wave(column)` (macros/portable.sql), true for every row unless a wave is set.
This materialization reads the wave list (config `wave_list`: a model with a `wave_id`
column, which the model must ref) at run time, creates the table from the first wave and
inserts each further wave, each its own statement, all in the model's transaction, then
swaps the table in as dbt's `table` materialization does. Without waves the table is
created from the SQL as it stands (empty). Anything else (dbt compile, unit tests, `dbt
show`) runs the SQL with no wave set: all waves in one statement, the same rows.
-#}
{% materialization table_by_wave, default %}

    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set intermediate_relation = make_intermediate_relation(target_relation) -%}
    {%- set preexisting_intermediate_relation = load_cached_relation(intermediate_relation) -%}
    {%- set backup_relation_type = 'table' if existing_relation is none else existing_relation.type -%}
    {%- set backup_relation = make_backup_relation(target_relation, backup_relation_type) -%}
    {%- set preexisting_backup_relation = load_cached_relation(backup_relation) -%}
    {%- set grant_config = config.get('grants') -%}

    {{ drop_relation_if_exists(preexisting_intermediate_relation) }}
    {{ drop_relation_if_exists(preexisting_backup_relation) }}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- set wave_list = ref(config.require('wave_list')) -%}
    {%- set waves = run_query(
        'select distinct wave_id from ' ~ wave_list ~ ' order by wave_id'
    ).columns[0].values() -%}

    {% if waves | length == 0 %}
        {% call statement('main') -%}
            {{ get_create_table_as_sql(False, intermediate_relation, sql) }}
        {%- endcall %}
    {% else %}
        {% for wave_id in waves %}
            {% call statement('set_wave_' ~ loop.index) -%}
                {{ set_build_wave(wave_id) }}
            {%- endcall %}
            {% call statement('main' if loop.last else 'wave_' ~ loop.index) -%}
                {% if loop.first -%}
                    {{ get_create_table_as_sql(False, intermediate_relation, sql) }}
                {%- else -%}
                    insert into {{ intermediate_relation }}
                    select * from (
                        {{ sql }}
                    ) as wave_rows
                {%- endif %}
            {%- endcall %}
        {% endfor %}
        {% call statement('reset_wave') -%}
            {{ reset_build_wave() }}
        {%- endcall %}
    {% endif %}

    {% if existing_relation is not none %}
        {% set existing_relation = load_cached_relation(existing_relation) %}
        {% if existing_relation is not none %}
            {{ adapter.rename_relation(existing_relation, backup_relation) }}
        {% endif %}
    {% endif %}
    {{ adapter.rename_relation(intermediate_relation, target_relation) }}

    {%- set analyze = analyze_table(target_relation) -%}
    {% if analyze | trim %}
        {% do run_query(analyze) %}
    {% endif %}

    {{ run_hooks(post_hooks, inside_transaction=True) }}

    {% set should_revoke = should_revoke(existing_relation, full_refresh_mode=True) %}
    {% do apply_grants(target_relation, grant_config, should_revoke=should_revoke) %}
    {% do persist_docs(target_relation, model) %}

    {{ adapter.commit() }}

    {{ drop_relation_if_exists(backup_relation) }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}

    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
