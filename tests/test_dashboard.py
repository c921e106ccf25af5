"""The Streamlit dashboard, page by page, through `AppTest` on the published demo snapshot.

Expected values come from outside the dashboard: the plan registry CSVs in
`registry/`, the figures printed in the Ouhai plan (¥2.67 per capita in 2015,
¥3.62 in 2020), which the demo data are calibrated to, and direct reads of the snapshot.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

import vocabulary
from ingest.home import REGISTRY_DIR, REPO_ROOT, KepuHome

APP = REPO_ROOT / "dashboards" / "app.py"
REFERENCE = REGISTRY_DIR
SYNTHETIC_NOTICE = "演示数据为合成数据，非真实统计 / Demo data are synthetic, not real statistics"
OUHAI = "330304"
OUHAI_INDICATOR = "per_capita_special_funding_registered"
OUHAI_PUBLISHED_PER_CAPITA = {2015: 2.67, 2020: 3.62}


def reference(name: str) -> list[dict[str, str]]:
    with (REFERENCE / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def reference_row(name: str, column: str, value: str) -> dict[str, str]:
    return next(row for row in reference(name) if row[column] == value)


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first table on the page that has `column` (tables keep stable column ids)."""
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


def chart_layers(at: AppTest, index: int) -> Iterator[tuple[dict, pd.DataFrame]]:
    """(layer spec, layer data) of the `index`-th Altair chart on the page."""
    proto = at.get("vega_lite_chart")[index].proto
    frames = {
        dataset.name: pa.ipc.open_stream(dataset.data.data).read_pandas()
        for dataset in proto.datasets
    }
    for layer in json.loads(proto.spec)["layer"]:
        yield layer, frames[layer["data"]["name"]]


def mark_of(layer: dict) -> str:
    mark = layer["mark"]
    return mark["type"] if isinstance(mark, dict) else mark


@pytest.fixture
def app(demo_home: KepuHome) -> AppTest:
    """The dashboard after its first run on the demo snapshot (overview page, Chinese)."""
    return AppTest.from_file(APP, default_timeout=60).run()


@pytest.fixture
def ouhai_funding(app: AppTest) -> AppTest:
    """The funding page showing Ouhai's special fund per registered resident."""
    app.switch_page("views/funding.py").run()
    app.selectbox(key="indicator").set_value(OUHAI_INDICATOR).run()
    app.selectbox(key="region").set_value(OUHAI).run()
    assert not app.exception
    return app


def test_every_label_has_a_chinese_and_an_english_text() -> None:
    labels = vocabulary.labels().items()
    missing = [key for key, (zh, en) in labels if not zh.strip() or not en.strip()]
    assert missing == []


def test_overview_lists_every_plan_of_the_registry(app: AppTest) -> None:
    plans = table_with(app, "plan_id")
    expected = {row["plan_id"]: row["name_zh"] for row in reference("plans.csv")}
    assert dict(zip(plans["plan_id"], plans["plan_name"], strict=True)) == expected
    ouhai = plans.set_index("plan_id").loc["ouhai-2021-2025"]
    assert ouhai["period"] == "2021–2025"
    assert ouhai["review_points"] == "2023 中期评估；2025 总结评估"


def test_overview_shows_beijing_literacy_target_with_baseline_and_source(app: AppTest) -> None:
    app.selectbox(key="plan").set_value("beijing-2021-2035").run()
    targets = table_with(app, "source_quote")
    registry = reference_row("targets.csv", "target_id", "beijing-2021-2035.literacy")
    literacy_name = reference_row("indicators.csv", "indicator_code", "literacy_ratio")["name_zh"]
    beijing_rows = [
        row for row in reference("targets.csv") if row["plan_id"] == "beijing-2021-2035"
    ]

    assert len(targets) == len(beijing_rows)
    # the 2025 target; a second literacy target looks to 2035
    literacy = targets[
        (targets["indicator"] == literacy_name)
        & (targets["target_year"] == int(registry["target_year"]))
    ].iloc[0]
    label = re.fullmatch(r"≈([\d.]+)%（±([\d.]+)）", literacy["target"])
    assert label, literacy["target"]
    assert float(label[1]) == float(registry["target_value"]) == 28
    assert float(label[2]) == float(registry["tolerance"]) == 1
    assert literacy["baseline_year"] == int(registry["baseline_year"]) == 2020
    assert literacy["baseline_value"] == pytest.approx(float(registry["baseline_value"]))
    assert literacy["baseline_value"] == pytest.approx(24.07)
    assert literacy["target_year"] == int(registry["target_year"])
    assert literacy["source_quote"] == registry["source_quote"]


