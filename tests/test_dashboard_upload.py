"""The upload page: files go through `kepu ingest`'s loader, a build through `kepu build`'s job.

Expected values are read from the demo workbooks with openpyxl and pandas, or from the
warehouse `kepu ingest` (the session's `load_job`) built, never from the page's code.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboards.upload_data import Upload, build_and_publish, ingest_uploads, safe_name
from ingest.home import REPO_ROOT, KepuHome
from ingest.specs import TEMPLATES

APP = REPO_ROOT / "dashboards" / "app.py"
UPLOAD = "views/upload.py"
POPULATION = "population_2024.xlsx"
POPULATION_SHEET = "人口"
BAD_ROW, BAD_COLUMN, BAD_VALUE = 3, "C", "abc"  # 440300's resident population
GOOD_NAME = "population_2024_corrected.xlsx"
BAD_NAME = "population_2024_bad.xlsx"


def edited(source: Path, row: int, column: str, value: object) -> bytes:
    """The demo workbook `source` with one cell of its 人口 sheet changed."""
    book = openpyxl.load_workbook(source)
    book[POPULATION_SHEET][f"{column}{row}"] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def good_and_bad(demo: Path) -> tuple[Upload, Upload]:
    """A corrected population return (Beijing's registered population one tenth higher) and
    one with text where 440300's resident population belongs."""
    source = demo / POPULATION
    good = edited(source, 2, "D", 1424.26)
    bad = edited(source, BAD_ROW, BAD_COLUMN, BAD_VALUE)
    return Upload(GOOD_NAME, good), Upload(BAD_NAME, bad)


def population_rows(source: Path) -> int:
    """Rows the population table gets from a return: one per region and population kind
    that has a number (read with pandas, two header languages in one header row)."""
    sheet = pd.read_excel(source, sheet_name=POPULATION_SHEET, dtype={0: str})
    return int(sheet.iloc[:, 2:4].notna().sum().sum())


def copy_home(source: KepuHome, target: Path) -> KepuHome:
    """A home holding a copy of `source`'s warehouse and snapshot, for tests that write."""
    home = KepuHome(target).ensure()
    shutil.copy2(source.warehouse, home.warehouse)
    shutil.copy2(source.published, home.published)
    return home


def raw_counts(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
        ]
        return {t: con.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in tables}


def snapshot_counts(published: Path) -> dict[str, int]:
    with duckdb.connect(str(published), read_only=True) as con:
        tables = [name for (name,) in con.execute("show tables").fetchall()]
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}


@pytest.mark.parametrize(
    ("offered", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\统计科\\人口 2024.xlsx", "人口 2024.xlsx"),
        (".hidden.csv", "hidden.csv"),
        ("a/b/..", "upload"),
        ("报表;rm -rf *.xlsx", "报表_rm -rf _.xlsx"),
        ("x" * 300 + ".xlsx", "x" * 115 + ".xlsx"),
    ],
)
def test_an_uploaded_name_becomes_one_clean_file_name_with_its_suffix(
    offered: str, kept: str
) -> None:
    assert safe_name(offered) == kept


def test_a_good_and_a_bad_upload_land_or_are_refused_with_the_place_of_the_problem(
    demo_home: KepuHome, tmp_path: Path
) -> None:
    home = copy_home(demo_home, tmp_path / "kepu")
    good, bad = good_and_bad(demo_home.demo)
    before = raw_counts(home.warehouse)["population"]
    accepted, refused = ingest_uploads([good, bad], home)
    assert accepted["file"] == GOOD_NAME
    assert accepted["status"] == "accepted"
    assert accepted["rows"] == {"population": population_rows(demo_home.demo / POPULATION)}
    assert refused["file"] == BAD_NAME
    assert refused["status"] == "rejected"
    [problem] = refused["problems"]
    assert (problem["sheet"], problem["row"], problem["cell"], problem["value"]) == (
        POPULATION_SHEET,
        BAD_ROW,
        f"{BAD_COLUMN}{BAD_ROW}",
        BAD_VALUE,
    )
    assert problem["column"].startswith("常住人口")
    assert raw_counts(home.warehouse)["population"] == before + accepted["rows"]["population"]
    assert not any((home.root / "uploads").rglob("*.xlsx")), "uploads are removed once archived"


