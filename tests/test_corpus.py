"""The bad-input corpus (tests/corpus.py): every file gets its exact outcome, located,
and nothing of a refused file reaches the raw tables."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from ingest import settings
from ingest.container import SUFFIXES
from ingest.home import KepuHome
from ingest.load import load_files
from ingest.problems import render_outcome
from ingest.specs import ALL_SPECS, EXTRA_TABLES
from orchestration.cli import main
from tests.corpus import CASES, Case, base_files, funding

DATA_TABLES = [s.table for s in ALL_SPECS] + list(EXTRA_TABLES)


def _file_name(case: Case) -> str:
    return "corpus_" + re.sub(r"\W+", "_", case.name).strip("_") + case.suffix


@pytest.fixture(scope="module")
def corpus_home(tmp_path_factory: pytest.TempPathFactory) -> KepuHome:
    home = KepuHome(tmp_path_factory.mktemp("corpus")).ensure()
    base = tmp_path_factory.mktemp("base")
    assert [o.status for o in load_files(base_files(base), home)] == ["accepted", "accepted"]
    return home


def _rows_of_load(home: KepuHome, load_id: int) -> dict[str, int]:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        counts = {
            t: con.execute(f"select count(*) from raw.{t} where load_id = ?", [load_id]).fetchone()[
                0
            ]
            for t in DATA_TABLES
        }
    return {t: n for t, n in counts.items() if n}


def test_the_corpus_covers_every_class_with_at_least_60_cases() -> None:
    assert len(CASES) >= 60
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_file_gets_its_exact_outcome(
    case: Case,
    corpus_home: KepuHome,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for variable, value in case.settings.items():
        monkeypatch.setenv(variable, value)
    settings.limits.cache_clear()
    try:
        path = case.build(tmp_path / _file_name(case))
        (outcome,) = load_files([path], corpus_home, accept_valid_rows=case.accept_valid_rows)
    finally:
        monkeypatch.undo()
        settings.limits.cache_clear()
    found = [
        (p["code"], p["sheet"], None if p["row"] is None else int(p["row"]), p["column"])
        for p in outcome.to_dict(limit=100)["problems"]
    ]
    assert (outcome.status, found) == (case.status, list(case.problems))
    assert outcome.rows == case.rows
    assert _rows_of_load(corpus_home, outcome.load_id) == case.rows
    suffix = case.suffix if case.suffix in SUFFIXES else ".bin"
    archived = corpus_home.archive / f"{outcome.sha256}{suffix}"
    assert archived.read_bytes() == path.read_bytes()
    for lang in ("zh", "en"):
        lines = render_outcome(outcome.to_dict(), lang)
        assert path.name in lines[0]
        for line, problem in zip(lines[1:], case.problems, strict=False):
            assert path.name in line and (problem[1] or path.name) in line


def test_rows_left_out_are_listed_counted_and_kept(corpus_home: KepuHome, tmp_path: Path) -> None:
    path = funding(
        tmp_path / "partial.xlsx",
        ["330304", 2017, "政府拨款", 5],
        ["330304", 2017, "彩票", 6],
        ["330304", 2017, "社会捐赠", "inf"],
    )
    (outcome,) = load_files([path], corpus_home, accept_valid_rows=True)
    with duckdb.connect(str(corpus_home.warehouse), read_only=True) as con:
        audit = con.execute(
            "select rows_read, rows_accepted, rows_rejected from raw.load_audit where load_id = ?",
            [outcome.load_id],
        ).fetchall()
        kept = con.execute(
            "select source_row, cells from raw.load_rejected_rows where load_id = ? order by 1",
            [outcome.load_id],
        ).fetchall()
    assert audit == [(3, 1, 2)]
    assert [row for row, _ in kept] == [3, 4]
    assert '"C":"彩票"' in kept[0][1]


def test_kepu_ingest_gives_every_corpus_file_a_line_and_no_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = KepuHome(tmp_path / "home").ensure()
    monkeypatch.setenv("KEPU_HOME", str(home.root))
    folder = tmp_path / "files"
    folder.mkdir()
    paths = [str(p) for p in base_files(folder)]
    paths += [str(c.build(folder / _file_name(c))) for c in CASES if not c.settings]
    assert main(["ingest", "--no-build", "--lang", "en", *paths]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    verdicts = [line for line in out.splitlines() if not line.startswith(" ")]
    assert len(verdicts) == len(paths)
    for path in paths:
        named = re.compile(rf"\s{re.escape(Path(path).name)}[\s(:]")
        assert sum(bool(named.search(line)) for line in verdicts) == 1, path