def test_overview_shows_xx_city_measures_with_responsible_units(app: AppTest) -> None:
    app.selectbox(key="plan").set_value("xx-city-2022").run()
    measures = table_with(app, "measure_no")
    registry = [row for row in reference("measures.csv") if row["plan_id"] == "xx-city-2022"]

    assert not [frame for frame in app.dataframe if "source_quote" in frame.value.columns]
    assert list(measures["measure_no"]) == [int(row["measure_no"]) for row in registry]
    first = measures.set_index("measure_no").loc[1]
    assert first["measure_title"] == registry[0]["title_zh"]
    assert first["responsible_units"].split("；") == registry[0]["responsible_units"].split("、")


def test_funding_page_shows_ouhai_published_per_capita_figures(ouhai_funding: AppTest) -> None:
    values = table_with(ouhai_funding, "per_capita").set_index("year")
    for year, published in OUHAI_PUBLISHED_PER_CAPITA.items():
        assert values.loc[year, "per_capita"] == published
        ratio = values.loc[year, "numerator"] / values.loc[year, "denominator"]
        assert ratio == pytest.approx(published, abs=0.01)
    captions = [caption.value for caption in ouhai_funding.caption]
    assert "分子：科普专项经费；分母：户籍人口" in captions


def test_funding_chart_draws_ouhai_baseline_but_no_line_for_its_growth_target(
    ouhai_funding: AppTest, demo_home: KepuHome
) -> None:
    """Ouhai's per-capita funding must grow every year (>0% a year): a rate of change, not
    a level of the 元/人 values, so the chart draws no target line (it used to draw one at
    0 元/人 from 2021 to 2025) and its legend names no target; the baseline stays."""
    registry = reference_row("targets.csv", "target_id", "ouhai-2021-2025.per-capita-funding")
    with duckdb.connect(str(demo_home.published), read_only=True) as con:
        (on_scale,) = con.execute(
            "select is_target_on_value_scale from fct_plan_target where target_id = ?",
            [registry["target_id"]],
        ).fetchone()
    layers = list(chart_layers(ouhai_funding, 0))
    line = next(frame for layer, frame in layers if mark_of(layer) == "line")
    legend = {
        tuple(layer["encoding"]["color"]["scale"]["domain"])
        for layer, _ in layers
        if "color" in layer.get("encoding", {})
    }

    assert (registry["kind"], registry["comparator"], float(registry["target_value"])) == (
        "growth",
        "gt",
        0.0,
    )
    assert on_scale is False
    assert [mark_of(layer) for layer, _ in layers if mark_of(layer) == "rule"] == []
    assert legend == {("人均值", "基线")}
    diamonds = [frame for layer, frame in layers if layer["mark"].get("shape") == "diamond"]
    baseline = diamonds[0].iloc[0]
    assert (baseline["baseline_year"], baseline["baseline_value"]) == (
        float(registry["baseline_year"]),
        float(registry["baseline_value"]),
    )
    drawn = dict(zip(line["year"], line["per_capita"], strict=True))
    assert {year: drawn[year] for year in OUHAI_PUBLISHED_PER_CAPITA} == OUHAI_PUBLISHED_PER_CAPITA


