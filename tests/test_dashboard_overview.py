"""The Overview for leaders, the target detail page and the data-quality page, through
`AppTest` on the published demo snapshot.

Expected values are read from the marts by queries of their own and formatted here by
hand; words are written out, not taken from the vocabulary.
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from collections.abc import Iterator

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from ingest.home import REPO_ROOT, KepuHome

APP = REPO_ROOT / "dashboards" / "app.py"
OUHAI = "ouhai-2021-2025"
BEIJING = "beijing-2021-2035"
ENDED_PLANS = ("zengcheng-2016-2020", "shenzhen-2017-2020", OUHAI)
FORWARD_STATUSES = ("on_track", "accelerate", "limited", "moving_away", "not_yet_due")


@pytest.fixture(scope="module")
def marts(demo_home: KepuHome) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(demo_home.published), read_only=True) as conn:
        yield conn


def open_page(page: str | None = None, lang: str = "zh", **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page)
        for key, value in {"lang": lang, **params}.items():
            at.query_params[key] = value
        at.run()
    assert not at.exception
    return at


def html_of(at: AppTest, marker: str) -> str:
    return next(m.value for m in at.markdown if marker in m.value)


def tiles(at: AppTest) -> dict[str, str]:
    """target_id → the HTML of its tile (a tile holds no other div)."""
    return {
        match[1]: match[0]
        for m in at.markdown
        for match in re.finditer(r'<div class="tile" data-target="([^"]+)">.*?</div>', m.value)
    }


def tile_value(tile: str) -> str:
    return re.search(r'class="tile-latest"[^>]*>([^<]*)<', tile)[1]


def test_scorecard_counts_every_plan_s_goals_as_the_marts(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    at = open_page()
    table = html_of(at, 'class="scorecard"')
    progress = marts.execute("select plan_id, progress_status from fct_target_progress").fetchall()
    counts = marts.execute(
        "select plan_id, progress_status, goal_count from fct_plan_status_count"
        " where goal_group = 'target'"
    ).fetchall()

    for (plan_id, status), expected in Counter(progress).items():
        body = re.search(rf'<tbody data-plan="{plan_id}">(.*?)</tbody>', table)[1]
        cells = re.findall(rf'class="goal-cell" data-status="{status}"', body)
        assert len(cells) == expected, (plan_id, status)
    ouhai = re.search(rf'<tbody data-plan="{OUHAI}">(.*?)</tbody>', table)[1]
    words = {"achieved": "已达成", "not_achieved": "未达成"}
    for plan_id, status, n in counts:
        if plan_id == OUHAI:
            assert f"{words[status]} {n}<" in ouhai
    assert {(s, n) for p, s, n in counts if p == OUHAI} == {("not_achieved", 7), ("achieved", 4)}


def test_scorecard_cells_and_badges_take_their_colours_from_one_style_block(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    """No cell, badge or tile repeats an inline style (the scorecard was a 48 KB message of
    them): each names its verdict and the page's style block colours it as codes.csv does,
    white text where the colour is dark (not achieved C00000) and black where it is light."""
    at = open_page(plan=OUHAI)
    scorecard = html_of(at, 'class="scorecard"')
    shown_tiles = "".join(tiles(at).values())
    styles = "".join(block.value for block in at.html)

    (goals,) = marts.execute("select count(*) from fct_target_progress").fetchone()
    assert scorecard.count('class="goal-cell"') == goals
    assert "style=" not in scorecard
    assert "style=" not in shown_tiles
    assert '.goal-cell[data-status="not_achieved"]{background:#C00000}' in styles
    assert '.verdict[data-status="not_achieved"]{background:#C00000;color:#FFFFFF}' in styles
    assert '.verdict[data-status="achieved"]{background:#70AD47;color:#000000}' in styles


def test_ended_plans_show_final_verdicts_and_beijing_keeps_its_2035_targets_open(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    for plan_id in ENDED_PLANS:
        shown = tiles(open_page(plan=plan_id))
        statuses = {re.search(r'data-status="([^"]+)"', tile)[1] for tile in shown.values()}
        assert statuses <= {"achieved", "not_achieved", "not_judged"}, plan_id
        assert not any("需加快进度" in tile for tile in shown.values())
    beijing = tiles(open_page(plan=BEIJING))
    forward = marts.execute(
        "select target_id, progress_status from fct_target_progress"
        " where plan_id = ? and verdict_stage = 'forward' and task_kind is null",
        [BEIJING],
    ).fetchall()
    assert ("beijing-2021-2035.regional-dispersion-2035", "accelerate") in forward
    for target_id, status in forward:
        assert f'data-status="{status}"' in beijing[target_id]
        assert "进度判断（到期前）" in beijing[target_id]


def test_tiles_show_latest_values_in_their_units_as_readers_expect(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    latest = dict(
        marts.execute(
            "select target_id, latest_value from fct_target_progress where target_id in (?, ?, ?)",
            [
                f"{OUHAI}.literacy",
                f"{OUHAI}.farmer-short-training",
                f"{BEIJING}.emergency-training",
            ],
        ).fetchall()
    )
    ouhai = tiles(open_page(plan=OUHAI))
    beijing_zh = tiles(open_page(plan=BEIJING))
    beijing_en = tiles(open_page(lang="en", plan=BEIJING))

    assert tile_value(ouhai[f"{OUHAI}.literacy"]) == f"{latest[f'{OUHAI}.literacy']:.2f}%"
    trained = latest[f"{OUHAI}.farmer-short-training"]
    assert tile_value(ouhai[f"{OUHAI}.farmer-short-training"]) == f"{trained:,.0f}人次"
    emergency = latest[f"{BEIJING}.emergency-training"]
    assert emergency == 340_000
    assert tile_value(beijing_zh[f"{BEIJING}.emergency-training"]) == "34.0万人次"
    assert tile_value(beijing_en[f"{BEIJING}.emergency-training"]) == "340,000 person-times"
    assert "(2025)" in beijing_en[f"{BEIJING}.emergency-training"]


def test_the_two_ouhai_gap_tiles_name_their_pairs_of_groups() -> None:
    """性别差距、职业差距进一步缩小: one indicator, two targets; each tile names the pair the
    registry's 计量规则 fixes (男性 − 女性; 专业技术人员 − 商业及服务业人员)."""
    zh = tiles(open_page(plan=OUHAI))
    en = tiles(open_page(lang="en", plan=OUHAI))
    assert "<b>公民具备科学素质比例的群体差距（男性 − 女性）</b>" in zh[f"{OUHAI}.gender-gap"]
    assert "（专业技术人员 − 商业及服务业人员）</b>" in zh[f"{OUHAI}.occupation-gap"]
    assert "(men − women)</b>" in en[f"{OUHAI}.gender-gap"]


