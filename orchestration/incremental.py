"""A late file rebuilds only what depends on it (issue 12: one county's return after a full
build costs a small share of the full rebuild).

`kepu ingest` runs `load_job` on the asset subset downstream of the raw tables its files
fill: those tables and the loader's audit tables, the dbt models and tests that read them,
their Great Expectations suites, and publishing. Every table the subset leaves alone was
computed from unchanged inputs by the same code, so the published marts are those of a
full build. That holds only when:

- the warehouse's last run built and published successfully with this code
  (`orchestration.build_state`): a run that failed or was killed leaves a full build for
  the next one (its half-built tables and failed tests are built again). On the server
  (KEPU_ENGINE=postgres), shared by many loaders, the published build must be of this code
  and no load may have landed since it began but the run's own (`postgres.partial_base`,
  checked again when its dbt step starts: `postgres.still_extends`);
- every file says which tables it fills from its sheet names and headers alone
  (`ingest.read.peek_tables`); a file that cannot be told this way means a full build.
  The peek is checked after the load: a file that landed rows in a table outside the
  subset gets a full build in the same command (`missed_tables`).

On the server a build fills schemas of its own: the models a late file's run does not
build keep their published schema, and publishing moves them into the new layers
(`orchestration.postgres_publish`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import dagster as dg

from ingest.engine import on_server
from ingest.home import KepuHome
from ingest.read import peek_tables
from ingest.specs import ALL_SPECS
from orchestration import postgres
from orchestration.build_state import whole_build
from orchestration.defs.raw import AUDIT_TABLES, raw_key

# Run tag of a run that rebuilt a subset: the run id of the whole build it extends, whose
# snapshot holds the marts and check results the run did not rebuild (publishing keeps them)
PARTIAL_TAG = "kepu/partial"
EXTRA = {spec.table: spec.extra_table for spec in ALL_SPECS if spec.extra_table}


def filled_tables(paths: Sequence[Path]) -> set[str] | None:
    """The raw tables `paths` fill, told from their sheets and headers, with the audit
    tables every load writes; None when a file cannot be told."""
    tables = set(AUDIT_TABLES)
    for path in paths:
        found = peek_tables(path, path.name)
        if not found:
            return None
        tables |= found | {EXTRA[table] for table in found if table in EXTRA}
    return tables


def selection(
    base: str | None, paths: Sequence[Path], asset_graph: object
) -> list[dg.AssetKey] | None:
    """The assets a load of `paths` must rebuild on the whole build `base` (`base_build`),
    or None for all of them."""
    if not paths or base is None:
        return None
    tables = filled_tables(paths)
    if tables is None:
        return None
    data = [raw_key(t) for t in sorted(tables) if t not in AUDIT_TABLES]
    downstream = dg.AssetSelection.assets(*data).downstream().resolve(asset_graph)
    downstream |= audit_downstream(asset_graph)
    assessments = dg.AssetSelection.groups("assessments").resolve(asset_graph)
    return sorted(downstream - assessments, key=lambda key: key.to_user_string())


# Models that read the load audit only to look up the loads their other inputs came from
# (whether a load is synthetic): a load of other tables appends audit rows for load ids
# none of their inputs hold, and audit rows are never changed, so such a model is rebuilt
# when its other inputs are, not for every file. At national size the literacy estimates,
# funding and indicator values downstream of these were most of a late county return's
# dbt build, though the return changes none of their rows (issue 12).
AUDIT_LOOKUPS = frozenset(
    dg.AssetKey(key)
    for key in (
        ["marts", "fct_literacy_estimate"],
        ["marts", "fct_indicator_value"],
        ["intermediate", "int_funding_rolled_up"],
        ["intermediate", "int_funding_per_capita"],
    )
)


def base_build(home: KepuHome) -> str | None:
    """The run id of the whole build a late file's run may extend (`PARTIAL_TAG`), or None:
    the home's last published build of this code, or on the server the published one."""
    return postgres.partial_base() if on_server() else whole_build(home)


def audit_downstream(asset_graph: object) -> set[dg.AssetKey]:
    """The assets a load's audit rows reach without passing through an AUDIT_LOOKUPS model:
    the audit tables, the models reporting on loads, publishing."""
    reached: set[dg.AssetKey] = set()
    todo = [raw_key(table) for table in AUDIT_TABLES]
    while todo:
        key = todo.pop()
        if key in reached or key in AUDIT_LOOKUPS:
            continue
        reached.add(key)
        todo.extend(asset_graph.get(key).child_keys)
    return reached


def missed_tables(loads: Iterable[dict], selected: Iterable[dg.AssetKey]) -> set[str]:
    """Raw tables a load landed rows in that the subset did not rebuild from."""
    chosen = {key.path[-1] for key in selected if key.path[0] == "raw"}
    landed = {table for load in loads for table, rows in (load.get("rows") or {}).items() if rows}
    return landed - chosen


def run_records(context: dg.AssetExecutionContext, event_type: dg.DagsterEventType) -> list:
    """The run's events of `event_type` so far, from the Dagster instance."""
    return context.instance.get_records_for_run(
        context.run.run_id, of_type=event_type, limit=100_000
    ).records
