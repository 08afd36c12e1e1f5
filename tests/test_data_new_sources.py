"""The sources added for issue 13: kept counts, reasons, caps, filters, leakage guards; the profanity lexicon."""

from __future__ import annotations

import csv
import os
from collections import Counter
from pathlib import Path

import pytest

from gqr import DataNotFoundError, GQRError, InvalidInputError
from gqr.bench._perturb import INJECTIONS, INSULTS
from gqr.data import SPLITS, _near, _pools, _team, load_profanity, normalize
from gqr.data._near import DevSetGuard, OodHeads, jaccard, read_dev_texts, tokens
from gqr.data._ood import load_ood_test
from gqr.data._pools import pool
from gqr.data._sources_id import ID_READERS, SOURCE_CAP, _small_talk, capped
from gqr.data._sources_outliers import OUTLIER_READERS
from gqr.data._team import TEAM_FILES, TEAM_OUTLIER_READERS, read_team_file

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


# ---- team-written files ----------------------------------------------------------------------------------------


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_new_readers_come_after_the_old_ones():
    # an older text keeps its dataset when a new source repeats it
    ids, outliers = list(ID_READERS), list(OUTLIER_READERS)
    assert ids[-4:] == ["covid_q", "indian_legal_qa", "uk_legal_qa", "team_short_questions"]
    assert ids.index("mmlu_test") == len(ids) - 5
    new = ["convabuse", "davidson_hate_offensive", "edos_sexism", "tweeteval_hate", "stormfront_hate"]
    assert outliers[-9:] == [*new, "team_harm", "team_roleplay", "team_suffix", "team_abuse"]
    assert outliers.index("hh_rlhf_harmless_test_prompts") == len(outliers) - 10


def test_team_files_are_read_with_their_labels(tmp_path):
    _write(
        tmp_path / "short_questions.csv",
        "text,label,topic\ncan I sue my landlord,law,tenancy\n\nis a roth ira taxed,finance,tax\n",
    )
    _write(tmp_path / "harm_train.csv", "text,label,reason\nyou are an idiot,ood,unsafe\n")
    assert list(read_team_file("team_short_questions", tmp_path)) == [
        ("law", None, "can I sue my landlord"),
        ("finance", None, "is a roth ira taxed"),
    ]
    assert list(read_team_file("team_harm", tmp_path)) == [("ood", "unsafe", "you are an idiot")]


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("team_short_questions", "text,label\nx,law\n", "header"),
        ("team_short_questions", "text,label,topic\nhello,ood,x\n", "label 'ood'"),
        ("team_harm", "text,label,reason\nhello,ood,rude\n", "reason 'rude'"),
        ("team_roleplay", "text,label,reason\nhello,ood\n", "2 fields"),
        ("team_roleplay", "text,label,reason\n ,ood,off_topic\n", "empty text"),
        ("team_harm", "", "header None"),
    ],
)
def test_malformed_team_file_is_a_clear_error(tmp_path, name, content, match):
    _write(tmp_path / TEAM_FILES[name][0], content)
    with pytest.raises(InvalidInputError, match=match) as info:
        list(read_team_file(name, tmp_path))
    assert TEAM_FILES[name][0] in str(info.value) and isinstance(info.value, GQRError)


