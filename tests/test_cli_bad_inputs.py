"""Every bad input the command line meets ends in a clear message and an exit code, never a traceback: click's usage
errors (exit code 2), gqr's errors (one line, exit code 2), operating-system errors (one line, exit code 1)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from _router_model import build_models_dir
from typer.testing import CliRunner

import gqr
from gqr._runtime import card_sha256
from gqr.cli import app
from gqr.cli._classifier import Backend
from gqr.cli._score import FileFormat

LAW = "Can my landlord keep my security deposit when I move out?"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tiny models (one with a broken card) and the input files the cases name as ``{files}/...``."""
    root = tmp_path_factory.mktemp("bad-inputs")
    (root / "models").mkdir()
    models = build_models_dir(root / "models")
    card = json.loads((models / "tiny-guarded.json").read_text(encoding="utf-8"))
    card["featurizer"]["max_tokens"] = 0
    card["card_sha256"] = card_sha256(card)
    (root / "broken").mkdir()
    (root / "broken" / "tiny-guarded.json").write_text(json.dumps(card), encoding="utf-8")
    (root / "broken" / "tiny-guarded.onnx").write_bytes((models / "tiny-guarded.onnx").read_bytes())
    (root / "queries.csv").write_text(f"text\n{LAW}\n", encoding="utf-8")
    (root / "latin1.csv").write_bytes(b"text\ncaf\xe9 au lait\n")  # not UTF-8
    (root / "header-only.csv").write_text("text\n", encoding="utf-8")
    (root / "empty.jsonl").write_bytes(b"")
    (root / "garbage.parquet").write_bytes(b"not a parquet file")
    (root / "queries.txt").write_text(LAW, encoding="utf-8")
    (root / "bad.toml").write_text("routes = [[[\n", encoding="utf-8")
    return root


# (arguments, exit code, what stderr says); "{files}" is the fixture's folder.
USAGE_ERRORS = [
    (["data", "--no-such-flag"], "No such option: --no-such-flag"),
    (["clasify", LAW], "No such command 'clasify'. Did you mean 'classify'?"),
    (["classify"], "Missing argument 'queries'"),
    (["train", "-f", "forest"], "'forest' is not one of 'widemlp', 'fasttext', 'svm', 'xgboost'"),
    (["train", "-f", "svm", "--variant", "loose"], "'loose' is not one of 'strict', 'guarded'"),
    (["train", "-f", "svm", "--epochs", "0"], "Invalid value for '--epochs'"),
    (["train", "-f", "svm", "--seed", "-1"], "Invalid value for '--seed'"),
    (["classify", "--backend", "gpt", LAW], "'gpt' is not one of 'prompt-router', 'llama-guard', 'nemo', 'cascade'"),
    (["score", "{files}/queries.csv", "-o", "-", "--format", "xml"], "'xml' is not one of 'csv', 'jsonl', 'parquet'"),
    (["score", "{files}/queries.csv", "-o", "-", "--engine", "spark"], "'spark' is not one of 'local', 'dask'"),
    (["score", "{files}/queries.csv", "-o", "-", "--batch-size", "0"], "Invalid value for '--batch-size'"),
    (["score", "{files}/queries.csv", "-o", "-", "--max-chars", "many"], "Invalid value for '--max-chars'"),
    (["score", "{files}/queries.csv"], "Missing option '--output' / '-o'"),
    (["serve", "-c", "{files}/bad.toml", "--port", "70000"], "Invalid value for '--port'"),
    (["serve", "-c", "{files}/bad.toml", "--log-level", "loud"], "'loud' is not one of 'debug', 'info'"),
    (["bench", "--limit-per-set", "0"], "Invalid value for '--limit-per-set'"),
]
GQR_ERRORS = [
    (["classify", "-m", "no-such-model", LAW], "unknown model 'no-such-model'; available: "),
    (["classify", "-m", "{files}/broken/tiny-guarded.json", LAW], "invalid featurizer: max_tokens must be a positive"),
    (["classify", "--base-url", "http://127.0.0.1:9/v1", LAW], "--base-url, --llm-model and --api-key-env need"),
    (["score", "{files}/missing.csv", "-o", "-"], "input file '{files}/missing.csv' does not exist"),
    (["score", "{files}", "--format", "csv", "-o", "-"], "input '{files}' is a directory; expected a file"),
    (["score", "{files}/queries.txt", "-o", "-"], "cannot tell the input format of '{files}/queries.txt'"),
    (["score", "{files}/garbage.parquet", "-o", "-"], "expected a Parquet file, got unreadable input"),
    (["score", "{files}/queries.csv", "-o", "{files}/no-dir/out.csv"], "does not exist; create it first"),
    (["score", "{files}/queries.csv", "-o", "-", "-c", "query"], "no text column 'query' in the input"),
    (["score", "{files}/queries.csv", "-o", "-", "--engine", "dask"], "--engine dask scores files in parallel"),
    (["train", "-f", "svm", "-p", "C"], "--param must look like KEY=VALUE, got 'C'"),
    (["train", "-f", "svm", "-p", "surely_not=1"], "got unknown ['surely_not']"),
    (["serve", "-c", "{files}/missing.toml"], "{files}/missing.toml: config file not found"),
    (["serve", "-c", "{files}/bad.toml"], "{files}/bad.toml: not valid TOML"),
    (["serve", "-c", "{files}"], "cannot read config file"),
    (["bench", "-m", "tiny-guarded", "--json", "--markdown"], "expected --json or --markdown, got both"),
    (["bench", "-m", "tiny-guarded", "--latency-queries", "0"], "no data directory: set GQR_DATA_DIR"),
    (["data"], "no data directory: set GQR_DATA_DIR"),
]


