"""The Ouhai final assessment as of 2026-03-31, from the demo warehouse: what an evaluator
hands in. Expected numbers are stated by hand from the demo workbooks and checked against
the marts by separate queries, never taken from the report code."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from docx import Document

from ingest.home import KepuHome
from orchestration.assess import build_assessment_warehouse
from orchestration.report import render_assessment
from orchestration.report.charts import chart_figure
from orchestration.report.data import read_report_data
from orchestration.report.wording import Context

PLAN = "ouhai-2021-2025"
AS_OF = date(2026, 3, 31)
OTHER_PLANS = ("beijing", "shenzhen", "zengcheng", "xx-city", "xx_city")


@pytest.fixture(scope="module")
def warehouse(demo_home: KepuHome) -> Path:
    """The assessment warehouse as of 2026-03-31 (data received by then)."""
    database = demo_home.assessment(AS_OF, latest_data=False) / "warehouse.duckdb"
    if not database.exists():
        build_assessment_warehouse(demo_home, AS_OF, latest_data=False)
    return database


@pytest.fixture(scope="module")
def marts(warehouse: Path):
    con = duckdb.connect(str(warehouse), read_only=True)
    con.execute("set schema 'marts'")
    yield con
    con.close()


@pytest.fixture(scope="module")
def reports(marts, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Document]:
    out = tmp_path_factory.mktemp("ouhai")
    found = {}
    for lang in ("zh", "en"):
        (path,) = render_assessment(
            marts, plan_id=PLAN, as_of=AS_OF, kind="final", lang=lang, out_dir=out,
            formats=("docx",), vintage_note="loads received by 2026-03-31",
        )  # fmt: skip
        found[lang] = Document(str(path))
    return found


def paragraphs(document: Document) -> list[str]:
    return [p.text for p in document.paragraphs]


def section(document: Document, heading: str) -> list[str]:
    """The paragraphs after the level-1 heading `heading`, up to the next level-1 heading."""
    texts, inside = [], False
    for paragraph in document.paragraphs:
        if paragraph.style.name == "Heading 1":
            inside = paragraph.text == heading
            continue
        if inside:
            texts.append(paragraph.text)
    return texts


def test_farmer_college_trainees_are_not_achieved_6400_of_6500(marts, reports) -> None:
    """The running total of 农函大 trainees 2021–2025 is 1,200 + … = 6,400 against ≥6,500:
    short by 100, 6,400 / 6,500 = 98.5% achieved."""
    (total,) = marts.execute(
        "select value from fct_target_observation where target_id = ? and as_of_date = ? "
        "and year = 2025 and series = 'cumulative'",
        [f"{PLAN}.farmer-college-trainees", AS_OF],
    ).fetchone()
    assert total == 6400
    body = section(reports["zh"], "二、目标完成情况")
    at = body.index("6. 农函大培训学员数（≥6,500名）")
    assert body[at + 1] == "评估结论：未达成"
    assert (
        "2025年数值 6,400名，目标 ≥6,500名，差额 100名，完成目标的 98.5%。" in body[at + 2 : at + 6]
    )
    english = section(reports["en"], "2. Achievement of the targets")
    at = next(i for i, p in enumerate(english) if p.startswith("6. Farmers' correspondence"))
    assert english[at + 1] == "Verdict: Not achieved"


def test_the_literacy_shortfall_reads_in_percentage_points_alike_in_every_line(
    marts, reports
) -> None:
    """Literacy is a share: 18% less the 2025 estimate, 17.5999%, is 0.40 percentage
    points, and the final line, the status reason and the problems list say so in the
    same words (they once read '差额 0.40' and '差 0.4', with no unit)."""
    (final, goal) = marts.execute(
        "select final_value, target_value from fct_target_progress "
        "where target_id = ? and as_of_date = ?",
        [f"{PLAN}.literacy", AS_OF],
    ).fetchone()
    gap = f"{goal - final:.2f}"
    assert gap == "0.40"
    zh = "\n".join(paragraphs(reports["zh"]))
    assert f"2025年数值 {final:.2f}%，目标 ≥18%，差额 {gap}个百分点，" in zh
    assert f"判定依据：目标期已过，最终值未达到目标：差 {gap}个百分点。" in zh
    assert f"差 {gap}个百分点（完成 {final / goal:.1%}）。" in zh
    assert "差 0.4。" not in zh and f"差额 {gap}，" not in zh
    en = "\n".join(paragraphs(reports["en"]))
    assert f"falls short of the target by {gap} percentage points" in en


def test_overview_counts_equal_fct_plan_status_count(marts, reports) -> None:
    """11 targets (3 achieved, 7 not, the per-capita funding waiting for its 2025 value),
    7 tasks (t01 never reported), 4 safeguards (s04 overdue; s01 has two units)."""
    stored = marts.execute(
        "select goal_group, progress_status, goal_count, unit_pairs, completed_pairs "
        "from fct_plan_status_count where plan_id = ? and as_of_date = ?",
        [PLAN, AS_OF],
    ).fetchall()
    assert sorted(stored) == sorted([
        ("target", "achieved", 3, None, None),
        ("target", "not_achieved", 7, None, None),
        ("target", "insufficient_data", 1, None, None),
        ("task", "achieved", 6, 6, 6),
        ("task", "not_achieved", 1, 1, 0),
        ("safeguard", "achieved", 3, 4, 4),
        ("safeguard", "not_achieved", 1, 1, 0),
    ])  # fmt: skip
    assert section(reports["zh"], "一、总体情况")[0] == (
        "截至 2026-03-31，本规划共有量化目标 11 项（已达成 3 项，未达成 7 项，数据不足 1 项）；"
        "任务 7 项（已达成 6 项，未达成 1 项；责任单位报告完成 6/7）；"
        "保障措施 4 项（已达成 3 项，未达成 1 项；责任单位报告完成 4/5）。"
    )
    verdicts = [row.cells[-1].text for row in reports["zh"].tables[0].rows[1:]]
    assert (verdicts.count("已达成"), verdicts.count("未达成")) == (3, 7)
    assert verdicts.count("数据不足") == 1


def test_each_task_is_listed_with_its_lead_department(marts, reports) -> None:
    tasks = marts.execute(
        "select title_zh, lead_units from fct_plan_measure where plan_id = ? order by measure_no",
        [PLAN],
    ).fetchall()
    assert len(tasks) == 11
    numerals = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一"]
    body = section(reports["zh"], "三、重点任务落实情况")
    headings = [p for p in body if p.startswith("（")]
    assert headings == [f"（{n}）{title}" for n, (title, _) in zip(numerals, tasks, strict=True)]
    for heading, (_, lead) in zip(headings, tasks, strict=True):
        at = body.index(heading)
        assert any(p.startswith(f"牵头单位：{lead}") for p in body[at + 1 : at + 4]), heading
    first = body.index("（一）实施科学素质大提升工程")
    assert body[first + 1].startswith("评估结论：未达成。")
    assert body[first + 2] == "责任单位 1 个：已完成 0 个，逾期 0 个，未报告 1 个。"
    english = section(reports["en"], "3. Implementation of the key tasks")
    at = english.index("(1) Scientific literacy upgrade project")
    assert english[at + 2] == "Responsible units: 1 (0 completed, 0 overdue, 1 never reported)."


def test_problems_name_the_unit_that_never_reported_and_the_biggest_shortfall(reports) -> None:
    problems = section(reports["zh"], "五、存在问题")
    # the smallest share achieved first: 25,500 / 30,000 = 85.0%
    assert problems[0] == (
        "1. 老年人智能技术应用科普培训人次未达成：2025年 25,500人次，目标 ≥30,000人次，"
        "差 4,500人次（完成 85.0%）。"
    )
    assert "区科协从未报送 1 项任务的进展，按未完成计：实施科学素质大提升工程。" in "".join(
        problems
    )


def test_the_annex_lists_only_this_plan_s_loads(marts, reports) -> None:
    header = ["批次号", "文件", "SHA-256（前12位）", "数据表", "入库记录数"]
    (table,) = [t for t in reports["zh"].tables if [c.text for c in t.rows[0].cells] == header]
    files = {row.cells[1].text for row in table.rows[1:]}
    accepted = {
        name
        for (name,) in marts.execute(
            "select distinct file_name from fct_load_audit where load_status = 'accepted'"
        ).fetchall()
    }
    assert files < accepted
    assert not [f for f in files if any(other in f for other in OTHER_PLANS)]
    ouhai = {f"registry_{PLAN}.xlsx"}
    ouhai |= {f"survey_ouhai-{year}.xlsx" for year in range(2021, 2026)}
    ouhai |= {f"activities_ouhai_{year}.xlsx" for year in range(2021, 2026)}
    ouhai |= {f"task_reports_{PLAN}_{year}.xlsx" for year in range(2021, 2026)}
    assert ouhai <= files


def test_the_report_has_no_none_or_unregistered_filler(reports) -> None:
    for document in reports.values():
        cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
        texts = paragraphs(document) + cells
        assert not [t for t in texts if "None" in t or t.endswith(("：未登记", ": not registered"))]


def test_the_two_gap_targets_are_named_by_their_pairs(marts, reports) -> None:
    """性别差距、职业差距进一步缩小: one indicator, two targets; the registry's 计量规则 fixes
    the pairs (男性 − 女性; 专业技术人员 − 商业及服务业人员), and each heading names its own."""
    pairs = marts.execute(
        "select target_id, gap_group_a, gap_group_b from fct_plan_target "
        "where plan_id = ? and target_kind = 'gap' order by target_id",
        [PLAN],
    ).fetchall()
    assert pairs == [
        (f"{PLAN}.gender-gap", "male", "female"),
        (f"{PLAN}.occupation-gap", "专业技术人员", "商业及服务业人员"),
    ]
    zh = section(reports["zh"], "二、目标完成情况")
    assert "10. 公民具备科学素质比例的群体差距（男性 − 女性）（差距缩小）" in zh
    assert "11. 公民具备科学素质比例的群体差距（专业技术人员 − 商业及服务业人员）（差距缩小）" in zh
    english = reports["en"].paragraphs
    en = [p.text for p in english if p.style.name == "Heading 2" and p.text[:4] in ("10. ", "11. ")]
    assert [p.split(" (")[1] for p in en] == [
        "men − women)",
        "professional and technical staff − commerce and service workers)",
    ]


def test_the_english_report_names_departments_in_english(reports) -> None:
    """The registry gives 区科协 the English name Ouhai District Association for Science and
    Technology (registry/departments.csv): the English tasks section and section 5 use it,
    and no task's lead line keeps a Chinese name."""
    body = section(reports["en"], "3. Implementation of the key tasks")
    leads = [p for p in body if p.startswith("Lead unit: ")]
    assert len(leads) == 11
    assert not [p for p in leads if any("\u4e00" <= ch <= "\u9fff" for ch in p)]
    association = "Ouhai District Association for Science and Technology"
    assert any(association in p for p in leads)
    (silent,) = [p for p in section(reports["en"], "5. Problems") if "never reported" in p]
    assert association in silent
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in silent.split(" never reported")[0])