def test_the_funding_page_finds_its_target_periods_once_per_run(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Zengcheng's ≥20 元/人 by 2020 (registry) is drawn over 2016–2020 from one call of
    target_periods: the legend's question (is there a target?) and the layers share it."""
    from dashboards import charts

    calls = []
    real = charts.target_periods

    def counted(targets: pd.DataFrame) -> pd.DataFrame:
        calls.append(len(targets))
        return real(targets)

    monkeypatch.setattr(charts, "target_periods", counted)
    app.switch_page("views/funding.py").run()
    rule = next(frame for layer, frame in chart_layers(app, 0) if "x2" in layer["encoding"])

    assert not app.exception
    assert calls == [1]
    assert rule[["start_year", "due_year", "target_value"]].values.tolist() == [
        [2016.0, 2020.0, 20.0]
    ]


def test_funding_page_opens_on_the_targeted_region_with_sources_stacked_to_total(
    app: AppTest, demo_home: KepuHome
) -> None:
    app.switch_page("views/funding.py").run()
    indicator = app.selectbox(key="indicator").value
    targeted = {
        row["region_code"] for row in reference("targets.csv") if row["indicator_code"] == indicator
    }
    region = app.selectbox(key="region").value
    with duckdb.connect(str(demo_home.published), read_only=True) as conn:
        funding = conn.execute(
            "select year, funding_source, amount_10k_yuan from fct_funding where region_code = ?",
            [region],
        ).df()
    totals = funding[funding["funding_source"] == "total"].set_index("year")["amount_10k_yuan"]
    layers = list(chart_layers(app, 1))
    bars = next(frame for layer, frame in layers if mark_of(layer) == "bar")
    special = next(frame for layer, frame in layers if mark_of(layer) == "line")
    values = table_with(app, "per_capita").set_index("year")

    assert (indicator, targeted) == ("per_capita_funding", {region})
    assert set(bars["funding_source"]) == set(funding["funding_source"]) - {"total", "special_fund"}
    assert len(set(bars["funding_source"])) > 1
    stacked = bars.groupby("year")["amount_10k_yuan"].sum()
    assert stacked.to_dict() == pytest.approx(totals.to_dict())
    # the table gives the numerator in 万元 to two decimals, as the chart does
    assert stacked.round(2).to_dict() == values["numerator"].to_dict()
    assert set(special["funding_source"]) == {"special_fund"}


def test_english_switch_shows_english_names_on_every_page(app: AppTest) -> None:
    app.radio(key="lang").set_value("en").run()
    plans = table_with(app, "plan_id").set_index("plan_id")
    ouhai = reference_row("regions.csv", "region_code", OUHAI)["name_en"]

    assert app.query_params["lang"] == "en"
    assert ouhai == "Ouhai District"
    assert plans.loc["ouhai-2021-2025", "region_name"] == ouhai
    for row in reference("plans.csv"):
        assert plans.loc[row["plan_id"], "plan_name"] == row["name_en"]

    app.switch_page("views/funding.py").run()
    app.selectbox(key="indicator").set_value(OUHAI_INDICATOR).run()
    captions = [caption.value for caption in app.caption]
    assert "numerator: special fund; denominator: registered population" in captions
    assert ouhai in app.selectbox(key="region").options


def test_link_with_lang_parameter_opens_in_english(demo_home: KepuHome) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    plans = table_with(at, "plan_id").set_index("plan_id")
    assert plans.loc["beijing-2021-2035", "region_name"] == "Beijing"


def test_synthetic_notice_and_publish_time_on_every_page(app: AppTest, demo_home: KepuHome) -> None:
    with duckdb.connect(str(demo_home.published), read_only=True) as conn:
        is_synthetic, published_at = conn.execute(
            "select is_synthetic, published_at from snapshot_info"
        ).fetchone()
    assert is_synthetic
    published = f"{pd.Timestamp(published_at).tz_convert('UTC'):%Y-%m-%d %H:%M} UTC"
    for page in ("views/overview.py", "views/funding.py"):
        app.switch_page(page).run()
        assert [warning.value for warning in app.warning] == [SYNTHETIC_NOTICE]
        assert any(published in caption.value for caption in app.sidebar.caption)


def test_app_without_snapshot_says_nothing_is_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEPU_HOME", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=60).run()

    assert not at.exception
    assert [info.value for info in at.info] == ["尚未发布任何数据快照。"]
    # the first-run guide: where to start, not an empty page
    assert any(md.value.startswith("请先在“上传数据”页上传数据文件") for md in at.markdown)
    assert not at.dataframe


def test_the_dashboard_bench_says_n_a_for_the_filter_change_of_a_one_plan_snapshot() -> None:
    """A national snapshot holds one plan: the Overview's plan selector has nothing else to
    choose, so the bench prints no filter change rather than the time of a click that
    reruns nothing."""
    from orchestration.bench_dashboard import DashboardBench, PageTimes, report

    one_plan = PageTimes(cold_first_paint=4.0, warm_first_paint=1.5, returning_first_paint=1.4,
                         warm_settled=2.0, filter_change=None, language_switch=1.2)  # fmt: skip
    result = DashboardBench(
        repeats=3,
        pages={"overview": one_plan, "literacy": one_plan, "target": one_plan},
        trivial=PageTimes(cold_first_paint=2.0, warm_first_paint=1.2, returning_first_paint=1.0,
                          warm_settled=1.0, filter_change=0.3, language_switch=0.4),
    )  # fmt: skip
    lines = report(result).splitlines()
    assert lines[6].split() == ["filter", "change", "n/a", "n/a", "n/a", "0.30s"]
    assert lines[8] == (
        "goals: first paint ≤ 1.5× the trivial page (overview 1.25×, literacy 1.25×, target 1.25×)"
    )
    assert lines[9] == "       filter change ≤ 0.5 s (overview n/a, literacy n/a, target n/a)"


def test_a_process_spawned_after_the_app_ran_starts_without_running_the_dashboard(
    app: AppTest,
) -> None:
    """Streamlit leaves the app installed as this interpreter's `__main__`, and a process
    spawned afterwards (a Dagster step, a bench stage) imports it again as `__mp_main__`
    before it does its own work. Had the import run the dashboard, it would fail there,
    outside a session (the page's title has no page), and the child exit with code 1."""
    import multiprocessing
    import os
    import sys

    assert sys.modules["__main__"].__file__ == str(APP)
    child = multiprocessing.get_context("spawn").Process(target=os.getpid)
    child.start()
    child.join(timeout=120)
    assert child.exitcode == 0
