"""Great Expectations suites for the raw tables, built as code (GX 1.x).

The loader already rejects bad cells file by file; these suites are the second line: they
validate each raw table as a whole after it changed (types, domains, ranges, one row per
key and load; read in batches by that key, `expectations.tables`), and Dagster runs
them as blocking checks, so nothing that fails them reaches the marts or the published
snapshot.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.execution_engine import pandas_execution_engine

from ingest.specs import (
    COMPARATORS,
    DIRECTIONS,
    EDUCATION,
    FACILITY_TYPES,
    FAMILIES,
    FUNDING_SOURCES,
    KP_DEPARTMENTS,
    KP_FORM_LEVEL_CODES,
    KP_VENUE_TYPES,
    LEVELS,
    LONELY_PSU,
    MAX_AMOUNT_YUAN,
    MAX_POPULATION,
    MAX_WEIGHT,
    MEASURE_STATUSES,
    MEASURES_COUNTED,
    NOTE_REVIEW_KINDS,
    REPORT_SECTIONS,
    REVIEW_KINDS,
    SCORING,
    SEXES,
    SOURCES,
    SPECS_BY_TABLE,
    TARGET_KINDS,
    THRESHOLD_UNITS,
    URBAN_RURAL,
    kp_indicators,
)

REGION_CODE_REGEX = r"^\d{6}(?:\d{3}(?:\d{3})?)?$"
# Plausibility bounds are the specs' (ingest/specs.py): the loader refuses a cell outside
# them; the suites check the stored tables against the same numbers.


def _values(choices: dict[str, str]) -> list[str]:
    return sorted(set(choices.values()))


def _key_unique(table: str) -> gxe.Expectation:
    key = SPECS_BY_TABLE[table].key
    return gxe.ExpectCompoundColumnsToBeUnique(column_list=["load_id", *key])


def _lineage() -> list[gxe.Expectation]:
    return [gxe.ExpectColumnValuesToNotBeNull(column=c) for c in ("load_id", "source_row")]


def _not_null(*columns: str) -> list[gxe.Expectation]:
    return [gxe.ExpectColumnValuesToNotBeNull(column=c) for c in columns]


def _region_codes(*columns: str) -> list[gxe.Expectation]:
    return [gxe.ExpectColumnValuesToMatchRegex(column=c, regex=REGION_CODE_REGEX) for c in columns]


def _years(*columns: str) -> list[gxe.Expectation]:
    return [
        gxe.ExpectColumnValuesToBeBetween(column=c, min_value=1949, max_value=2100) for c in columns
    ]


def _kp_form(table: str) -> list[gxe.Expectation]:
    """A 科普统计 form: its unit and year, whole numbers ≥ 0 or NULL (`-`) in every item."""
    counted = [i.name for i in kp_indicators(table)]
    return [
        *_not_null("unit_code", "year"),
        *_years("year"),
        *(gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0) for c in counted),
        _key_unique(table),
    ]


EXPECTATIONS: dict[str, Callable[[], list[gxe.Expectation]]] = {
    "regions": lambda: [
        *_not_null("region_code", "name_zh", "level"),
        *_region_codes("region_code", "parent_code"),
        gxe.ExpectColumnValuesToBeInSet(column="level", value_set=_values(LEVELS)),
        _key_unique("regions"),
    ],
    "population": lambda: [
        *_not_null("region_code", "year", "population_type", "population"),
        *_years("year"),
        *_region_codes("region_code"),
        gxe.ExpectColumnValuesToBeInSet(column="population_type",
                                        value_set=["resident", "registered"]),
        gxe.ExpectColumnValuesToBeBetween(column="population", min_value=0, strict_min=True,
                                          max_value=MAX_POPULATION),
        _key_unique("population"),
    ],
    "funding_returns": lambda: [
        *_not_null("region_code", "year", "source", "amount"),
        *_years("year"),
        *_region_codes("region_code"),
        gxe.ExpectColumnValuesToBeInSet(column="source", value_set=_values(FUNDING_SOURCES)),
        gxe.ExpectColumnValuesToBeBetween(column="amount", min_value=0,
                                          max_value=MAX_AMOUNT_YUAN),
        _key_unique("funding_returns"),
    ],
    "plans": lambda: [
        *_not_null("plan_id", "name_zh", "region_code", "period_start"),
        *_years("period_start", "period_end"),
        *_region_codes("region_code"),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="period_end", column_B="period_start", or_equal=True,
            ignore_row_if="either_value_is_missing"),
        _key_unique("plans"),
    ],
    "plan_reviews": lambda: [
        *_not_null("plan_id", "review_year", "review_kind"),
        *_years("review_year"),
        gxe.ExpectColumnValuesToBeInSet(column="review_kind", value_set=_values(REVIEW_KINDS)),
        _key_unique("plan_reviews"),
    ],
    "indicators": lambda: [
        *_not_null("indicator_code", "name_zh", "name_en", "family", "direction"),
        gxe.ExpectColumnValuesToBeInSet(column="family", value_set=_values(FAMILIES)),
        gxe.ExpectColumnValuesToBeInSet(column="direction", value_set=_values(DIRECTIONS)),
        _key_unique("indicators"),
    ],
    "targets": lambda: [
        *_not_null("target_id", "plan_id", "indicator_code", "kind", "comparator",
                   "target_value", "source_quote"),
        *_years("baseline_year", "period_start", "period_end", "target_year"),
        gxe.ExpectColumnValuesToBeInSet(column="kind", value_set=_values(TARGET_KINDS)),
        gxe.ExpectColumnValuesToBeInSet(column="comparator", value_set=_values(COMPARATORS)),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="period_end", column_B="period_start", or_equal=True,
            ignore_row_if="either_value_is_missing"),
        _key_unique("targets"),
    ],
    "measures": lambda: [
        *_not_null("measure_id", "plan_id", "measure_no", "title_zh", "responsible_units"),
        _key_unique("measures"),
    ],
    "departments": lambda: [
        *_not_null("region_code", "name_zh", "name_en"),
        *_region_codes("region_code"),
        _key_unique("departments"),
    ],
    "survey_rules": lambda: [
        *_not_null("rule_id", "name_zh", "threshold", "threshold_unit"),
        gxe.ExpectColumnValuesToBeInSet(column="threshold_unit",
                                        value_set=_values(THRESHOLD_UNITS)),
        gxe.ExpectColumnValuesToBeBetween(column="threshold", min_value=0, max_value=1000),
        _key_unique("survey_rules"),
    ],
    "survey_rule_minima": lambda: [
        *_not_null("rule_id", "dimension", "min_score"),
        _key_unique("survey_rule_minima"),
    ],
    "survey_waves": lambda: [
        *_not_null("wave_id", "year", "region_code", "rule_id", "scoring", "lonely_psu"),
        *_years("year"),
        *_region_codes("region_code"),
        gxe.ExpectColumnValuesToBeInSet(column="scoring", value_set=_values(SCORING)),
        gxe.ExpectColumnValuesToBeInSet(column="lonely_psu", value_set=_values(LONELY_PSU)),
        _key_unique("survey_waves"),
    ],
    "survey_items": lambda: [
        *_not_null("wave_id", "item_code", "dimension", "correct_answers", "points"),
        gxe.ExpectColumnValuesToBeBetween(column="points", min_value=0, max_value=100),
        _key_unique("survey_items"),
    ],
    "survey_respondents": lambda: [
        *_not_null("wave_id", "respondent_id", "region_code", "stratum", "psu", "weight",
                   "sex", "age", "urban_rural", "education"),
        *_region_codes("region_code"),
        gxe.ExpectColumnValuesToBeBetween(column="weight", min_value=0, strict_min=True,
                                          max_value=MAX_WEIGHT),
        gxe.ExpectColumnValuesToBeBetween(column="age", min_value=15, max_value=100),
        gxe.ExpectColumnValuesToBeInSet(column="sex", value_set=_values(SEXES)),
        gxe.ExpectColumnValuesToBeInSet(column="urban_rural", value_set=_values(URBAN_RURAL)),
        gxe.ExpectColumnValuesToBeInSet(column="education", value_set=_values(EDUCATION)),
        _key_unique("survey_respondents"),
    ],
    "survey_responses": lambda: [
        *_not_null("wave_id", "respondent_id", "item_code"),
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["load_id", "wave_id", "respondent_id", "item_code"]),
    ],
    "measurement_rules": lambda: [
        *_not_null("target_id", "source", "measure"),
        gxe.ExpectColumnValuesToBeInSet(column="source", value_set=_values(SOURCES)),
        gxe.ExpectColumnValuesToBeInSet(column="measure", value_set=_values(MEASURES_COUNTED)),
        _key_unique("measurement_rules"),
    ],
    "unit_register": lambda: [
        *_not_null("year", "region_code"),
        *_years("year"),
        *_region_codes("region_code"),
        _key_unique("unit_register"),
    ],
    "facilities": lambda: [
        *_not_null("year", "region_code", "facility_type", "facility_id"),
        *_years("year", "opened_year"),
        *_region_codes("region_code"),
        gxe.ExpectColumnValuesToBeInSet(column="facility_type",
                                        value_set=_values(FACILITY_TYPES)),
        gxe.ExpectColumnValuesToBeBetween(column="content_updates", min_value=0, max_value=366),
        _key_unique("facilities"),
    ],
    "activities": lambda: [
        *_not_null("activity_id", "activity_date", "region_code", "activity_type"),
        *_region_codes("region_code"),
        gxe.ExpectColumnValuesToBeBetween(column="participants", min_value=0,
                                          max_value=10_000_000),
        gxe.ExpectColumnValuesToBeBetween(column="amount", min_value=0,
                                          max_value=MAX_AMOUNT_YUAN),
        _key_unique("activities"),
    ],
    "entity_register": lambda: [
        *_not_null("entity_type", "entity_id", "region_code", "registered_on"),
        *_region_codes("region_code"),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="exited_on", column_B="registered_on", or_equal=True,
            ignore_row_if="either_value_is_missing"),
        _key_unique("entity_register"),
    ],
    "measure_reports": lambda: [
        *_not_null("measure_id", "responsible_unit", "period", "status", "reported_on"),
        gxe.ExpectColumnValuesToBeInSet(column="status", value_set=_values(MEASURE_STATUSES)),
        _key_unique("measure_reports"),
    ],
    "evaluator_notes": lambda: [
        *_not_null("plan_id", "review_kind", "as_of", "section", "note_order", "author"),
        gxe.ExpectColumnValuesToBeInSet(column="review_kind",
                                        value_set=_values(NOTE_REVIEW_KINDS)),
        gxe.ExpectColumnValuesToBeInSet(column="section", value_set=_values(REPORT_SECTIONS)),
        gxe.ExpectColumnValuesToBeBetween(column="note_order", min_value=1, max_value=99),
        _key_unique("evaluator_notes"),
    ],
    "kp_units": lambda: [
        *_not_null("unit_code", "unit_name", "department_category", "form_level",
                   "region_code", "year"),
        *_years("year"),
        *_region_codes("region_code"),
        gxe.ExpectColumnValuesToBeInSet(column="department_category",
                                        value_set=_values(KP_DEPARTMENTS)),
        gxe.ExpectColumnValuesToBeInSet(column="form_level",
                                        value_set=_values(KP_FORM_LEVEL_CODES)),
        _key_unique("kp_units"),
    ],
    "kp_persons": lambda: _kp_form("kp_persons"),
    "kp_venues": lambda: [
        *_kp_form("kp_venues"),
        *_not_null("venue_id", "venue_type"),
        gxe.ExpectColumnValuesToBeInSet(column="venue_type", value_set=_values(KP_VENUE_TYPES)),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="year", column_B="opened_year", or_equal=True,
            ignore_row_if="either_value_is_missing"),
    ],
    "kp_funding": lambda: [
        *_kp_form("kp_funding"),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="government_funding", column_B="special_funding", or_equal=True,
            ignore_row_if="either_value_is_missing"),
    ],
    "kp_media": lambda: _kp_form("kp_media"),
    "kp_activities": lambda: _kp_form("kp_activities"),
    "load_audit": lambda: [
        *_not_null("load_id", "file_name", "file_sha256", "status", "loaded_at"),
        gxe.ExpectColumnValuesToMatchRegex(column="file_sha256", regex=r"^[0-9a-f]{64}$"),
        gxe.ExpectColumnValuesToBeInSet(column="status", value_set=["accepted", "rejected"]),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["load_id", "sheet_name"]),
    ],
}  # fmt: skip


@dataclass(frozen=True)
class SuiteResult:
    """The outcome of one suite on one table, small enough for check metadata."""

    table: str
    success: bool
    evaluated: int
    rows: int
    failures: tuple[str, ...]
    batches: tuple[bool, ...] = ()  # each batch's success, where the rows came in batches


def suite_for(table: str) -> gx.ExpectationSuite:
    lineage = _lineage() if table != "load_audit" else []
    expectations = [*lineage, *EXPECTATIONS[table]()]
    return gx.ExpectationSuite(name=f"raw_{table}", expectations=expectations)


@functools.cache
def _context() -> gx.data_context.AbstractDataContext:
    """One ephemeral context per process: the fixed cost is paid once per run.

    GX fingerprints every in-memory batch under `HASH_THRESHOLD` bytes (1 GB) by hashing
    all its cells, twice a validation, for the batch's markers, which nothing here keeps
    or reads: at national scale that was 34 s of the suites' 60 s (the survey answers'
    15 s of 21 s). A threshold of 0 fingerprints none (tests/test_expectations.py)."""
    pandas_execution_engine.HASH_THRESHOLD = 0
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def start() -> None:
    """Pay the fixed cost of validating now (the context), before the first batch."""
    _context()


def _describe(result: dict) -> str:
    config = result["expectation_config"]
    kwargs = {k: v for k, v in config["kwargs"].items() if k != "batch_id"}
    observed = result["result"]
    sample = observed.get("partial_unexpected_list") or observed.get("observed_value")
    return f"{config['type']} {kwargs}: unexpected {observed.get('unexpected_count', '')} {sample}"


def unique_key(table: str) -> list[str]:
    """The columns of the table's one uniqueness expectation, by which its rows are read
    in batches (`expectations.tables.plan_batches`)."""
    (key,) = (
        e.column_list
        for e in suite_for(table).expectations
        if isinstance(e, gxe.ExpectCompoundColumnsToBeUnique)
    )
    return list(key)


def validate_batches(table: str, frames: Iterable[pd.DataFrame]) -> SuiteResult:
    """Run the table's suite on each of `frames` (rows of the raw table in batches that
    keep the rows of a key together: `expectations.tables.plan_batches`); they pass when
    every batch does. The failures are each batch's, an expectation failed in several
    batches once per batch."""
    results = [validate(table, frame) for frame in frames]
    return SuiteResult(
        table=table,
        success=all(r.success for r in results),
        evaluated=max((r.evaluated for r in results), default=0),
        rows=sum(r.rows for r in results),
        failures=tuple(f for r in results for f in r.failures),
        batches=tuple(r.success for r in results),
    )


def validate(table: str, frame: pd.DataFrame) -> SuiteResult:
    """Run the table's suite on `frame` (the raw table's rows)."""
    context = _context()
    source = context.data_sources.add_or_update_pandas(name="kepu_raw")
    asset = source.add_dataframe_asset(name=f"{table}_{id(frame)}")
    batch = asset.add_batch_definition_whole_dataframe("whole").get_batch(
        batch_parameters={"dataframe": frame}
    )
    suite = suite_for(table)
    result = batch.validate(suite).to_json_dict()
    source.delete_asset(asset.name)
    failures = tuple(_describe(r) for r in result["results"] if not r["success"])
    return SuiteResult(
        table=table,
        success=bool(result["success"]),
        evaluated=len(suite.expectations),
        rows=len(frame),
        failures=failures,
    )
