"""The ONNX router on small real models built here: loading, integrity, decisions, batching, bad input."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from _router_model import STRICT, build_model, build_models_dir

import gqr
from gqr._policy import decide, one_row_rule
from gqr._registry import model_dirs
from gqr._router import BATCH_CHUNK, MAX_CHARS
from gqr._runtime import card_sha256, read_card

LAW = "Can my landlord keep my security deposit when I move out?"
FINANCE = "Should I invest my retirement savings in index funds or stocks?"
HEALTH = "I have had a headache and a fever for three days, should I see a doctor?"
INSULT = "You are a stupid worthless idiot."
GERMAN = "Kannst du mir bitte sagen, wie spät es ist?"
OFF_TOPIC = "What is the capital of Spain?"


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_models_dir(tmp_path_factory.mktemp("models"))


@pytest.fixture(autouse=True)
def _use_models_dir(models_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GQR_MODELS_DIR", str(models_dir))


@pytest.fixture(scope="module")
def router(models_dir: Path) -> gqr.Router:
    return gqr.load(models_dir / "tiny-guarded.json")


@pytest.fixture(scope="module")
def strict(models_dir: Path) -> gqr.Router:
    return gqr.load(models_dir / "tiny-strict.onnx")


def _copy_model(src: Path, dst: Path, name: str = "tiny-guarded") -> Path:
    for suffix in (".json", ".onnx"):
        (dst / f"{name}{suffix}").write_bytes((src / f"{name}{suffix}").read_bytes())
    return dst / f"{name}.json"


# ---------------------------------------------------------------------------------------------------- loading
def test_load_by_default_name_card_and_onnx_path(models_dir: Path) -> None:
    by_default = gqr.load()
    by_name = gqr.load("tiny-guarded")
    by_onnx = gqr.load(str(models_dir / "tiny-guarded.onnx"))
    assert by_default.name == by_name.name == by_onnx.name == "tiny-guarded"
    assert by_name.card["outputs"] == ["law", "finance", "healthcare", "off_topic", "unsafe", "other_language"]
    assert by_name.size_bytes == (models_dir / "tiny-guarded.onnx").stat().st_size
    assert isinstance(by_name, gqr.Classifier)
    assert "tiny-guarded" in repr(by_name)


def test_available_models_and_search_order(models_dir: Path) -> None:
    names = gqr.available_models()
    assert {"tiny-guarded", "tiny-strict"} <= set(names)
    assert names == sorted(names)
    assert model_dirs()[0] == models_dir


def test_unknown_model_lists_available_ones() -> None:
    with pytest.raises(gqr.ModelNotFoundError, match=r"unknown model 'nope'.*tiny-guarded, tiny-strict"):
        gqr.load("nope")


def test_missing_card_path_and_bad_models_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(gqr.ModelNotFoundError, match="no such file"):
        gqr.load(tmp_path / "absent.json")
    monkeypatch.setenv("GQR_MODELS_DIR", str(tmp_path / "absent"))
    with pytest.raises(gqr.ModelNotFoundError, match="GQR_MODELS_DIR must name a directory"):
        gqr.load("tiny-guarded")


def test_default_model_comes_from_the_first_default_file(
    models_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gqr._registry as registry

    monkeypatch.setattr(registry, "_REPO", tmp_path / "site-packages")  # an install without a source tree
    monkeypatch.setattr(registry, "_PACKAGE", tmp_path / "site-packages" / "gqr")
    _copy_model(models_dir, tmp_path)
    monkeypatch.setenv("GQR_MODELS_DIR", str(tmp_path))
    with pytest.raises(gqr.ModelNotFoundError, match=r"no default model.*available: tiny-guarded"):
        gqr.load()
    (tmp_path / "DEFAULT").write_text("tiny-guarded\n", encoding="utf-8")
    assert gqr.load().name == "tiny-guarded"
    assert registry.model_dirs() == [tmp_path]


def test_tampered_onnx_is_refused(models_dir: Path, tmp_path: Path) -> None:
    card = _copy_model(models_dir, tmp_path)
    onnx_path = card.with_suffix(".onnx")
    blob = bytearray(onnx_path.read_bytes())
    blob[len(blob) // 2] ^= 0x01
    onnx_path.write_bytes(bytes(blob))
    with pytest.raises(gqr.ModelIntegrityError, match=r"expected sha256 .* got .*refusing"):
        gqr.load(card)


def _edit_card(models_dir: Path, tmp_path: Path, **changes: object) -> Path:
    card = _copy_model(models_dir, tmp_path)
    data = json.loads(card.read_text(encoding="utf-8"))
    data.update(changes)
    data["card_sha256"] = card_sha256(data)  # sealed again: the checks after the card's own hash are tested
    card.write_text(json.dumps(data), encoding="utf-8")
    return card


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"format_version": 2}, "expected format_version 1, got 2"),
        ({"outputs": ["law", "off_topic", "finance", "healthcare", "unsafe", "other_language"]}, "outputs must be"),
        ({"outputs": ["law", "finance", "healthcare", "law", "unsafe", "other_language"]}, "outputs must be"),
        ({"outputs": ["law", "finance", "healthcare", "sports", "unsafe", "other_language"]}, "thresholds must give"),
        ({"thresholds": {"law": 0.5, "finance": 1.5, "healthcare": 0.5}}, "thresholds must give"),
        ({"outputs": STRICT}, r"expected float32 scores of shape \[batch, 3\]"),
        ({"onnx": {"file": "gone.onnx", "sha256": "0"}}, "which does not exist"),
    ],
)
def test_malformed_card_is_refused(models_dir: Path, tmp_path: Path, changes: dict, message: str) -> None:
    with pytest.raises(gqr.ModelIntegrityError, match=message):
        gqr.load(_edit_card(models_dir, tmp_path, **changes))


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("max_tokens", 0, "max_tokens must be a positive int, got 0"),
        ("bigrams", "yes", "bigrams must be a bool, got 'yes'"),
        ("char_ngram_range", [5, 2], r"char_ngram_range must be .* got \(5, 2\)"),
        ("min_df", None, "lacks 'min_df'"),  # None: the key is removed
    ],
)
def test_card_with_invalid_featurizer_settings_is_refused(
    models_dir: Path, tmp_path: Path, setting: str, value: object, message: str
) -> None:
    featurizer = json.loads((models_dir / "tiny-guarded.json").read_text(encoding="utf-8"))["featurizer"]
    if value is None:
        del featurizer[setting]
    else:
        featurizer[setting] = value
    card = _edit_card(models_dir, tmp_path, featurizer=featurizer)
    with pytest.raises(gqr.ModelIntegrityError, match=rf"tiny-guarded.json'?: invalid featurizer: {message}"):
        gqr.load(card)


def test_card_edited_after_sealing_is_refused(models_dir: Path, tmp_path: Path) -> None:
    card = _copy_model(models_dir, tmp_path)
    data = json.loads(card.read_text(encoding="utf-8"))
    data["thresholds"]["law"] = 0.01  # a valid card, but not the one that was written
    card.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(gqr.ModelIntegrityError, match=r"does not match its card_sha256: expected \w+, got \w+"):
        gqr.load(card)
    del data["card_sha256"]
    card.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(gqr.ModelIntegrityError, match="expected a 'card_sha256' string, got None"):
        gqr.load(card)


def test_card_hash_ignores_key_order_and_the_bench_and_training_annotations(models_dir: Path, tmp_path: Path) -> None:
    card = _copy_model(models_dir, tmp_path)
    data = json.loads(card.read_text(encoding="utf-8"))
    data["bench"] = {"gqr_score": 0.99}
    data["training"]["held_out"] = {"id_acc": 0.5}
    card.write_text(json.dumps(dict(reversed(data.items())), indent=2), encoding="utf-8")
    router = gqr.load(card)
    assert router.card["bench"] == {"gqr_score": 0.99} and router.card["card_sha256"] == card_sha256(data)


def test_write_model_seals_the_card(models_dir: Path, tmp_path: Path) -> None:
    from gqr.train._card import update_bench, write_model

    card = json.loads((models_dir / "tiny-guarded.json").read_text(encoding="utf-8"))
    del card["onnx"], card["card_sha256"]
    card["name"] = "resealed"
    blob = (models_dir / "tiny-guarded.onnx").read_bytes()
    card["featurizer"]["char_ngram_range"] = tuple(card["featurizer"]["char_ngram_range"])  # hashed as a list
    _, card_path = write_model(blob, card, tmp_path)
    written = json.loads(card_path.read_text(encoding="utf-8"))
    assert list(written)[-1] == "card_sha256" and written["card_sha256"] == card_sha256(written)
    update_bench(card_path, {"gqr_score": 0.1})
    router = gqr.load(card_path)
    assert router.name == "resealed" and router.card["bench"] == {"gqr_score": 0.1}


def test_the_session_is_run_through_public_onnxruntime_api(router: gqr.Router) -> None:
    import onnxruntime as ort

    run = router._model._run
    assert run.__self__ is router._model._session and run.__func__ is ort.InferenceSession.run


def test_card_that_is_not_json_is_refused(tmp_path: Path) -> None:
    (tmp_path / "broken.onnx").write_bytes(b"")
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(gqr.ModelIntegrityError, match="not UTF-8 JSON"):
        gqr.load(tmp_path / "broken.json")


def test_onnx_that_onnxruntime_cannot_load_is_refused(models_dir: Path, tmp_path: Path) -> None:
    junk = b"not an onnx graph"
    card = _edit_card(models_dir, tmp_path, onnx={"file": "junk.onnx", "sha256": hashlib.sha256(junk).hexdigest()})
    (tmp_path / "junk.onnx").write_bytes(junk)
    with pytest.raises(gqr.ModelIntegrityError, match="onnxruntime cannot load"):
        gqr.load(card)


def test_light_import_then_load_pulls_no_training_library(models_dir: Path) -> None:
    code = (
        "import sys, json, gqr\n"
        "before = 'onnxruntime' in sys.modules\n"
        f"d = gqr.load({str(models_dir / 'tiny-guarded.json')!r}).classify({LAW!r})\n"
        "print(json.dumps([before, d.route, sorted(m for m in sys.modules if '.' not in m)]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    before, route, loaded = json.loads(out)
    assert before is False
    assert route == "law"
    assert "onnxruntime" in loaded
    assert not set(loaded) & {"torch", "sklearn", "xgboost", "fasttext", "onnx", "pandas", "scipy", "skl2onnx"}


# -------------------------------------------------------------------------------------------------- decisions
@pytest.mark.parametrize(
    ("text", "route", "reason"),
    [
        (LAW, "law", None),
        (FINANCE, "finance", None),
        (HEALTH, "healthcare", None),
        (INSULT, None, "unsafe"),
        (GERMAN, None, "other_language"),
        (OFF_TOPIC, None, "off_topic"),
    ],
)
def test_guarded_model_routes_and_names_reasons(router: gqr.Router, text: str, route: str, reason: str) -> None:
    d = router.classify(text)
    assert (d.route, d.reason) == (route, reason)
    assert d.label == (route or "ood")


def test_decision_is_complete_and_follows_the_policy(router: gqr.Router) -> None:
    decisions = router.classify_batch([LAW, FINANCE, HEALTH, INSULT, GERMAN, OFF_TOPIC])
    for d in decisions:
        assert list(d.scores) == router.card["outputs"]
        assert all(0.0 <= s <= 1.0 for s in d.scores.values())
        assert 0.0 <= d.confidence <= 1.0
        assert json.loads(json.dumps(d.to_dict()))["label"] == d.label
    scores = np.array([list(d.scores.values()) for d in decisions], dtype=np.float32)
    label, reason, confidence = decide(scores, router.card["outputs"], router.card["thresholds"])
    assert [d.label for d in decisions] == [gqr.LABELS[k] for k in label]
    assert [d.reason for d in decisions] == [gqr.REASONS[r] if r >= 0 else None for r in reason]
    assert [d.confidence for d in decisions] == pytest.approx(confidence.tolist())


@pytest.mark.parametrize("outputs", [STRICT, [*STRICT, "unsafe"], [*STRICT, "off_topic", "unsafe", "other_language"]])
def test_one_row_rule_matches_decide(outputs: list[str]) -> None:
    rng = np.random.default_rng(len(outputs))
    scores = rng.random((3000, len(outputs))).astype(np.float32)
    scores[:1000] = np.round(scores[:1000] * 4) / 4  # ties, and scores exactly at the thresholds 0.5 and 0.75
    scores[1000:1100, :3] = np.float32(0.3)  # at a threshold that float32 cannot hold exactly
    thresholds = {"law": 0.5, "finance": 0.3, "healthcare": 0.75}
    label, reason, confidence = decide(scores, outputs, thresholds)
    rule = one_row_rule(outputs, thresholds)
    one = [rule(row) for row in scores.tolist()]
    assert [o[0] for o in one] == label.tolist()
    assert [o[1] for o in one] == reason.tolist()
    assert [o[2] for o in one] == pytest.approx(confidence.tolist(), abs=1e-7)


def test_strict_model_rejects_with_low_confidence(strict: gqr.Router, tmp_path: Path) -> None:
    assert strict.classify(LAW).route == "law"
    picky = gqr.load(build_model(tmp_path, "tiny-strict", STRICT, threshold=1.0))  # nothing clears 1.0 here
    d = picky.classify(LAW)
    assert (d.route, d.reason) == (None, "low_confidence")
    assert list(d.scores) == STRICT
    assert max(d.scores.values()) == d.scores["law"] < 1.0
    assert d.confidence == pytest.approx(1.0 - d.scores["law"], abs=1e-6)


def test_batch_equals_single_in_order_across_chunks(router: gqr.Router) -> None:
    pool = [LAW, "", FINANCE, "😀 🎉", HEALTH, "x" * (MAX_CHARS + 1), INSULT, "東京の天気はどうですか", GERMAN, " \t"]
    texts = [pool[(k * 7) % len(pool)] + (" law" * (k % 3) if pool[(k * 7) % len(pool)] else "") for k in range(2500)]
    assert len(texts) > 2 * BATCH_CHUNK
    batch = router.classify_batch(texts)
    assert len(batch) == len(texts)
    singles = [router.classify(t) for t in texts]
    assert [(d.route, d.reason) for d in batch] == [(d.route, d.reason) for d in singles]
    for b, s in zip(batch, singles, strict=True):
        assert b.confidence == pytest.approx(s.confidence, abs=1e-5)
        assert b.scores == pytest.approx(s.scores, abs=1e-5)
    assert router.predict(texts).tolist() == [gqr.LABELS.index(d.label) for d in singles]
    assert router.predict(texts).dtype == np.int64
    assert router.outcomes(texts) == [(d.route, d.label, d.confidence, d.reason) for d in batch]


def test_empty_batch(router: gqr.Router) -> None:
    assert router.classify_batch([]) == [] == router.outcomes([])
    assert router.predict(iter([])).shape == (0,)


def test_concurrent_use_is_consistent(router: gqr.Router) -> None:
    texts = [LAW, FINANCE, HEALTH, INSULT] * 50
    expected = [router.classify(t).route for t in texts]
    with ThreadPoolExecutor(4) as pool:
        assert [d.route for d in pool.map(router.classify, texts)] == expected


def test_concurrent_batches_on_a_fresh_router_are_consistent(models_dir: Path) -> None:
    """Batches from several threads grow the featurizer's word table at the same time: no row may be mixed up."""
    pool_texts = [LAW, FINANCE, HEALTH, INSULT, GERMAN, OFF_TOPIC, "東京の天気はどうですか"]
    batches = [[f"{pool_texts[(k + j) % len(pool_texts)]} w{k}x{j} {j}q{k}" for j in range(1500)] for k in range(6)]
    fresh = gqr.load(models_dir / "tiny-guarded.json")
    with ThreadPoolExecutor(6) as pool:
        got = list(pool.map(fresh.outcomes, batches))
    reference = gqr.load(models_dir / "tiny-guarded.json")
    assert got == [[_outcome(reference.classify(t)) for t in batch] for batch in batches]


