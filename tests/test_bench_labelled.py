"""``gqr bench --data``: a model of the user's own routes scored on their labelled queries, in Python and on the
command line, with a toy model (tests/_router_model.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _router_model import CUSTOM, TRAIN, build_model
from typer.testing import CliRunner

import gqr
from gqr import ClassifierOutputError, Decision, InvalidInputError
from gqr.bench import LabelledReport, evaluate_labelled, harmonic_mean
from gqr.cli import app

OUTPUTS = ["billing", "tech_support", "off_topic", "unsafe", "other_language"]
REJECT = [*TRAIN["unsafe"][:3], *TRAIN["other_language"][:3], *TRAIN["off_topic"][:3]]
PAIRS: list[tuple[str, str | None]] = [
    *((t, "billing") for t in CUSTOM["billing"]),
    *((t, "tech_support") for t in CUSTOM["tech_support"]),
    *((t, None) for t in REJECT),
]


@pytest.fixture(scope="module")
def card(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_model(tmp_path_factory.mktemp("support"), "support-guarded", OUTPUTS, train={**TRAIN, **CUSTOM})


@pytest.fixture(scope="module")
def router(card: Path) -> gqr.Router:
    return gqr.load(card)


@pytest.fixture
def eval_csv(tmp_path: Path) -> Path:
    path = tmp_path / "eval.csv"
    lines = ["text,route", *(f'"{t}",{r or ""}' for t, r in PAIRS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def expected_confusion(router: gqr.Router) -> dict[str, dict[str, int]]:
    confusion: dict[str, dict[str, int]] = {}
    for text, route in PAIRS:
        d = router.classify(text)
        row = confusion.setdefault(route or "ood", {})
        decided = d.route or str(d.reason)
        row[decided] = row.get(decided, 0) + 1
    return confusion


def test_report_counts_every_decision(router: gqr.Router, eval_csv: Path) -> None:
    report = evaluate_labelled(router, eval_csv, latency_queries=20)
    assert report.confusion == expected_confusion(router)
    assert report.routes == ("billing", "tech_support")
    assert report.n_per_label == {"billing": 8, "tech_support": 8, "ood": 9}
    # the toy model routes its own training texts right and rejects the reject texts with their reasons
    assert report.accuracy_per_route == {"billing": 1.0, "tech_support": 1.0}
    assert report.confusion["ood"] == {"unsafe": 3, "other_language": 3, "off_topic": 3}
    assert report.routing_accuracy == 1.0 and report.rejection == 1.0
    assert report.p50_us is not None and report.p99_us is not None and 0 < report.p50_us <= report.p99_us


def test_harmonic_mean_of_routing_and_rejection() -> None:
    confusion = {"a": {"a": 3, "b": 1}, "b": {"b": 4}, "ood": {"unsafe": 1, "a": 1}}
    report = LabelledReport("m", "x.csv", ("a", "b"), confusion, None, None, 0)
    assert report.accuracy_per_route == {"a": 0.75, "b": 1.0}
    assert report.routing_accuracy == 7 / 8
    assert report.rejection == 0.5
    assert report.harmonic_mean == pytest.approx(harmonic_mean(7 / 8, 0.5))
    only_routes = LabelledReport("m", "x.csv", ("a",), {"a": {"a": 1}}, None, None, 0)
    assert only_routes.rejection is None and only_routes.harmonic_mean is None


def test_files_and_pairs_agree_and_render(router: gqr.Router, eval_csv: Path, tmp_path: Path) -> None:
    jsonl = tmp_path / "eval.jsonl"
    jsonl.write_text("".join(json.dumps({"text": t, "route": r}) + "\n" for t, r in PAIRS), encoding="utf-8")
    reports = [evaluate_labelled(router, s, latency_queries=0) for s in (eval_csv, jsonl, PAIRS)]
    assert reports[0].confusion == reports[1].confusion == reports[2].confusion
    assert reports[0].p50_us is None
    data = json.loads(json.dumps(reports[0].to_dict()))
    assert data["harmonic_mean"] == 1.0 and data["confusion"]["ood"]["unsafe"] == 3
    table = reports[0].table()
    assert "billing        100.00 %  (n=8)" in table and "harmonic mean  100.00 %" in table
    header, *rows = reports[0].confusion_table().splitlines()
    assert header.split()[-5:] == ["billing", "tech_support", "off_topic", "unsafe", "other_language"]
    assert rows[-1].split() == ["ood", "0", "0", "3", "3", "3"]


def test_a_route_the_model_lacks_names_both_lists(router: gqr.Router, tmp_path: Path) -> None:
    path = tmp_path / "eval.csv"
    path.write_text("text,route\nWhere is my parcel?,shipping\nRefund my invoice,billing\n", encoding="utf-8")
    with pytest.raises(InvalidInputError) as info:
        evaluate_labelled(router, path, latency_queries=0)
    message = str(info.value)
    assert "route(s) ['shipping']" in message
    assert "the model's routes: ['billing', 'tech_support']" in message
    assert "the file's: ['billing', 'shipping']" in message


def test_bad_classifiers_are_refused(tmp_path: Path) -> None:
    class Short:
        name = "short"
        routes = ("billing",)

        def classify(self, text: str) -> Decision:
            return Decision(route="billing", confidence=1.0)

        def classify_batch(self, texts: list[str]) -> list[Decision]:
            return [self.classify(t) for t in texts][:-1]

    with pytest.raises(ClassifierOutputError, match="expected 2 labels"):
        evaluate_labelled(Short(), [("a", "billing"), ("b", None)], latency_queries=0)
    with pytest.raises(TypeError, match=r"expected a gqr\.Classifier"):
        evaluate_labelled(lambda texts: ["ood"] * len(texts), [("a", None)])
    with pytest.raises(InvalidInputError, match="expected at least one labelled query"):
        evaluate_labelled(Short(), [])


def test_cli_bench_data_table_and_json(card: Path, eval_csv: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["bench", "-m", str(card), "--data", str(eval_csv), "--latency-queries", "10"])
    assert result.exit_code == 0, result.output
    assert "harmonic mean" in result.output and "expected \\ decided" in result.output
    result = runner.invoke(app, ["bench", "-m", str(card), "--data", str(eval_csv), "--json", "--latency-queries", "0"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["accuracy_per_route"] == {"billing": 1.0, "tech_support": 1.0}
    assert data["model"] == "support-guarded"


def test_cli_bench_data_errors_exit_2(card: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "eval.csv"
    path.write_text("text,route\nWhere is my parcel?,shipping\n", encoding="utf-8")
    for extra, message in ((["--markdown"], "got --markdown"), ([], "that model 'support-guarded' does not have")):
        command = [sys.executable, "-m", "gqr", "bench", "-m", str(card), "--data", str(path), *extra]
        result = subprocess.run(command, capture_output=True, text=True)
        assert result.returncode == 2, result.stderr
        assert message in result.stderr
