"""Assessment reports of one plan as of a date (monitoring, mid-term or final): Word and Excel.

Everything comes from the marts (`data`, the only module that runs SQL): statuses and
their components from fct_target_progress, whose dbt model holds the rules (the report
only writes them out so an evaluator can recompute each status by hand), the values each
status may use from fct_target_observation, gaps, measures and sources from their marts,
the methods annex from the rule marts (dim_progress_band, dim_progress_setting,
dim_presentation_rule). Every word comes from the vocabulary package (`wording`); names
of plans, regions and indicators from the marts' `*_zh` / `*_en` columns.

The same inputs give the same bytes: rows are sorted explicitly, document dates come from
`as_of`, zip members carry a fixed timestamp, and PNGs carry no software tag.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import duckdb

import vocabulary
from orchestration.report.data import read_report_data
from orchestration.report.docx_writer import write_docx
from orchestration.report.wording import Context
from orchestration.report.xlsx_writer import write_xlsx

FORMATS = ("docx", "xlsx")
WRITERS = {"docx": write_docx, "xlsx": write_xlsx}


def render_assessment(
    con: duckdb.DuckDBPyConnection,
    *,
    plan_id: str,
    as_of: date,
    kind: str,
    lang: str,
    out_dir: Path,
    formats: Sequence[str] = ("docx", "xlsx"),
    vintage_note: str,
) -> list[Path]:
    """Write the assessment report of `plan_id` as of `as_of`; return the files written.

    `con` reads the marts (published snapshot, or the warehouse with `marts` as its
    schema); `fct_target_progress` must have been built for `as_of`. `kind` is an
    assessment_kind code, `lang` one of the vocabulary's languages.
    """
    kinds = vocabulary.codes("assessment_kind")
    for name, value, allowed in (("kind", kind, kinds), ("lang", lang, vocabulary.LANGUAGES)):
        if value not in allowed:
            raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"formats must be among {', '.join(FORMATS)}, not {unknown}")
    context = Context(read_report_data(con, plan_id, as_of), lang, kind, as_of, vintage_note)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{plan_id}_{kind}_{as_of.isoformat()}_{lang}"
    paths = []
    for fmt in formats:
        path = out_dir / f"{stem}.{fmt}"
        WRITERS[fmt](context, path)
        paths.append(path)
    return paths
