"""The featurizer shared by training and inference: vocabulary, weights, padding, serialisation, bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gqr._featurize import _ASCII_TOKEN, _CHARS_PER_TOKEN, _TOKEN, Featurizer

CORPUS = [
    "Can my landlord keep my deposit?",
    "My landlord refuses to return the deposit after I moved out.",
    "How do I file for bankruptcy in 2024?",
    "What is the tax on capital gains for stocks held 2 years?",
    "Is ibuprofen safe to take with high blood pressure?",
    "My doctor prescribed ibuprofen for back pain.",
    "Can I deduct my home office from my taxes?",
    "What are the symptoms of high blood pressure?",
]


@pytest.fixture(scope="module")
def feat() -> Featurizer:
    return Featurizer(min_df=1).fit(CORPUS)


def test_ids_unique_positive_and_weights_l2_normalised(feat: Featurizer) -> None:
    ids, weights = feat.transform_one("Can my landlord keep my deposit?")
    assert ids.dtype == np.int64 and weights.dtype == np.float32
    assert len(ids) == len(set(ids.tolist())) > 0
    assert ids.min() >= 1 and ids.max() < feat.n_features
    assert np.all(weights > 0)
    assert float(weights @ weights) == pytest.approx(1.0, rel=1e-5)


def test_known_words_give_one_feature_and_bigrams(feat: Featurizer) -> None:
    vocab = feat.vocabulary_
    assert "landlord" in vocab and "my landlord" in vocab and "?" in vocab
    ids, _ = feat.transform_one("landlord")
    assert ids.tolist() == [vocab["landlord"]]
    ids, _ = feat.transform_one("my landlord")
    assert sorted(ids.tolist()) == sorted([vocab["my"], vocab["landlord"], vocab["my landlord"]])


def test_unknown_words_back_off_to_char_ngrams() -> None:
    small = Featurizer(min_df=1, max_features=4).fit(CORPUS)
    words = [k for k in small.vocabulary_ if not k.startswith("#")]
    assert len(words) == 4 and "landlord" not in words
    assert "#<la" in small.vocabulary_ and "#lord>" in small.vocabulary_
    ids, _ = small.transform_one("landlords")  # unseen word: its n-grams that were learned
    assert small.vocabulary_["#<la"] in ids and small.vocabulary_["#lor"] in ids
    assert small.vocabulary_["#lord>"] not in ids  # "landlords" ends in "ords>"
    assert Featurizer(min_df=1, char_ngram_range=(0, 0)).fit(CORPUS).transform_one("qqq")[0].size == 0


def test_digits_are_normalised(feat: Featurizer) -> None:
    a, _ = feat.transform_one("bankruptcy in 1999")
    b, _ = feat.transform_one("bankruptcy in 2024")
    assert a.tolist() == b.tolist()


def test_deterministic_fit_and_transform() -> None:
    one = Featurizer(min_df=1).fit(CORPUS)
    two = Featurizer(min_df=1).fit(list(CORPUS))
    assert one.to_dict() == two.to_dict()
    for text in CORPUS:
        i1, w1 = one.transform_one(text)
        i2, w2 = one.transform_one(text)
        assert i1.tolist() == i2.tolist() and w1.tolist() == w2.tolist()


def test_round_trip_through_json_is_exact(feat: Featurizer) -> None:
    back = Featurizer.from_dict(json.loads(json.dumps(feat.to_dict())))
    assert back.vocabulary_ == feat.vocabulary_
    a, b = feat.transform(CORPUS), back.transform(CORPUS)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


def test_format_1_dicts_with_an_idf_list_still_load(feat: Featurizer) -> None:
    d = feat.to_dict()
    assert d["format"] == 2 and isinstance(d["idf"], str)
    old = {**d, "format": 1, "idf": [float(v) for v in feat.idf_[1:]]}
    back = Featurizer.from_dict(json.loads(json.dumps(old)))
    assert back.vocabulary_ == feat.vocabulary_ and np.array_equal(back.idf_, feat.idf_)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"idf": "not base64!"}, "base64"),
        ({"idf": "AAAA"}, "base64 of float32"),  # 3 bytes: not whole float32 values
        ({"format": 1}, "list of numbers"),  # a format-1 dict with a base64 string
        ({"idf": "AAAAAA=="}, "as long as 'idf'"),  # one value for a longer vocabulary
        ({"format": 3}, "format in"),
    ],
)
def test_malformed_featurizer_dict_says_what_is_wrong(feat: Featurizer, change: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Featurizer.from_dict({**feat.to_dict(), **change})


def test_transform_pads_with_zero_id_and_zero_weight(feat: Featurizer) -> None:
    texts = ["landlord", "Is ibuprofen safe to take with high blood pressure?", "zzzzqqqq"]
    ids, weights = feat.transform(texts)
    assert ids.shape == weights.shape and ids.shape[0] == 3
    for row, text in enumerate(texts):
        one_ids, one_w = feat.transform_one(text)
        n = len(one_ids)
        assert ids[row, :n].tolist() == one_ids.tolist()
        assert np.array_equal(weights[row, :n], one_w)
        assert not ids[row, n:].any() and not weights[row, n:].any()
    assert not ids[2].any()  # nothing known: an all-padding row


def test_unknown_text_gives_empty_row(feat: Featurizer) -> None:
    ids, weights = feat.transform_one("qqqq zzzz")
    assert ids.shape == (0,) and weights.shape == (0,)
    ids, weights = feat.transform(["", "   "])
    assert ids.shape == (2, 1) and not ids.any() and not weights.any()


def test_min_df_and_max_features_prune() -> None:
    small = Featurizer(min_df=2, max_features=3, max_char_features=5).fit(CORPUS)
    words = [k for k in small.vocabulary_ if not k.startswith("#")]
    chars = [k for k in small.vocabulary_ if k.startswith("#")]
    assert len(words) == 3 and len(chars) == 5
    assert sorted(small.vocabulary_.values()) == list(range(1, 9))
    assert "landlord" not in Featurizer(min_df=3).fit(CORPUS).vocabulary_  # seen in 2 texts only


@pytest.mark.parametrize(
    "text",
    ["", "\x00\x01\x1f\x7f", "🤔🔥💯", "\ud800 broken surrogate", "Ünïcödé ß ﬁ İstanbul", "\u202e\u200b" * 50],
)
def test_odd_text_does_not_crash(feat: Featurizer, text: str) -> None:
    ids, weights = feat.transform_one(text)
    assert ids.shape == weights.shape
    assert np.all(np.isfinite(weights))


def test_one_megabyte_text_is_truncated(feat: Featurizer) -> None:
    big = "landlord deposit " * 60_000
    ids, weights = feat.transform_one(big)
    assert len(big) > 1_000_000
    assert len(ids) <= 2 * feat.max_tokens
    assert float(weights @ weights) == pytest.approx(1.0, rel=1e-5)
    tail = "x " * feat.max_tokens + "landlord"
    assert feat.vocabulary_["landlord"] not in feat.transform_one(tail)[0]  # beyond max_tokens: ignored


def test_bad_input_raises_clear_errors(feat: Featurizer) -> None:
    with pytest.raises(TypeError, match="int"):
        feat.transform_one(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="single str"):
        feat.transform("a text")
    with pytest.raises(ValueError, match="non-empty"):
        Featurizer().fit([])
    with pytest.raises(ValueError, match="char_ngram_range"):
        Featurizer(char_ngram_range=(3, 11)).fit(CORPUS)
    with pytest.raises(ValueError, match="kind"):
        Featurizer.from_dict({"kind": "hashing"})


def _varied_texts() -> list[str]:
    rng = np.random.default_rng(7)
    words = [*" ".join(CORPUS).split(), "landlords", "ibuprofenn", "Straße", "налог", "税金", "42%", "🤔", "a-b", "x_y"]
    words += ["İstanbul", "\u2003", "landlord" * 2, "landlord" * 2 + "s", "deposit٣", "e\u0301"]
    texts = [" ".join(rng.choice(words, size=rng.integers(1, 40))) for _ in range(300)]
    texts += ["deposit deposit deposit my my landlord landlord", "", "   ", "?!", "\x00\ud800 broken"]
    texts += [" ".join(rng.choice(words, size=600)), "landlord" * 2000, "x " * 2000 + "landlord deposit"]
    return texts


@pytest.mark.parametrize(
    "settings", [{}, {"bigrams": False}, {"char_ngram_range": (0, 0)}, {"max_tokens": 5, "max_features": 3}]
)
def test_batch_rows_equal_one_text_results_exactly(settings: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """transform (numpy over the batch) must give transform_one's ids, order and weights bit for bit — also when the
    word table is emptied because it outgrew its bound."""
    feat = Featurizer(min_df=1, **settings).fit(CORPUS)
    texts = _varied_texts()
    expected = [feat.transform_one(t) for t in texts]
    for bound in (1 << 17, 5):
        monkeypatch.setattr("gqr._featurize._CACHE_MAX", bound)
        for batch in (texts, texts[::-1][:50], texts[-3:]):
            ids, weights = feat.transform(batch)
            for row, text in enumerate(batch):
                one_ids, one_w = expected[texts.index(text)]
                n = len(one_ids)
                assert ids[row, :n].tolist() == one_ids.tolist(), text[:60]
                assert np.array_equal(weights[row, :n], one_w), text[:60]
                assert not ids[row, n:].any() and not weights[row, n:].any()


def test_a_long_word_is_not_taken_for_the_word_it_starts_with() -> None:
    """The batch path keys words of up to 16 characters exactly; a longer word must not match its 16-char prefix."""
    feat = Featurizer(min_df=1).fit(["abcdefghijklmnop is a word", "abcdefghijklmnop again"])
    text = "abcdefghijklmnopq is a word"
    ids, _ = feat.transform([text])
    assert ids[0][ids[0] > 0].tolist() == feat.transform_one(text)[0].tolist()
    assert feat.vocabulary_["abcdefghijklmnop"] not in ids[0]


def test_long_text_reads_past_the_first_look_when_needed(feat: Featurizer) -> None:
    """Few tokens in the first characters looked at: the text is read on up to ``max_chars``."""
    text = "x" * (feat.max_tokens * _CHARS_PER_TOKEN + 10) + " landlord"
    assert feat.vocabulary_["landlord"] in feat.transform_one(text)[0]
    assert feat.vocabulary_["landlord"] in feat.transform([text])[0][0]


def test_batch_names_the_bad_type(feat: Featurizer) -> None:
    with pytest.raises(TypeError, match="expected text of type str, got bytes"):
        feat.transform(["fine", b"bytes"])  # type: ignore[list-item]


@pytest.mark.parametrize(
    "text",
    [
        "".join(map(chr, range(128))) * 2,  # every ASCII character, including \x1c-\x1f (whitespace to str.split)
        "can_i deduct 2,500$ (home-office) from my taxes?!\tyes\n\x00\x7f",
        *CORPUS,
    ],
)
def test_ascii_fast_path_finds_the_same_tokens(text: str) -> None:
    lowered = text.lower()
    assert lowered.isascii()
    assert _ASCII_TOKEN.findall(lowered) == _TOKEN.findall(lowered)