def _outcome(d: gqr.Decision) -> tuple:
    return (d.route, d.label, d.confidence, d.reason)


# ------------------------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("text", ["", " ", "\n\t  \r\n", "\u3000\u2003"])
def test_empty_or_whitespace_is_rejected_as_empty(router: gqr.Router, text: str) -> None:
    d = router.classify(text)
    assert (d.route, d.reason, d.scores) == (None, "empty", {})


def test_too_long_is_rejected_at_the_cap(router: gqr.Router) -> None:
    at_cap = LAW + " " * (MAX_CHARS - len(LAW))
    assert router.classify(at_cap).route == "law"
    assert router.classify(at_cap + "x").reason == "too_long"
    megabyte = "a" * 1_000_000
    assert router.classify(megabyte).reason == "too_long"
    assert [d.reason for d in router.classify_batch([megabyte, LAW])] == ["too_long", None]


def test_no_known_token_is_rejected_by_script(router: gqr.Router) -> None:
    japanese = router.classify("東京の天気はどうですか")
    assert (japanese.route, japanese.reason, japanese.scores) == (None, "other_language", {})
    assert japanese.confidence == 1.0
    emoji = router.classify("😀 🎉 🚀")
    assert (emoji.route, emoji.reason) == (None, "low_confidence")


@pytest.mark.parametrize(
    "text",
    [
        "\ud800 lone surrogate landlord deposit \udfff",
        b"landlord \xff\xfe deposit \xc3".decode("utf-8", errors="replace"),
        "\x00\x01\x02\x1b[31m landlord \x7f\x00",
        "deposit 😀👍🏽🇸🇰 landlord",
        "\u202eRTL override\u202c e\u0301\u0301\u0301 \ufeff",
        "\x00" * 5000,
        "deposit " * 1249,
    ],
)
def test_hostile_text_never_crashes(router: gqr.Router, text: str) -> None:
    single = router.classify(text)
    assert isinstance(single, gqr.Decision)
    assert [(d.route, d.reason) for d in router.classify_batch([text, text])] == [(single.route, single.reason)] * 2


