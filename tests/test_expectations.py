"""Great Expectations suites: a broken value fails the expectation that guards it."""

from __future__ import annotations

import gc

import duckdb
import great_expectations.expectations as gxe
import pandas as pd
import pytest

from expectations.suites import (
    EXPECTATIONS,
    SuiteResult,
    suite_for,
    unique_key,
    validate,
    validate_batches,
)
from expectations.tables import TABLES, batch_queries, read_batches


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
    queries = batch_queries("funding", len(table), key, "hash({columns})", batch_rows=3)
    frames = [con.execute(sql).df() for sql in queries]
    # 10 rows in batches of about 3: four partitions, every row in one of them, the two
    # rows of the duplicate key in the same one
    assert (len(frames), sum(map(len, frames))) == (4, 10)
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


def test_a_small_table_is_read_in_one_query() -> None:
    assert batch_queries("raw.plans", 7, ["load_id", "plan_id"], "hash({columns})") == [
        "select * from raw.plans"
    ]


def test_batches_are_read_when_asked_with_a_full_collection_between_them() -> None:
    collections, reads = [], []

    def counting(phase: str, info: dict) -> None:
        if phase == "start":
            collections.append(info["generation"])

    gc.callbacks.append(counting)
    try:
        batches = read_batches(["a", "b", "c"], lambda sql: reads.append(sql) or sql.upper())
        assert reads == []
        assert next(batches) == "A" and (reads, collections) == (["a"], [])
        assert list(batches) == ["B", "C"]
        assert (reads, collections.count(2)) == (["a", "b", "c"], 2)
        collections.clear()
        assert list(read_batches(["only"], str.upper)) == ["ONLY"]
        assert collections.count(2) == 0
    finally:
        gc.callbacks.remove(counting)
