"""One input rule (``gqr._policy.precheck``) in the router, the LLM guards and batch scoring; a card with invalid
featurizer settings refused at load and by ``gqr classify`` with one line."""

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
from gqr._policy import MAX_CHARS, precheck
from gqr._runtime import card_sha256
from gqr.batch._score import score_texts
from gqr.guards._base import GuardThenRoute

LAW = "Can my landlord keep my security deposit when I move out?"

# (text, the reason every caller gives before any model runs; None: the text is scored)
EDGE_CASES: list[tuple[str, str | None]] = [
    ("", "empty"),
    ("\n\t", "empty"),
    ("\u3000\u2003\u00a0", "empty"),
    (" " * MAX_CHARS, "empty"),
    (" " * (MAX_CHARS + 1), "empty"),  # blank beats too long: judged first, whatever the length
    ("\n" * 1_000_000, "empty"),
    ("a" * (MAX_CHARS + 1), "too_long"),
    (LAW + " " * (MAX_CHARS + 1 - len(LAW)), "too_long"),
    (LAW + " " * (MAX_CHARS - len(LAW)), None),
    (LAW, None),
]
NON_STR: list[tuple[object, str]] = [(42, "int"), (b"law", "bytes"), (["a"], "list")]


class PassAll(GuardThenRoute):
    """A guard that passes every query it is asked about to the router (and records them)."""

    def __init__(self, router: gqr.Router) -> None:
        self._router = router
        self.max_chars = MAX_CHARS
        self.asked: list[str] = []

    def _verdicts(self, texts: list[str]) -> list[tuple[gqr.Decision | None, dict]]:
        self.asked += texts
        return [(None, {}) for _ in texts]


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_models_dir(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def router(models_dir: Path) -> gqr.Router:
    return gqr.load(models_dir / "tiny-guarded.json")


@pytest.mark.parametrize(("text", "reason"), EDGE_CASES, ids=range(len(EDGE_CASES)))
def test_router_guards_and_batch_agree_on_edge_cases(router: gqr.Router, text: str, reason: str | None) -> None:
    assert precheck(text) == reason
    single, (batched, law) = router.classify(text), router.classify_batch([text, LAW])
    guard = PassAll(router)
    guarded = guard.classify_batch([text])[0]
    (route, label, confidence, scored_reason, error), _ = score_texts(router, [text, LAW], {}, MAX_CHARS)
    if reason is None:  # scored by the model: the same decision everywhere, and the guard was asked
        assert (single.route, single.reason) == (batched.route, batched.reason) == (guarded.route, guarded.reason)
        assert (route, scored_reason, error) == (single.route, single.reason, None) and guard.asked == [text]
    else:  # rejected before any model: confidence 1, no scores, the guard never asked
        expected = (None, reason, 1.0, {})
        for d in (single, batched, guarded):
            assert (d.route, d.reason, d.confidence, d.scores) == expected
        assert (route, label, confidence, scored_reason, error) == (None, "ood", 1.0, reason, None)
        assert guard.asked == [] and law.route == "law"


@pytest.mark.parametrize(("value", "name"), NON_STR)
def test_non_str_is_a_type_error_for_the_api_and_an_error_row_in_batch(
    router: gqr.Router, value: object, name: str
) -> None:
    with pytest.raises(TypeError, match=f"^text must be str, got {name}"):
        precheck(value)
    with pytest.raises(TypeError, match=f"^text must be str, got {name}"):
        router.classify(value)  # type: ignore[arg-type]
    for classify_batch in (router.classify_batch, PassAll(router).classify_batch):
        with pytest.raises(TypeError, match=rf"^texts\[1\] must be str, got {name}"):
            classify_batch([LAW, value])  # type: ignore[list-item]
    rows = score_texts(router, [value, None, LAW], {}, MAX_CHARS)
    assert rows[0][:4] == (None, "ood", 0.0, "error") and str(rows[0][4]).startswith(f"text must be str, got {name}")
    assert rows[1] == (None, "ood", 1.0, "empty", None) and rows[2][0] == "law"  # a missing value is empty


def test_guards_apply_their_own_cap_with_the_same_rule(router: gqr.Router) -> None:
    guard = PassAll(router)
    guard.max_chars = 10
    decisions = guard.classify_batch([" " * 11, "x" * 11, "x" * 10])
    assert [d.reason for d in decisions[:2]] == ["empty", "too_long"] and decisions[1].raw == {"chars": 11, "max": 10}
    assert guard.asked == ["x" * 10]


# ------------------------------------------------------------------------------ invalid featurizer settings
@pytest.fixture
def bad_card(models_dir: Path, tmp_path: Path) -> Path:
    """A sealed copy of the tiny model whose featurizer reads at most 0 tokens."""
    card = json.loads((models_dir / "tiny-guarded.json").read_text(encoding="utf-8"))
    card["featurizer"]["max_tokens"] = 0
    card["card_sha256"] = card_sha256(card)
    (tmp_path / "tiny-guarded.onnx").write_bytes((models_dir / "tiny-guarded.onnx").read_bytes())
    path = tmp_path / "tiny-guarded.json"
    path.write_text(json.dumps(card), encoding="utf-8")
    return path


MESSAGE = "invalid featurizer: max_tokens must be a positive int, got 0"


def test_invalid_featurizer_setting_is_a_model_integrity_error_at_load(bad_card: Path) -> None:
    with pytest.raises(gqr.ModelIntegrityError, match=MESSAGE):
        gqr.load(bad_card)


def test_gqr_classify_prints_one_line_for_an_invalid_card(bad_card: Path) -> None:
    from gqr.cli import app

    result = CliRunner().invoke(app, ["classify", "-m", str(bad_card), LAW])
    assert result.exit_code == 2 and result.stderr == f"error: model card {str(bad_card)!r}: {MESSAGE}\n"
    env = {**os.environ, "GQR_MODELS_DIR": str(bad_card.parent)}
    res = subprocess.run(
        [sys.executable, "-m", "gqr", "classify", "-m", str(bad_card), LAW], capture_output=True, text=True, env=env
    )
    assert res.returncode == 2 and res.stdout == ""
    assert res.stderr.splitlines() == [f"error: model card {str(bad_card)!r}: {MESSAGE}"]