@pytest.mark.parametrize(("value", "name"), [(None, "NoneType"), (42, "int"), (["a"], "list"), (b"law", "bytes")])
def test_non_str_raises_type_error_naming_the_type(router: gqr.Router, value: object, name: str) -> None:
    with pytest.raises(TypeError, match=f"text must be str, got {name}"):
        router.classify(value)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=rf"texts\[1\] must be str, got {name}"):
        router.classify_batch([LAW, value])  # type: ignore[list-item]


def test_bytes_and_single_str_hints(router: gqr.Router) -> None:
    with pytest.raises(TypeError, match="decode bytes first"):
        router.classify(b"Can my landlord keep my deposit?")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"got a single str \(use classify\)"):
        router.classify_batch(LAW)


# ------------------------------------------------------------------------------------------- shipped models
SHIPPED_CASES = [
    ("Do I need a lawyer to contest a will in probate court?", "law"),
    ("What is the difference between a Roth IRA and a traditional IRA?", "finance"),
    ("I have had a high fever and a sore throat for a week, should I see a doctor?", "healthcare"),
    ("Wie komme ich am schnellsten zum Hauptbahnhof?", None),
    ("You are a worthless idiot and everyone hates you.", None),
]


def _shipped_names() -> list[str]:
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("GQR_MODELS_DIR", raising=False)
        return gqr.available_models()


