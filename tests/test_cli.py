"""The command line's choices come from the codes (codes.csv) and their words
(ingest/synonyms.csv): `--ci beta` and `--ci logit` keep working."""

from __future__ import annotations

import gc
import importlib.metadata
import io
from pathlib import Path

import pandas as pd
import pytest

from orchestration import cli
from orchestration.cli import main, parser
from orchestration.estimate import estimate

DESIGN = pd.DataFrame(
    {
        "w": [1.0, 2.0, 1.5, 1.0, 2.5, 1.0, 2.0, 1.0],
        "psu": ["a", "a", "b", "b", "c", "c", "d", "d"],
        "y": [1, 0, 1, 1, 0, 0, 1, 0],
    }
)


def _estimate(tmp_path: Path, capsys: pytest.CaptureFixture[str], *options: str) -> pd.Series:
    path = tmp_path / "design.csv"
    DESIGN.to_csv(path, index=False)
    arguments = ["estimate", str(path), "--weight", "w", "--psu", "psu", "--outcome", "y"]
    assert main([*arguments, *options, "--csv"]) == 0
    return pd.read_csv(io.StringIO(capsys.readouterr().out)).iloc[0]


@pytest.mark.parametrize(
    ("written", "code", "column"),
    [("logit", "logit", "ci_logit"), ("beta", "korn-graubard", "ci_beta")],
)
def test_kepu_estimate_prints_the_interval_asked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], written: str, code: str, column: str
) -> None:
    row = _estimate(tmp_path, capsys, "--ci", written)
    expected = estimate(DESIGN, weight="w", psu="psu", outcome="y").iloc[0]
    assert row["ci"] == code
    assert row["ci_lower"] == pytest.approx(expected[f"{column}_lower"], rel=1e-12)
    assert row["ci_upper"] == pytest.approx(expected[f"{column}_upper"], rel=1e-12)


def test_the_two_intervals_differ(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    logit = _estimate(tmp_path, capsys, "--ci", "logit")
    beta = _estimate(tmp_path, capsys, "--ci", "beta")
    # The weights of the respondents with y = 1 (1 + 1.5 + 1 + 2) over all weights (12).
    assert logit["estimate"] == beta["estimate"] == pytest.approx(5.5 / 12)
    assert logit["ci_lower"] != pytest.approx(beta["ci_lower"])


def test_choices_are_codes_and_words_of_codes() -> None:
    args = parser().parse_args(
        ["estimate", "f.csv", "--weight", "w", "--psu", "p", "--outcome", "y", "--lonely", "剔除"]
    )
    assert (args.lonely, args.ci) == ("remove", "logit")
    assess = ["assess", "--plan", "all", "--as-of", "2025-03-31", "--kind"]
    assert parser().parse_args([*assess, "monitoring"]).kind == "monitoring"


@pytest.mark.parametrize(
    "arguments",
    [
        ["estimate", "f.csv", "--weight", "w", "--psu", "p", "--outcome", "y", "--ci", "t"],
        ["assess", "--plan", "all", "--as-of", "2025-03-31", "--kind", "quarterly"],
    ],
)
def test_other_words_are_refused(arguments: list[str], capsys) -> None:
    """`t` is a ci_method of the warehouse's gaps that `kepu estimate` does not compute."""
    with pytest.raises(SystemExit) as refused:
        parser().parse_args(arguments)
    assert refused.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_the_kepu_program_runs_main_then_freezes_its_objects(monkeypatch) -> None:
    """The `kepu` console script is `command`: main's exit status, then every object of
    the process moved out of the garbage collector's reach (Python's exit would scan them
    all: 1.4-1.9 s of a `kepu build`)."""
    (script,) = [
        e for e in importlib.metadata.entry_points(group="console_scripts") if e.name == "kepu"
    ]
    assert script.value == "orchestration.cli:command"
    monkeypatch.setattr(cli, "main", lambda: 7)
    gc.unfreeze()
    try:
        assert gc.get_freeze_count() == 0
        assert cli.command() == 7
        assert gc.get_freeze_count() > 100_000  # a test session's objects, by the hundred thousand
    finally:
        gc.unfreeze()
