{#- `value` compared with `threshold` by a comparator code of codes.csv (ge, gt, le, lt);
    null for any other comparator. The one place the comparator codes become operators. -#}
{% macro compared(value, comparator, threshold) -%}
    case {{ comparator }}
        when 'ge' then {{ value }} >= {{ threshold }}
        when 'gt' then {{ value }} > {{ threshold }}
        when 'le' then {{ value }} <= {{ threshold }}
        when 'lt' then {{ value }} < {{ threshold }}
    end
{%- endmacro %}
