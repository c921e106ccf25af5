"""`kepu assess` for the five seed plans at their review points: Word and Excel reports in
both languages that read back with the statuses of fct_target_progress as of that date."""

from __future__ import annotations

import contextlib
import io
from datetime import date
from pathlib import Path

import docx
import duckdb
import openpyxl
import pytest

import vocabulary
from ingest.home import KepuHome
from orchestration.cli import main
from orchestration.report import render_assessment
from orchestration.report.wording import measure_number

REVIEWS = [
    ("2021-03-31", "final", "shenzhen-2017-2020,zengcheng-2016-2020"),
    ("2026-03-31", "final", "ouhai-2021-2025,beijing-2021-2035,xx-city-2022"),
]
# What `kepu assess` printed for each review: the first is asked for `--plan all`.
PRINTED: dict[str, str] = {}


@pytest.fixture(scope="module")
def reports(demo_home: KepuHome, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reports")
    for number, (as_of, kind, plans) in enumerate(REVIEWS):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            assert main(["assess", "--plan", "all" if number == 0 else plans, "--as-of", as_of,
                         "--kind", kind, "--lang", "zh,en", "--format", "docx,xlsx",
                         "-o", str(out)]) == 0  # fmt: skip
        PRINTED[as_of] = printed.getvalue()
    return out


def test_all_plans_in_2021_are_the_two_that_existed_then(reports: Path) -> None:
    """In March 2021 the registry held only the Shenzhen and Zengcheng plans (the demo's
    registries of the Ouhai, Beijing and XX city plans were received later): `--plan all`
    writes those two plans' reports and names the three it skipped."""
    skipped = [line for line in PRINTED["2021-03-31"].splitlines() if line.startswith("跳过")]
    assert skipped == [
        f"跳过 {plan}：截至 2021-03-31 尚未登记或规划期尚未开始"
        for plan in ("beijing-2021-2035", "ouhai-2021-2025", "xx-city-2022")
    ]
    written = sorted({p.name.split("_")[0] for p in reports.glob("*_2021-03-31_*")})
    assert written == REVIEWS[0][2].split(",")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--plan", "nosuch-2030", "--as-of", "2026-03-31"],
         "截至 2026-03-31 没有规划 nosuch-2030（尚未登记或规划期尚未开始）；可评估的规划："
         "beijing-2021-2035；ouhai-2021-2025；shenzhen-2017-2020；xx-city-2022；"
         "zengcheng-2016-2020"),
        (["--plan", "all", "--as-of", "2026-13-01"],
         "评估截止日期应为 YYYY-MM-DD 格式的日期，而不是“2026-13-01”"),
        (["--plan", "all", "--as-of", "2026-03-31", "--format", "pdf"],
         "报告格式应为 docx,xlsx 中的一个或多个（逗号分隔），而不是“pdf”"),
        (["--plan", "all", "--as-of", "2026-03-31", "--lang", "fr"],
         "报告语言应为 zh、en 或 zh,en，而不是“fr”"),
    ],
)  # fmt: skip
def test_a_request_that_cannot_be_carried_out_is_refused_in_words(
    demo_home: KepuHome, capsys: pytest.CaptureFixture, arguments: list[str], message: str
) -> None:
    assert main(["assess", *arguments, "--kind", "final"]) == 2
    assert capsys.readouterr().err.strip() == message


def statuses(home: KepuHome, as_of: str, plan_id: str) -> list[str]:
    database = home.assessment(date.fromisoformat(as_of), latest_data=False)
    with duckdb.connect(str(database / "warehouse.duckdb"), read_only=True) as con:
        return [
            status
            for (status,) in con.execute(
                "select p.progress_status from marts.fct_target_progress as p "
                "left join marts.fct_plan_target as t on p.target_id = t.target_id "
                "where p.plan_id = ? and p.target_kind <> 'qualitative' "
                "order by t.source_row, p.target_id",  # the registry's order, as the report
                [plan_id],
            ).fetchall()
        ]


@pytest.mark.parametrize(
    ("as_of", "plan_id"),
    [(as_of, plan) for as_of, _, plans in REVIEWS for plan in plans.split(",")],
)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_plan_s_report_reads_back_with_its_statuses(
    demo_home: KepuHome, reports: Path, as_of: str, plan_id: str, lang: str
) -> None:
    kind = "final"
    stem = reports / f"{plan_id}_{kind}_{as_of}_{lang}"
    words = [vocabulary.code_text("progress_status", s, lang)
             for s in statuses(demo_home, as_of, plan_id)]  # fmt: skip
    workbook = openpyxl.load_workbook(f"{stem}.xlsx")
    document = docx.Document(f"{stem}.docx")
    if not words:  # the XX city plan: measures, no numeric targets
        assert plan_id == "xx-city-2022"
        measures = workbook["措施" if lang == "zh" else "Measures"]
        assert measures.max_row - 1 == 99  # every measure × responsible unit pair
        return
    summary = workbook["摘要" if lang == "zh" else "Summary"]
    header_row = next(i for i, row in enumerate(summary.iter_rows(values_only=True), 1)
                      if row[0] in ("指标", "Indicator"))  # fmt: skip
    status_column = [c for c in next(summary.iter_rows(min_row=header_row, max_row=header_row,
                                                       values_only=True))].index(
        "状态" if lang == "zh" else "Status")  # fmt: skip
    rows = list(summary.iter_rows(min_row=header_row + 1, values_only=True))
    assert [r[status_column] for r in rows if r[0]] == words
    table = document.tables[0]
    assert [row.cells[-1].text for row in table.rows[1:]] == words


