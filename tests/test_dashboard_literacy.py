"""The scientific-literacy page through `AppTest` on the published demo snapshot.

Expected values come from outside the page: the figures Beijing (24.07% in 2020) and the
Ouhai plan report, which the demo is calibrated to, the plan registry CSV, and direct reads
of fct_literacy_estimate and fct_literacy_gap (the page itself reads fct_indicator_value).
"""

from __future__ import annotations

import csv
import json
import shutil
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
PAGE = "views/literacy.py"
BEIJING = "110000"
OUHAI = "330304"
ZENGCHENG = "440118"
BEIJING_PLAN = "beijing-2021-2035"
BEIJING_TARGET = "beijing-2021-2035.literacy"
LATEST_YEAR = 2025
BEIJING_PUBLISHED_2020 = "24.07"
OUHAI_2025 = "17.60"
DASH = "—"
ESTIMATE_NUMBERS = [
    "estimate",
    "standard_error",
    "ci",
    "df",
    "sample_size",
    "design_effect",
]
SEX_ZH = {"male": "男性", "female": "女性"}
SEX_EN = {"male": "men", "female": "women"}


def registry_target(target_id: str) -> dict[str, str]:
    """One row of the plan registry as the statisticians wrote it."""
    with (REGISTRY_DIR / "targets.csv").open(encoding="utf-8") as handle:
        return next(row for row in csv.DictReader(handle) if row["target_id"] == target_id)


def registry_indicator(code: str) -> dict[str, str]:
    with (REGISTRY_DIR / "indicators.csv").open(encoding="utf-8") as handle:
        return next(row for row in csv.DictReader(handle) if row["indicator_code"] == code)


def snapshot(home: KepuHome, sql: str, params: list[object] | None = None) -> pd.DataFrame:
    with duckdb.connect(str(home.published), read_only=True) as conn:
        return conn.execute(sql, params or []).df()


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


def mark(layer: dict) -> dict:
    return layer["mark"] if isinstance(layer["mark"], dict) else {"type": layer["mark"]}


def literacy_page(region: str | None = None, dimension: str | None = None) -> AppTest:
    """The literacy page, optionally on a region and group dimension, in Chinese."""
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(PAGE).run()
    if region is not None:
        at.selectbox(key="literacy_region").set_value(region).run()
    if dimension is not None:
        at.selectbox(key="group_dimension").set_value(dimension).run()
    assert not at.exception
    return at


def row(table: pd.DataFrame, **match: object) -> pd.Series:
    rows = table
    for column, value in match.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, match
    return rows.iloc[0]


@pytest.fixture
def beijing(demo_home: KepuHome) -> AppTest:
    return literacy_page()


def test_page_opens_on_beijing_total_with_its_published_2020_figure(beijing: AppTest) -> None:
    estimates = table_with(beijing, "estimate")

    assert beijing.title[0].value == "公民科学素质"
    assert beijing.selectbox(key="literacy_region").value == BEIJING
    assert beijing.selectbox(key="group_dimension").value == "total"
    assert row(estimates, year=2020)["estimate"] == BEIJING_PUBLISHED_2020
    line = next(frame for layer, frame in chart_layers(beijing, 0) if mark(layer)["type"] == "line")
    assert f"{line.set_index('year').loc[2020, 'shown']:.2f}" == BEIJING_PUBLISHED_2020


def test_beijing_chart_draws_the_target_rule_the_baseline_and_the_interval_band(
    beijing: AppTest, demo_home: KepuHome
) -> None:
    registry = registry_target("beijing-2021-2035.literacy")
    layers = list(chart_layers(beijing, 0))
    rule = next(frame for layer, frame in layers if "target_value" in frame.columns)
    baseline = next(frame for layer, frame in layers if mark(layer).get("shape") == "diamond")
    band = next(frame for layer, frame in layers if mark(layer)["type"] == "area")
    logit = snapshot(
        demo_home,
        "select ci_logit_lower, ci_logit_upper from fct_literacy_estimate "
        "where region_code = ? and group_dimension = 'total' and survey_year = 2020",
        [BEIJING],
    ).iloc[0]

    assert (registry["comparator"], float(registry["target_value"])) == ("approx", 28)
    # the 2025 target (≈28%) and the 2035 vision (>28%), both at 28
    assert list(rule["target_value"]) == [28, 28]
    assert list(rule["label"]) == ["目标 ≈28%（±1）（2025年）", "目标 >28%（2035年）"]
    assert (baseline["baseline_year"].iloc[0], baseline["baseline_value"].iloc[0]) == (
        float(registry["baseline_year"]),
        float(registry["baseline_value"]),
    )
    band_2020 = band.set_index("year").loc[2020]
    assert band_2020["ci_lower"] == pytest.approx(logit["ci_logit_lower"] * 100)
    assert band_2020["ci_upper"] == pytest.approx(logit["ci_logit_upper"] * 100)


