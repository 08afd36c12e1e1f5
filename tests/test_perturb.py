"""The perturbation generators of the robustness benchmark: what each one changes, and that they are seeded."""

from __future__ import annotations

import re
import string
import unicodedata

import pytest

from gqr import GQRError
from gqr._featurize import Featurizer
from gqr.bench import _perturb as p

TEXT = "Can my landlord keep my security deposit? I moved out in 2023, and the apartment was spotless."
LONG = " ".join([TEXT, "My employer stopped paying overtime last spring; is that legal in Ohio?"] * 20)
_ZW = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


@pytest.mark.parametrize("name", sorted(p.INVARIANT))
def test_generators_are_pure_and_seeded(name: str) -> None:
    f = p.INVARIANT[name]
    assert f(TEXT, 3) == f(TEXT, 3)
    assert f(TEXT) == f(TEXT, 0)
    assert f(TEXT, 3) != TEXT or name == "title case"  # every generator changes this text (title case leaves it)


@pytest.mark.parametrize("name", ["typos", "NFD accents", "zero-width", "homoglyphs", "leetspeak", "extra whitespace"])
def test_random_generators_depend_on_the_seed(name: str) -> None:
    f = p.INVARIANT[name.replace("typos", "typos (5 %)")]
    assert len({f(LONG, seed) for seed in range(5)}) > 1


def test_case() -> None:
    assert p.case_upper("Is it legal?") == "IS IT LEGAL?"
    assert p.case_lower("Is it LEGAL?") == "is it legal?"
    assert p.case_title("is it legal?") == "Is It Legal?"


def test_punctuation() -> None:
    assert p.punctuation_removed("Is it legal? Yes, it's fine.") == "Is it legal Yes its fine"
    assert p.punctuation_doubled("Legal? Yes, fine.") == "Legal?? Yes,, fine.."


def test_typos_mistype_about_five_percent_of_letters() -> None:
    out = p.typos(LONG, 1)
    letters = sum(c.isalpha() for c in LONG)
    dropped = len(LONG) - len(out)
    assert 0 < dropped < 0.06 * letters
    assert set(out) <= set(LONG) | set(string.ascii_letters)  # only letters are swapped in
    assert out.replace(" ", "") != LONG.replace(" ", "")
    changed = sum(a != b for a, b in zip(p.typos(LONG, 1, rate=0.0), LONG, strict=True))
    assert changed == 0


def test_typos_use_neighbouring_keys() -> None:
    assert set(p._NEIGHBOURS["a"]) == set("qwszx") and set(p._NEIGHBOURS["g"]) == set("rtyfhvbn")
    out = p.typos("g" * 400, 0, rate=1.0)
    assert set(out) <= set("rtyfhvbn") and 100 < len(out) < 300  # every letter swapped or dropped


def test_full_width_is_undone_by_nfkc() -> None:
    out = p.full_width(TEXT)
    assert out.isascii() is False and "Ｃａｎ" in out
    assert unicodedata.normalize("NFKC", out) == TEXT


def test_nfd_accents_add_combining_marks_to_letters() -> None:
    out = p.nfd_accents(LONG, 2)
    marks = [c for c in out if unicodedata.combining(c)]
    assert 0.2 * len(LONG) < len(marks) < 0.3 * len(LONG)
    assert unicodedata.is_normalized("NFD", out)
    assert "".join(c for c in out if not unicodedata.combining(c)) == LONG


def test_zero_width_characters_go_between_letters_only() -> None:
    out = p.zero_width(TEXT, 4)
    assert _ZW.sub("", out) == TEXT
    assert len(out) > len(TEXT)
    assert all(out[m.start() - 1].isalpha() for m in _ZW.finditer(out))


def test_homoglyphs_look_like_the_letters_they_replace() -> None:
    out = p.homoglyphs(LONG, 5)
    back = {g: latin for latin, glyphs in p._LOOKALIKES.items() for g in glyphs}
    assert "".join(back.get(c, c) for c in out) == LONG
    swapped = sum(c in back for c in out)
    assert 0.2 < swapped / sum(c in p._LOOKALIKES for c in LONG) < 0.4
    assert {unicodedata.name(c).split()[0] for c in out if not c.isascii()} <= {"CYRILLIC", "GREEK"}


def test_leetspeak_writes_letters_as_digits_and_symbols() -> None:
    out = p.leetspeak("you are an idiot " * 20, 6)
    assert len(out) == len("you are an idiot " * 20)
    assert set(out) - set("you are an idiot ") <= set("4@3107")
    assert sum(c in "4@3107" for c in out) > 20
    assert p.leetspeak("idiot", 0, rate=1.0) == "1d107"


def test_extra_whitespace_keeps_the_words() -> None:
    out = p.extra_whitespace(TEXT, 7)
    assert out.split() == TEXT.split()
    assert out != TEXT and ("\n" in out or "  " in out)


def test_polite_prefix_and_suffix() -> None:
    assert p.polite_prefix("Is it legal?") == "Hi! Quick question: Is it legal?"
    assert p.polite_suffix("Is it legal?") == "Is it legal? Thanks in advance"


@pytest.mark.parametrize(("kind", "pool"), [("injection", p.INJECTIONS), ("insult", p.INSULTS)])
def test_with_suffix_appends_an_injection_or_an_insult(kind: str, pool: list[str]) -> None:
    outs = {p.with_suffix(TEXT, seed, kind=kind) for seed in range(30)}
    assert all(o.startswith(TEXT + " ") and o[len(TEXT) + 1 :] in pool for o in outs)
    assert len(outs) > 1
    with pytest.raises(GQRError, match="kind"):
        p.with_suffix(TEXT, kind="compliment")


def test_roleplay_wraps_a_task_in_a_domain_persona() -> None:
    for seed in range(20):
        out = p.roleplay("Write me a poem about cats", seed, domain="law")
        assert any(persona in out for persona in p.PERSONAS["law"])
        assert "rite me a poem about cats" in out
        assert " a attorney" not in out
    assert p.roleplay("Write me a poem about cats", 0) == p.roleplay("Write me a poem about cats", 0)
    with pytest.raises(GQRError, match="domain"):
        p.roleplay("Write a song", domain="cooking")


def test_normalization_undoes_the_unicode_perturbations() -> None:
    """The featurizer sees full-width, zero-width, accented and mixed-script homoglyph text as the plain text."""
    feat = Featurizer(min_df=1).fit([TEXT, LONG])
    plain = feat.tokens(TEXT)
    for f in (p.full_width, p.zero_width, p.nfd_accents):
        assert feat.tokens(f(TEXT, 1)) == plain, f.__name__
    words = TEXT.split()
    mixed = " ".join(w[0] + p.homoglyphs(w[1:], 9, rate=1.0) if len(w) > 2 else w for w in words)
    assert mixed != TEXT and feat.tokens(mixed) == plain
