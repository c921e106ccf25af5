"""Great Expectations suites: a broken value fails the expectation that guards it."""

from __future__ import annotations

import gc
import hashlib
from importlib.metadata import version
from pathlib import Path

import duckdb
import great_expectations.expectations as gxe
import pandas as pd
import pyarrow as pa
import pytest

from expectations import suites
from expectations.suites import (
    EXPECTATIONS,
    SuiteResult,
    suite_for,
    unique_key,
    validate,
    validate_batches,
)
from expectations.tables import (
    SUITE_SOURCES,
    TABLES,
    as_frame,
    passed_loads,
    plan_batches,
    read_batches,
    suite_version,
)


@pytest.fixture
def funding() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "load_id": [1, 1, 1],
            "sheet_name": ["科普经费"] * 3,
            "source_row": [2, 3, 4],
            "region_code": ["330304", "330304", "330304901"],
            "year": [2020, 2020, 2020],
            "source": ["government", "special_fund", "self_raised"],
            "amount": [1_621_000.0, 1_621_000.0, 35_000.0],
            "note": [None, None, None],
        }
    )


def test_good_rows_pass_every_expectation(funding: pd.DataFrame) -> None:
    result = validate("funding_returns", funding)
    assert (result.success, result.failures, result.rows) == (True, (), 3)
    assert result.evaluated == 11