def test_uploading_the_demo_files_through_the_page_gives_the_warehouse_kepu_ingest_gave(
    demo_home: KepuHome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("KEPU_HOME", "KEPU_WAREHOUSE", "DAGSTER_HOME"):
        monkeypatch.setenv(variable, "")  # build_and_publish names its home; restored after
    home = KepuHome(tmp_path / "kepu").ensure()
    monkeypatch.setenv("DAGSTER_HOME", str(home.dagster_home))
    files = sorted(demo_home.demo.glob("*.xlsx"))
    outcomes = ingest_uploads([Upload(f.name, f.read_bytes()) for f in files], home)
    assert [o["status"] for o in outcomes] == ["accepted"] * len(files)
    assert raw_counts(home.warehouse) == raw_counts(demo_home.warehouse)
    outcome = build_and_publish(home)
    assert outcome.success, outcome.failed_checks
    built, expected = snapshot_counts(home.published), snapshot_counts(demo_home.published)
    # the load job also ran the Great Expectations suites: compare the dbt tests alone
    assert {t: n for t, n in built.items() if t != "validation_result"} == {
        t: n for t, n in expected.items() if t != "validation_result"
    }
    # to 9 decimals: a sum over rows in another load order differs in the 15th digit
    query = (
        "select target_id, progress_status, round(latest_value, 9)"
        " from fct_target_progress order by 1"
    )
    with (
        duckdb.connect(str(home.published), read_only=True) as mine,
        duckdb.connect(str(demo_home.published), read_only=True) as theirs,
    ):
        assert mine.execute(query).fetchall() == theirs.execute(query).fetchall()
        dbt_tests = (
            "select count(*), count(*) filter (passed) from validation_result"
            " where check_kind = 'dbt'"
        )
        assert mine.execute(dbt_tests).fetchone() == theirs.execute(dbt_tests).fetchone()


@pytest.fixture
def upload_page(demo_home: KepuHome) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60).run()
    app.switch_page(UPLOAD).run()
    assert not app.exception
    return app


def test_the_upload_page_offers_every_template_and_waits_for_files(upload_page: AppTest) -> None:
    assert upload_page.title[0].value == "上传数据"
    assert upload_page.selectbox(key="template_kind").options == [
        "规划；评估节点；指标；目标；任务措施；部门；计量规则",
        "地区登记表",
        "人口",
        "科普经费",
        "判定规则；分项最低分；调查批次；答案；受访者",
        "行政单位名录；科普设施",
        "科普活动",
        "登记名册",
        "任务进展",
        "评估意见",
        "科普统计单位信息；科普人员；科普场地；科普统计经费；科普传媒；科普统计活动",
    ]
    assert len(TEMPLATES) == 11
    assert upload_page.button(key="load").disabled
    assert upload_page.button(key="build").label == "构建并发布"


def test_the_upload_page_reads_in_english(upload_page: AppTest) -> None:
    upload_page.sidebar.radio[0].set_value("en").run()
    assert upload_page.title[0].value == "Upload data"
    assert upload_page.selectbox(key="template_kind").options[1] == "Region register"
    assert upload_page.button(key="load").label == "Load"


def test_a_bad_upload_on_the_page_lists_its_sheet_row_column_and_value(
    demo_home: KepuHome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = copy_home(demo_home, tmp_path / "kepu")
    monkeypatch.setenv("KEPU_HOME", str(home.root))
    _, bad = good_and_bad(demo_home.demo)
    app = AppTest.from_file(APP, default_timeout=120).run()
    app.switch_page(UPLOAD).run()
    app.file_uploader(key="uploads").set_value([(bad.name, bad.data, "application/octet-stream")])
    app.run()
    app.button(key="load").click().run()
    assert not app.exception
    assert app.error[0].value == f"已拒收 {BAD_NAME}：1 处问题，本文件未载入任何内容"
    table = app.table[0].value
    assert table.iloc[0][["工作表", "行", "单元格", "数值"]].tolist() == [
        POPULATION_SHEET,
        BAD_ROW,
        f"{BAD_COLUMN}{BAD_ROW}",
        BAD_VALUE,
    ]
    assert table.iloc[0]["列"].startswith("常住人口")


@pytest.fixture
def empty_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("KEPU_HOME", str(KepuHome(tmp_path / "empty").ensure().root))
    return AppTest.from_file(APP, default_timeout=60).run()


def test_an_empty_warehouse_shows_a_first_run_guide_to_the_upload_page(empty_app: AppTest) -> None:
    assert not empty_app.exception
    assert empty_app.info[0].value == "尚未发布任何数据快照。"
    assert "上传数据" in empty_app.markdown[0].value
    empty_app.switch_page("views/quality.py").run()
    assert not empty_app.exception
    assert empty_app.info[0].value == "尚未发布任何数据快照。"


def test_the_upload_page_works_before_anything_is_published(empty_app: AppTest) -> None:
    empty_app.switch_page(UPLOAD).run()
    assert not empty_app.exception
    assert empty_app.title[0].value == "上传数据"
    assert empty_app.button(key="build").label == "构建并发布"
    assert not empty_app.info, "no nothing-published notice on the page that publishes"
