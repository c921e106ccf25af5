"""Publishing on the PostgreSQL server (issue 13), on small hand-made builds in a database
of their own on the throw-away cluster: the switch renames whole schemas, keeps the
previous one, refuses microdata, and a reader's transaction sees one build whole; what a
killed build wrote is dropped, what a running build writes is not, even between the steps
of a Dagster run that runs each step in a process of its own."""

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import dagster as dg
import psycopg
import pytest

from ingest.engine import connect, connection_settings
from orchestration.postgres import (
    BUILD_LOCK_CLASS,
    CLAIMS,
    build_suffix,
    claim_build,
    claim_hours,
    claim_step,
    drop_build,
    sweep_builds,
)
from orchestration.postgres_publish import publish
from orchestration.publish import MicrodataRefused

# Another process in the middle of a build: it has started the build (taken its lock)
# and waits for its stdin to close.
BUILDING = """
import sys
from orchestration.postgres import build_suffix, claim_build
claim_build(build_suffix(sys.argv[1]))
print("building", flush=True)
sys.stdin.read()
"""
# One step of a Dagster run that runs each step in a process of its own: it claims the
# build for its run and ends, its lock released, its run still in progress.
STEP = """
import sys
from orchestration.postgres import build_suffix, claim_build
claim_build(build_suffix(sys.argv[1]), run_id=sys.argv[1])
"""


@pytest.fixture
def server(postgres_env: dict[str, str]) -> Iterator[dict[str, str]]:
    """An empty database of its own: the demo's marts in `kepu` are not touched."""
    admin = {**postgres_env, "KEPU_POSTGRES_DATABASE": "postgres"}
    with connect(admin) as con:
        con.autocommit = True
        con.execute("drop database if exists kepu_switch")
        con.execute("create database kepu_switch")
    yield {**postgres_env, "KEPU_POSTGRES_DATABASE": "kepu_switch"}
    with connect(admin) as con:
        con.autocommit = True
        con.execute("drop database kepu_switch with (force)")


def built(environ: dict[str, str], build_id: str, value: int, extra: str = "") -> None:
    """What `postgres.build` leaves for `build_id`: its marts (two facts holding `value`,
    the load audit) and a staging schema, under the build's suffix."""
    suffix = build_suffix(build_id)
    with connect(environ) as con:
        for layer in ("marts", "staging"):
            con.execute(f"create schema {layer}{suffix}")
        con.execute(
            f"create table marts{suffix}.fct_load_audit as "
            "select true as is_synthetic, 'accepted' as load_status"
        )
        for fact in ("fct_first", "fct_second"):
            con.execute(
                f"create table marts{suffix}.{fact} as "
                f"select {value} as value{extra} from generate_series(1, 3)"
            )


def schemas(environ: dict[str, str]) -> set[str]:
    with connect(environ) as con:
        found = con.execute("select nspname::text from pg_namespace").fetchall()
    skipped = ("pg_", "information_schema", "builds")  # `builds` holds the claims
    return {name for (name,) in found if not name.startswith(skipped)}


def published_build(environ: dict[str, str], schema: str = "marts") -> str:
    with connect(environ) as con:
        return con.execute(f"select build_id from {schema}.snapshot_info").fetchone()[0]


def test_publishing_renames_the_build_into_place_and_keeps_the_previous(server) -> None:
    built(server, "first", 1)
    first = publish("first", environ=server)
    built(server, "second", 2)
    second = publish("second", environ=server)
    assert first.tables == {"fct_first": 3, "fct_load_audit": 1, "fct_second": 3}
    assert second.is_synthetic is True
    assert published_build(server) == "second"
    assert published_build(server, "marts_previous") == "first"
    assert schemas(server) == {"public", "marts", "marts_previous", "staging", "staging_previous"}
    with connect(server) as con:
        assert con.execute("select sum(value) from marts.fct_first").fetchone()[0] == 6
        info = con.execute("select is_synthetic, tables from marts.snapshot_info").fetchone()
    assert info == (True, {"fct_first": 3, "fct_load_audit": 1, "fct_second": 3})
    built(server, "third", 3)
    publish("third", environ=server)
    assert published_build(server, "marts_previous") == "second"  # the first is gone


def test_a_build_with_a_respondent_column_is_refused_and_dropped(server) -> None:
    built(server, "first", 1)
    publish("first", environ=server)
    built(server, "leaky", 2, extra=", 'r-001' as respondent_id")
    with pytest.raises(MicrodataRefused) as refused:
        publish("leaky", environ=server)
    assert str(refused.value) == "fct_first.respondent_id, fct_second.respondent_id"
    assert published_build(server) == "first"
    assert schemas(server) == {"public", "marts", "staging"}


