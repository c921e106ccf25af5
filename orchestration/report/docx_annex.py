"""The annexes of the Word report: 1 methods (the rule marts, the verdict rules), 2 each
target's values by year and the components its verdict can be recomputed from, 3 the
loads this plan's report rests on.
"""

from __future__ import annotations

from typing import Any

from orchestration.report.components import components
from orchestration.report.docx_layout import add_table, below_table, bold_paragraph
from orchestration.report.records import Observation, Target
from orchestration.report.wording import (
    DASH,
    Context,
    annex_paragraphs,
    ci_text,
    flag_text,
    or_dash,
    value_cell_text,
    verdict_rule_paragraphs,
)

WIDTHS = {
    "values": (1.6, 3.0, 3.4, 1.8, 6.8),
    "components": (2.4, 5.4, 8.8),
    "sources": (1.4, 5.4, 2.8, 5.0, 2.0),
}


def write_annex(ctx: Context, document: Any) -> None:
    document.add_heading(ctx.t("section.annex"), 1)
    document.add_heading(ctx.t("section.annex_methods"), 2)
    for text in annex_paragraphs(ctx) + verdict_rule_paragraphs(ctx):
        document.add_paragraph(text)
    if ctx.data.targets:
        document.add_heading(ctx.t("section.annex_components"), 2)
        for number, target in enumerate(ctx.data.targets, start=1):
            _target(ctx, document, number, target)
    document.add_heading(ctx.t("section.annex_sources"), 2)
    _sources(ctx, document)


def _target(ctx: Context, document: Any, number: int, target: Target) -> None:
    label = ctx.paren(ctx.target_label(target))
    title = f"{number}. {ctx.goal_name(target)}{label}"
    bold_paragraph(document, title)
    rows = ctx.observations(target)
    if rows:
        unit = getattr(rows[0], f"unit_{ctx.lang}") or rows[0].unit_zh
        header = [
            ctx.t("col.year"),
            ctx.t("col.value_unit", unit=unit),
            ctx.t("col.ci"),
            ctx.t("col.n"),
            ctx.t("col.flag"),
        ]
        table_rows = [_value_row(ctx, target, r) for r in rows]
        add_table(document, header, table_rows, WIDTHS["values"])
        below_table(document.add_paragraph())
    add_table(
        document,
        [ctx.t("col.symbol"), ctx.t("col.meaning"), ctx.t("col.value")],
        [list(row) for row in components(ctx, target)],
        WIDTHS["components"],
    )
    below_table(document.add_paragraph())


def _value_row(ctx: Context, target: Target, row: Observation) -> list[str]:
    withheld = row.quality_flag == "suppress"
    ci = DASH if withheld else ci_text(row.ci_lower, row.ci_upper, target.indicator_family)
    return [
        str(row.year),
        value_cell_text(ctx, target, row),
        ci,
        or_dash(row.sample_size),
        flag_text(ctx, row.quality_flag, row.quality_reason),
    ]


def _sources(ctx: Context, document: Any) -> None:
    document.add_paragraph(ctx.t("sources.intro"))
    header = ["col.load_id", "col.file_name", "col.sha12", "col.table", "col.rows"]
    rows = [
        [
            str(load.load_id),
            load.file_name,
            load.file_sha256[:12],
            load.table_name + (ctx.paren(load.sheet_name) if load.sheet_name else ""),
            f"{load.rows_accepted:,}",
        ]
        for load in ctx.data.loads
    ]
    add_table(document, [ctx.t(h) for h in header], rows, WIDTHS["sources"])
