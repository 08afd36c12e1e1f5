"""Text normalization (Unicode forms, invisible characters, homoglyphs, leetspeak) and its place in the featurizer:
the one-text and batch paths, and so training and inference, see the same tokens."""

from __future__ import annotations

import numpy as np
import pytest

from gqr._featurize import Featurizer, _findall
from gqr._normalize import HOMOGLYPHS, LeetFolder, normalize_text

CORPUS = [
    "Can my landlord keep my deposit?",
    "My landlord refuses to return the deposit after I moved out.",
    "you are an idiot and I will kill you",
    "what the fuck is this shit, you fucking idiot",
    "kill all the jews is hate speech",
    "I contribute to my 401k and got a w2 form",
    "covid19 and vitamin b12, 3d printing, mp3 files, 2nd floor",
    "Is ibuprofen safe to take with high blood pressure?",
    "Как дела? Это русский текст.",
]


@pytest.fixture(scope="module")
def feat() -> Featurizer:
    return Featurizer(min_df=1).fit(CORPUS)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "Ｃａｎ ｍｙ ｌａｎｄｌｏｒｄ ｋｅｅｐ ｍｙ ｄｅｐｏｓｉｔ？",
            "Can my landlord keep my deposit?",
        ),  # full-width
        ("lan\u200bdl\u200dord de\u00adpo\ufeffsit\u2060", "landlord deposit"),  # invisible characters
        ("cafe\u0301 nai\u0308ve", "cafe naive"),  # NFD accents
        ("café naïve Ünïcödé", "cafe naive Unicode"),  # precomposed accents
        ("l\u0301a\u0300n\u0308d", "land"),  # accents NFKC cannot compose
        ("ﬁle 𝐤𝐢𝐥𝐥 ⓚⓘⓛⓛ x²", "file kill kill x2"),  # ligature, mathematical, circled, superscript
        ("don’t “quote” — dash", 'don\'t "quote" - dash'),  # typographic punctuation
        ("kіll аll jеws", "kill all jews"),  # Cyrillic і, а, е inside Latin words
        ("Cαn my lαndlοrd", "Can my landlord"),  # Greek α, ο
        ("Как дела у тебя", "Как дела у тебя"),  # Russian stays Cyrillic (its а, у are not folded)
        ("Ελληνικά κείμενο", "Ελληνικα κειμενο"),  # Greek stays Greek, without its accents
        ("Какой йогурт?", "Какои иогурт?"),  # so does Russian (й is и with a breve)
        ("नमस्ते दुनिया", "नमस्ते दुनिया"),  # Devanagari vowel signs are not accents
        ("Straße İstanbul", "Straße Istanbul"),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_ascii_text_is_returned_as_is() -> None:
    text = "Plain ASCII, with 401k and $5 and f*ck."
    assert normalize_text(text) is text


def test_a_fully_cyrillic_word_in_latin_text_stays_cyrillic() -> None:
    assert normalize_text("the word сок means juice") == "the word сок means juice"
    assert normalize_text("the word сoк") == "the word cok"  # mixed with a Latin o: folded


@pytest.mark.parametrize(
    "text",
    [
        "Ｃａｎ ｍｙ",
        "cafe\u0301\u200b\u0301",
        "и\u200b\u0306",
        "kіll аll",
        "ﬁ ½ ㎏ Ⅻ",
        "a\u0301\u0308 x\u20d7",
        "İı ß ǅ",
    ],
)
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


def test_every_homoglyph_folds_in_a_mixed_word() -> None:
    for glyph, latin in HOMOGLYPHS.items():
        assert normalize_text(f"ab{glyph}cd") == f"ab{latin}cd", glyph


# ----------------------------------------------------------------------------------------------------- leetspeak
WORDS = {w: i for i, w in enumerate(["you", "are", "fucking", "idiot", "kill", "all", "jews", "shit", "ass", "fuck"])}
WORDS |= {
    "id": 15,
    "cat": 18,
    "pop": 17,
    "the": 16,
    "000k": 20,
    "w0": 21,
    "covid00": 22,
    "slx": 19,
    "sex": 25,
    "six": 26,
}


def _read(text: str) -> str:
    """``text`` as the featurizer reads it: words with symbols in the text, words of letters and digits one by one."""
    folder = LeetFolder(WORDS)
    return " ".join(folder.word(w) or w for w in folder(text).split(" "))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("y0u 4r3 4 f*cking 1d10t", "you are 4 fucking idiot"),
        ("k1ll all j3ws", "kill all jews"),
        ("$hit, f**k, a$$!", "shit, fuck, ass!"),
        ("*f*ck*", "*fuck*"),  # '*' around a word is not a mask
        ("th3 a11", "the all"),  # trailing digits after letters that are no word
        ("id107 pop3", "idiot pop3"),  # a known word and one digit is a name
        ("s1x", "slx"),  # several readings: the lowest rank wins
        ("$h1t", "shit"),  # symbols and digits in one word
    ],
)
def test_leetspeak_is_read_as_known_words(text: str, expected: str) -> None:
    assert _read(text) == expected


def test_only_words_with_symbols_are_read_in_the_text() -> None:
    folder = LeetFolder(WORDS)
    assert folder("y0u 4r3 a $hit") == "y0u 4r3 a shit"  # same length; y0u and 4r3 are tokens, read by word()
    assert folder.word("y0u") == "you" and folder.word("you") is None and folder.word("401k") is None


@pytest.mark.parametrize(
    "text",
    [
        "401k w2 covid19 b12 3d mp3 2nd",  # known or not leet
        "$11k $1m 10ft 14in 4pi cat5 pop3",  # amounts, quantities, names with a number
        "@user @ss",  # mentions
        "5*x n*m a*b s*x",  # '*' in a formula: not a masked word
        "k1llz",  # spells no known word
    ],
)
def test_real_tokens_are_not_read_as_leetspeak(text: str) -> None:
    assert _read(text) == text


