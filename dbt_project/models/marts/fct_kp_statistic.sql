-- 科普统计 indicators rolled up county → city → province → nation. Each form counts once
-- at its unit's 所在地 and at every region above it; central (部委级) units count only in
-- the national total, which has the code below. Venue items and site items are filed on
-- different forms (the loader refuses either on the wrong one), so no item counts twice.
{%- set nation_code = '100000' %}

with

forms as (
    select * from {{ ref('int_kp_forms_current') }}
),

units as (
    select * from {{ ref('int_kp_units_current') }}
),

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
),

located as (
    select
        forms.year,
        forms.indicator_code,
        forms.value_unit,
        forms.indicator_value,
        units.region_code,
        units.form_level
    from forms
    inner join units
        on forms.unit_code = units.unit_code and forms.year = units.year
),

regional as (
    select
        ancestors.ancestor_code as region_code,
        located.year,
        located.indicator_code,
        located.value_unit,
        sum(located.indicator_value) as indicator_value,
        count(located.indicator_value) as form_count
    from located
    inner join ancestors on located.region_code = ancestors.region_code
    where
        located.form_level <> 'ministry'
        -- a register holding the country itself: its total is `national`, below
        and ancestors.ancestor_code <> '{{ nation_code }}'
    group by ancestors.ancestor_code, located.year, located.indicator_code, located.value_unit
),

national as (
    select
        '{{ nation_code }}' as region_code,
        year,
        indicator_code,
        value_unit,
        sum(indicator_value) as indicator_value,
        count(indicator_value) as form_count
    from located
    group by year, indicator_code, value_unit
),

rolled_up as (
    select
        *,
        false as is_nation
    from regional
    union all
    select
        *,
        true as is_nation
    from national
)

select
    region_code || '|' || cast(year as varchar) || '|' || indicator_code as kp_statistic_id,
    region_code,
    is_nation,
    year,
    indicator_code,
    indicator_value,
    value_unit,
    form_count
from rolled_up
