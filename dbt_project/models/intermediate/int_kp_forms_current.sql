{#- Every indicator of every current 科普统计 form, one row per form × indicator. A unit's
    latest load of a table replaces all its forms of that table for the year (as a
    resubmitted return does). Money is in 元; `-` (not reported) stays NULL. Venue forms
    count one 科技馆, 博物馆 or other venue each; the unit's other form counts none. -#}
{%- set tables = {
    'kp_persons': {
        'full_time_staff': 'person', 'full_time_managers': 'person',
        'full_time_qualified': 'person', 'part_time_staff': 'person',
        'part_time_qualified': 'person', 'part_time_person_months': 'person_month',
        'registered_volunteers': 'person'},
    'kp_venues': {
        'building_area': 'square_metre', 'exhibition_area': 'square_metre',
        'venue_visitors': 'person_time', 'community_rooms': 'site', 'rural_sites': 'site',
        'vehicles': 'vehicle'},
    'kp_funding': {
        'raised_total_yuan': 'yuan', 'government_funding_yuan': 'yuan',
        'special_funding_yuan': 'yuan', 'donations_yuan': 'yuan', 'self_raised_yuan': 'yuan',
        'other_income_yuan': 'yuan', 'used_total_yuan': 'yuan', 'activity_spend_yuan': 'yuan',
        'construction_spend_yuan': 'yuan', 'exhibit_spend_yuan': 'yuan',
        'admin_spend_yuan': 'yuan', 'other_spend_yuan': 'yuan'},
    'kp_media': {
        'book_titles': 'title', 'book_copies': 'copy', 'periodical_titles': 'title',
        'periodical_copies': 'copy', 'websites': 'site', 'wechat_accounts': 'account'},
    'kp_activities': {
        'lectures': 'event', 'lecture_attendance': 'person_time', 'exhibitions': 'event',
        'exhibition_visitors': 'person_time', 'week_events': 'event',
        'week_participants': 'person_time'},
} -%}
{%- set venue_counts = {
    'science_centres': 'science_centre',
    'science_museums': 'science_museum',
    'other_venues': 'other_venue'} -%}

with

{% for table in tables %}
    {{ table }} as (
        {{ current_rows(ref('stg_' ~ table), ['unit_code', 'year']) | indent(4) }}
    ),

{% endfor %}
long_form as (
    {%- for table, columns in tables.items() %}
        {%- for column, unit in columns.items() %}
            select
                '{{ table }}' as kp_table,
                unit_code,
                year,
                {{ "venue_id" if table == 'kp_venues' else "''" }} as form_id,
                '{{ column | replace("_yuan", "") }}' as indicator_code,
                '{{ unit }}' as unit_code_of_value,
                cast({{ column }} as double precision) as indicator_value,
                explanation,
                load_id
            from {{ table }}
            union all
        {%- endfor %}
    {%- endfor %}
    {%- for code, venue_type in venue_counts.items() %}
        select
            'kp_venues' as kp_table,
            unit_code,
            year,
            venue_id as form_id,
            '{{ code }}' as indicator_code,
            'venue' as unit_code_of_value,
            cast(1 as double precision) as indicator_value,
            explanation,
            load_id
        from kp_venues
        where venue_type = '{{ venue_type }}'
        {{ "union all" if not loop.last }}
    {%- endfor %}
)

select
    kp_table,
    unit_code,
    year,
    form_id,
    indicator_code,
    unit_code_of_value as value_unit,
    indicator_value,
    explanation,
    load_id
from long_form