def test_ouhai_2025_estimate_is_its_calibrated_figure_against_the_18_percent_target(
    demo_home: KepuHome,
) -> None:
    at = literacy_page(OUHAI)
    estimates = table_with(at, "estimate")
    rule = next(frame for layer, frame in chart_layers(at, 0) if "target_value" in frame.columns)

    assert row(estimates, year=2025)["estimate"] == OUHAI_2025
    assert list(rule["target_value"]) == [18]
    assert "≥18" in rule["label"].iloc[0]


def test_suppressed_estimate_shows_dashes_and_its_reason_never_its_number(
    demo_home: KepuHome,
) -> None:
    suppressed = snapshot(
        demo_home,
        """
        select region_code, survey_year, group_value, estimate, quality_reason,
            quality_measure_value, quality_threshold
        from fct_literacy_estimate
        where quality_flag = 'suppress' and estimate > 0 and group_dimension = 'sex'
            and length(region_code) = 9
            and region_code in (
                select region_code from fct_literacy_estimate
                where group_dimension = 'sex' and quality_flag <> 'suppress'
            )
        order by region_code, survey_year, group_value
        limit 1
        """,
    ).iloc[0]
    hidden = f"{suppressed['estimate'] * 100:.2f}"
    numbers = {
        "value": suppressed["quality_measure_value"],
        "threshold": suppressed["quality_threshold"],
        "value_percent": suppressed["quality_measure_value"] * 100,
        "threshold_percent": suppressed["quality_threshold"] * 100,
    }
    reason_key = f"quality_reason.{suppressed['quality_reason']}"
    at = literacy_page(suppressed["region_code"], "sex")
    shown = row(
        table_with(at, "estimate"),
        year=suppressed["survey_year"],
        group=SEX_ZH[suppressed["group_value"]],
    )
    layers = list(chart_layers(at, 0))
    line = next(frame for layer, frame in layers if mark(layer)["type"] == "line")
    crosses = next(frame for layer, frame in layers if "M -1 -1" in str(mark(layer).get("shape")))

    assert [shown[column] for column in ESTIMATE_NUMBERS] == [DASH] * len(ESTIMATE_NUMBERS)
    assert shown["quality"] == "不宜发布"
    assert shown["reason"] == vocabulary.text(reason_key, "zh", **numbers)
    assert not any(hidden in str(cell) for cell in shown)
    drawn = line[(line["year"] == suppressed["survey_year"]) & (line["series"] == shown["group"])]
    assert drawn.empty
    assert (
        (crosses["year"] == suppressed["survey_year"]) & (crosses["series"] == shown["group"])
    ).any()
    assert crosses["shown"].isna().all()

    at.radio(key="lang").set_value("en").run()
    shown_en = row(
        table_with(at, "estimate"),
        year=suppressed["survey_year"],
        group=SEX_EN[suppressed["group_value"]],
    )
    assert shown_en["reason"] == vocabulary.text(reason_key, "en", **numbers)
    assert shown_en["estimate"] == DASH


def test_english_switch_shows_english_labels(demo_home: KepuHome) -> None:
    at = literacy_page()
    at.radio(key="lang").set_value("en").run()
    at.selectbox(key="group_dimension").set_value("sex").run()
    estimates = table_with(at, "estimate")
    gaps = table_with(at, "gap")
    captions = [caption.value for caption in at.caption]

    assert not at.exception
    assert at.title[0].value == "Scientific literacy"
    assert "Beijing" in at.selectbox(key="literacy_region").options
    assert at.selectbox(key="group_dimension").options == [
        "All adults",
        "Sex",
        "Urban / rural",
        "Age band",
        "Education",
        "Occupation",
    ]
    assert set(estimates["group"]) == {"men", "women"}
    assert set(estimates["quality"]) == {"published"}
    assert set(gaps["comparison"]) == {
        "men − women",
        "urban − rural",
        "highest − lowest occupation",
        "youngest − oldest age band",
    }
    assert any("Taylor linearisation" in caption and "logit" in caption for caption in captions)


