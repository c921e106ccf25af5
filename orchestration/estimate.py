"""`kepu estimate`: the warehouse's survey estimation applied to any design file.

The SQL is the dbt macro `survey_proportions` (dbt_project/macros/survey_estimation.sql)
rendered with plain Jinja, and the intervals come from `survey.intervals`, which the dbt
Python models import too: one code path for both.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import duckdb
import jinja2
import pandas as pd

from ingest.home import REPO_ROOT
from survey.intervals import add_intervals

MACROS = REPO_ROOT / "dbt_project" / "macros" / "survey_estimation.sql"
LONELY_OPTIONS = ("fail", "remove", "adjust", "average")


@cache
def _macros() -> jinja2.runtime.TemplateModule:
    return (
        jinja2.Environment(undefined=jinja2.StrictUndefined)
        .from_string(MACROS.read_text(encoding="utf-8"))
        .module
    )


def proportions_sql(design: str, domains: str, keys: list[str]) -> str:
    return str(_macros().survey_proportions(design, domains, keys))


def region_group_cells_sql(design: str, domain_regions: str, dimensions: list[str]) -> str:
    return str(_macros().survey_region_group_cells(design, domain_regions, dimensions))


def cell_proportions_sql(design: str, cells: str, keys: list[str]) -> str:
    return str(_macros().survey_cell_proportions(design, cells, keys))


def read_table(path: Path) -> pd.DataFrame:
    """A CSV or the first sheet of a workbook, as read by pandas (calamine for xlsx)."""
    if path.suffix.lower() == ".csv":
        return pd.read_csv(path)
    return pd.read_excel(path, engine="calamine")


def estimate(
    frame: pd.DataFrame,
    *,
    weight: str,
    psu: str,
    outcome: str,
    strata: str | None = None,
    domain: str | None = None,
    fpc: str | None = None,
    lonely: str = "fail",
) -> pd.DataFrame:
    """Estimate, SE, df, CIs and n of the proportion `outcome` = 1, per domain value."""
    missing = [c for c in (weight, psu, outcome, strata, domain, fpc) if c and c not in frame]
    if missing:
        raise KeyError(f"no column {', '.join(missing)}; the file has {', '.join(frame.columns)}")
    outcomes = pd.to_numeric(frame[outcome], errors="coerce")
    if not outcomes.dropna().isin([0, 1]).all() or outcomes.isna().any():
        raise ValueError(f"column {outcome} must hold 0 or 1 in every row")
    design = pd.DataFrame(
        {
            "wave_id": "file",
            "respondent_id": range(len(frame)),
            "stratum": frame[strata].astype(str) if strata else "all",
            "psu": frame[psu].astype(str),
            "weight": pd.to_numeric(frame[weight]),
            "outcome": outcomes.astype(float),
            "fpc": pd.to_numeric(frame[fpc]) if fpc else None,
            "lonely_psu": lonely,
        }
    )
    domains = pd.DataFrame(
        {
            "wave_id": "file",
            "respondent_id": range(len(frame)),
            "domain": frame[domain].astype(str) if domain else "all",
        }
    )
    design = design.astype({"fpc": "float64"})
    with duckdb.connect() as con:  # tables, so that each frame is converted once
        for name, table in (("design", design), ("domains", domains)):
            con.register(f"{name}_frame", table)
            con.execute(f"create table {name} as select * from {name}_frame")
        result = con.execute(proportions_sql("design", "domains", ["domain"])).df()
    if lonely == "fail" and (result["lonely_strata"] > 0).any():
        raise ValueError("a stratum has a single PSU; choose --lonely remove, adjust or average")
    result = add_intervals(result)
    return result.drop(columns=["wave_id"]).sort_values("domain").reset_index(drop=True)