def test_the_earlier_review_knows_only_the_data_received_by_then(demo_home: KepuHome) -> None:
    database = demo_home.assessment(date(2021, 3, 31), latest_data=False)
    with duckdb.connect(str(database / "warehouse.duckdb"), read_only=True) as con:
        latest = con.execute(
            "select max(year) from marts.fct_indicator_value where indicator_code = "
            "'literacy_ratio' and region_code = '110000'"
        ).fetchone()[0]
        received = con.execute("select max(received_on) from marts.fct_load_audit").fetchone()[0]
    assert latest == 2020  # the 2021 wave arrived in February 2022
    assert received <= date(2021, 3, 31)


def test_a_monitoring_assessment_reports_on_the_plan_s_monitoring_years(
    demo_home: KepuHome, tmp_path: Path
) -> None:
    assert main(["assess", "--plan", "xx-city-2022", "--as-of", "2024-03-31",
                 "--kind", "monitoring", "--lang", "zh,en", "-o", str(tmp_path)]) == 0  # fmt: skip
    stem = tmp_path / "xx-city-2022_monitoring_2024-03-31"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"{stem.name}_{lang}.{fmt}" for lang in ("en", "zh") for fmt in ("docx", "xlsx")
    ]
    zh = [p.text for p in docx.Document(f"{stem}_zh.docx").paragraphs]
    assert "报告类型：年度监测" in zh
    # the registry names no review point for XX city (dim_plan_review has none)
    assert "评估节点：规划未规定评估节点，逐年监测" in zh
    en = [p.text for p in docx.Document(f"{stem}_en.docx").paragraphs]
    assert "Report: Annual monitoring" in en
    measures = openpyxl.load_workbook(f"{stem}_zh.xlsx")["措施"]
    assert measures.max_row - 1 == 99  # every measure × responsible unit pair


def test_the_methods_annex_follows_the_rule_marts_the_models_read(
    demo_home: KepuHome, reports: Path, tmp_path: Path
) -> None:
    """The marts of the 2026 assessment copied into memory with every presentation
    threshold doubled and the on-track band moved: the annex states the edited rows."""
    database = demo_home.assessment(date(2026, 3, 31), latest_data=False)
    con = duckdb.connect()
    con.execute(f"attach '{database / 'warehouse.duckdb'}' as warehouse (read_only)")
    tables = con.execute(
        "select table_name from duckdb_tables() "
        "where database_name = 'warehouse' and schema_name = 'marts'"
    ).fetchall()
    for (table,) in tables:
        con.execute(f"create table memory.main.{table} as select * from warehouse.marts.{table}")
    con.execute("detach warehouse")
    con.execute("update dim_presentation_rule set threshold = threshold * 2")
    con.execute("update dim_progress_band set min_ratio = 0.9 where progress_status = 'on_track'")
    rules = con.execute(
        "select rule_order, measure, comparator, threshold, min_ci_width, quality_flag "
        "from dim_presentation_rule order by rule_order"
    ).fetchall()
    (path,) = render_assessment(
        con, plan_id="ouhai-2021-2025", as_of=date(2026, 3, 31), kind="final", lang="zh",
        out_dir=tmp_path, formats=("docx",), vintage_note="",
    )  # fmt: skip
    paragraphs = [p.text for p in docx.Document(str(path)).paragraphs]
    for order, measure, comparator, threshold, min_width, flag in rules:
        words = [vocabulary.code_text(ns, code, "zh") for ns, code in
                 (("quality_measure", measure), ("comparator", comparator))]  # fmt: skip
        condition = f"{order}. {words[0]} {words[1]} {measure_number(threshold)}"
        if min_width is not None:
            condition += vocabulary.text(
                "annex.nchs_min_ci_width", "zh", width=measure_number(min_width)
            )
        assert f"{condition} → {vocabulary.code_text('quality_flag', flag, 'zh')}" in paragraphs
    assert any("R ≥ 0.90：进展顺利；0.60 ≤ R < 0.90：需加快进度" in p for p in paragraphs)
