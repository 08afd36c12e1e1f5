"""Text cleaning (what a model sees) and normalisation (the key used for de-duplication, overlap and splits)."""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = ["clean", "normalize"]

_MD_LINK = re.compile(r"!?\[([^\]]*)\]\((?:[^()\s]|\([^()\s]*\))*\)")
_URL = re.compile(r"(?:https?://|ftp://|www\.)\S+", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>")
_LINE_MARK = re.compile(r"^[ \t]{0,3}(?:#{1,6}|>+)[ \t]*", re.MULTILINE)
_INLINE_MARKS = ("**", "__", "~~", "`")
_WORD = re.compile(r"\w+")
# ASCII fast path of normalize: every ASCII character that is not a word character becomes a space
_ASCII_NON_WORD = str.maketrans({chr(i): " " for i in range(128) if not (chr(i).isalnum() or chr(i) == "_")})


def clean(text: str) -> str:
    """Strip markup (HTML tags and entities, markdown links and emphasis, URLs) and collapse whitespace."""
    if "&" in text:
        text = html.unescape(html.unescape(text))  # Reddit dumps double-escape entities (&amp;amp;)
    if "](" in text:
        text = _MD_LINK.sub(r"\1", text)
    if "://" in text or "www." in text.lower():
        text = _URL.sub(" ", text)
    if "<" in text:
        text = _TAG.sub(" ", text)
    for mark in _INLINE_MARKS:
        if mark in text:
            text = text.replace(mark, "")
    if "#" in text or ">" in text:
        text = _LINE_MARK.sub("", text)
    return " ".join(text.split())


def normalize(text: str) -> str:
    """Comparison key: NFKC, case-folded, only word characters, single spaces.

    Two texts that differ only in case, punctuation, markup-free spacing or Unicode form get the same key.
    A text without any word character gets ``""``.
    """
    if text.isascii():
        return " ".join(text.lower().translate(_ASCII_NON_WORD).split())
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))
