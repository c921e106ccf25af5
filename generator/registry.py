"""The registry workbooks of the five plans and the region register.

Both are real, transcribed from the plan documents into `registry/` (see its README): one
registry workbook per plan, received when the plan was issued. The region register adds
the synthetic towns and villages the synthetic returns are reported for.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from generator.records import synthetic_units
from ingest.home import REGISTRY_DIR
from ingest.specs import (
    DEPARTMENTS,
    INDICATORS,
    MEASUREMENT_RULES,
    PLANS,
    REGIONS,
    REGISTRY,
    TableSpec,
)
from ingest.workbook import write_workbook

REGISTER_RECEIVED = date(2016, 1, 4)  # the region register predates every plan period
SYNTHETIC_TOWNS = {"440118": ("增城", "Zengcheng", 11), "330304": ("瓯海", "Ouhai", 13)}
FILES = {
    "plans": "plans.csv",
    "plan_reviews": "reviews.csv",
    "indicators": "indicators.csv",
    "targets": "targets.csv",
    "measures": "measures.csv",
    "departments": "departments.csv",
    "measurement_rules": "measurement_rules.csv",
    "regions": "regions.csv",
}


def registry_table(spec: TableSpec) -> pd.DataFrame:
    """One CSV of `registry/` as text, its numeric columns typed as the spec types them."""
    path = REGISTRY_DIR / FILES[spec.table]
    frame = pd.read_csv(path, dtype=str, keep_default_na=False).replace("", None)
    for column in spec.columns:
        if column.kind in ("int", "number") and column.name in frame.columns:
            frame[column.name] = pd.to_numeric(frame[column.name])
    return frame


def regions_frame() -> pd.DataFrame:
    """The real regions of the plans, then synthetic towns, villages and streets."""
    towns = [
        {
            "region_code": f"{parent}{900 + i}",
            "name_zh": f"{zh}合成镇街{i:02d}",
            "name_en": f"{en} synthetic town {i:02d}",
            "level": "town",
            "parent_code": parent,
            "is_synthetic": "true",
        }
        for parent, (zh, en, count) in SYNTHETIC_TOWNS.items()
        for i in range(1, count + 1)
    ]
    frames = [registry_table(REGIONS), pd.DataFrame(towns), synthetic_units()]
    return pd.concat(frames, ignore_index=True)


def regions_workbook(folder: Path) -> Path:
    return write_workbook(
        folder / "regions.xlsx",
        [(REGIONS, regions_frame())],
        synthetic=True,
        received_on=REGISTER_RECEIVED,
    )


def _plan_part(spec: TableSpec, frame: pd.DataFrame, plan) -> pd.DataFrame:
    """The rows of one registry table that belong to `plan`'s workbook."""
    if spec is INDICATORS:
        return frame
    if spec is DEPARTMENTS:
        return frame[frame["region_code"] == plan.region_code]
    if spec is MEASUREMENT_RULES:
        return frame[frame["target_id"].str.startswith(f"{plan.plan_id}.")]
    return frame[frame["plan_id"] == plan.plan_id]


def registry_workbooks(folder: Path) -> list[Path]:
    """One registry workbook per plan, received when the plan was issued (or its period
    began): an assessment as of an earlier date does not know the plan yet."""
    frames = [(spec, registry_table(spec)) for spec in REGISTRY]
    plans = next(frame for spec, frame in frames if spec is PLANS)
    paths = []
    for plan in plans.itertuples():
        parts = [(spec, _plan_part(spec, frame, plan)) for spec, frame in frames]
        if plan.issued_on:
            received = date.fromisoformat(plan.issued_on)
        else:
            received = date(plan.period_start, 1, 1)
        paths.append(
            write_workbook(
                folder / f"registry_{plan.plan_id}.xlsx",
                [(spec, part) for spec, part in parts if len(part)],
                received_on=received,
            )
        )
    return paths