def test_beijing_sex_gap_is_men_minus_women_as_displayed(
    beijing: AppTest, demo_home: KepuHome
) -> None:
    estimates = snapshot(
        demo_home,
        "select survey_year, group_value, estimate from fct_literacy_estimate "
        "where region_code = ? and group_dimension = 'sex'",
        [BEIJING],
    ).pivot(index="survey_year", columns="group_value", values="estimate")
    expected = {
        int(year): f"{round((pair['male'] - pair['female']) * 100, 2):.2f}"
        for year, pair in estimates.iterrows()
    }
    gaps = table_with(beijing, "gap")
    sex = gaps[gaps["comparison"] == "男性 − 女性"]

    assert len(expected) == 6
    assert set(sex["pair"]) == {"男性 − 女性"}
    assert dict(zip(sex["year"], sex["gap"], strict=True)) == expected
    assert expected[2020] == "2.37"


def test_suppressed_gap_shows_dashes_and_the_rule_change_is_named(demo_home: KepuHome) -> None:
    suppressed = snapshot(
        demo_home,
        "select survey_year, gap from fct_literacy_gap "
        "where region_code = ? and group_dimension = 'occupation' and quality_flag = 'suppress' "
        "order by survey_year limit 1",
        [ZENGCHENG],
    ).iloc[0]
    rules = snapshot(
        demo_home,
        "select distinct e.survey_year, e.rule_id, w.rule_name_zh from fct_literacy_estimate e "
        "join dim_survey_wave w on e.wave_id = w.wave_id where e.region_code = ?",
        [ZENGCHENG],
    )
    at = literacy_page(ZENGCHENG)
    gap = row(
        table_with(at, "gap"), year=suppressed["survey_year"], comparison="最高 − 最低职业群体"
    )
    captions = [caption.value for caption in at.caption]
    method = next(caption for caption in captions if caption.startswith("素质判定规则"))

    assert [gap[column] for column in ("gap", "standard_error", "ci", "df", "sample_size")] == [
        DASH
    ] * 5
    assert gap["quality"] == "不宜发布"
    assert f"{suppressed['gap'] * 100:.2f}" not in "".join(map(str, gap))
    assert set(rules["rule_id"]) == {"benchmark-2016", "national-2024"}
    # each rule by its registry name, not its id
    assert all(name in method for name in rules["rule_name_zh"])
    assert not any(rule in method for rule in rules["rule_id"])
    first_national = rules[rules["rule_id"] == "national-2024"]["survey_year"].min()
    assert any(f"判定规则在{first_national}年更换" in caption for caption in captions)


