"""The package surface: version, light import, errors, the Decision contract, missing extras."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import gqr
from gqr._decision import unchecked_decision
from gqr._extras import require

HEAVY = [
    "torch",
    "sklearn",
    "xgboost",
    "fasttext",
    "pandas",
    "pyarrow",
    "dask",
    "httpx",
    "nemoguardrails",
    "onnx",
    "skl2onnx",
    "starlette",
    "uvicorn",
    "scipy",
]


def test_import_gqr_loads_no_heavy_library() -> None:
    code = "import sys, gqr, json; print(json.dumps(sorted(m for m in sys.modules if '.' not in m)))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    loaded = set(json.loads(out))
    assert not loaded & set(HEAVY), f"import gqr pulled in {sorted(loaded & set(HEAVY))}"
    assert "onnxruntime" not in loaded  # imported by gqr.load(), not by import gqr


def test_version_single_source() -> None:
    from importlib.metadata import version

    assert gqr.__version__ == version("gqr")


def test_all_names_exist() -> None:
    for name in gqr.__all__:
        if name in {"Router", "load", "available_models"}:
            continue  # resolved lazily; covered by the router tests
        assert hasattr(gqr, name), name


def test_errors_subclass_builtins() -> None:
    assert issubclass(gqr.DataNotFoundError, FileNotFoundError)
    assert issubclass(gqr.ModelNotFoundError, FileNotFoundError)
    assert issubclass(gqr.InvalidInputError, ValueError)
    assert issubclass(gqr.MissingExtraError, ImportError)
    for err in (gqr.DataNotFoundError, gqr.ModelIntegrityError, gqr.ClassifierOutputError, gqr.MissingExtraError):
        assert issubclass(err, gqr.GQRError)


def test_missing_extra_names_the_extra() -> None:
    with pytest.raises(gqr.MissingExtraError, match=r"pip install 'gqr\[train\]'") as info:
        require("surely_not_a_module_gqr", "train")
    assert "surely_not_a_module_gqr" in str(info.value)


def test_decision_routed_and_rejected() -> None:
    d = gqr.Decision(route="law", confidence=0.9, scores={"law": 0.9})
    assert (d.label, d.rejected, d.reason) == ("law", False, None)
    r = gqr.Decision(route=None, confidence=0.7, reason="unsafe")
    assert (r.label, r.rejected) == ("ood", True)
    assert r.to_dict()["reason"] == "unsafe"
    with pytest.raises(AttributeError):
        d.route = "finance"  # type: ignore[misc]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"route": None, "confidence": 0.5},  # rejected without a reason
        {"route": "unsafe", "confidence": 0.5},  # a reason is no route
        {"route": "two words", "confidence": 0.5},
        {"route": "law", "confidence": 0.5, "reason": "unsafe"},
        {"route": None, "confidence": 0.5, "reason": "bored"},
        {"route": "law", "confidence": 1.5},
    ],
)
def test_decision_rejects_inconsistent_values(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        gqr.Decision(**kwargs)


@pytest.mark.parametrize(
    ("route", "reason"), [("law", None), ("healthcare", None), (None, "unsafe"), (None, "low_confidence")]
)
def test_unchecked_decision_equals_a_checked_one(route: str | None, reason: str | None) -> None:
    scores = {"law": 0.25, "finance": 0.5, "healthcare": 0.75}
    fast = unchecked_decision(route, 0.75, scores, reason)
    checked = gqr.Decision(route=route, confidence=0.75, scores=scores, reason=reason)
    assert fast == checked
    assert (fast.label, fast.rejected, fast.raw, fast.to_dict()) == (
        route or "ood",
        route is None,
        None,
        checked.to_dict(),
    )
    with pytest.raises(AttributeError):
        fast.route = "finance"  # type: ignore[misc]


def test_cli_version_and_module_entry() -> None:
    out = subprocess.run([sys.executable, "-m", "gqr", "--version"], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == f"gqr {gqr.__version__}"


def test_ruff_clean() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    for args in (["check", "."], ["format", "--check", "."]):
        res = subprocess.run([sys.executable, "-m", "ruff", *args], cwd=root, capture_output=True, text=True)
        assert res.returncode == 0, res.stdout + res.stderr


def test_cli_usage_error_is_one_clear_message_not_a_traceback() -> None:
    res = subprocess.run([sys.executable, "-m", "gqr", "data", "--no-such-flag"], capture_output=True, text=True)
    assert res.returncode == 2
    assert "No such option: --no-such-flag" in res.stderr and "Traceback" not in res.stderr