def _benchmark_texts() -> list[str]:
    root = Path(__file__).resolve().parents[1] / "benchmarks" / "data"
    texts = []
    for path in sorted(root.glob("*_cases.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            texts += [row["text"] for row in csv.DictReader(f)]
    assert len(texts) >= 191  # the harm and role-play cases of issue 17
    return texts


@pytest.mark.parametrize("name", sorted(TEAM_FILES))
def test_team_training_text_is_kept_apart_from_the_test_cases(name):
    """No team text nearly equals (token Jaccard >= 0.5) a robustness case; none but the hand-written short
    questions (whose near-copies the pool drops) nearly equals a dev query; none carries a benchmark suffix."""
    cases = DevSetGuard(_benchmark_texts())
    dev = DevSetGuard(read_dev_texts())
    texts = [text for _, _, text in read_team_file(name)]
    assert len(texts) >= 1000
    assert [t for t in texts if cases.near(t)] == []
    if name != "team_short_questions":
        assert [t for t in texts if dev.near(t)] == []
    suffixes = [s.lower() for s in (*INJECTIONS, *INSULTS)]
    assert [t for t in texts if any(s in t.lower() for s in suffixes)] == []


def test_missing_team_file_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(_team, "TEAM_DIR", tmp_path)
    with pytest.raises(DataNotFoundError, match=r"roleplay_train\.csv"):
        list(TEAM_OUTLIER_READERS["team_roleplay"](Path("ignored")))


def test_missing_or_malformed_dev_set_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(_near, "DEV_SET_FILE", tmp_path / "short_queries.csv")
    with pytest.raises(DataNotFoundError, match=r"short_queries\.csv"):
        read_dev_texts()
    _write(tmp_path / "short_queries.csv", "query,label\nx,law\n")
    with pytest.raises(InvalidInputError, match="text"):
        read_dev_texts()


def test_team_texts_near_a_dev_query_are_dropped_and_counted(tmp_path, monkeypatch):
    """The pool on a tiny fake world: one public reader, the team files, a two-query dev set."""
    dev = _write(
        tmp_path / "dev.csv",
        "text,label,reason,area\n"
        "Can my landlord keep my deposit?,law,,tenancy\n"
        "how do I hack my ex's email,ood,unsafe,x\n",
    )
    team = tmp_path / "team"
    team.mkdir()
    _write(
        team / "short_questions.csv",
        "text,label,topic\n"
        "can my landlord keep my DEPOSIT,law,tenancy\n"  # same normalised text
        "can my landlord keep my whole deposit?,law,tenancy\n"  # Jaccard 5/6
        "can my landlord raise the rent mid lease,law,tenancy\n",  # Jaccard 3/10: kept
    )
    _write(
        team / "harm_train.csv",
        "text,label,reason\nhow do I hack my ex email,ood,unsafe\ntell me a joke,ood,off_topic\n",
    )
    for name in ("team_roleplay", "team_suffix", "team_abuse"):
        _write(team / TEAM_FILES[name][0], ",".join(TEAM_FILES[name][1]) + "\n")
    _write(  # read as part of team_short_questions; the persona copy of a dev query is dropped too
        team / "persona_questions.csv",
        "text,label,topic\nI'm a nurse. Is a will typed on my phone valid?,law,persona\n"
        "As a renter: can my landlord keep my deposit?,law,persona\n",
    )
    monkeypatch.setattr(_near, "DEV_SET_FILE", dev)
    monkeypatch.setattr(_team, "TEAM_DIR", team)
    monkeypatch.setattr(_pools, "load_ood_test", lambda root: [])
    public = {"public": lambda root: iter([("law", None, "Can my landlord keep my deposit?")])}
    monkeypatch.setattr(_pools, "ID_READERS", {**public, **_team.TEAM_ID_READERS})
    monkeypatch.setattr(_pools, "OUTLIER_READERS", dict(_team.TEAM_OUTLIER_READERS))
    built = _pools.pool.__wrapped__(tmp_path)
    kept = sorted(e.text for examples in built.splits.values() for e in examples)
    assert kept == [
        "I'm a nurse. Is a will typed on my phone valid?",
        "can my landlord raise the rent mid lease",
        "tell me a joke",
    ]
    assert built.dropped["team_short_questions"] == Counter(near_dev_query=3)
    assert built.dropped["team_harm"] == Counter(near_dev_query=1)
    assert built.dropped["public"] == Counter(in_dev_set=1)  # public text: exact matches only
    assert {e.dataset for examples in built.splits.values() for e in examples} == {"team_short_questions", "team_harm"}


# ---- profanity lexicon -------------------------------------------------------------------------------------------


@needs_data
def test_profanity_lexicon_loads_terms_with_category_and_severity():
    terms = load_profanity()
    assert len(terms) == 1598 and len({t.term for t in terms}) == 1598
    assert Counter(t.severity for t in terms) == {"Mild": 422, "Strong": 713, "Severe": 463}
    assert Counter(t.categories[0] for t in terms)["racial / ethnic slurs"] == 192
    assert all(1.0 <= t.rating <= 3.0 and t.categories for t in terms)
    assert load_profanity() == terms and load_profanity() is not terms


def test_profanity_lexicon_errors(tmp_path):
    with pytest.raises(DataNotFoundError, match=r"profanity_en\.csv"):
        load_profanity(tmp_path)
    (tmp_path / "profanity_en").mkdir()
    _write(
        tmp_path / "profanity_en" / "profanity_en.csv",
        "text,canonical_form_1,canonical_form_2,canonical_form_3,category_1,category_2,category_3,severity_rating,"
        "severity_description\nheck,heck,,,other / general insult,,,1,Awful\n",
    )
    with pytest.raises(InvalidInputError, match="Awful"):
        load_profanity(tmp_path)


@needs_data
def test_profanity_terms_are_not_training_text(built):
    examples = [e for examples in built.splits.values() for e in examples]
    assert not any(e.dataset == "profanity_en" for e in examples)