@pytest.mark.parametrize("name", _shipped_names())
def test_shipped_model_loads_and_routes_clear_cases(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GQR_MODELS_DIR")
    router = gqr.load(name)
    assert router.size_bytes <= 20_000_000
    decisions = router.classify_batch([text for text, _ in SHIPPED_CASES])
    assert [d.route for d in decisions] == [route for _, route in SHIPPED_CASES]
    assert [router.classify(text).route for text, _ in SHIPPED_CASES] == [d.route for d in decisions]


def test_shipped_models_fit_the_size_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GQR_MODELS_DIR")
    names = gqr.available_models()
    assert names
    assert sum(gqr.load(name).size_bytes for name in names) <= 60_000_000


def test_shipped_cards_carry_their_own_sha256(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GQR_MODELS_DIR")
    from gqr._registry import model_cards

    cards = {name: read_card(path) for name, path in model_cards().items()}  # read_card checks card_sha256
    assert cards and all(card["card_sha256"] == card_sha256(card) for card in cards.values())


def test_default_shipped_model_names_reject_reasons(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GQR_MODELS_DIR")
    router = gqr.load()
    assert router.name == (Path(gqr.__file__).parents[1] / "models" / "DEFAULT").read_text(encoding="utf-8").strip()
    assert router.card["variant"] == "guarded"
    decisions = router.classify_batch([text for text, _ in SHIPPED_CASES])
    assert [d.reason for d in decisions] == [None, None, None, "other_language", "unsafe"]
