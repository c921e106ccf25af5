{#- Whether `value` meets a target row's comparator: ≥, >, ≤, <, ≈ within the target's
    tolerance (or `default_tolerance` where the registry states none), or inside a range
    (bounds included). -#}
{% macro target_met(value, target, default_tolerance) -%}
    case {{ target }}.comparator
        when 'approx' then abs({{ value }} - {{ target }}.target_value)
            <= coalesce({{ target }}.tolerance, {{ default_tolerance }})
        when 'range' then {{ value }} between {{ target }}.target_value
            and {{ target }}.target_value_upper
        else {{ compared(value, target ~ '.comparator', target ~ '.target_value') }}
    end
{%- endmacro %}
