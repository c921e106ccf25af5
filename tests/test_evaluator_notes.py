"""Evaluator notes (评估意见): the evaluator's own text for sections 4–6 of an assessment
report, loaded like any workbook, replaces the section drafted from the data; the other
sections stay drafted and say so."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import docx
import openpyxl
import pytest

from generator.registry import regions_workbook, registry_workbooks
from ingest.home import KepuHome
from ingest.load import load_files
from ingest.read import read_file
from ingest.specs import EVALUATOR_NOTES
from orchestration.assess import assess
from orchestration.cli import main

PLAN = "ouhai-2021-2025"
AS_OF = "2026-03-31"
# Two paragraphs of 主要成效 for Ouhai's final assessment, in both languages.
NOTES = [
    [PLAN, "总结评估", AS_OF, "主要成效", 1, "全区科普设施实现全覆盖。",
     "Science facilities now cover the whole district.", "张评估", "2026-04-20"],
    [PLAN, "总结评估", AS_OF, "主要成效", 2, "农村科普工作扎实推进。",
     "Rural science outreach advanced steadily.", "李评估", "2026-04-22"],
]  # fmt: skip


def notes_workbook(path: Path, rows: list[list[object]]) -> Path:
    """The blank template of `kepu template evaluator-notes`, filled in below its header."""
    assert main(["template", "evaluator-notes", "-o", str(path)]) == 0
    book = openpyxl.load_workbook(path)
    sheet = book[EVALUATOR_NOTES.sheet_names[1]]
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_a_note_without_text_is_refused_at_its_row_and_column(tmp_path: Path) -> None:
    """Row 3 has neither Chinese nor English text, row 4 names no section the report has:
    each is reported at its row and column, and no row of the file is taken."""
    bad = [
        NOTES[0],
        [PLAN, "总结评估", AS_OF, "存在问题", 1, None, None, "张评估", "2026-04-20"],
        [PLAN, "总结评估", AS_OF, "第七章", 1, "文字", None, "张评估", "2026-04-20"],
    ]
    result = read_file(notes_workbook(tmp_path / "notes_bad.xlsx", bad), loaded_on=date(2026, 5, 1))
    errors = result.errors[["sheet", "row", "column", "code"]].values.tolist()
    assert errors == [
        ["评估意见", 3, "意见内容 / text_zh", "required"],
        ["评估意见", 4, "报告章节 / section", "not_choice"],
    ]


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, docx.document.Document]:
    """A home holding the regions, the five registries and the notes, assessed as of
    Ouhai's final review in both languages."""
    folder = tmp_path_factory.mktemp("notes")
    home = KepuHome(folder / "kepu").ensure()
    files = [regions_workbook(folder / "in"), *registry_workbooks(folder / "in")]
    files.append(notes_workbook(folder / "in" / "notes.xlsx", NOTES))
    outcomes = load_files(files, home)
    assert [o.status for o in outcomes] == ["accepted"] * len(files)
    written = assess(
        home,
        plan_ids=[PLAN],
        as_of=date.fromisoformat(AS_OF),
        kind="final",
        langs=("zh", "en"),
        formats=("docx",),
        out_dir=folder / "out",
    )
    return {path.stem.rsplit("_", 1)[1]: docx.Document(str(path)) for path in written}


def section(document: docx.document.Document, heading: str, following: str) -> list[str]:
    """The non-empty paragraphs between two headings."""
    texts = [p.text for p in document.paragraphs]
    start = texts.index(heading) + 1
    return [t for t in texts[start : texts.index(following, start)] if t]


def test_section_four_is_the_evaluators_text_and_says_whose(reports: dict) -> None:
    assert section(reports["zh"], "四、主要成效", "五、存在问题") == [
        "1. 全区科普设施实现全覆盖。",
        "2. 农村科普工作扎实推进。",
        "（本节为评估人意见：张评估；李评估，2026-04-22。）",
    ]
    assert section(reports["en"], "4. Main achievements", "5. Problems") == [
        "1. Science facilities now cover the whole district.",
        "2. Rural science outreach advanced steadily.",
        "(The evaluator's text: 张评估; 李评估, 2026-04-22.)",
    ]


def test_sections_without_notes_stay_drafted_and_say_so(reports: dict) -> None:
    problems = section(reports["zh"], "五、存在问题", "六、下一步工作建议")
    assert problems[-1] == "（本节由数据自动起草，待评估人审定。）"
    assert len(problems) > 1
    suggestions = section(reports["en"], "6. Suggestions for the next stage", "Annexes")
    assert suggestions[-1] == "(Drafted from the data; for the evaluator to review.)"
