"""Great Expectations suites: a broken value fails the expectation that guards it."""

from __future__ import annotations

import pandas as pd
import pytest

from expectations.suites import EXPECTATIONS, validate
from expectations.tables import TABLES


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