def test_a_reader_in_a_transaction_sees_one_build_whole_across_the_switch(server) -> None:
    built(server, "first", 1)
    publish("first", environ=server)
    built(server, "second", 2)
    reader = psycopg.connect(**connection_settings(server))
    reader.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    # opened before the switch: snapshot_info first, as the dashboard reads it
    before = [reader.execute("select build_id from marts.snapshot_info").fetchone()[0]]
    before.append(reader.execute("select sum(value) from marts.fct_first").fetchone()[0])
    switch = threading.Thread(target=publish, args=("second",), kwargs={"environ": server})
    switch.start()
    time.sleep(1.5)
    assert switch.is_alive()  # waiting for the reader's transaction
    # a reader arriving during the switch waits for it, then reads the new build
    late: list = []
    arrival = threading.Thread(target=_read_whole, args=(server, late))
    arrival.start()
    time.sleep(1.0)
    assert not late
    before.append(reader.execute("select sum(value) from marts.fct_second").fetchone()[0])
    reader.commit()
    switch.join(timeout=30)
    arrival.join(timeout=30)
    reader.close()
    assert before == ["first", 3, 3]
    assert late == ["second", 6, 6]


def _read_whole(environ: dict[str, str], into: list) -> None:
    with psycopg.connect(**connection_settings(environ)) as con:
        con.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        row = con.execute("select build_id from marts.snapshot_info").fetchone()
        first = con.execute("select sum(value) from marts.fct_first").fetchone()[0]
        second = con.execute("select sum(value) from marts.fct_second").fetchone()[0]
        into.extend([row[0], first, second])


