-- Facility coverage per coverage target, region and year with its numerator, denominator
-- and the units that did not report (counted as not covered). The towns' coverage behind a
-- regional-gap target (coverage_dispersion rule) is int_facility_coverage_dispersion's.
select
    target_id || '|' || region_code || '|' || year as facility_coverage_id,
    target_id,
    indicator_code,
    region_code,
    year,
    units,
    covered_units,
    reporting_units,
    non_reporting_units,
    coverage,
    {{ list_sorted('load_ids') }} as load_ids
from {{ ref('int_facility_coverage') }}
where measure = 'coverage'
