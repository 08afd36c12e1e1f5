"""The numpy tokenizer of the batch featurizer: the same tokens as the regex, exact keys, the key index."""

from __future__ import annotations

import re

import numpy as np
import pytest

import gqr._batch_tokens as bt
from gqr._featurize import _TOKEN

_WORD, _SPACE = re.compile(r"\w"), re.compile(r"\s")


def _tokens(texts: list[str], max_tokens: int = 1000) -> bt.Tokens:
    lowered = [t.lower() for t in texts]
    lengths = np.array([len(t) for t in lowered], dtype=np.int64)
    return bt.tokenize("\n".join(lowered), lengths, max_tokens)


def test_every_character_is_classified_as_the_regex_does() -> None:
    points = np.arange(0x110000)
    kinds = np.concatenate([bt._KIND, bt._wide_kinds(points[0x80:])])
    expected = [
        bt._WORD if _WORD.match(c) else bt._SPACE if _SPACE.match(c) else bt._OTHER for c in map(chr, points.tolist())
    ]
    wrong = np.flatnonzero(kinds != np.array(expected, dtype=np.uint8))
    assert not len(wrong), [hex(p) for p in wrong[:10]]


_ASCII = "".join(map(chr, range(128)))
_MIXED = "ab0_ 9Z.\t\x1c\u00e9\u0130\u212a\u2003\x85\u3000\u0663\u00b2\u0301\ud800\U0001f600\u00df\u4e2d\u200b"


@pytest.mark.parametrize("pool", [_ASCII, _MIXED, "all"])
@pytest.mark.parametrize("max_tokens", [3, 1000])
def test_tokens_are_the_regex_tokens(pool: str, max_tokens: int) -> None:
    rng = np.random.default_rng(len(pool) + max_tokens)

    def text() -> str:
        n = int(rng.integers(0, 60))
        if pool == "all":
            return "".join(map(chr, rng.integers(0, 0x110000, size=n).tolist()))
        return "".join(rng.choice(list(pool), size=n))

    texts = [text() for _ in range(300)] + ["", "word"]
    tokens = _tokens(texts, max_tokens)
    got = [tokens.joined[a:b] for a, b in zip(tokens.starts.tolist(), tokens.ends.tolist(), strict=True)]
    expected = [_TOKEN.findall(t.lower())[:max_tokens] for t in texts]
    assert tokens.counts.tolist() == [len(e) for e in expected]
    assert got == [tok for e in expected for tok in e]


def test_keys_are_exact_for_short_ascii_tokens_only() -> None:
    words = ["a", "b", "ab", "ba", "a0", "a7", "_", "?", "x" * 8, "x" * 9, "y" * 16, "y" * 17, "y" * 16 + "z", "é"]
    tokens = _tokens([" ".join(words)])
    assert tokens.keyed.tolist() == [len(w) <= bt.KEY_BYTES and w.isascii() for w in words]
    keys = list(zip(tokens.low.tolist(), tokens.high.tolist(), strict=True))
    keyed = [(w.replace("7", "0"), k) for w, k, ok in zip(words, keys, tokens.keyed, strict=True) if ok]
    assert len({k for _, k in keyed}) == len({w for w, _ in keyed}) == len(keyed) - 1  # "a0" and "a7": one key
    low, high, at = bt.word_keys([w for w, _ in keyed] + ["é", "y" * 17])  # the last two have no key
    assert at.tolist() == list(range(len(keyed)))
    assert list(zip(low.tolist(), high.tolist(), strict=True)) == [k for _, k in keyed]


def test_index_finds_added_keys_and_never_a_wrong_row(monkeypatch: pytest.MonkeyPatch) -> None:
    words = ["".join(chr(97 + i // 26**k % 26) for k in range(3)) for i in range(6000)]  # no digits: distinct keys
    low, high, _ = bt.word_keys(words)
    index = bt.TokenIndex(low[:10], high[:10], np.arange(10))
    assert index.find(low[:12], high[:12]).tolist() == [*range(10), -1, -1]
    index.add(low[10:5000], high[10:5000], np.arange(10, 5000))  # enough to rebuild
    index.add(low[5000:5010], high[5000:5010], np.arange(5000, 5010))  # not yet indexed
    assert index.find(low, high).tolist() == [*range(5000), *[-1] * 1000]

    monkeypatch.setattr(bt, "_mix", lambda low, high: np.zeros(len(low), dtype=np.int64))  # every key collides
    index = bt.TokenIndex(low[:3], high[:3], np.arange(3))
    assert index.find(low[:3], high[:3]).tolist() == [0, -1, -1]  # one key holds the slot; others are not found
