"""The raw tables: one asset per table, all landed by the loader in one step.

A workbook can fill several tables (the registry fills six), and each file must land
whole or not at all, so one multi-asset runs the loader and reports every table.
"""

import json
from pathlib import Path

import dagster as dg

from ingest.load import load_files
from ingest.problems import render_outcome
from ingest.specs import ALL_SPECS, SURVEY_RESPONDENTS
from orchestration import suite_worker
from orchestration.defs.resources import Warehouse

AUDIT_TABLES = {
    "load_audit": "One row per file × sheet offered: hash, rows read/accepted/rejected, status.",
    "load_errors": "Every problem found in a file offered: where, value, code, expected.",
    "load_rejected_rows": "Rows left out of an accepted file (--accept-valid-rows), as read.",
}
RUN_LANGUAGE = "en"  # the Dagster UI is read by the people who run the pipeline
# The respondents sheet's columns beyond those declared: the answers to the survey's items.
ANSWERS = {SURVEY_RESPONDENTS.extra_table: "答卷 — Answers, one row per respondent × item."}
RAW_TABLES = {**{s.table: f"{s.zh} — {s.en}" for s in ALL_SPECS}, **ANSWERS, **AUDIT_TABLES}


class LoadConfig(dg.Config):
    """Files to load: .xlsx or .csv paths; whether to land the valid rows of a file whose
    problems are all row problems."""

    paths: list[str] = []  # noqa: RUF012 (dagster Config fields are pydantic fields)
    accept_valid_rows: bool = False


def raw_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", table])


@dg.multi_asset(
    name="raw_tables",
    specs=[
        dg.AssetSpec(raw_key(t), description=d, group_name="raw", kinds={"duckdb", "excel"})
        for t, d in RAW_TABLES.items()
    ],
    check_specs=[
        dg.AssetCheckSpec(
            "all_files_accepted",
            asset=raw_key("load_audit"),
            description="Every file offered in this run was accepted (or was already loaded).",
        )
    ],
    can_subset=True,  # a late file's run reports the tables it fills (orchestration.incremental)
)
def raw_tables(context: dg.AssetExecutionContext, config: LoadConfig, warehouse: Warehouse):
    """Archive each file under its SHA-256, check it, and land it in one transaction."""
    if config.paths and suite_worker.wanted(context):  # the suites will read what lands
        suite_worker.warm()
    outcomes = load_files(
        [Path(p) for p in config.paths],
        warehouse.home,
        accept_valid_rows=config.accept_valid_rows,
        on_wait=lambda holder: context.log.info(f"waiting for the writer lock held by {holder}"),
    )
    rows: dict[str, int] = {}
    summary = [o.to_dict() for o in outcomes]
    for outcome, load in zip(outcomes, summary, strict=True):
        context.log.info("\n".join(render_outcome(load, RUN_LANGUAGE)))
        for table, count in outcome.rows.items():
            rows[table] = rows.get(table, 0) + count
    for table in RAW_TABLES:
        if raw_key(table) not in context.selected_asset_keys:
            continue
        metadata = {"rows_added": rows.get(table, 0)}
        if table == "load_audit":
            metadata["loads"] = dg.MetadataValue.json(summary)
        yield dg.MaterializeResult(asset_key=raw_key(table), metadata=metadata)
    rejected = [o for o in outcomes if o.status == "rejected"]
    yield dg.AssetCheckResult(
        check_name="all_files_accepted",
        asset_key=raw_key("load_audit"),
        passed=not rejected,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "rejected_files": [o.file_name for o in rejected],
            "errors": dg.MetadataValue.md(
                "\n\n".join(
                    "```\n" + "\n".join(render_outcome(load, RUN_LANGUAGE)) + "\n```"
                    for load in summary
                    if load["status"] == "rejected"
                )
                or "none"
            ),
            "outcomes": dg.MetadataValue.text(json.dumps(summary, ensure_ascii=False)),
        },
    )
