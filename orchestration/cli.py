"""`kepu`: the command line of Kepu Monitor (科普监测)."""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import psycopg

import vocabulary
from ingest import synonyms
from ingest.home import KepuHome
from ingest.specs import TEMPLATES

# The intervals `kepu estimate` computes (ci_method codes) and the columns it writes them in.
CI_COLUMNS = {"logit": "ci_logit", "korn-graubard": "ci_beta"}


def _lang(args: argparse.Namespace) -> str:
    """The language of messages: --lang, else KEPU_LANG, else Chinese."""
    chosen = getattr(args, "lang", None) or os.environ.get("KEPU_LANG") or "zh"
    chosen = chosen.split(",")[0]  # assess takes a list: its messages are in the first
    return chosen if chosen in vocabulary.LANGUAGES else vocabulary.DEFAULT_LANGUAGE


def _print_loads(loads: list[dict], lang: str) -> int:
    """Each file's outcome and its located problems. Returns the number rejected."""
    from ingest.problems import render_outcome

    for load in loads:
        print("\n".join(render_outcome(load, lang)))
    return sum(load["status"] == "rejected" for load in loads)


def _waiting(lang: str):
    """What a load that must wait for another says, once, on stderr."""

    def say(holder: dict) -> None:
        if holder.get("pid"):
            print(vocabulary.text("ingest.waiting", lang, **holder), file=sys.stderr, flush=True)
        else:
            print(vocabulary.text("ingest.waiting_unknown", lang), file=sys.stderr, flush=True)

    return say


def _run(
    job: str, paths: list[Path] = (), lang: str = "zh", accept_valid_rows: bool = False
) -> int:
    from ingest.load import WarehouseBusy
    from orchestration.run import run_job

    try:
        outcome = run_job(job, paths, accept_valid_rows=accept_valid_rows, on_wait=_waiting(lang))
    except WarehouseBusy as busy:
        path = str(busy)
        print(vocabulary.text("ingest.warehouse_busy", lang, path=path), file=sys.stderr)
        return 2
    rejected = _print_loads(outcome.loads, lang)
    for check in outcome.failed_checks:
        print(f"check failed: {check}", file=sys.stderr)
    if not outcome.success:
        print(
            f"run {outcome.run_id} failed: the previous snapshot stays published. "
            "Open the Dagster UI (`make dev`) for the full log.",
            file=sys.stderr,
        )
        return 1
    print(f"published {_published_location()} (run {outcome.run_id})")
    return 1 if rejected else 0


def _published_location() -> str:
    """The snapshot file, or on the server (KEPU_ENGINE=postgres) its published schema."""
    from ingest.engine import on_server
    from orchestration.postgres_publish import published_location

    return published_location() if on_server() else str(KepuHome.from_env().published)


def cmd_ingest(args: argparse.Namespace) -> int:
    lang = _lang(args)
    paths = [Path(p) for p in args.paths]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(
            vocabulary.text("ingest.no_such_file", lang, files=", ".join(missing)), file=sys.stderr
        )
        return 2
    if not args.no_build:
        return _run("load_job", paths, lang, args.accept_valid_rows)
    from ingest.load import WarehouseBusy, load_files

    home = KepuHome.from_env()
    try:
        outcomes = load_files(
            paths, home, accept_valid_rows=args.accept_valid_rows, on_wait=_waiting(lang)
        )
    except WarehouseBusy:
        path = str(home.warehouse)
        print(vocabulary.text("ingest.warehouse_busy", lang, path=path), file=sys.stderr)
        return 2
    return 1 if _print_loads([o.to_dict() for o in outcomes], lang) else 0


def cmd_build(args: argparse.Namespace) -> int:
    return _run("build_job", lang=_lang(args))


