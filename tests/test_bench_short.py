"""gqr.bench.evaluate_short: the short-query dev set scored by hand, on the shipped default model, and in the CLI."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

import pytest
from typer.testing import CliRunner

import gqr
from gqr import ClassifierOutputError, Decision, InvalidInputError
from gqr.bench import ShortResult, evaluate_short, law_area_markdown, short_markdown_header
from gqr.cli import app
from gqr.data import Example, load_short_queries

DEV = [
    Example("landlord kept my deposit", "law", "short_queries"),
    Example("can i copy a song", "law", "short_queries"),
    Example("sue my boss", "law", "short_queries"),
    Example("roth ira limits", "finance", "short_queries"),
    Example("fever for three days", "healthcare", "short_queries"),
    Example("capital of france", "ood", "short_queries", "off_topic"),
    Example("you idiot", "ood", "short_queries", "unsafe"),
    Example("wie spät ist es", "ood", "short_queries", "other_language"),
]
AREAS = ["tenancy", "copyright", "employment", "", "", "", "", "german"]
ANSWERS = {  # (label, reason) per text: two law misses, one unsafe text rejected as off_topic, one routed
    "landlord kept my deposit": ("law", None),
    "can i copy a song": ("finance", None),
    "sue my boss": ("ood", "off_topic"),
    "roth ira limits": ("finance", None),
    "fever for three days": ("healthcare", None),
    "capital of france": ("ood", "off_topic"),
    "you idiot": ("ood", "off_topic"),
    "wie spät ist es": ("law", None),
}


class Canned:
    """A gqr.Classifier answering from ANSWERS."""

    name = "canned"

    def classify(self, text: str) -> Decision:
        return self.classify_batch([text])[0]

    def classify_batch(self, texts: Sequence[str]) -> list[Decision]:
        out = []
        for t in texts:
            label, reason = ANSWERS[t]
            route = None if label == "ood" else label
            out.append(Decision(route=route, confidence=0.9, reason=reason))
        return out


def test_scores_match_hand_computed_values() -> None:
    r = evaluate_short(Canned(), examples=DEV, areas=AREAS)
    assert r.model == "canned"
    assert r.id_acc_per_domain == {"law": 1 / 3, "finance": 1.0, "healthcare": 1.0}
    assert r.rejection_per_reason == {"off_topic": 1.0, "unsafe": 1.0, "other_language": 0.0}
    assert r.reason_acc_per_reason == {"off_topic": 1.0, "unsafe": 0.0, "other_language": 0.0}
    assert r.law_acc_per_area == {"copyright": 0.0, "employment": 0.0, "tenancy": 1.0}
    assert r.id_mean == pytest.approx(7 / 9) and r.rejection_mean == pytest.approx(2 / 3)
    assert r.reason_acc == pytest.approx(1 / 3)
    assert r.n_per_label == {"law": 3, "finance": 1, "healthcare": 1, "off_topic": 1, "unsafe": 1, "other_language": 1}


def test_plain_callable_has_no_reason_accuracy() -> None:
    r = evaluate_short(lambda texts: [ANSWERS[t][0] for t in texts], name="plain", examples=DEV, areas=AREAS)
    assert r.reason_acc_per_reason is None and r.reason_acc is None
    assert r.to_dict()["reason_acc"] is None and r.rejection_per_reason["unsafe"] == 1.0
    assert "—" in r.markdown_row()  # reason accuracy shown as a dash


def test_bad_output_and_input_are_refused() -> None:
    with pytest.raises(ClassifierOutputError, match="one per text"):
        evaluate_short(lambda texts: ["law"], examples=DEV, areas=AREAS)
    with pytest.raises(InvalidInputError, match="one area each"):
        evaluate_short(Canned(), examples=DEV, areas=AREAS[:-1])


def test_renderings() -> None:
    r = evaluate_short(Canned(), examples=DEV, areas=AREAS)
    header = short_markdown_header().splitlines()
    row = r.markdown_row()
    assert row.count("|") == header[0].count("|") and "| canned | 33.33 | 100.00 | 100.00 |" in row
    table = law_area_markdown([r, r])
    assert "| copyright | 1 | 0.00 | 0.00 |" in table and "| tenancy | 1 | 100.00 | 100.00 |" in table
    text = r.table()
    assert "law areas" in text and "unsafe" in text and "reason right 0.00 %" in text
    with pytest.raises(InvalidInputError):
        law_area_markdown([])


def test_shipped_default_on_the_dev_set() -> None:
    r = evaluate_short(gqr.load())
    assert isinstance(r, ShortResult)
    assert sum(r.n_per_label.values()) == len(load_short_queries())
    assert set(r.id_acc_per_domain) == {"law", "finance", "healthcare"}
    reasons = {"off_topic", "unsafe", "other_language"}
    assert set(r.rejection_per_reason) == set(r.reason_acc_per_reason or {}) == reasons
    values = [*r.id_acc_per_domain.values(), *r.rejection_per_reason.values(), *r.law_acc_per_area.values()]
    assert all(0.0 <= v <= 1.0 for v in values)
    assert len(r.law_acc_per_area) >= 10 and sum(r.n_per_law_area.values()) == r.n_per_label["law"]
    assert r.id_acc_per_domain["finance"] > 0.5 and r.rejection_per_reason["other_language"] > 0.5  # not chance
    assert json.loads(json.dumps(r.to_dict(), allow_nan=False))["id_acc_per_domain"] == r.id_acc_per_domain


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("GQR_DATA_DIR"), reason="needs GQR_DATA_DIR")
def test_cli_bench_reports_the_dev_set() -> None:
    base = ["bench", "--limit-per-set", "10", "--latency-queries", "0"]
    text = _bench(base)
    assert "GQR score" in text and "short-query dev set" in text and text.index("GQR score") < text.index("law areas")
    d = json.loads(_bench([*base, "--json"]))
    assert d["short_queries"]["n_per_label"]["law"] == sum(e.label == "law" for e in load_short_queries())
    assert 0 <= d["short_queries"]["id_mean"] <= 1
    md = _bench([*base, "--markdown"])
    assert "model (short-query dev set)" in md and "| law area | n |" in md
    off = _bench([*base, "--no-short"])
    assert "GQR score" in off and "short-query dev set" not in off


def _bench(args: list[str]) -> str:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.stdout
