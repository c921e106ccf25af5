{#- Whether `value` meets a target row's comparator: ≥, >, ≤, <, ≈ within the tolerance,
    or inside a range (bounds included). -#}
{% macro target_met(value, target) -%}
    case {{ target }}.comparator
        when 'ge' then {{ value }} >= {{ target }}.target_value
        when 'gt' then {{ value }} > {{ target }}.target_value
        when 'le' then {{ value }} <= {{ target }}.target_value
        when 'lt' then {{ value }} < {{ target }}.target_value
        when 'approx' then abs({{ value }} - {{ target }}.target_value)
            <= coalesce({{ target }}.tolerance, 0)
        when 'range' then {{ value }} between {{ target }}.target_value
            and {{ target }}.target_value_upper
    end
{%- endmacro %}
