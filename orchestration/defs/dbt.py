"""The dbt project as Dagster assets; its tests surface as asset checks."""

import json
import os
import subprocess
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.defs.raw import raw_key
from orchestration.defs.resources import DBT_EXECUTABLE, DBT_PROJECT_DIR, Warehouse, dbt_project


def ensure_manifest() -> None:
    """Parse the dbt project when its manifest is missing or older than any model file."""
    manifest = dbt_project.manifest_path
    sources = [
        p
        for p in DBT_PROJECT_DIR.rglob("*")
        if p.suffix in {".sql", ".yml"} and "target" not in p.parts
    ]
    newest = max(p.stat().st_mtime for p in sources)
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        subprocess.run(
            [
                DBT_EXECUTABLE,
                "parse",
                "--quiet",
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--target-path",
                "target",
            ],
            check=True,
        )


class KepuTranslator(DagsterDbtTranslator):
    """dbt sources are the raw-table assets; models are grouped by layer."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return raw_key(dbt_resource_props["name"])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


ensure_manifest()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=KepuTranslator(),
)
def kepu_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse):
    """`dbt build`: staging views, intermediate views, mart tables, data and unit tests."""
    os.environ["KEPU_WAREHOUSE"] = str(warehouse.home.warehouse)
    yield from dbt.cli(["build"], context=context).stream()


def mart_names() -> list[str]:
    manifest = json.loads(dbt_project.manifest_path.read_text())
    return sorted(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and "marts" in node["fqn"]
    )
