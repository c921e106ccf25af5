"""A throw-away PostgreSQL cluster: initdb into a temporary directory, started on a free
local port, stopped and removed when the block ends.

The tests run the whole system against one (tests/conftest.py), and `kepu bench rebuild`
measures the server's rebuild on one when the environment names no server. The cluster is
created as docs/deployment.md recommends for the warehouse: UTF8, C collation (text sorts
as DuckDB sorts it). initdb and postgres refuse to run as root: as root, the cluster runs
as the `postgres` account Debian's package creates, in a directory it owns.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from dashboards.server import free_port

HOST = "127.0.0.1"
USER = "kepu"
DATABASE = "kepu"
# Debian's package keeps the binaries out of PATH, under /usr/lib/postgresql/NN/bin.
BIN_DIRS = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
SERVER_ACCOUNT = "postgres"


@dataclass(frozen=True)
class Cluster:
    environ: dict[str, str]  # the KEPU_POSTGRES_* naming it
    postmaster_pid: int  # the server's processes are this one's descendants


def binary(name: str) -> str:
    """A PostgreSQL program from PATH or Debian's newest installed version."""
    found = shutil.which(name) or next(
        (f"{d}/{name}" for d in BIN_DIRS if os.path.exists(f"{d}/{name}")), None
    )
    if found is None:
        raise FileNotFoundError(f"{name} not found: install PostgreSQL (make system)")
    return found


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """A cluster with the superuser `kepu` (trust authentication, local connections only)
    and an empty database `kepu`, removed with its data afterwards."""
    root = Path(tempfile.mkdtemp(prefix="kepu-pg-"))
    as_user = ["runuser", "-u", SERVER_ACCOUNT, "--"] if os.getuid() == 0 else []
    if as_user:
        shutil.chown(root, user=SERVER_ACCOUNT)
    data, port = root / "data", free_port()
    run = {"check": True, "capture_output": True, "cwd": root}
    pg_ctl = binary("pg_ctl")
    try:
        subprocess.run(
            [*as_user, binary("initdb"), "-D", str(data), "-U", USER, "--auth=trust",
             "--encoding=UTF8", "--locale=C.UTF-8"],
            **run,
        )  # fmt: skip
        options = f"-p {port} -k {root} -h {HOST}"
        subprocess.run(
            [*as_user, pg_ctl, "-D", str(data), "-l", str(root / "log"), "-o", options, "-w",
             "start"],
            **run,
        )  # fmt: skip
        try:
            with psycopg.connect(
                host=HOST, port=port, user=USER, dbname="postgres", autocommit=True
            ) as con:
                con.execute(f"create database {DATABASE}")
            environ = {
                "KEPU_POSTGRES_HOST": HOST,
                "KEPU_POSTGRES_PORT": str(port),
                "KEPU_POSTGRES_USER": USER,
                "KEPU_POSTGRES_PASSWORD": "",
                "KEPU_POSTGRES_DATABASE": DATABASE,
            }
            postmaster = int((data / "postmaster.pid").read_text().split()[0])
            yield Cluster(environ, postmaster)
        finally:
            subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "fast", "stop"], **run)
    finally:
        shutil.rmtree(root, ignore_errors=True)
