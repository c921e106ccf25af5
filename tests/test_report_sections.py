"""Assessment reports read back: the annexes (methods, data sources) and sections 4–6
drafted from the marts; the marts are built by hand in `tests.report_marts`."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.report import render_assessment
from tests.report_marts import (
    DRAFTED_ZH,
    SOURCES_HEADER,
    annex,
    build_database,
    components,
    render,
    section,
    tables,
)
from tests.report_rows import (
    AS_OF,
    EVENTS,
    EVENTS_PROGRESS,
    MEASURES_PLAN,
    PLAN,
    VINTAGE,
    observation,
    value,
)

pytest_plugins = ["tests.report_fixtures"]


def test_data_sources_list_only_the_loads_this_plan_rests_on(
    zh: dict[str, Path], measures_zh: dict[str, Path]
):
    """The registry (load 1), the survey behind the literacy values (2), the activities
    behind the events (4); not the rejected file (3), not the other region's survey (5),
    not the task reports of the other plan (6)."""
    (rows,) = tables(zh["docx"], SOURCES_HEADER)
    assert rows == [
        ["1", "registry.xlsx", "a8f6edfef111", "plans（规划）", "2"],
        ["2", "survey_2020.xlsx", "07f41d43b397", "survey_respondents（受访者）", "1,180"],
        ["2", "survey_2020.xlsx", "07f41d43b397", "survey_waves（调查批次）", "1"],
        ["4", "activities_2020.xlsx", "444444444444", "activities（科普活动）", "1,350"],
    ]
    (rows,) = tables(measures_zh["docx"], SOURCES_HEADER)
    assert [row[1] for row in rows] == ["registry.xlsx", "task_reports_2023.xlsx"]


def test_methods_annex_states_bands_settings_and_each_presentation_rule(
    zh: dict[str, Path], en: dict[str, Path]
):
    paragraphs = annex(zh["docx"])
    text = "\n".join(paragraphs)
    assert (
        "R ≥ 0.95：进展顺利；0.60 ≤ R < 0.95：需加快进度；0 ≤ R < 0.60：进展有限；R < 0：偏离目标"
        in text
    )
    assert "已满足目标为“已达成”" in text
    assert "数值为0时以 1e-6 代替" in text
    assert "|y − 目标| ≤ 容差，未登记容差时容差取 0" in text
    assert "n_eff = p(1 − p)/SE²" in text
    start = paragraphs.index(next(p for p in paragraphs if "NCHS" in p)) + 1
    end = paragraphs.index("不宜发布的数值在本报告中一律显示为“—”并注明原因。") + 1
    assert paragraphs[start:end] == [
        "1. 样本量 < 1 → 不宜发布",
        "2. 方差可估计（1/0） < 1 → 不宜发布",
        "3. 有效样本量 < 30 → 不宜发布",
        "4. Korn–Graubard 置信区间宽度 ≥ 0.3 → 不宜发布",
        "5. 置信区间宽度 / 估计值 > 1.3（仅当 Korn–Graubard 置信区间宽度 > 0.05） → 不宜发布",
        "6. 自由度 < 8 → 待复核",
        "7. 置信区间宽度 / （1 − 估计值） > 1.3（仅当 Korn–Graubard 置信区间宽度 > 0.05） → 需注意",
        "以上规则均不成立 → 正常",
        "不宜发布的数值在本报告中一律显示为“—”并注明原因。",
    ]
    english = annex(en["docx"])
    assert "3. effective sample size < 30 → suppressed" in english
    assert (
        "5. CI width / estimate > 1.3 (only when the Korn–Graubard CI width exceeds 0.05)"
        " → suppressed"
    ) in english
    # the measures' overdue share only where the plan has measures
    assert not any("措施按各" in p for p in paragraphs)


def test_methods_annex_follows_the_rule_marts(database: Path, tmp_path: Path):
    """The same marts with a presentation rule, a band and the settings edited: the annex
    and the components say what the edited rows say."""
    con = duckdb.connect()
    con.execute(f"attach '{database}' as marts (read_only)")
    tables = con.execute(
        "select table_name from duckdb_tables() where database_name = 'marts'"
    ).fetchall()
    for (table,) in tables:
        con.execute(f"create table memory.{table} as select * from marts.{table}")
    con.execute("detach marts")
    con.execute(
        "update dim_presentation_rule set threshold = 50 where quality_reason = 'ess_below_30'"
    )
    con.execute("update dim_presentation_rule set min_ci_width = null where rule_order = 5")
    con.execute("update dim_progress_band set min_ratio = 0.9 where progress_status = 'on_track'")
    con.execute("update dim_progress_setting set value = 0.000000001 where setting = 'epsilon'")
    con.execute(
        "update dim_progress_setting set value = 0.5 where setting = 'approx_default_tolerance'"
    )
    con.execute(
        "update dim_progress_setting set value = 0.4 "
        "where setting = 'measure_accelerate_max_overdue_share'"
    )
    paths = {}
    for plan_id in (PLAN, MEASURES_PLAN):
        (docx_path,) = render_assessment(
            con, plan_id=plan_id, as_of=AS_OF, kind="midterm", lang="zh",
            out_dir=tmp_path / plan_id, formats=("docx",), vintage_note=VINTAGE,
        )  # fmt: skip
        paths[plan_id] = docx_path
    text = "\n".join(annex(paths[PLAN]))
    assert "3. 有效样本量 < 50 → 不宜发布" in text
    assert "5. 置信区间宽度 / 估计值 > 1.3 → 不宜发布" in text
    assert "R ≥ 0.90：进展顺利；0.60 ≤ R < 0.90：需加快进度" in text
    assert "数值为0时以 1e-9 代替" in text
    assert "未登记容差时容差取 0.5" in text
    assert components(paths[PLAN])[1]["判定结果"] == "0.60 ≤ R = 0.751 < 0.90 → 需加快进度"
    measures = "\n".join(annex(paths[MEASURES_PLAN]))
    assert "逾期占比低于 40% 为“需加快进度”，否则为“进展有限”" in measures


def test_achievements_problems_and_suggestions_are_drafted_from_the_marts(zh: dict[str, Path]):
    """Events achieved; literacy 10 → 13 (+30.0%) but must accelerate; the 2020 wave's
    urban − rural (6.20 [3.00, 9.40]) and men − women (3.10 [1.20, 5.00]) gaps lie above 0;
    甲街道's upper bound 11.0% is below the district's 13.0%, 乙镇's 16.0% is not."""
    assert section(zh["docx"], "四、主要成效") == [
        "1. 1 项量化目标已达成：科普活动场次（310场次，目标 ≥300场次）。",
        "2. 公民具备科学素质的比例由2015年的 10.00% 提高到2020年的 13.00%（+30.0%）。",
        DRAFTED_ZH,
    ]
    assert section(zh["docx"], "五、存在问题") == [
        "1. 公民具备科学素质的比例需加快进度：0.60 ≤ R = 0.751 < 0.95。",
        "2. 2020年调查中，城镇 − 农村的科学素质比例差距为 6.20个百分点"
        "（95%置信区间 [3.00, 9.40]），差距在统计上显著。",
        "3. 2020年调查中，男性 − 女性的科学素质比例差距为 3.10个百分点"
        "（95%置信区间 [1.20, 5.00]），差距在统计上显著。",
        "4. 2020年调查中，以下地区的科学素质比例低于本地区整体水平（13.00%）：甲街道 8.00%。",
        DRAFTED_ZH,
    ]
    suggestions = section(zh["docx"], "六、下一步工作建议")
    assert suggestions[0].startswith("1. 公民具备科学素质的比例需加快进度，建议按剩余年限分解任务")
    assert suggestions[2] == "3. 建议加强对甲街道的科普资源投入和工作指导。"
    assert [p for p in suggestions if p][-1] == DRAFTED_ZH


