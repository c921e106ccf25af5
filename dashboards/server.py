"""`streamlit run` for the dashboard, with the flags every launch shares: `kepu dashboard`,
the browser tests and the dashboard benchmark start the app the same way.

Readers get no developer chrome (Deploy, the ⋮ menu's developer items): Streamlit words
them in English and a reader has nothing to deploy. Set on the command line, because the
frontend reads the toolbar mode when it connects, before the script runs.

No full garbage collection after every script run (`runner.postScriptGC`, on by default):
with pandas, Altair and DuckDB loaded it took 0.2–0.35 s of each rerun under load, holding
the interpreter lock so that not even the finished page reached the browser until it ended
(profiled on a plan change of the Overview, issue 11). Python's own generational collector
still runs; frames are freed by reference counting as soon as a run drops them.

No magic (`runner.magicEnabled`): no page writes a bare expression, and with magic on
Streamlit rewrites a page's syntax tree before compiling it. It compiles the entry file
and the page again for every visit that finds no other reader connected, since it empties
its script cache when the last session leaves: with magic, 20–150 ms before the page's
title (the Overview, issue 11's first-paint bench); without, about 5 ms.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from ingest.home import REPO_ROOT

APP = REPO_ROOT / "dashboards" / "app.py"
STARTUP_SECONDS = 90


def streamlit_command(script: Path, port: int, address: str | None = None) -> list[str]:
    """The command that serves `script` headless on `port` (all interfaces unless `address`)."""
    command = [
        sys.executable,
        *("-m", "streamlit", "run", str(script)),
        *("--server.headless", "true", "--server.port", str(port)),
        *("--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal"),
        *("--runner.postScriptGC", "false", "--runner.magicEnabled", "false"),
    ]
    if address is not None:
        command += ["--server.address", address]
    return command


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serve(script: Path, env: Mapping[str, str]) -> Iterator[str]:
    """`script` served on a free local port until the block ends; yields its URL once the
    server answers its health check. No file watcher: nothing is edited while it runs."""
    port = free_port()
    command = [*streamlit_command(script, port, "127.0.0.1"), "--server.fileWatcherType", "none"]
    server = subprocess.Popen(
        command, env=dict(env), cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"streamlit exited while starting {script}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.read() == b"ok":
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"streamlit did not answer on {url}") from None
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)
