"""Vintages: an assessment as of a date uses only the loads received by then, so a
correction received later does not change it, unless the latest data are asked for."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ingest.home import KepuHome
from ingest.load import load_files
from ingest.lock import warehouse_lock
from ingest.specs import FUNDING, INDICATORS, POPULATION, REGIONS
from ingest.workbook import write_workbook
from orchestration import assess
from orchestration.assess import build_assessment_warehouse

INDICATOR = {
    "indicator_code": "per_capita_funding",
    "name_zh": "人均科普经费",
    "name_en": "Per-capita funding",
    "family": "funding_per_capita",
    "unit_zh": "元/人",
    "unit_en": "CNY per person",
    "direction": "increase",
    "numerator": "total",
    "denominator": "resident",
}


def _funding(path: Path, amount: float, received: date) -> Path:
    frame = pd.DataFrame(
        [{"region_code": "330304", "year": 2020, "source": "government", "amount": amount}]
    )
    return write_workbook(path, [(FUNDING, frame)], units={"amount": "元"}, received_on=received)


def _per_capita(database: Path) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(
            "select year, value from marts.fct_indicator_value "
            "where indicator_code = 'per_capita_funding' and region_code = '330304'"
        ).fetchall()


class InThread(threading.Thread):
    """`function(*args)` in a thread of its own, its return value kept as `result`."""

    def __init__(self, function: Callable, *args: object) -> None:
        super().__init__(target=lambda: setattr(self, "result", function(*args)))


def test_a_later_correction_does_not_change_an_earlier_assessment(
    home: KepuHome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_build = assess._build
    start = date(2016, 1, 4)
    regions = pd.DataFrame(
        {
            "region_code": ["330000", "330300", "330304"],
            "name_zh": ["浙江省", "温州市", "瓯海区"],
            "level": ["province", "prefecture", "county"],
            "parent_code": [None, "330000", "330300"],
        }
    )
    population = pd.DataFrame(
        [{"region_code": "330304", "year": 2020, "resident_population": 400_000}]
    )
    files = [
        write_workbook(tmp_path / "regions.xlsx", [(REGIONS, regions)], received_on=start),
        write_workbook(
            tmp_path / "registry.xlsx", [(INDICATORS, pd.DataFrame([INDICATOR]))], received_on=start
        ),
        write_workbook(
            tmp_path / "population.xlsx",
            [(POPULATION, population)],
            units={"resident_population": "人"},
            received_on=date(2021, 3, 31),
        ),
        _funding(tmp_path / "funding.xlsx", 1_000_000, date(2021, 4, 30)),
        _funding(tmp_path / "funding_corrected.xlsx", 1_200_000, date(2022, 5, 10)),
    ]
    assert [o.status for o in load_files(files, home)] == ["accepted"] * 5

    # Asked for while a load holds the warehouse, the assessment waits for the load
    # instead of copying raw half-way through it.
    as_known = InThread(build_assessment_warehouse, home, date(2021, 12, 31), False)
    with warehouse_lock(home, "a load in progress"):
        as_known.start()
        as_known.join(timeout=3)
        assert as_known.is_alive()
        assert not home.assessment(date(2021, 12, 31)).exists()
    as_known.join()
    assert _per_capita(as_known.result) == [(2020, 2.5)]

    # Two evaluators asking for the same assessment at once: one builds, the other waits
    # for it and reuses it.
    builds = []
    monkeypatch.setattr(assess, "_build", lambda *a: builds.append(a) or real_build(*a))
    both = [InThread(build_assessment_warehouse, home, date(2021, 12, 31), True) for _ in range(2)]
    for thread in both:
        thread.start()
    for thread in both:
        thread.join()
    assert len(builds) == 1
    assert both[0].result == both[1].result
    assert _per_capita(both[0].result) == [(2020, 3.0)]
    before_population = build_assessment_warehouse(home, date(2021, 1, 31), latest_data=False)
    assert _per_capita(before_population) == []
