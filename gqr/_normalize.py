"""Text normalization shared by training and inference: Unicode forms, invisible characters, homoglyphs, leetspeak.

:func:`normalize_text` runs on the raw text before it is lowercased and tokenized (ASCII text is returned as is):

1. invisible format characters are removed (zero-width spaces and joiners, soft hyphens, bidi controls, word
   joiners, variation selectors, tag characters, Hangul fillers, BOM): ``"ki\\u200bll"`` is ``"kill"``;
2. NFKC: full-width forms, ligatures, circled, super- / subscript and mathematical letters become plain ones;
3. Cyrillic and Greek look-alikes of Latin letters become Latin, **only inside words that mix them with Latin
   letters** (``"kіll"`` with a Cyrillic ``і`` is ``"kill"``; a Russian word stays Cyrillic);
4. combining diacritical marks are dropped, as scikit-learn's ``strip_accents="unicode"`` does (``"café"`` and
   ``"cafe\\u0301"`` are ``"cafe"``, Russian ``"й"`` is ``"и"``; Devanagari, Arabic or Hebrew vowel signs are kept:
   they are not in those blocks); typographic quotes, apostrophes and dashes become ASCII (``’`` is ``'``).

Every step looks at one character or one word, so normalizing a prefix of a text cut after a space gives a prefix
of the normalized text (the featurizer's first look at long texts relies on it).

:class:`LeetFolder` reads leetspeak in lowercased text against a vocabulary: a word of letters mixed with
``0 1 3 4 5 7 @ $`` (or with a ``*`` between letters, as in ``f*ck``) that is not itself a known word, but whose
folded form (``0``→o, ``1``→i or l, ``3``→e, ``4``→a, ``5``→s, ``7``→t, ``@``→a, ``$``→s, ``*``→any letter) is,
is read as that word. Words with ``@``, ``$`` or ``*`` are read in the text before it is tokenized (calling the
folder; the text keeps its length); words of letters and digits are single tokens, read one at a time
(:meth:`LeetFolder.word`) when the featurizer first meets them, so text without those symbols costs nothing more.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from itertools import product
from string import ascii_letters, ascii_lowercase

__all__ = ["LeetFolder", "normalize_text"]

_INVISIBLE = "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u2064"
_INVISIBLE += "\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb"
_INVISIBLE += "\U0001d173-\U0001d17a\U000e0000-\U000e007f\U000e0100-\U000e01ef"  # tags, variation selectors
_DROP = re.compile(f"[{_INVISIBLE}]+")
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"  # combining diacritical marks
_MARK = re.compile(f"[{_MARKS}]+")
_TYPOGRAPHIC = {c: ascii for ascii, chars in {"'": "‘’‚‛′", '"': "“”„‟″", "-": "‐‑‒–—―−"}.items() for c in chars}
_TYPOGRAPHIC_CHAR = re.compile(f"[{''.join(_TYPOGRAPHIC)}]")
_HOMOGLYPHS = {  # Cyrillic and Greek letters that look like a Latin letter (lower and upper case)
    "a": "аα",
    "c": "с",
    "d": "ԁ",
    "e": "е",
    "h": "һ",
    "i": "іι",
    "j": "ј",
    "k": "кκ",
    "l": "ӏ",
    "o": "оο",
    "p": "рρ",
    "q": "ԛ",
    "s": "ѕ",
    "u": "υ",
    "v": "ν",
    "w": "ԝ",
    "x": "хχ",
    "y": "у",
    "A": "АΑ",
    "B": "ВΒ",
    "C": "С",
    "E": "ЕΕ",
    "H": "НΗ",
    "I": "ІΙ",
    "J": "Ј",
    "K": "КΚ",
    "M": "МΜ",
    "N": "Ν",
    "O": "ОΟ",
    "P": "РΡ",
    "S": "Ѕ",
    "T": "ТΤ",
    "X": "ХΧ",
    "Y": "УΥҮ",
    "Z": "Ζ",
}
HOMOGLYPHS: dict[str, str] = {g: latin for latin, glyphs in _HOMOGLYPHS.items() for g in glyphs}
"""Each Cyrillic or Greek look-alike and the Latin letter it stands for."""
_GLYPH = re.compile(f"[{''.join(HOMOGLYPHS)}]")
_WORD = re.compile(f"(?:\\w|[{_MARKS}])+")  # a word, with its combining marks (decomposed text)
_TO_LATIN = str.maketrans(HOMOGLYPHS)


def normalize_text(text: str) -> str:
    """``text`` with invisible characters removed, NFKC applied, Latin accents dropped, typographic punctuation made
    ASCII and look-alike letters in mixed-script words made Latin (see the module docstring); ASCII text as is."""
    if text.isascii():
        return text
    if _DROP.search(text) is not None:
        text = _DROP.sub("", text)
    text = unicodedata.normalize("NFKD", text)  # NFKC is NFKD, then canonical composition (NFC)
    if _GLYPH.search(text) is not None:
        text = _WORD.sub(_latin_if_mixed, text)
    text = unicodedata.normalize("NFC", _MARK.sub("", text))
    if _TYPOGRAPHIC_CHAR.search(text) is not None:
        text = _TYPOGRAPHIC_CHAR.sub(_ascii_punctuation, text)
    return text


def _latin_if_mixed(match: re.Match[str]) -> str:
    word = match.group()
    if word.isascii() or not any(c in ascii_letters for c in word):
        return word
    return word.translate(_TO_LATIN)


def _ascii_punctuation(match: re.Match[str]) -> str:
    return _TYPOGRAPHIC[match.group()]


# ------------------------------------------------------------------------------------------------------- leetspeak
_LEET = {"0": "o", "1": "il", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "*": ascii_lowercase}
_SEED = re.compile(r"[@$*](?:(?<=[a-z].)|(?=[a-z]))")  # a symbol next to a letter: a word to read
_RUN = re.compile(r"[\w@$*]+")  # a word, leet symbols included
_RUN_CHARS = frozenset("@$*")
# Not leetspeak: a mention or decorator ("@user"), an amount ("$11k", "10ft", "4pi")
_NOT_LEET = re.compile(r"@|\$\d|\d\d|\d+[a-z]+$")
_NUMBERED = re.compile(r"([a-z]+)\d")  # a known word and a digit is a name ("cat5", "pop3"), unlike "id107", "th3"
_MIN_LENGTH = 3  # shortest word read from leetspeak ("4u", "b4", "w2" are left alone)
_MIN_MASKED = 4  # shortest word with a '*' read as a masked word ("f*ck", "f**k"; not "a*b", "n*m")
_MAX_CHOICES = 1024  # most spellings tried for one word (two '*' give 676)
_CACHE_MAX = 1 << 16


class LeetFolder:
    """Reads leetspeak words of lowercased text as the known words they spell (see the module docstring).

    ``words`` maps the known words to a rank (lower is preferred when a word spells several, e.g. the vocabulary's
    feature ids, most frequent first); known words with digits are in normal form (digits as ``0``), as the
    featurizer keeps them. Calling the folder on a text returns it with each such word replaced (same length).
    """

    def __init__(self, words: Mapping[str, int]) -> None:
        self._words = words
        self._cache: dict[str, str] = {}

    def __call__(self, lowered: str) -> str:
        """``lowered`` with each word written with ``@``, ``$`` or ``*`` replaced by the known word it spells (same
        length; words of letters and digits only are one token each: :meth:`word` reads them)."""
        if "*" not in lowered and "$" not in lowered and "@" not in lowered:  # most texts
            return lowered
        seed = _SEED.search(lowered)
        parts: list[str] = []
        done = end = 0
        while seed is not None:
            start, end = _run_around(lowered, seed.start(), end)
            run = lowered[start:end]
            folded = self._cache.get(run)
            if folded is None:
                folded = self._fold(run)
                if len(self._cache) < _CACHE_MAX:
                    self._cache[run] = folded
            if folded != run:
                parts += (lowered[done:start], folded)
                done = end
            seed = _SEED.search(lowered, end)
        if not parts:
            return lowered
        parts.append(lowered[done:])
        return "".join(parts)

    def word(self, token: str) -> str | None:
        """The known word a token of letters and digits spells (``"k1ll"`` -> ``"kill"``), or ``None``."""
        read = self._fold(token)
        return None if read == token else read

    def _fold(self, run: str) -> str:
        """The known word ``run`` spells (with any ``*`` it starts or ends with kept), or ``run`` itself."""
        core = run.strip("*")
        lead = run[: len(run) - len(run.lstrip("*"))]
        if len(core) < _MIN_LENGTH or not core.isascii() or "_" in core or _NOT_LEET.match(core):
            return run
        if not _RUN_CHARS.intersection(core) and _digits_as_zero(core) in self._words:
            return run  # a known token with digits ("401k", "covid19")
        numbered = _NUMBERED.fullmatch(core)
        if numbered is not None and numbered.group(1) in self._words:
            return run
        options: list[str] = []
        for k, c in enumerate(core):
            if c in ascii_lowercase:
                options.append(c)
            elif c == "*" and not (core[k - 1].isalpha() or core[k - 1] == "*"):
                return run  # '*' stands for letters only between letters
            elif c in _LEET:
                options.append(_LEET[c])
            else:
                return run
        if "*" in core and (
            len(core) < _MIN_MASKED or not all(core[k + 1].isalpha() or core[k + 1] == "*" for k in _where(core, "*"))
        ):
            return run
        n = 1
        for o in options:
            n *= len(o)
        if n > _MAX_CHOICES:
            return run
        rank = self._words.get
        best, best_rank = None, None
        for letters in product(*options):
            word = "".join(letters)
            r = rank(word)
            if r is not None and (best_rank is None or r < best_rank):
                best, best_rank = word, r
        if best is None:
            return run
        return lead + best + run[len(lead) + len(core) :]


def _where(text: str, char: str) -> list[int]:
    return [k for k, c in enumerate(text) if c == char]


def _run_around(text: str, at: int, after: int) -> tuple[int, int]:
    """Start and end of the word (``[\\w@$*]+``) holding ``text[at]``, which starts at or after ``after``."""
    for run in _RUN.finditer(text, max(after, text.rfind(" ", after, at) + 1)):
        if run.end() > at:
            return run.span()
    raise ValueError(f"no word at {at}")  # unreachable: text[at] is a word character


def _digits_as_zero(word: str) -> str:
    return re.sub(r"\d", "0", word)