def test_plan_table_shows_issue_dates_as_dates_and_dashes_where_missing() -> None:
    at = open_page()
    plans = next(f.value for f in at.dataframe if "issued_on" in f.value.columns)
    issued = dict(zip(plans["plan_id"], plans["issued_on"], strict=True))
    assert issued["shenzhen-2017-2020"] == "2017-03-25"
    assert issued["xx-city-2022"] == "—"


def test_target_page_puts_its_selection_in_the_url_and_shows_the_target_s_numbers(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    """Opening the page from a URL is a browser test (AppTest's page switch drops the
    query parameters); here the choice made in the page goes into the URL."""
    target = f"{OUHAI}.tech-volunteers"
    value, baseline = marts.execute(
        "select latest_value, baseline_value from fct_target_progress where target_id = ?",
        [target],
    ).fetchone()
    at = open_page("views/target.py", lang="en")
    at.selectbox(key="plan").set_value(OUHAI).run()
    at.selectbox(key="target").set_value(target).run()

    assert (at.query_params["plan"], at.query_params["target"]) == (OUHAI, target)
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["Latest value (2025)"] == f"{value:,.0f} persons" == "310 persons"
    assert metrics["Target (2025)"] == "≥300 persons"
    baseline_shown = next(v for k, v in metrics.items() if k.startswith("Baseline"))
    assert baseline_shown == f"{baseline:,.0f} persons"


def test_quality_page_counts_files_and_rows_as_the_load_audit(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    files, rows = marts.execute(
        "select count(distinct load_id), sum(rows_accepted) from fct_load_audit"
    ).fetchone()
    # a file accepted but wholly replaced by a later one counts as superseded, not accepted
    accepted = marts.execute(
        "select count(distinct load_id) from fct_load_outcome where file_outcome = 'accepted'"
    ).fetchone()[0]
    respondents = marts.execute(
        "select sum(rows_accepted) from fct_load_audit where table_name = 'survey_respondents'"
    ).fetchone()[0]
    at = open_page("views/quality.py")

    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["文件数"] == f"{files:,}"
    assert metrics["已接收文件"] == f"{accepted:,}"
    assert metrics["已拒收文件"] == "0"
    assert metrics["入库记录数"] == f"{rows:,}"
    by_table = next(f.value for f in at.dataframe if "table" in f.value.columns)
    assert by_table.set_index("table").loc["受访者", "rows_accepted"] == respondents


def test_target_page_says_how_far_an_ended_target_fell_short_in_its_unit(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    target = "zengcheng-2016-2020.literacy"
    latest, goal, share = marts.execute(
        "select latest_value, target_value, share_achieved from fct_target_progress"
        " where target_id = ?",
        [target],
    ).fetchone()
    at = open_page("views/target.py")
    at.selectbox(key="plan").set_value("zengcheng-2016-2020").run()
    at.selectbox(key="target").set_value(target).run()

    gap = f"{goal - latest:.2f}个百分点"
    assert gap == "0.19个百分点"
    expected = f"距目标差 {gap}，达到目标的 {latest / goal * 100:.1f}%"
    assert expected in [markdown.value for markdown in at.markdown]
    assert share == pytest.approx(latest / goal)


def test_scorecard_and_tiles_kept_for_each_language_follow_the_switch_in_one_session(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    """The scorecard and the tiles are built once per publish and language: switching
    back and forth in one session shows each language's, never the other's."""
    counts = dict(
        marts.execute(
            "select progress_status, goal_count from fct_plan_status_count"
            " where plan_id = ? and goal_group = 'target'",
            [OUHAI],
        ).fetchall()
    )
    emergency = marts.execute(
        "select latest_value from fct_target_progress where target_id = ?",
        [f"{BEIJING}.emergency-training"],
    ).fetchone()[0]
    at = open_page(plan=BEIJING)
    shown = {}
    for lang in ("en", "zh", "en"):
        at.radio(key="lang").set_value(lang).run()
        scorecard = html_of(at, 'class="scorecard"')
        ouhai = re.search(rf'<tbody data-plan="{OUHAI}">(.*?)</tbody>', scorecard)[1]
        tile = tiles(at)[f"{BEIJING}.emergency-training"]
        shown[lang] = (ouhai, tile_value(tile))

    assert counts == {"not_achieved": 7, "achieved": 4}
    assert "Not achieved 7<" in shown["en"][0] and "未达成" not in shown["en"][0]
    assert "未达成 7<" in shown["zh"][0] and "Not achieved" not in shown["zh"][0]
    assert shown["en"][1] == f"{emergency:,.0f} person-times" == "340,000 person-times"
    assert shown["zh"][1] == f"{emergency / 10_000:.1f}万人次" == "34.0万人次"


def test_a_session_s_first_run_pauses_once_after_the_page_title(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The title, then 50 ms, then the body, on a session's first run only (so that the
    browser paints the title before it renders the body): a language switch or another
    page in the same session does not wait; a new session does."""
    real_sleep, paused = time.sleep, []

    def sleep(seconds: float) -> None:
        if seconds >= 0.01:  # AppTest itself polls with 1 ms sleeps
            paused.append((seconds, sys._getframe(1).f_code.co_name))
        real_sleep(seconds)

    monkeypatch.setattr(time, "sleep", sleep)
    at = open_page()
    at.radio(key="lang").set_value("en").run()
    at.switch_page("views/target.py").run()
    first_session = list(paused)
    open_page(lang="en")

    assert at.title[0].value == "Target detail"
    assert first_session == [(0.05, "page_title")]
    assert paused == [(0.05, "page_title"), (0.05, "page_title")]


def test_a_text_column_without_any_value_reads_a_dash_not_none() -> None:
    """The national plan's targets name no departments: a column of None alone reaches the
    browser as Arrow's null type, which Streamlit draws as grey 'None' whatever the Styler
    says; it is sent as dashes, and a column with some text keeps its missing cells."""
    import pyarrow as pa

    from dashboards.formats import styled

    targets = pd.DataFrame(
        {"baseline_value": [10.56, None], "lead_departments": [None, None], "note": ["x", None]}
    )
    sent = styled(targets).data
    assert sent["lead_departments"].tolist() == ["—", "—"]
    assert sent["note"].tolist() == ["x", None]
    assert pa.Table.from_pandas(sent).schema.field("lead_departments").type == pa.string()


def test_a_tile_s_sparkline_draws_the_target_only_on_the_values_scale(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    """Ouhai's literacy ≥18% is a level of its yearly values: a dashed line on the
    sparkline. Its per-capita funding must grow every year (>0% a year, a rate): no line,
    as on its charts. Beijing's ≥200 demonstration schools (a context indicator, not
    judged) is a count like its values: drawn."""
    assert marts.execute(
        "select target_id, is_target_on_value_scale from fct_target_progress "
        "where target_id in (?, ?, ?) order by 1",
        [f"{OUHAI}.literacy", f"{OUHAI}.per-capita-funding", f"{BEIJING}.demonstration-schools"],
    ).fetchall() == [
        (f"{BEIJING}.demonstration-schools", True),
        (f"{OUHAI}.literacy", True),
        (f"{OUHAI}.per-capita-funding", False),
    ]
    ouhai = tiles(open_page(plan=OUHAI))
    beijing = tiles(open_page(plan=BEIJING))
    dashed = 'stroke-dasharray="3,2"'
    assert "<svg" in ouhai[f"{OUHAI}.per-capita-funding"]
    assert dashed not in ouhai[f"{OUHAI}.per-capita-funding"]
    assert dashed in ouhai[f"{OUHAI}.literacy"]
    assert dashed in beijing[f"{BEIJING}.demonstration-schools"]


@pytest.mark.parametrize("width", range(60, 400, 10))
def test_a_plan_name_never_breaks_a_line_inside_its_year_range(browser, width: int) -> None:
    """Beijing's plan name in a cell as narrow as the scorecard's can be: Chromium wraps it
    wherever it must, but '2021—2035年' stays on one line (without the joiners it broke
    inside the range at 17 of these 34 widths: at 150 px after the dash, at 160 px before
    年)."""
    from dashboards.formats import WORD_JOINER, unbroken_years

    name = "北京市全民科学素质行动规划纲要(2021—2035年)"
    joined = unbroken_years(name)
    page = browser.new_page()
    page.set_content(f'<div style="width:{width}px;font:14px sans-serif">{joined}</div>')
    lines = page.evaluate(
        """() => {
            const text = document.querySelector("div").firstChild;
            const start = text.data.indexOf("2021"), end = text.data.indexOf("年)") + 1;
            const tops = new Set();
            for (let i = start; i < end; i++) {
                const range = document.createRange();
                range.setStart(text, i); range.setEnd(text, i + 1);
                const rect = range.getBoundingClientRect();
                if (rect.width > 0) tops.add(Math.round(rect.top));
            }
            return tops.size;
        }"""
    )
    page.close()

    assert joined.replace(WORD_JOINER, "") == name
    assert joined.count(WORD_JOINER) == 3
    assert lines == 1