def test_a_final_verdict_states_value_target_gap_and_share(tmp_path: Path):
    """Past its due year 2020 the running total 280 misses ≥300: short by 20, 280/300 =
    93.3% achieved; the annex writes the same numbers as the components, without bands."""
    final = {
        **EVENTS_PROGRESS,
        "verdict_stage": "final",
        "verdict_rule": "final_comparison",
        "target_year": 2020,
        "period_end": 2020,
        "latest_value": 280.0,
        "elapsed_share": 1.0,
        "expected_to_date": 300.0,
        "progress_ratio": 280 / 300,
        "is_met": False,
        "final_year": 2020,
        "final_value": 280.0,
        "gap_to_target": 20.0,
        "share_achieved": 280 / 300,
        "progress_status": "not_achieved",
        "status_reason": "shortfall",
    }
    totals = [(2016, 50), (2017, 120), (2018, 180), (2019, 230), (2020, 280)]
    values = [value("science_events", y, t, group="cumulative") for y, t in totals]
    observations = [observation(EVENTS, row, met=False, latest=row[2] == 2020) for row in values]
    database = build_database(
        tmp_path / "final.duckdb", progress=(final,), values=values, observations=observations
    )
    zh = render(database, tmp_path / "zh", kind="final")
    body = section(zh["docx"], "二、目标完成情况")
    assert body[1:5] == [
        "评估结论：未达成",
        "最新值：280场次（2020年）",
        "2020年数值 280场次，目标 ≥300场次，差额 20场次，完成目标的 93.3%。",
        "判定依据：目标期已过，最终值未达到目标：差 20场次。",
    ]
    (events,) = components(zh["docx"])
    assert events["与目标差额"] == "300 − 280 = 20"
    assert events["完成比例"] == "280 / 300 = 93.3%"
    assert events["判定结果"] == "目标期已过，最终值未达到目标：差 20场次 → 未达成"
    assert "判定阈值" not in events
    problems = section(zh["docx"], "五、存在问题")
    assert (
        problems[0]
        == "1. 科普活动场次未达成：2020年 280场次，目标 ≥300场次，差 20场次（完成 93.3%）。"
    )
