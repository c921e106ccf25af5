"""The data-quality page on the demo snapshot, through `AppTest`.

Expected numbers come from outside the page: the demo workbooks on disk, the raw tables
of the warehouse the loader wrote, the suites declared in `expectations`, and a pandas
reading of fct_measure_status.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from expectations.tables import TABLES as GX_TABLES
from ingest.home import REPO_ROOT, KepuHome
from ingest.specs import ALL_SPECS

APP = REPO_ROOT / "dashboards" / "app.py"


@pytest.fixture
def quality(demo_home: KepuHome) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60).run()
    app.switch_page("views/quality.py").run()
    assert not app.exception
    return app


def metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def test_the_totals_count_every_demo_file_and_every_row_the_loader_landed(
    quality: AppTest, demo_home: KepuHome
) -> None:
    files = len(list(demo_home.demo.glob("*.xlsx")))
    with duckdb.connect(str(demo_home.warehouse), read_only=True) as con:
        rows = sum(
            con.execute(f"select count(*) from raw.{spec.table}").fetchone()[0]
            for spec in ALL_SPECS
        )
    shown = metrics(quality)
    assert shown["文件数"] == f"{files:,}"
    assert shown["已拒收文件"] == "0"
    accepted = int(shown["已接收文件"].replace(",", ""))
    superseded = int(shown["已被替代文件"].replace(",", ""))
    assert accepted + superseded == files
    assert shown["入库记录数"] == f"{rows:,}"
    assert shown["剔除行数"] == "0"


def test_the_checks_of_the_build_are_counted_by_kind(quality: AppTest) -> None:
    shown = metrics(quality)
    assert shown["数据期望检查通过"] == str(len(GX_TABLES))
    assert shown["数据期望检查未通过"] == "0"
    assert shown["dbt 测试未通过"] == "0"
    dbt_passed = int(shown["dbt 测试通过"].replace(",", ""))
    assert dbt_passed > 100
    every = len(GX_TABLES) + dbt_passed + 1  # and the loader's all_files_accepted
    assert f"全部 {every} 项检查均通过。" in [message.value for message in quality.success]


def test_units_behind_on_their_reports_are_those_short_of_their_plans_latest_period(
    quality: AppTest, demo_home: KepuHome
) -> None:
    with duckdb.connect(str(demo_home.published), read_only=True) as con:
        status = con.execute("select * from fct_measure_status").df()
    periods = status["reporting_period"].fillna("")  # never reported sorts first
    latest = periods.groupby(status["plan_id"]).transform("max").replace("", None)
    behind = status[
        latest.notna()
        & (status["reporting_period"].isna() | (status["reporting_period"] != latest))
        & (status["measure_status"] != "completed")
    ]
    assert len(behind) > 0
    tables = [f.value for f in quality.dataframe if "last_period" in f.value.columns]
    assert len(tables) == behind["plan_id"].nunique()
    shown = pd.concat(tables)
    assert len(shown) == len(behind)
    never = int(behind["reporting_period"].isna().sum())
    assert (shown["last_period"] == "从未报送").sum() == never
    headings = [m.value for m in quality.markdown if "当前报送期" in m.value]
    per_plan = latest[behind.index].groupby(behind["plan_id"]).first()
    periods = sorted(f"当前报送期 {period}" for period in per_plan)
    assert sorted(h[h.index("当前报送期") :] for h in headings) == periods


def test_the_quality_page_reads_in_english(quality: AppTest) -> None:
    quality.sidebar.radio[0].set_value("en").run()
    assert not quality.exception
    assert quality.title[0].value == "Data quality"
    shown = metrics(quality)
    assert shown["Files refused"] == "0"
    assert "Files superseded" in shown
    assert shown["GX suites failed"] == "0"
