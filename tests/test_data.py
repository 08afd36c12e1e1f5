"""gqr.data: GQR-Bench OOD test sets, in-domain and outlier pools, split, errors, hub loader, ``gqr data``."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from gqr import DataNotFoundError, DataUnavailableError, InvalidInputError
from gqr._decision import DOMAINS
from gqr.cli import app
from gqr.data import (
    OOD_REASONS,
    OOD_TEST_SETS,
    SPLITS,
    clean,
    data_dir,
    load_hub_gqr_bench,
    load_id,
    load_ood_test,
    load_outliers,
    normalize,
    split_of,
)
from gqr.data._keywords import asks_for_crime, looks_in_domain
from gqr.data._pools import MIN_TITLE_WORDS
from gqr.train import build

EXPECTED_OOD = {
    "jigsaw": 3214,
    "olid": 860,
    "hate_xplain": 5935,
    "hate_speech_slovak": 959,
    "dkhate": 329,
    "web_questions": 2032,
    "ml_questions": 128,
}


@pytest.fixture(scope="module")
def ood():
    return load_ood_test()


@pytest.fixture(scope="module")
def pools():
    return {s: (load_id(s), load_outliers(s)) for s in SPLITS}


@pytest.fixture(scope="module")
def keys(pools):
    """Normalised text of every pool example, per split."""
    return {s: [normalize(e.text) for e in ids + out] for s, (ids, out) in pools.items()}


def test_ood_test_sets_have_the_exact_gqr_bench_counts(ood):
    assert Counter(e.dataset for e in ood) == EXPECTED_OOD
    assert len(ood) == 13_457
    assert set(OOD_TEST_SETS) == set(EXPECTED_OOD)


def test_ood_examples_carry_label_and_contract_reason(ood):
    assert {e.label for e in ood} == {"ood"}
    expected = {
        "jigsaw": "unsafe",
        "olid": "unsafe",
        "hate_xplain": "unsafe",
        "hate_speech_slovak": "other_language",
        "dkhate": "other_language",
        "web_questions": "off_topic",
        "ml_questions": "off_topic",
    }
    assert {(e.dataset, e.reason) for e in ood} == set(expected.items()) == set(OOD_REASONS.items())
    assert all(e.text.strip() for e in ood)


def test_missing_env_var_is_one_clear_error(monkeypatch):
    monkeypatch.delenv("GQR_DATA_DIR", raising=False)
    with pytest.raises(DataNotFoundError, match="GQR_DATA_DIR"):
        load_ood_test()
    with pytest.raises(DataNotFoundError, match="GQR_DATA_DIR"):
        load_id("train")


def test_missing_directory_names_the_path(tmp_path, monkeypatch):
    missing = tmp_path / "nowhere"
    monkeypatch.setenv("GQR_DATA_DIR", str(missing))
    with pytest.raises(DataNotFoundError, match="nowhere") as info:
        data_dir()
    assert "ood_eval.csv" in str(info.value)  # says what the folder should hold


def test_missing_file_names_the_file_and_what_it_should_hold(tmp_path):
    with pytest.raises(DataNotFoundError) as info:
        load_ood_test(tmp_path)
    message = str(info.value)
    assert str(tmp_path / "gqr_ood_eval" / "ood_eval.csv") in message
    assert "expected" in message and "OOD" in message
    with pytest.raises(DataNotFoundError, match=str(tmp_path)):
        load_outliers("train", tmp_path)


def test_ood_file_with_wrong_counts_is_rejected(tmp_path):
    folder = tmp_path / "gqr_ood_eval"
    folder.mkdir()
    (folder / "ood_eval.csv").write_text("prompt,label,dataset\nhello,0,jigsaw\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="jigsaw"):
        load_ood_test(tmp_path)


def test_bad_split_name_is_rejected():
    with pytest.raises(InvalidInputError, match="'validation'"):
        load_id("validation")
    with pytest.raises(InvalidInputError, match="str"):
        split_of(None)  # type: ignore[arg-type]


def test_split_is_stable_and_ignores_case_punctuation_and_spacing():
    text = "How do I file a Chapter 7 bankruptcy?"
    assert split_of(text) == split_of(text)
    assert split_of(text) == split_of("  how do i FILE a chapter 7   bankruptcy ")
    assert split_of(text) in SPLITS


def test_split_does_not_depend_on_the_process_hash_seed():
    texts = [f"question number {i} about contracts" for i in range(200)]
    code = (
        "import json,sys; from gqr.data import split_of; print(json.dumps([split_of(t) for t in json.load(sys.stdin)]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], input=json.dumps(texts), capture_output=True, text=True, env=env, check=True
    )
    assert json.loads(out.stdout) == [split_of(t) for t in texts]


def test_split_proportions_are_about_80_10_10():
    counts = Counter(split_of(f"synthetic text {i}") for i in range(20_000))
    assert abs(counts["train"] / 20_000 - 0.8) < 0.015
    assert abs(counts["eval"] / 20_000 - 0.1) < 0.01
    assert abs(counts["test"] / 20_000 - 0.1) < 0.01


def test_every_pool_example_sits_in_the_split_of_its_own_text(pools):
    # hence a text's split does not depend on which other sources were loaded
    for split, (ids, outliers) in pools.items():
        assert ids and outliers
        assert all(split_of(e.text) == split for e in ids + outliers)


def test_pool_proportions_are_about_80_10_10(pools):
    sizes = {s: len(ids) + len(out) for s, (ids, out) in pools.items()}
    total = sum(sizes.values())
    assert 0.77 < sizes["train"] / total < 0.83
    assert 0.08 < sizes["eval"] / total < 0.12
    assert 0.08 < sizes["test"] / total < 0.12


def test_no_text_in_two_splits_and_no_duplicates(keys):
    every = [k for split_keys in keys.values() for k in split_keys]
    assert len(every) == len(set(every))
    assert all(every)


def test_no_pool_text_appears_in_an_ood_test_set(keys, ood):
    test_keys = {normalize(e.text) for e in ood}
    assert all(test_keys.isdisjoint(split_keys) for split_keys in keys.values())


def test_no_pool_example_comes_from_an_ood_test_source(pools):
    banned = set(OOD_TEST_SETS) | {"gqr_ood_eval"}
    assert not any(e.dataset in banned for ids, out in pools.values() for e in ids + out)


def test_in_domain_pool_labels_and_sizes(pools):
    for split, (ids, _) in pools.items():
        per_domain = Counter(e.label for e in ids)
        assert set(per_domain) == set(DOMAINS)
        assert all(e.reason is None for e in ids)
        floor = 5000 if split == "train" else 700
        assert min(per_domain.values()) >= floor, (split, per_domain)
        # no domain swamps the others
        assert max(per_domain.values()) <= 4 * min(per_domain.values()), (split, per_domain)


def test_outlier_pool_labels_and_reasons(pools):
    for _, outliers in pools.values():
        reasons = Counter(e.reason for e in outliers)
        assert {e.label for e in outliers} == {"ood"}
        assert set(reasons) == {"off_topic", "unsafe", "other_language"}
        assert min(reasons.values()) >= 200


def test_texts_are_cleaned(pools):
    ids, outliers = pools["train"]
    for e in ids + outliers:
        assert e.text == e.text.strip() and "  " not in e.text and "\n" not in e.text
        assert not re.search(r"https?://\w", e.text)


def test_clean_strips_markup():
    raw = "Read <b>this</b> &amp; [the docs](https://example.com/a_(b)) at www.x.org **now**\n\n> quoted"
    assert clean(raw) == "Read this & the docs at now quoted"


def _raw(*parts: str) -> Path:
    return Path(os.environ["GQR_DATA_DIR"], *parts)


def test_clinc_and_hwu_finance_intents_are_finance_not_outliers(pools):
    outlier_keys = {normalize(e.text) for s in SPLITS for e in pools[s][1]}
    finance_keys = {normalize(e.text) for s in SPLITS for e in pools[s][0] if e.label == "finance"}
    domains = json.loads(_raw("clinc150_oos", "domains.json").read_text())
    banking = set(domains["banking"]) | set(domains["credit_cards"])
    rows = [r for rows in json.loads(_raw("clinc150_oos", "data_full.json").read_text()).values() for r in rows]
    clinc_finance = {normalize(text) for text, intent in rows if intent in banking}
    hwu = zip(
        _raw("hwu64", "train", "seq.in").read_text().splitlines(),
        _raw("hwu64", "train", "label").read_text().splitlines(),
        strict=True,
    )
    hwu_finance = {normalize(text) for text, intent in hwu if intent in ("qa_stock", "qa_currency")}
    for finance in (clinc_finance, hwu_finance):
        assert finance and finance.isdisjoint(outlier_keys)
        assert len(finance & finance_keys) > 0.9 * len(finance)


def test_mmlu_machine_learning_is_not_used(keys):
    with _raw("mmlu_test", "machine_learning_test.csv").open(newline="", encoding="utf-8") as f:
        questions = {normalize(row[0]) for row in csv.reader(f)}
    assert len(questions) > 100
    assert all(questions.isdisjoint(split_keys) for split_keys in keys.values())


def test_in_domain_looking_hh_rlhf_prompts_are_outliers_only_as_crimes(pools):
    hh = [e for s in SPLITS for e in pools[s][1] if e.dataset == "hh_rlhf_harmless_test_prompts"]
    assert len(hh) > 1000
    crimes = [e for e in hh if asks_for_crime(e.text) and looks_in_domain(e.text)]
    assert len(crimes) > 20 and all(e.reason == "unsafe" for e in crimes)  # "how can I steal money"
    rest = [e.text.lower() for e in hh if not asks_for_crime(e.text)]
    for word in ("lawyer", "money", "doctor", "alcohol", "tax"):
        assert not any(re.search(rf"\b{word}\b", text) for text in rest), word


def test_law_adjacent_finance_posts_are_not_finance(pools):
    finance = [e.text.lower() for ids, _ in pools.values() for e in ids if e.label == "finance"]
    for dataset in ("fiqa_questions", "reddit_top_finance"):
        texts = [e.text.lower() for ids, _ in pools.values() for e in ids if e.dataset == dataset]
        assert len(texts) > 1000
        assert not any(re.search(r"\b(?:landlord|tenant|lawsuit|attorney)s?\b", t) for t in texts), dataset
    assert any("lease" in t for t in finance)  # lease accounting stays finance


def test_medical_question_pair_rewrites_share_their_originals_split(pools):
    with _raw("medical_question_pairs", "mqp.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    originals = {normalize(clean(row[1])) for row in rows}
    splits_of_originals: dict[str, set[str]] = {}
    for row in rows:
        splits_of_originals.setdefault(normalize(clean(row[2])), set()).add(split_of(clean(row[1])))
    rewrites = {
        normalize(e.text): s
        for s, (ids, _) in pools.items()
        for e in ids
        if e.dataset == "medical_question_pairs" and normalize(e.text) not in originals
    }
    assert len(rewrites) > 1000
    assert all(s in splits_of_originals[key] for key, s in rewrites.items())


def test_reddit_posts_keep_their_titles_and_no_title_copies_another_text(pools, keys, ood):
    examples = [e for ids, out in pools.values() for e in ids + out]
    titled = [e for e in examples if e.title is not None]
    assert {e.dataset for e in titled} == {
        "reddit_top_law", "reddit_top_finance", "reddit_top_health", "reddit_top_general"
    }  # fmt: skip
    assert len(titled) > 10_000
    assert all(e.text.startswith(e.title) and len(e.text) > len(e.title) for e in titled)
    every_text = {k for split in keys.values() for k in split} | {normalize(e.text) for e in ood}
    assert not any(normalize(e.title) in every_text for e in titled)
    assert all(len(e.title.split()) >= MIN_TITLE_WORDS for e in titled)
    csv.field_size_limit(1 << 30)
    rows = []
    for sub in ("legaladvice", "law"):
        with _raw("reddit_top_law", f"{sub}.csv").open(newline="", encoding="utf-8") as f:
            rows += [(row["title"], row["selftext"]) for row in csv.DictReader(f) if row["is_self"] == "True"]
    assert {e.title for e in titled if e.dataset == "reddit_top_law"} <= {clean(title) for title, _ in rows}
    short = {clean(f"{title}\n{body}") for title, body in rows if len(clean(title).split()) < MIN_TITLE_WORDS}
    untitled = [e for e in examples if e.dataset == "reddit_top_law" and e.text in short]
    assert untitled and all(e.title is None for e in untitled)


def test_title_views_add_each_title_once_as_a_train_text():
    plain = build("train", "guarded")
    viewed = build("train", "guarded", title_views=True)
    assert viewed.texts[: len(plain)] == plain.texts
    views = range(len(plain), len(viewed))
    parents: dict[str, set[tuple[str, str, str | None]]] = {}  # a title may head several posts
    for e in load_id("train") + load_outliers("train"):
        if e.title is not None:
            parents.setdefault(e.title, set()).add((f"{e.dataset}:title", e.label, e.reason))
    assert len(views) > 5000
    for i in views:
        assert (viewed.datasets[i], viewed.labels[i], viewed.reasons[i]) in parents[viewed.texts[i]]
    assert len(set(viewed.texts)) == len(viewed.texts)
    assert {e.title for e in load_id("train") if e.title is not None} <= set(viewed.texts)  # every in-domain title
    assert np.array_equal(viewed.targets[: len(plain)], plain.targets)


def test_loads_are_cached_and_return_fresh_lists():
    start = time.perf_counter()
    first = load_id("train")
    again = load_id("train")
    assert time.perf_counter() - start < 1.0
    assert first == again and first is not again
    first.clear()
    assert load_id("train") == again


def test_hub_loader_fails_fast_and_points_to_the_local_mirror():
    start = time.perf_counter()
    with pytest.raises(DataUnavailableError) as info:
        load_hub_gqr_bench(timeout=3.0)
    assert time.perf_counter() - start < 5.0
    message = str(info.value)
    assert "huggingface" in message.lower() and "GQR_DATA_DIR" in message and "load_ood_test" in message


def test_hub_loader_respects_offline_mode(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    start = time.perf_counter()
    with pytest.raises(DataUnavailableError, match="HF_HUB_OFFLINE"):
        load_hub_gqr_bench()
    assert time.perf_counter() - start < 0.5


def test_cli_data_table_lists_every_set(pools):
    result = CliRunner().invoke(app, ["data"])
    assert result.exit_code == 0, result.output
    for name in OOD_TEST_SETS:
        assert name in result.output
    datasets = {e.dataset for ids, out in pools.values() for e in ids + out}
    for name in datasets:
        assert name in result.output
    for role in ("ood-test", "in-domain", "outlier"):
        assert role in result.output


def test_cli_data_json_matches_the_loaders(pools):
    result = CliRunner().invoke(app, ["data", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    ood_rows = {r["name"]: r["test"] for r in rows if r["role"] == "ood-test"}
    assert ood_rows == EXPECTED_OOD
    for label in DOMAINS:
        (total,) = [r for r in rows if r["role"] == "in-domain" and r["name"] == "(all)" and r["kind"] == label]
        for split in SPLITS:
            assert total[split] == sum(e.label == label for e in pools[split][0])


def test_cli_data_missing_dir_is_a_clean_error(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "gqr", "data", "--data-dir", str(tmp_path / "missing")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "error:" in result.stderr and "missing" in result.stderr
    assert "Traceback" not in result.stderr


def test_data_dir_accepts_an_explicit_path():
    root = Path(os.environ["GQR_DATA_DIR"])
    assert data_dir(root) == root
