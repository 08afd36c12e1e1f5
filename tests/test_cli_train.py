"""``gqr train``: parameters from the command line reach the trainer; bad ones are refused before any training."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import gqr
from gqr.cli import app
from gqr.cli._train import parse_params


def test_params_are_json_values_or_text() -> None:
    got = parse_params(["C=0.5", "max_tokens=64", "char_ngram_range=[2, 4]", "table_dtype=int8", "bigrams=false"])
    assert got == {"C": 0.5, "max_tokens": 64, "char_ngram_range": [2, 4], "table_dtype": "int8", "bigrams": False}
    assert parse_params(["note=a=b"]) == {"note": "a=b"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--param", "C"], "KEY=VALUE"),
        (["--param", "=3"], "KEY=VALUE"),
        (["--param", "surely_not=1"], "unknown ['surely_not']"),
        (["--param", "balance=2"], "svm parameter balance: expected a number in [0, 1], got 2"),
        (["--family", "forest"], "'forest' is not one of 'widemlp', 'fasttext', 'svm', 'xgboost'"),
    ],
)
def test_bad_train_arguments_exit_2_with_a_clear_error(args: list[str], message: str, tmp_path: Path) -> None:
    family = [] if "--family" in args else ["--family", "svm"]
    command = [sys.executable, "-m", "gqr", "train", *family, *args, "--out", str(tmp_path), "--no-bench"]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 2
    assert message in " ".join(result.stderr.replace("│", " ").split())  # click's usage errors come in a box
    assert not list(tmp_path.iterdir())  # nothing trained, nothing written


@pytest.mark.slow
def test_train_writes_a_model_with_the_given_params(tmp_path: Path) -> None:
    params = ["max_features=3000", "max_char_features=1000", "max_tokens=32", "calibration_folds=2"]
    args = ["train", "--family", "svm", "--name", "tiny", "--out", str(tmp_path), "--no-bench"]
    args += ["--max-per-dataset", "100", "--title-views", *[x for p in params for x in ("--param", p)]]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    card = json.loads((tmp_path / "tiny.json").read_text(encoding="utf-8"))
    assert card["training"]["params"]["featurizer"]["max_features"] == 3000  # a Featurizer setting, given flat
    assert card["training"]["title_views"] is True
    assert "reddit_top_law:title" in card["training"]["sources"]["law"]
    assert card["featurizer"]["max_tokens"] == 32
    assert gqr.load(tmp_path / "tiny.json").classify("Can I sue my landlord for my deposit?").label in gqr.LABELS
