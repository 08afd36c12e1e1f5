"""What the command line prints around the work: help screens, ``-v`` logging for every command, one summary for
``gqr score``, and ``gqr score - -o -`` (CSV by default on stdin)."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from _router_model import build_models_dir

COMMANDS = ("bench", "classify", "data", "models", "score", "serve", "train")


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_models_dir(tmp_path_factory.mktemp("models"))


def gqr_cli(models_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GQR_MODELS_DIR": str(models_dir), "COLUMNS": "120", "GQR_DATA_DIR": ""}
    return subprocess.run(
        [sys.executable, "-m", "gqr", *args], input=stdin, capture_output=True, text=True, env=env, timeout=120
    )


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_screens_show_no_bool_markers(models_dir: Path, command: str | None) -> None:
    res = gqr_cli(models_dir, *([command] if command else []), "--help")
    assert res.returncode == 0, res.stderr
    assert "--help" in res.stdout and "Show this message and exit." in res.stdout
    assert "<bool>" not in res.stdout
    if command == "classify":
        assert "--json" in res.stdout and "<str>" in res.stdout  # options that take a value keep their type


def test_score_stdin_to_stdout_defaults_to_csv(models_dir: Path) -> None:
    rows = "text\nCan my landlord keep my security deposit?\nYou are a stupid worthless idiot.\n"
    res = gqr_cli(models_dir, "score", "-", "-o", "-", stdin=rows)
    assert res.returncode == 0, res.stderr
    out = list(csv.DictReader(io.StringIO(res.stdout)))
    assert [(r["text"][:6], r["route"], r["reason"]) for r in out] == [("Can my", "law", ""), ("You ar", "", "unsafe")]
    assert res.stderr.count("rows in 2, rows out 2") == 1  # the summary, once
    jsonl = gqr_cli(models_dir, "score", "-", "-o", "-", "--format", "jsonl", stdin='{"text": "hi"}\n')
    assert jsonl.returncode == 0 and jsonl.stdout.startswith("{"), jsonl.stderr  # --format still chooses


def test_verbose_score_prints_its_summary_once(models_dir: Path, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("text\nCan my landlord keep my security deposit?\n", encoding="utf-8")
    res = gqr_cli(models_dir, "-v", "score", str(src), "-o", str(tmp_path / "out.csv"))
    assert res.returncode == 0, res.stderr
    assert res.stderr.count("rows in 1, rows out 1") == 1, res.stderr
    assert "gqr score: done after" in res.stderr


@pytest.mark.parametrize(
    ("args", "ending"),
    [
        (("models",), "done"),
        (("classify", "What is a Roth IRA?"), "done"),
        (("data",), "stopped by DataNotFoundError"),  # no GQR_DATA_DIR: the error is logged too
    ],
)
def test_verbose_logs_for_every_command(models_dir: Path, args: tuple[str, ...], ending: str) -> None:
    res = gqr_cli(models_dir, "-v", *args)
    assert f"INFO gqr.cli: gqr {args[0]} (gqr " in res.stderr
    assert f"INFO gqr.cli: gqr {args[0]}: {ending} after" in res.stderr
    assert "INFO" not in gqr_cli(models_dir, *args).stderr  # nothing without -v