def building(environ: dict[str, str], build_id: str) -> subprocess.Popen:
    """A process that has started the build `build_id` and written its schemas."""
    process = subprocess.Popen(
        [sys.executable, "-c", BUILDING, build_id],
        env=environ,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline() == "building\n"
    built(environ, build_id, 1)
    return process


def wait_until_unlocked(environ: dict[str, str], build_id: str) -> None:
    """The server notices a killed client's connection closing a moment later."""
    query = (
        "select count(*) from pg_locks where locktype = 'advisory' and classid = %s::oid "
        "and objid = hashtext(%s)::oid and objsubid = 2"
    )
    with connect(environ) as con:
        con.autocommit = True
        for _ in range(100):
            if not con.execute(query, [BUILD_LOCK_CLASS, build_suffix(build_id)]).fetchone()[0]:
                return
            time.sleep(0.1)
    raise AssertionError(f"the lock of {build_id} is still held")


def test_a_killed_builds_schemas_are_dropped_and_a_running_builds_kept(server) -> None:
    killed, running = building(server, "killed"), building(server, "running")
    killed.kill()
    killed.wait()
    wait_until_unlocked(server, "killed")
    running_schemas = {"marts_build_running", "staging_build_running"}
    assert (
        schemas(server)
        == {"public", "marts_build_killed", "staging_build_killed"} | running_schemas
    )
    claim_build(build_suffix("next"), server)  # as every build starts
    assert schemas(server) == {"public"} | running_schemas
    built(server, "next", 3)
    publish("next", environ=server)
    assert schemas(server) == {"public", "marts", "staging"} | running_schemas
    running.stdin.close()
    assert running.wait(timeout=30) == 0
    wait_until_unlocked(server, "running")
    built(server, "last", 4)
    publish("last", environ=server)  # publishing sweeps too: the run that ended unpublished
    assert schemas(server) == {"public", "marts", "staging", "marts_previous", "staging_previous"}
    assert published_build(server) == "last"


def claims(environ: dict[str, str]) -> dict[str, str | None]:
    """The claims table: the run each build under way names, by suffix."""
    with connect(environ) as con:
        return dict(con.execute(f"select suffix, run_id from {CLAIMS}").fetchall())


def stepped(environ: dict[str, str], instance: dg.DagsterInstance, *run_ids: str) -> list[str]:
    """Runs in progress in `instance` whose build step has ended, each in its own process,
    leaving its build's schemas; the builds' suffixes."""
    steps = []
    for run_id in run_ids:
        run = dg.DagsterRun(job_name="build_job", run_id=run_id, status=dg.DagsterRunStatus.STARTED)
        instance.add_run(run)
        steps.append(subprocess.Popen([sys.executable, "-c", STEP, run_id], env=environ))
    for step, run_id in zip(steps, run_ids, strict=True):
        assert step.wait(timeout=120) == 0
        built(environ, run_id, 1)
        wait_until_unlocked(environ, run_id)
    return [build_suffix(run_id) for run_id in run_ids]


def test_a_builds_schemas_are_kept_between_its_runs_steps_and_published(server) -> None:
    with dg.instance_for_test() as instance:
        (suffix,) = stepped(server, instance, "3f9a0c1e-between")
        claim_build(build_suffix("next"), server, runs=instance)  # a build starting now
        drop_build(build_suffix("next"), server)  # and failing
        assert schemas(server) == {"public", f"marts{suffix}", f"staging{suffix}"}
        assert claims(server) == {suffix: "3f9a0c1e-between"}
        published = publish("3f9a0c1e-between", environ=server, runs=instance)  # next step
    assert published.tables == {"fct_first": 3, "fct_load_audit": 1, "fct_second": 3}
    assert published_build(server) == "3f9a0c1e-between"
    assert schemas(server) == {"public", "marts", "staging"}
    assert claims(server) == {}


def test_a_runs_build_is_swept_once_dagster_says_it_failed_or_its_claim_is_too_old(
    server, monkeypatch: pytest.MonkeyPatch
) -> None:
    with dg.instance_for_test() as instance:
        failed, stale, unknown = stepped(server, instance, "a0failed", "b0stale", "c0unknown")
        instance.delete_run("c0unknown")  # a run of another instance, or deleted
        assert sweep_builds(server, instance) == []  # all three in progress, or may be
        instance.report_run_failed(instance.get_run_by_id("a0failed"))
        assert sweep_builds(server) == []  # no instance to ask: a run's claim is kept
        with connect(server) as con:
            con.execute(
                f"update {CLAIMS} set claimed_at = now() - interval '25 hours' where suffix = %s",
                [stale],
            )
        assert sweep_builds(server, instance) == [failed, stale]
        assert schemas(server) == {"public", f"marts{unknown}", f"staging{unknown}"}
        assert claims(server) == {unknown: "c0unknown"}
        with connect(server) as con:
            con.execute(f"update {CLAIMS} set claimed_at = now() - interval '2 hours'")
        assert sweep_builds(server, instance) == []  # younger than the default 24 hours
        assert sweep_builds({**server, "KEPU_BUILD_CLAIM_HOURS": "1.5"}, instance) == [unknown]
    assert schemas(server) == {"public"}
    assert claims(server) == {}


# A build job of three steps, as the server's load_job is: the build, a step holding no
# lock of it (the Great Expectations checks), the publish. The middle step starts another
# build, whose sweep must leave the run's schemas alone.
@dg.asset
def build_step(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    suffix = claim_step(context)
    built(os.environ, context.run.run_id, 1)
    return dg.MaterializeResult(metadata={"claim": claims(os.environ)[suffix] or "none"})


@dg.asset(deps=[build_step])
def step_between(context: dg.AssetExecutionContext) -> None:
    other = build_suffix("other" + context.run.run_id)
    claim_build(other, runs=context.instance)
    drop_build(other)


@dg.asset(deps=[step_between])
def publish_step(context: dg.AssetExecutionContext) -> None:
    publish(context.run.run_id, runs=context.instance)


def three_steps() -> dg.JobDefinition:
    job = dg.define_asset_job("three_steps", executor_def=dg.multiprocess_executor)
    definitions = dg.Definitions(assets=[build_step, step_between, publish_step], jobs=[job])
    return definitions.resolve_job_def("three_steps")


def _claimed(result, instance: dg.DagsterInstance) -> str:
    event = instance.get_latest_materialization_event(dg.AssetKey("build_step"))
    assert event.run_id == result.run_id
    return event.asset_materialization.metadata["claim"].value


@pytest.mark.parametrize("executor", ["multiprocess", "execute_in_process"])
def test_a_dagster_run_publishes_its_build_whichever_executor_runs_its_steps(
    executor: str, server, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in server.items():
        if name.startswith("KEPU_POSTGRES_"):
            monkeypatch.setenv(name, value)
    with dg.instance_for_test() as instance:
        if executor == "multiprocess":
            # the steps' processes import this module from its folder, as pytest did
            job = dg.build_reconstructable_job(
                __name__, "three_steps", reconstructor_working_directory=os.path.dirname(__file__)
            )
            result = dg.execute_job(job, instance=instance)
        else:
            result = three_steps().execute_in_process(instance=instance)
        assert result.success
        claim = _claimed(result, instance)
    # each step in a process of its own: the claim names the run; in one: the lock spans it
    assert claim == (result.run_id if executor == "multiprocess" else "none")
    assert published_build(server) == result.run_id
    assert schemas(server) == {"public", "marts", "staging"}
    assert claims(server) == {}


@pytest.mark.parametrize("value", ["soon", "0", "-3"])
def test_a_claim_limit_that_is_not_a_positive_number_of_hours_is_refused(value: str) -> None:
    with pytest.raises(ValueError) as refused:
        claim_hours({"KEPU_BUILD_CLAIM_HOURS": value})
    assert str(refused.value) == (
        f"KEPU_BUILD_CLAIM_HOURS must be a positive number of hours, not {value!r}"
    )
    assert claim_hours({}) == 24.0 and claim_hours({"KEPU_BUILD_CLAIM_HOURS": " 1.5 "}) == 1.5
