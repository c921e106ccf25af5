-- Regional gaps in facility coverage (区域科普公共服务差距): per coverage_dispersion target and
-- year, the standard deviation of the coverage of the target region's direct children (its
-- towns or streets), weighted by their units: sqrt(Σ w_k (c_k − c̄)²) with w_k = units_k /
-- Σ units and c̄ = Σ w_k c_k, in percentage points. The coverage counts every unit of the
-- register (a census), so the dispersion has no sampling error.
with

coverage as (
    select * from {{ ref('int_facility_coverage') }}
    where measure = 'coverage_dispersion'
),

scopes as (
    select * from {{ ref('int_measurement_rule_scopes') }}
    where measure = 'coverage_dispersion'
),

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
),

towns as (
    select
        coverage.target_id,
        coverage.indicator_code,
        scopes.region_code as target_region_code,
        coverage.year,
        coverage.units,
        coverage.coverage * 100 as coverage_percent,
        coverage.units / sum(coverage.units) over (
            partition by coverage.target_id, coverage.year
        ) as weight,
        coverage.load_ids
    from coverage
    inner join scopes on coverage.target_id = scopes.target_id
    inner join ancestors
        on coverage.region_code = ancestors.region_code
        and scopes.region_code = ancestors.ancestor_code
        and ancestors.depth = 1
    where coverage.units > 0
),

centred as (
    select
        *,
        sum(weight * coverage_percent) over (partition by target_id, year) as mean_coverage
    from towns
)

select
    target_id,
    indicator_code,
    target_region_code as region_code,
    year,
    count(*) as towns,
    sum(units) as units,
    max(mean_coverage) as mean_coverage,
    sqrt(sum(weight * power(coverage_percent - mean_coverage, 2))) as dispersion,
    {{ list_union_agg('load_ids') }} as load_ids
from centred
group by target_id, indicator_code, target_region_code, year
having count(*) >= 2