def test_leetspeak_gives_the_plain_words_features(feat: Featurizer) -> None:
    for obfuscated, plain in [("y0u 4r3 th3 1d10t", "you are the idiot"), ("k1ll all the j3ws", "kill all the jews")]:
        a, b = feat.transform_one(obfuscated), feat.transform_one(plain)
        assert a[0].tolist() == b[0].tolist() and np.array_equal(a[1], b[1])
        c = feat.transform([obfuscated, plain])
        assert c[0][0].tolist() == c[0][1].tolist() == [*a[0].tolist(), *[0] * (c[0].shape[1] - len(a[0]))]


def test_fit_counts_tokens_as_written() -> None:
    """Reading needs a vocabulary, so fit learns it from the tokens as written; transform then reads leetspeak."""
    feat = Featurizer(min_df=1, char_ngram_range=(0, 0)).fit(["k1ll", "kill", "king", "a $hit"])
    assert {"k0ll", "kill", "king", "$", "hit"} <= set(feat.vocabulary_)  # digits in normal form
    ids = lambda text: feat.transform_one(text)[0].tolist()  # noqa: E731
    assert ids("k1ll") == [feat.vocabulary_["k0ll"]]  # a known token is never read as another word
    assert ids("k1ng") == ids("king")
    assert feat.tokens("a $hit") == ["a", "$", "hit"]  # "shit" is not a known word
    refit = feat.fit(["k1ng", "$h1t"])  # a refit counts tokens as written, not read with the old vocabulary
    assert set(refit.vocabulary_) == {"k0ng", "$", "h0t", "$ h0t"}


# ---------------------------------------------------------------------------------- training and inference agree
def _messy_texts() -> list[str]:
    rng = np.random.default_rng(3)
    words = [*" ".join(CORPUS).split(), "y0u", "4r3", "f*cking", "1d10t", "k1ll", "j3ws", "$hit", "f**k", "@user"]
    words += ["ｌａｎｄｌｏｒｄ", "de\u200bposit", "kіll", "cafe\u0301", "İstanbul", "don’t", "ﬁle", "½", "сок", "401k"]
    words += ["k0ll", "k3ll", "kill", "y0u", "yau", "1d10t", "0d00t"]  # one digit key, different readings
    texts = [" ".join(rng.choice(words, size=rng.integers(1, 40))) for _ in range(300)]
    texts += ["", "   ", "\u200b\u200b", "Ｋ１ｌｌ ａｌｌ ｊ３ｗｓ", "k\u200b1ll all j3ws", "y0u 4r3 4 f*cking 1d10t"]
    # Long texts: the first look at a prefix must give the tokens of the whole text, leet and Unicode included
    texts += [" ".join(rng.choice(words, size=700)), "f*ck" * 400 + " y0u", "x " * 380 + "f*" + "ck" * 400]
    return texts


@pytest.mark.parametrize("settings", [{}, {"max_tokens": 5}, {"max_tokens": 256}])
def test_batch_and_one_text_paths_agree_on_messy_text(settings: dict) -> None:
    feat = Featurizer(min_df=1, **settings).fit(CORPUS)
    texts = _messy_texts()
    ids, weights = feat.transform(texts)
    for row, text in enumerate(texts):
        one_ids, one_w = feat.transform_one(text)
        n = len(one_ids)
        assert ids[row, :n].tolist() == one_ids.tolist(), text[:60]
        assert np.array_equal(weights[row, :n], one_w), text[:60]
        assert not ids[row, n:].any()


@pytest.mark.parametrize("max_tokens", [8, 128])
def test_first_look_at_a_long_text_gives_its_tokens(max_tokens: int) -> None:
    feat = Featurizer(min_df=1, max_tokens=max_tokens).fit(CORPUS)
    for text in _messy_texts()[-3:]:
        assert len(text) > 6 * max_tokens  # long enough for a first look
        assert feat.tokens(text) == _findall(feat._lowered(text[: feat.max_chars]))[:max_tokens]


def test_perturbed_text_gets_the_plain_texts_features(feat: Featurizer) -> None:
    plain = "Can my landlord keep my deposit?"
    for messy in [
        "Ｃａｎ ｍｙ ｌａｎｄｌｏｒｄ ｋｅｅｐ ｍｙ ｄｅｐｏｓｉｔ？",
        "Can my lan\u200bdlord keep my dep\u200dosit?",
    ]:
        assert feat.transform_one(messy)[0].tolist() == feat.transform_one(plain)[0].tolist()
        assert feat.transform([messy])[0][0].tolist() == feat.transform([plain])[0][0].tolist()


def test_batch_keys_do_not_merge_tokens_that_read_differently() -> None:
    """The batch path keys tokens with digits as 0 ("k1ll" and "k0ll" share a key); leetspeak tells them apart
    ("kill" / unknown), so such tokens are looked up by their text, also once the key index has been rebuilt."""
    feat = Featurizer(min_df=1).fit(["kill the king", "you idiot", "kill all"])
    filler = ["".join(chr(97 + i // 26**k % 26) for k in range(4)) for i in range(6000)]  # enough to rebuild
    feat.transform(["k1ll", *filler])
    ids, _ = feat.transform(["k0ll", "k1ll"])
    for row, text in enumerate(["k0ll", "k1ll"]):
        one = feat.transform_one(text)[0].tolist()
        assert ids[row, : len(one)].tolist() == one and not ids[row, len(one) :].any()
    assert feat.transform_one("k0ll")[0].tolist() != feat.transform_one("k1ll")[0].tolist()