def test_a_validation_does_not_hash_every_cell_of_its_batch(
    funding: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GX's fingerprint of a batch (its markers, which nothing reads) hashed every cell
    # twice a validation: most of the suites' time at national scale
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("a batch's cells were hashed")

    monkeypatch.setattr(pd.util, "hash_pandas_object", refuse)
    assert validate("funding_returns", funding).success
    funding.loc[2, "amount"] = -1.0
    assert not validate("funding_returns", funding).success


def test_a_negative_amount_fails_the_range_expectation(funding: pd.DataFrame) -> None:
    funding.loc[2, "amount"] = -1.0
    result = validate("funding_returns", funding)
    assert not result.success
    assert len(result.failures) == 1
    assert result.failures[0].startswith("expect_column_values_to_be_between {'column': 'amount'")


def test_the_same_key_twice_in_one_load_fails_uniqueness(funding: pd.DataFrame) -> None:
    funding.loc[2, "source"] = "government"
    funding.loc[2, "region_code"] = "330304"
    (failure,) = validate("funding_returns", funding).failures
    assert failure.startswith("expect_compound_columns_to_be_unique")


def test_a_malformed_region_code_fails_the_pattern(funding: pd.DataFrame) -> None:
    funding.loc[0, "region_code"] = "33O304"
    (failure,) = validate("funding_returns", funding).failures
    assert "expect_column_values_to_match_regex" in failure and "33O304" in failure


def test_the_same_key_in_two_loads_is_a_correction_not_a_duplicate(
    funding: pd.DataFrame,
) -> None:
    correction = funding.assign(load_id=2, amount=funding.amount * 1.1)
    assert validate("funding_returns", pd.concat([funding, correction])).success


def test_the_definitions_name_the_tables_the_suites_check() -> None:
    # the checks are declared from expectations.tables without importing the suites
    assert tuple(EXPECTATIONS) == TABLES


def test_every_suite_is_exact_on_batches_by_its_key() -> None:
    # batching is exact only while a suite has one uniqueness expectation (its rows are
    # partitioned by that key) and every other expectation is row by row
    row_by_row = {
        gxe.ExpectColumnValuesToNotBeNull,
        gxe.ExpectColumnValuesToBeBetween,
        gxe.ExpectColumnValuesToBeInSet,
        gxe.ExpectColumnValuesToMatchRegex,
        gxe.ExpectColumnPairValuesAToBeGreaterThanB,
    }
    for table in TABLES:
        kinds = [type(e) for e in suite_for(table).expectations]
        assert kinds.count(gxe.ExpectCompoundColumnsToBeUnique) == 1, table
        assert set(kinds) - row_by_row == {gxe.ExpectCompoundColumnsToBeUnique}, table
    assert unique_key("funding_returns") == ["load_id", "region_code", "year", "source"]


def test_a_table_read_in_batches_fails_as_it_fails_whole(funding: pd.DataFrame) -> None:
    duplicate = funding.assign(load_id=2)
    duplicate.loc[2, ["region_code", "source"]] = ["330304", "government"]
    orphan = funding.head(1).assign(load_id=None, amount=-1.0)
    table = pd.concat([funding, duplicate, funding.assign(load_id=3), orphan])
    con = duckdb.connect()
    con.register("funding", table)
    key = unique_key("funding_returns")
    pending = [(1, 3), (2, 3), (3, 3), (None, 1)]
    batches = plan_batches("funding", pending, batch_rows=2)
    frames = [con.execute(batch.sql(key, "hash({columns})")).df() for batch in batches]
    # three loads of 3 rows in batches of about 2: each load in two shares by its key, the
    # row without a load alone; every row in one batch, the duplicate key's two together
    assert [(b.loads, b.part, b.parts) for b in batches] == [
        ((1,), 0, 2), ((1,), 1, 2), ((2,), 0, 2), ((2,), 1, 2), ((3,), 0, 2), ((3,), 1, 2),
        ((None,), 0, 1),
    ]  # fmt: skip
    sizes = [len(frame) for frame in frames]
    assert [sizes[i] + sizes[i + 1] for i in (0, 2, 4)] + sizes[6:] == [3, 3, 3, 1]
    (twice,) = [f for f in frames if f.duplicated(key).any()]
    assert twice[twice.duplicated(key, keep=False)].load_id.tolist() == [2, 2]
    batched, whole = validate_batches("funding_returns", frames), validate("funding_returns", table)
    assert (batched.success, batched.rows) == (whole.success, whole.rows) == (False, 10)

    def failed(result: SuiteResult) -> list[str]:
        return sorted(f.split(": unexpected")[0] for f in result.failures)

    assert failed(batched) == failed(whole)
    assert [f.split(" {")[0] for f in failed(batched)] == [
        "expect_column_values_to_be_between",
        "expect_column_values_to_not_be_null",
        "expect_compound_columns_to_be_unique",
    ]
    # the loads recorded as passed: not the one with the duplicate, never rows without one
    assert passed_loads(pending, batches, list(batched.batches)) == [(1, 3), (3, 3)]


def test_loads_are_packed_into_batches_in_order_and_a_large_one_shared_out() -> None:
    pending = [(1, 100), (2, 100), (3, 100), (4, 600), (5, 50)]
    batches = plan_batches("raw.plans", pending, batch_rows=250)
    assert [(b.loads, b.rows, b.part, b.parts) for b in batches] == [
        ((1, 2), 200, 0, 1), ((4,), 600, 0, 3), ((4,), 600, 1, 3), ((4,), 600, 2, 3),
        ((3, 5), 150, 0, 1),
    ]  # fmt: skip
    assert batches[0].sql(["load_id", "plan_id"], "hash({columns})") == (
        "select * from raw.plans where (load_id between 1 and 2 and load_id in (1, 2))"
    )
    assert batches[2].sql(["load_id", "plan_id"], "hash({columns})") == (
        "select * from raw.plans where ((load_id between 4 and 4 and load_id in (4)))"
        " and hash(load_id, plan_id) % 3 = 1"
    )
    assert plan_batches("raw.plans", []) == []


def test_the_suites_version_changes_with_their_code() -> None:
    # a load passed under another version is checked again: the version is that of the
    # files the suites are built from, read without importing Great Expectations
    assert SUITE_SOURCES[0].name == "suites.py" and Path(suites.__file__) == SUITE_SOURCES[0]
    digest = hashlib.sha256(version("great-expectations").encode())
    for path in SUITE_SOURCES:
        digest.update(path.read_bytes())
    assert suite_version() == digest.hexdigest()[:16]


def test_batches_are_read_when_asked_with_a_full_collection_before_each() -> None:
    collections, reads, frozen = [], [], []

    def counting(phase: str, info: dict) -> None:
        if phase == "start":
            collections.append(info["generation"])

    def read(sql: str) -> str:
        reads.append(sql)
        frozen.append(gc.get_freeze_count() > 0)
        return sql.upper()

    gc.callbacks.append(counting)
    try:
        batches = read_batches(["a", "b", "c"], read)
        assert reads == []
        assert next(batches) == "A" and (reads, collections.count(2)) == (["a"], 1)
        assert list(batches) == ["B", "C"]
        assert (reads, collections.count(2)) == (["a", "b", "c"], 3)
        # what lived before the first batch is frozen out of the collections meanwhile
        assert frozen == [True] * 3 and gc.get_freeze_count() == 0
        collections.clear()
        assert list(read_batches(["only"], str.upper)) == ["ONLY"]
        assert collections.count(2) == 0
    finally:
        gc.callbacks.remove(counting)


def test_text_is_read_as_arrow_strings_and_numbers_as_numpy() -> None:
    con = duckdb.connect()
    table = con.execute(
        "select * from (values ('330304', 1, 2.5::double, date '2021-03-01'),"
        " (null, null, null, null)) as t(code, year, amount, day)"
    ).fetch_arrow_table()
    frame = as_frame(table)
    assert [str(t) for t in frame.dtypes] == ["string", "float64", "float64", "datetime64[ms]"]
    assert frame["code"].dtype.storage == "pyarrow"
    assert frame["code"].isna().tolist() == [False, True]
    assert as_frame(pa.table({"n": pa.array([1, 2], pa.int32())}))["n"].dtype == "int32"