def test_only_a_target_on_the_values_scale_is_drawn_on_their_chart(marts):
    """Per-capita funding must grow every year (>0% a year): a rate, not a level of its
    元/人 values, so its chart draws no target line (it used to draw one at 0 元/人). The
    literacy target ≥18% is a level of its values: one dashed line at 18 over the chart."""
    assert marts.execute(
        "select target_id, is_target_on_value_scale from fct_plan_target "
        "where target_id in (?, ?) order by 1",
        [f"{PLAN}.literacy", f"{PLAN}.per-capita-funding"],
    ).fetchall() == [(f"{PLAN}.literacy", True), (f"{PLAN}.per-capita-funding", False)]
    ctx = Context(read_report_data(marts, PLAN, AS_OF), "zh", "final", AS_OF, "")
    targets = {target.target_id: target for target in ctx.data.targets}
    drawn = {}
    for name in ("literacy", "per-capita-funding"):
        target = targets[f"{PLAN}.{name}"]
        (axes,) = chart_figure(ctx, target, ctx.observations(target)).axes
        drawn[name] = [
            tuple(line.get_ydata()) for line in axes.get_lines() if line.get_linestyle() == "--"
        ]
    assert drawn == {"literacy": [(18.0, 18.0)], "per-capita-funding": []}


def test_a_long_english_chart_title_is_drawn_whole_inside_the_chart(marts) -> None:
    """The occupation gap's English name is wider than its chart: its title is drawn on
    two lines, inside the figure (it was one line cut off at both edges)."""
    ctx = Context(read_report_data(marts, PLAN, AS_OF), "en", "final", AS_OF, "")
    (target,) = [t for t in ctx.data.targets if t.target_id == f"{PLAN}.occupation-gap"]
    figure = chart_figure(ctx, target, ctx.observations(target))
    figure.canvas.draw()
    (axes,) = figure.axes
    title = axes.title
    assert title.get_text() == ctx.goal_name(target)
    assert len(title.get_text()) > 80
    drawn = title._get_wrapped_text()  # what matplotlib drew: the text with its breaks
    assert drawn.count("\n") == 1
    assert drawn.replace("\n", " ") == title.get_text()
    with title._cm_set(text=drawn):
        box = title.get_window_extent(figure.canvas.get_renderer())
    assert 0 <= box.x0 < box.x1 <= figure.bbox.width