@pytest.fixture
def flagged_home(demo_home: KepuHome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> KepuHome:
    """A copy of the demo snapshot where Beijing's 2021 total is flagged, 2022's is sent
    for review and the latest (2025) is suppressed, each with the reason code and the
    numbers the marts write: the demo data have none of these, and the pages must say why
    for each."""
    home = KepuHome(tmp_path / "flagged").ensure()
    shutil.copy(demo_home.published, home.published)
    with duckdb.connect(str(home.published)) as conn:
        for year, flag, reason, measured, threshold in (
            (2021, "flag", "complement_ci_width_above_130", 1.4127, 1.3),
            (2022, "review", "df_below_8", 6.0, 8.0),
        ):
            conn.execute(
                "update fct_indicator_value set quality_flag = ?, quality_reason = ?, "
                "quality_measure_value = ?, quality_threshold = ? "
                "where indicator_code = 'literacy_ratio' and region_code = ? and year = ? "
                "and group_dimension = 'total'",
                [flag, reason, measured, threshold, BEIJING, year],
            )
        # Beijing's latest estimate suppressed, so its target's status cannot be judged
        conn.execute(
            "update fct_indicator_value set value = null, standard_error = null, "
            "ci_lower = null, ci_upper = null, quality_flag = 'suppress', "
            "quality_reason = 'ess_below_30', quality_measure_value = 21.36, "
            "quality_threshold = 30 "
            "where indicator_code = 'literacy_ratio' and region_code = ? "
            "and group_dimension = 'total' and year = ?",
            [BEIJING, LATEST_YEAR],
        )
        conn.execute(
            "update fct_target_progress set latest_value = null, latest_quality_flag = "
            "'suppress', latest_quality_reason = 'ess_below_30', "
            "latest_quality_measure_value = 21.36, latest_quality_threshold = 30, "
            "progress_ratio = null, "
            "progress_status = 'insufficient_data', status_reason = 'latest_suppressed' "
            "where target_id = ? and latest_year = ?",
            [BEIJING_TARGET, LATEST_YEAR],
        )
    monkeypatch.setenv("KEPU_HOME", str(home.root))
    return home


def test_flagged_and_review_estimates_carry_marks_markers_and_footnotes(
    flagged_home: KepuHome,
) -> None:
    expected = (
        snapshot(
            flagged_home,
            "select survey_year, estimate from fct_literacy_estimate "
            "where region_code = ? and group_dimension = 'total'",
            [BEIJING],
        )
        .set_index("survey_year")["estimate"]
        .map(lambda value: f"{value * 100:.2f}")
    )
    at = literacy_page()
    estimates = table_with(at, "estimate").set_index("year")
    captions = [caption.value for caption in at.caption]
    points = next(
        (layer, frame)
        for layer, frame in chart_layers(at, 0)
        if mark(layer)["type"] == "point" and "shape" in layer["encoding"]
    )
    shapes = points[0]["encoding"]["shape"]["scale"]
    shape_of = dict(zip(shapes["domain"], shapes["range"], strict=True))

    assert estimates.loc[2021, "estimate"] == f"{expected[2021]}*"
    assert estimates.loc[2022, "estimate"] == f"{expected[2022]}†"
    assert estimates.loc[2023, "estimate"] == expected[2023]
    assert estimates.loc[2021, "quality"] == "需注意"
    assert estimates.loc[2021, "reason"] == "置信区间宽度为（1 − 估计值）的 141.3%，超过 130%"
    assert estimates.loc[2022, "reason"] == "自由度为 6，少于 8"
    assert any(caption.startswith("\\* 需注意") for caption in captions)
    assert any(caption.startswith("† 待复核") for caption in captions)
    assert len({shape_of["正常"], shape_of["需注意"], shape_of["待复核"]}) == 3
    assert set(points[1].set_index("year").loc[[2021, 2022], "quality"]) == {"需注意", "待复核"}


def test_a_status_left_undecided_by_a_suppressed_latest_estimate_says_why_with_numbers(
    flagged_home: KepuHome,
) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("views/assessment.py").run()
    at.selectbox(key="plan").set_value(BEIJING_PLAN).run()
    name = registry_indicator("literacy_ratio")
    # the 2025 target (≈28%), not the 2035 vision that shares its indicator
    literacy = row(table_with(at, "status_reason"), indicator=name["name_zh"], target="≈28%（±1）")
    basis = row(table_with(at, "quality"), indicator=name["name_zh"], target="≈28%（±1）")
    estimates = literacy_page()
    latest = table_with(estimates, "estimate").set_index("year").loc[LATEST_YEAR]

    assert not at.exception
    assert literacy["status"] == "数据不足"
    assert basis["quality"] == "不宜发布"
    assert literacy["status_reason"] == "最新估计不宜发布：有效样本量 21.4，不足 30"
    assert latest["estimate"] == DASH
    assert latest["reason"] == "有效样本量 21.4，不足 30"
    at.radio(key="lang").set_value("en").run()
    literacy = row(table_with(at, "status_reason"), indicator=name["name_en"], target="≈28% (±1)")
    assert literacy["status_reason"] == (
        "latest estimate suppressed: effective sample size 21.4, below 30"
    )


def test_region_choices_leave_out_towns_and_villages_only_beyond_the_most_listed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A county with two towns and a village, all with literacy values: listed whole while
    four regions are within the bound, the county alone once the bound is three (a
    national snapshot's 37,919 regions become its 3,222 counties and above)."""
    from dashboards import data

    con = duckdb.connect()
    con.execute(
        "create table dim_region as select * from (values"
        " ('330304', '瓯海区', 'Ouhai', 'county'), ('330304001', '甲镇', 'Town A', 'town'),"
        " ('330304002', '乙镇', 'Town B', 'town'), ('330304001001', '丙村', 'Village C',"
        " 'village')) as r(region_code, region_name_zh, region_name_en, region_level)"
    )
    con.execute(
        "create table fct_indicator_value as select region_code,"
        " 'literacy_ratio' as indicator_code from dim_region"
    )
    con.execute(
        "create table fct_plan_target as select '330304' as region_code,"
        " 'literacy_ratio' as indicator_code"
    )

    def listed(bound: int, key: str) -> list[tuple[str, bool]]:
        monkeypatch.setattr(data, "MOST_REGION_CHOICES", bound)
        regions = data.indicator_regions(data.Published(key, con), data.LITERACY_RATIO)
        return list(zip(regions["region_code"], regions["has_target"], strict=True))

    assert listed(4, "four") == [
        ("330304", True),
        ("330304001", False),
        ("330304001001", False),
        ("330304002", False),
    ]
    assert listed(3, "three") == [("330304", True)]
