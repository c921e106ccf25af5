{#- The joins that keep the records counted for a target: those held anywhere in the
    target region's subtree (the region itself and every region below it). `scopes` has
    the target's region_code; `records` has the region_code each record was held in.
    The subtree is int_region_ancestors, the closure of the region register. -#}
{% macro in_target_subtree(scopes, records) -%}
    inner join {{ ref('int_region_ancestors') }} as subtree
        on {{ scopes }}.region_code = subtree.ancestor_code
    inner join {{ records }} on subtree.region_code = {{ records }}.region_code
{%- endmacro %}