def cmd_generate(args: argparse.Namespace) -> int:
    from generator import SEED
    from generator.scale import generate_scale

    seed = SEED if args.seed is None else args.seed
    paths = generate_scale(args.scale, Path(args.output), seed)
    print(f"generated {len(paths)} synthetic files ({args.scale}, seed {seed}) in {args.output}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from generator import generate

    home = KepuHome.from_env().ensure()
    paths = generate(home.demo)
    print(f"generated {len(paths)} synthetic demo workbooks in {home.demo}")
    status = _run("load_job", paths, _lang(args))
    if status != 0:
        return status
    from datetime import date

    from orchestration.assess import assess

    print("building the Ouhai final assessment as of 2026-03-31 (data received by then) …")
    written = assess(
        home,
        plan_ids=["ouhai-2021-2025"],
        as_of=date(2026, 3, 31),
        kind="final",
        langs=vocabulary.LANGUAGES,
        formats=("docx", "xlsx"),
    )
    for path in written:
        print(f"wrote {path}")
    return status if args.no_dashboard else cmd_dashboard(args)


def cmd_dashboard(args: argparse.Namespace) -> int:
    from dashboards.server import APP, streamlit_command

    command = streamlit_command(APP, args.port)
    print(f"dashboard on http://localhost:{args.port} (Ctrl-C to stop)")
    return subprocess.call(command)


def cmd_template(args: argparse.Namespace) -> int:
    from ingest.workbook import write_workbook

    path = write_workbook(Path(args.output), [(spec, None) for spec in TEMPLATES[args.kind]])
    print(f"wrote {args.kind} template to {path}")
    return 0


def _query(sql: str) -> pd.DataFrame:
    """A read-only query of the published marts by their unqualified names: the snapshot
    file, or on the server (KEPU_ENGINE=postgres) its published schema."""
    from ingest.engine import on_server

    if on_server():
        from orchestration.postgres_publish import read_published

        return read_published(sql)
    from orchestration.publish import open_snapshot

    with open_snapshot() as con:
        return con.execute(sql).df()


def cmd_sql(args: argparse.Namespace) -> int:
    try:
        frame = _query(args.query)
    except (duckdb.Error, psycopg.Error, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.csv:
        from orchestration.publish import spreadsheet_safe

        spreadsheet_safe(frame).to_csv(sys.stdout, index=False)
    else:
        with pd.option_context(
            "display.max_rows",
            args.max_rows,
            "display.max_columns",
            None,
            "display.width",
            200,
            "display.max_colwidth",
            60,
        ):
            print(frame.to_string(index=False))
    return 0


# One row per load; written in what DuckDB and PostgreSQL both speak (`_query` runs it on
# either).
STATUS_SQL = """
    select
        load_id,
        file_name,
        left(file_sha256, 12) as sha256,
        string_agg(
            coalesce(table_name, '?') || ' ' || rows_accepted, ', ' order by sheet_name, table_name
        ) as tables,
        max(load_status) as status,
        bool_or(is_synthetic) as synthetic,
        max(loaded_at) as loaded_at
    from fct_load_audit
    group by load_id, file_name, file_sha256
    order by load_id
"""


def cmd_status(args: argparse.Namespace) -> int:
    try:
        info = _query("select * from snapshot_info")
        loads = _query(STATUS_SQL)
    except FileNotFoundError as error:
        print(error, file=sys.stderr)
        return 1
    loads["loaded_at"] = loads["loaded_at"].dt.strftime("%Y-%m-%d %H:%M:%S")
    row = info.iloc[0]
    print(f"snapshot  {_published_location()}")
    print(f"published {row.published_at} (run {row.build_id})")
    if row.is_synthetic:
        print("data      includes SYNTHETIC demo data (合成演示数据)")
    print(loads.to_string(index=False))
    return 0


def cmd_estimate(args: argparse.Namespace) -> int:
    from orchestration.estimate import estimate, read_table

    try:
        result = estimate(
            read_table(Path(args.file)),
            weight=args.weight,
            psu=args.psu,
            outcome=args.outcome,
            strata=args.strata,
            domain=args.domain,
            fpc=args.fpc,
            lonely=args.lonely,
        )
    except (KeyError, ValueError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    lower, upper = f"{CI_COLUMNS[args.ci]}_lower", f"{CI_COLUMNS[args.ci]}_upper"
    table = result.rename(
        columns={
            lower: "ci_lower",
            upper: "ci_upper",
            "sample_size": "n",
            "degrees_of_freedom": "df",
            "standard_error": "se",
        }
    )
    table = table[
        [
            "domain",
            "estimate",
            "se",
            "ci_lower",
            "ci_upper",
            "df",
            "n",
            "weighted_n",
            "design_effect",
        ]
    ].assign(ci=args.ci, lonely_psu=args.lonely)
    if args.csv:
        table.to_csv(sys.stdout, index=False, float_format="%.15g")
    else:
        print(table.to_string(index=False, float_format=lambda v: f"{v:.6f}"))
    return 0


def _refuse(key: str, lang: str, **fields: object) -> int:
    """A request the command cannot carry out: said on stderr, exit status 2."""
    print(vocabulary.text(key, lang, **fields), file=sys.stderr)
    return 2


def cmd_assess(args: argparse.Namespace) -> int:
    from datetime import date

    from orchestration.assess import AssessmentRefused, assess
    from orchestration.report import FORMATS

    langs = args.lang.split(",")
    lang = langs[0] if langs[0] in vocabulary.LANGUAGES else vocabulary.DEFAULT_LANGUAGE
    unknown = [chosen for chosen in langs if chosen not in vocabulary.LANGUAGES]
    if unknown:
        return _refuse("assessment.bad_lang", lang, value=",".join(unknown))
    try:
        as_of = date.fromisoformat(args.as_of)
    except ValueError:
        return _refuse("assessment.bad_date", lang, value=args.as_of)
    formats = args.format.split(",")
    if not set(formats) <= set(FORMATS):
        return _refuse("assessment.bad_format", lang, value=args.format, known=",".join(FORMATS))
    plans = args.plan.split(",")
    # a plan not in the registry at all is refused before the as-of warehouse is built
    registered = _query("select plan_id from dim_plan order by plan_id")["plan_id"].tolist()
    unregistered = [plan_id for plan_id in plans if plan_id not in [*registered, "all"]]
    if unregistered:
        return _refuse("assessment.no_such_plan", lang, as_of=args.as_of,
                       plans=vocabulary.listing(unregistered, lang),
                       known=vocabulary.listing(registered, lang))  # fmt: skip
    skipped: list[str] = []
    try:
        written = assess(
            KepuHome.from_env(),
            plan_ids=plans,
            as_of=as_of,
            kind=args.kind,
            langs=langs,
            formats=formats,
            out_dir=Path(args.output) if args.output else None,
            latest_data=args.latest_data,
            skipped=skipped,
        )
    except AssessmentRefused as refused:
        print(refused, file=sys.stderr)
        return 2
    for plan_id in skipped:
        print(vocabulary.text("assessment.skipped", lang, plan=plan_id, as_of=as_of.isoformat()))
    for path in written:
        print(f"wrote {path}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    if args.what == "dashboard":
        return _bench_dashboard(args)
    if args.what == "rebuild":
        return _bench_rebuild(args)
    if args.what == "ingest":
        from orchestration import bench_ingest

        result = bench_ingest.run(args.rows)
        print(bench_ingest.report(result))
        path = Path(args.json) if args.json else bench_ingest.default_json_path()
        print(f"wrote {bench_ingest.write_json(result, path)}")
        return 0
    from orchestration.bench import default_json_path, report, run, write_json

    result = run(args.respondents)
    print(report(result))
    print(f"wrote {write_json(result, Path(args.json) if args.json else default_json_path())}")
    return 0


def _bench_rebuild(args: argparse.Namespace) -> int:
    from generator import SEED
    from orchestration import bench_rebuild

    folder = bench_rebuild.default_folder() / args.scale
    files = Path(args.files) if args.files else None
    seed = SEED if args.seed is None else args.seed
    result = bench_rebuild.run(args.scale, files, folder, seed, args.engine)
    print(bench_rebuild.report(result))
    path = Path(args.json) if args.json else KepuHome.from_env().root / "bench" / "rebuild.json"
    print(f"wrote {bench_rebuild.write_json(result, path)}")
    return 0


def _bench_dashboard(args: argparse.Namespace) -> int:
    from orchestration import bench_dashboard

    home = KepuHome.from_env()
    try:
        result = bench_dashboard.run(home, repeats=args.repeats)
    except FileNotFoundError as missing:  # nothing published to draw
        print(missing, file=sys.stderr)
        return 2
    print(bench_dashboard.report(result))
    path = Path(args.json) if args.json else home.root / "bench" / "dashboard.json"
    bench_dashboard.write_json(result, path)
    print(f"wrote {path}")
    return 0


def _code(namespace: str):
    """An argparse type: a word of `namespace` (ingest/synonyms.csv) becomes its code; other
    text is left for argparse to reject against the choices."""

    def code(word: str) -> str:
        return synonyms.code_of(namespace, word) or word

    return code


RUNS_DAGSTER_OR_DBT = (cmd_demo, cmd_ingest, cmd_build, cmd_assess)


def parser() -> argparse.ArgumentParser:
    from generator.hierarchy import SCALES

    top = argparse.ArgumentParser(prog="kepu", description="Kepu Monitor (科普监测)")
    sub = top.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="generate the demo workbooks, load, build, serve")
    demo.add_argument("--no-dashboard", action="store_true", help="stop after publishing")
    demo.add_argument("--port", type=int, default=8501)
    demo.set_defaults(func=cmd_demo)

    generate = sub.add_parser(
        "generate", help="write synthetic data at a scale, as the files users load"
    )
    generate.add_argument("--scale", choices=SCALES, required=True)
    generate.add_argument("-o", "--output", required=True, help="folder")
    generate.add_argument("--seed", type=int, help="default: the demo's seed")
    generate.set_defaults(func=cmd_generate)

    ingest = sub.add_parser("ingest", help="load spreadsheet files, then build and publish")
    ingest.add_argument("paths", nargs="+", help=".xlsx or .csv files")
    ingest.add_argument("--no-build", action="store_true", help="only land the files")
    ingest.add_argument(
        "--accept-valid-rows",
        action="store_true",
        help="land the valid rows of a file whose problems are all row problems; "
        "the rows left out are listed and kept in the audit",
    )
    ingest.add_argument(
        "--lang", choices=vocabulary.LANGUAGES, help="language of messages (default KEPU_LANG, zh)"
    )
    ingest.set_defaults(func=cmd_ingest)

    build = sub.add_parser("build", help="dbt build over what is loaded, then publish")
    build.set_defaults(func=cmd_build)

    dashboard = sub.add_parser("dashboard", help="serve the Streamlit dashboard")
    dashboard.add_argument("--port", type=int, default=8501)
    dashboard.set_defaults(func=cmd_dashboard)

    template = sub.add_parser("template", help="write a blank workbook to fill in")
    template.add_argument("kind", choices=sorted(TEMPLATES))
    template.add_argument("-o", "--output", required=True, help="FILE.xlsx")
    template.set_defaults(func=cmd_template)

    status = sub.add_parser("status", help="what is loaded, when, from which files")
    status.set_defaults(func=cmd_status)

    est = sub.add_parser("estimate", help="design-based proportion estimates for any file")
    est.add_argument("file", help=".csv or .xlsx with one row per respondent")
    est.add_argument("--weight", required=True)
    est.add_argument("--psu", required=True)
    est.add_argument("--outcome", required=True, help="a 0/1 column")
    est.add_argument("--strata")
    est.add_argument("--domain")
    est.add_argument("--fpc", help="N_h (PSUs in the stratum population) or a fraction ≤ 1")
    est.add_argument(
        "--lonely", type=_code("lonely_psu"), choices=vocabulary.codes("lonely_psu"), default="fail"
    )
    est.add_argument(
        "--ci",
        type=_code("ci_method"),
        choices=[code for code in vocabulary.codes("ci_method") if code in CI_COLUMNS],
        default="logit",
        help=f"the interval: {synonyms.describe('ci_method')}",
    )
    est.add_argument("--csv", action="store_true")
    est.set_defaults(func=cmd_estimate)

    assess = sub.add_parser("assess", help="mid-term or final assessment reports (Word, Excel)")
    assess.add_argument("--plan", required=True, help="plan id(s), comma-separated, or all")
    assess.add_argument("--as-of", required=True, help="YYYY-MM-DD")
    assess.add_argument("--kind", choices=vocabulary.codes("assessment_kind"), required=True)
    assess.add_argument("--lang", default="zh", help="zh, en or zh,en")
    assess.add_argument("--format", default="docx,xlsx")
    assess.add_argument("-o", "--output", help="output folder (default: each plan's reports)")
    assess.add_argument(
        "--latest-data",
        action="store_true",
        help="use loads received after the as-of date too (corrections)",
    )
    assess.set_defaults(func=cmd_assess)

    bench = sub.add_parser("bench", help="benchmarks, printed beside their baseline")
    bench.add_argument("what", choices=["survey", "dashboard", "ingest", "rebuild"])
    bench.add_argument(
        "--scale", choices=SCALES, default="district", help="rebuild: the generated scale"
    )
    bench.add_argument("--files", help="rebuild: files already generated at that scale")
    bench.add_argument("--seed", type=int, help="rebuild: the generator's seed (default demo's)")
    bench.add_argument(
        "--engine",
        choices=["duckdb", "postgres", "both"],
        default="duckdb",
        help="rebuild: on DuckDB, on a PostgreSQL server (KEPU_POSTGRES_*, else a throw-away "
        "cluster), or both",
    )
    bench.add_argument("--rows", type=int, default=200_000, help="ingest: respondents' rows")
    bench.add_argument("--respondents", type=int, default=300_000, help="survey: wave size")
    bench.add_argument("--repeats", type=int, default=5, help="dashboard: visits timed")
    bench.add_argument("--json", help="where the figures go (default KEPU_HOME/bench/<what>.json)")
    bench.set_defaults(func=cmd_bench)

    sql = sub.add_parser("sql", help="read-only SQL on the published snapshot")
    sql.add_argument("query")
    sql.add_argument("--csv", action="store_true", help="CSV on stdout instead of a table")
    sql.add_argument("--max-rows", type=int, default=200)
    sql.set_defaults(func=cmd_sql)
    return top


# The commands that read or write the warehouse: on the server they first make sure it
# answers, since a Dagster run would turn a refused connection into a failed step.
REACHES_SERVER = (cmd_demo, cmd_ingest, cmd_build, cmd_status, cmd_sql, cmd_assess)


def main(argv: list[str] | None = None) -> int:
    from ingest.engine import ServerUnreachable, check_reachable, on_server

    args = parser().parse_args(argv)
    try:
        if args.func in REACHES_SERVER and on_server():
            check_reachable()
        if args.func in RUNS_DAGSTER_OR_DBT and not getattr(args, "no_build", False):
            from orchestration.run import use_home  # imports Dagster: only for these commands

            use_home(KepuHome.from_env())
        return args.func(args)
    except ServerUnreachable as unreachable:
        return _refuse("server.unreachable", _lang(args), **unreachable.fields)


def command() -> int:
    """The `kepu` program: `main`, then its objects frozen out of the garbage collector,
    whose last collection as Python exits would otherwise visit every object Dagster and
    dbt made (1.4-1.9 s of every `kepu ingest` or `kepu build`: 8% of a national late
    return). Python's exit still runs its atexit handlers and flushes the standard
    streams; only objects left in reference cycles are not finalised, and by then the
    command has closed every file and database it opened."""
    try:
        return main()
    finally:
        gc.freeze()


if __name__ == "__main__":
    sys.exit(command())
