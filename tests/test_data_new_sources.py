"""The sources added for issue 13: kept counts, reasons, caps, filters, leakage guards; the profanity lexicon."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from gqr.data import SPLITS, normalize
from gqr.data._near import DevSetGuard, OodHeads, jaccard, read_dev_texts, tokens
from gqr.data._ood import load_ood_test
from gqr.data._pools import pool
from gqr.data._sources_id import SOURCE_CAP, _small_talk, capped

needs_data = pytest.mark.skipif(not os.environ.get("GQR_DATA_DIR"), reason="needs GQR_DATA_DIR")

# (dataset, label or reason) -> (train, eval, test), measured on the fixed data under GQR_DATA_DIR
EXPECTED = {
    ("convabuse", "off_topic"): (1532, 204, 209),
    ("convabuse", "unsafe"): (329, 28, 46),
    ("davidson_hate_offensive", "off_topic"): (3084, 378, 370),
    ("davidson_hate_offensive", "unsafe"): (16066, 2010, 2056),
    ("edos_sexism", "off_topic"): (10470, 1311, 1301),
    ("edos_sexism", "unsafe"): (3836, 507, 503),
    ("tweeteval_hate", "off_topic"): (4613, 528, 604),
    ("tweeteval_hate", "unsafe"): (4144, 520, 536),
    ("stormfront_hate", "unsafe"): (949, 116, 127),
    ("covid_q", "healthcare"): (1109, 156, 144),
    ("indian_legal_qa", "law"): (2390, 307, 303),
    ("uk_legal_qa", "law"): (1479, 180, 203),
}
NEW = sorted({name for name, _ in EXPECTED})


@pytest.fixture(scope="module")
def built():
    return pool(Path(os.environ["GQR_DATA_DIR"]).resolve())


@pytest.fixture(scope="module")
def new_examples(built):
    return [(split, e) for split, examples in built.splits.items() for e in examples if e.dataset in NEW]


@needs_data
def test_kept_counts_per_source_label_and_split(new_examples):
    counts = Counter((e.dataset, e.reason or e.label, split) for split, e in new_examples)
    got = {key: tuple(counts[(*key, s)] for s in SPLITS) for key in EXPECTED}
    assert got == EXPECTED
    assert {(e.dataset, e.reason or e.label) for _, e in new_examples} == set(EXPECTED)  # nothing else


@needs_data
def test_new_sources_carry_the_right_labels(new_examples):
    for _, e in new_examples:
        if e.dataset in ("covid_q", "indian_legal_qa", "uk_legal_qa"):
            assert e.reason is None and e.label == {"covid_q": "healthcare"}.get(e.dataset, "law")
        else:
            assert e.label == "ood" and e.reason in ("unsafe", "off_topic")


@needs_data
def test_synthetic_law_sources_are_capped(new_examples):
    sizes = Counter(e.dataset for _, e in new_examples)
    assert sizes["indian_legal_qa"] == SOURCE_CAP  # 13k usable questions, capped
    assert sizes["uk_legal_qa"] <= SOURCE_CAP


def test_cap_is_deterministic_and_keeps_order():
    texts = [f"What is rule number {i}?" for i in range(50)]
    first = capped(texts, 10)
    assert len(first) == 10 and first == capped(list(reversed(texts)), 10)[::-1]
    assert capped(texts, 10) == first and first == [t for t in texts if t in first]
    assert capped([*texts, "what is RULE number 3"], 100) == texts  # normalised duplicates collapse


@needs_data
def test_no_new_source_text_equals_or_nearly_copies_an_ood_test_text(new_examples):
    keys = {normalize(e.text) for e in load_ood_test()}
    heads = OodHeads(keys)
    assert not any(normalize(e.text) in keys or heads.hit(normalize(e.text)) for _, e in new_examples)
    texts = {normalize(e.text) for _, e in new_examples}
    assert not any(t.startswith("hell yea bitch dis go hard as hell flocka") for t in texts)  # tweeteval ~ hate_xplain


@needs_data
def test_leakage_and_filter_drops_are_recorded(built):
    assert built.dropped["edos_sexism"]["near_ood_test"] >= 1
    assert built.dropped["tweeteval_hate"]["near_ood_test"] == 1
    assert built.dropped["uk_legal_qa"]["in_dev_set"] == 2
    dev = {normalize(t) for t in read_dev_texts()}
    assert not any(normalize(e.text) in dev for examples in built.splits.values() for e in examples)


@needs_data
def test_source_filters(new_examples):
    texts = Counter()
    for _, e in new_examples:
        texts[e.dataset, e.text.lower()] += 1
    uk = [t for (name, t) in texts if name == "uk_legal_qa"]
    assert not any(t.startswith("pactoria") or t in ("hi, who are you?", "can you help me?") for t in uk)
    indian = [t for (name, t) in texts if name == "indian_legal_qa"]
    assert not any("sub-section" in t or "this chapter" in t for t in indian)
    covid = [t for (name, t) in texts if name == "covid_q"]
    assert "what is the difference between seasonal flu and covid-19?" in covid
    for dropped in (
        "which stocks should i buy during the covid-19 outbreak?",  # category Economic Effects
        "is china going to pay reparations for the covid-19 virus?",  # uncategorised, societal
        "how can people help stop stigma related to covid-19",  # CDC FAQ page
    ):
        assert dropped not in covid
    storm = [e for _, e in new_examples if e.dataset == "stormfront_hate"]
    assert {e.reason for e in storm} == {"unsafe"}  # noHate / relation / idk-skip dropped
    assert not any("do n't" in e.text or "[user]" in e.text.lower() for _, e in new_examples)


def test_small_talk_rule():
    for text in ("Hi, who are you?", "I have a question", "How accurate is your advice?", "What should I do next?"):
        assert _small_talk(text), text
    for text in ("What is mens rea?", "Can you explain what a derivative claim is?", "Is a verbal contract binding?"):
        assert not _small_talk(text), text


def test_dev_set_guard_exact_and_jaccard():
    guard = DevSetGuard(["can my landlord keep my deposit", "Is Bitcoin a good investment?"])
    assert guard.equals(normalize("Can my landlord keep my DEPOSIT?"))
    assert guard.near("can my landlord keep my whole deposit")  # 5 of 6 tokens shared
    assert guard.near("Bitcoin: is it a good investment")  # same token set
    assert not guard.near("can my landlord raise the rent")  # 3/8
    assert jaccard(tokens("a b c"), tokens("a b d e")) == pytest.approx(2 / 5)
    assert jaccard(frozenset(), frozenset()) == 0.0


def test_ood_heads_catch_truncated_and_extended_copies():
    heads = OodHeads([normalize("one two three four five six seven eight nine ten")])
    assert heads.hit("one two three four five six seven eight")
    assert heads.hit("zero three four five six seven eight nine ten")
    assert not heads.hit("one two three")
    assert not heads.hit("two three four five six seven eight nine")