def invoke(files: Path, args: list[str], stdin: bytes | None = None) -> tuple[int, str, str]:
    """Run ``gqr args`` in this process: (exit code, stdout, stderr); fails if an exception escaped."""
    env = {"GQR_MODELS_DIR": str(files / "models"), "GQR_DATA_DIR": ""}
    result = CliRunner().invoke(app, [a.format(files=files) for a in args], input=stdin, env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def unboxed(text: str) -> str:
    """``text`` on one line, without the box typer draws around click's usage errors."""
    return " ".join(text.replace("│", " ").split())


@pytest.mark.parametrize(("args", "message"), USAGE_ERRORS)
def test_usage_errors_exit_2_with_clicks_message(files: Path, args: list[str], message: str) -> None:
    code, out, err = invoke(files, args)
    assert (code, out) == (2, "")
    assert message in unboxed(err) and err.startswith("Usage: gqr ")


@pytest.mark.parametrize(("args", "message"), GQR_ERRORS)
def test_gqr_errors_exit_2_with_one_line(files: Path, args: list[str], message: str) -> None:
    code, out, err = invoke(files, args)
    assert (code, out) == (2, "")
    assert err.startswith("error: ") and err.count("\n") == 1 and message.format(files=files) in err


@pytest.mark.parametrize(
    ("name", "summary"),
    [
        ("latin1.csv", "invalid UTF-8 sequences replaced by U+FFFD: 1"),  # the row is scored, its bad byte counted
        ("header-only.csv", "rows in 0, rows out 0"),
        ("empty.jsonl", "rows in 0, rows out 0"),
    ],
)
def test_odd_but_readable_inputs_are_scored_and_summarized(files: Path, name: str, summary: str) -> None:
    code, out, err = invoke(files, ["score", f"{{files}}/{name}", "-o", "-", "--output-format", "jsonl"])
    assert code == 0 and summary in err
    assert len(out.splitlines()) == (0 if "rows in 0" in summary else 1)


def test_empty_stdin_is_scored_as_nothing(files: Path) -> None:
    assert invoke(files, ["classify", "-"], stdin=b"") == (0, "", "")
    code, out, err = invoke(files, ["score", "-", "-o", "-"], stdin=b"")
    assert (code, out) == (0, "route,label,confidence,reason,error\n") and "rows in 0, rows out 0" in err


def test_a_bug_still_shows_its_traceback(files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(gqr, "load", broken)
    result = CliRunner().invoke(app, ["classify", LAW], env={"GQR_MODELS_DIR": str(files / "models")})
    assert isinstance(result.exception, RuntimeError) and result.exit_code == 1  # not turned into a message


def test_the_choices_are_the_librarys() -> None:
    from gqr.batch import EXTENSIONS
    from gqr.guards import BACKENDS

    assert [*Backend] == list(BACKENDS)  # --help reads families and variants from gqr._families itself
    assert {*FileFormat} == set(EXTENSIONS.values())


def run(files: Path, *args: str, stdout: int | None = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GQR_MODELS_DIR": str(files / "models")}
    argv = [sys.executable, "-m", "gqr", *(a.format(files=files) for a in args)]
    return subprocess.run(argv, stdout=stdout, stderr=subprocess.PIPE, text=True, env=env, timeout=120)


def test_a_real_process_shows_messages_not_tracebacks(files: Path) -> None:
    usage = run(files, "train", "-f", "forest")
    assert usage.returncode == 2 and "'forest' is not one of" in unboxed(usage.stderr)
    missing = run(files, "score", "{files}/missing.csv", "-o", "-")
    assert missing.returncode == 2 and missing.stderr == f"error: input file '{files}/missing.csv' does not exist\n"
    with open("/dev/full", "w") as full:  # a disk that is full: an operating-system error
        no_space = run(files, "score", "{files}/queries.csv", "-o", "-", "-q", stdout=full.fileno())
    assert no_space.returncode == 1 and no_space.stderr == "error: [Errno 28] No space left on device\n"
    for res in (usage, missing, no_space):
        assert "Traceback" not in res.stderr
