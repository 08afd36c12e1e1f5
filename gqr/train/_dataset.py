"""Labelled training and eval sets for the two variants, assembled from :mod:`gqr.data`.

* ``strict``: outputs ``law``, ``finance``, ``healthcare``; trained on in-domain text only (the paper's protocol).
  Outliers, when included (eval), have no output of their own: their target row is all zeros.
* ``guarded``: adds ``off_topic``, ``unsafe`` and ``other_language``, learned from the outlier pool.

The outlier pool is large and lopsided (tens of thousands of Tatoeba sentences next to a few hundred jailbreaks), so
each outlier dataset is capped at ``max_per_dataset`` texts (a seeded sample); :meth:`LabelledSet.sample_weights`
then balances the outputs in the loss.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from gqr import data
from gqr._decision import DOMAINS, OOD
from gqr._errors import InvalidInputError
from gqr._policy import REJECT_OUTPUTS
from gqr.data._keywords import looks_in_domain
from gqr.train._card import VARIANTS

__all__ = ["LabelledSet", "build", "outputs_for"]


def outputs_for(variant: str) -> tuple[str, ...]:
    """The score outputs of a ``variant`` model."""
    if variant not in VARIANTS:
        raise InvalidInputError(f"variant must be one of {VARIANTS}, got {variant!r}")
    return DOMAINS if variant == "strict" else (*DOMAINS, *REJECT_OUTPUTS)


@dataclass(frozen=True)
class LabelledSet:
    """Texts with their output index (``-1``: no output, an outlier seen by a strict model) and provenance."""

    texts: list[str]
    targets: np.ndarray
    outputs: tuple[str, ...]
    labels: list[str]
    reasons: list[str | None]
    datasets: list[str]

    def __len__(self) -> int:
        return len(self.texts)

    def target_matrix(self) -> np.ndarray:
        """One-hot float32 ``[n, len(outputs)]`` (all zeros for target ``-1``)."""
        y = np.zeros((len(self.texts), len(self.outputs)), dtype=np.float32)
        rows = np.flatnonzero(self.targets >= 0)
        y[rows, self.targets[rows]] = 1.0
        return y

    def sample_weights(self) -> np.ndarray:
        """Per-text weights giving every output (and the no-output group) the same total weight, mean 1."""
        groups, inverse, counts = np.unique(self.targets, return_inverse=True, return_counts=True)
        w = (len(self.targets) / (len(groups) * counts))[inverse]
        return w.astype(np.float32)

    def sources(self) -> dict[str, list[str]]:
        """For each output (and ``ood`` for outliers without an output), the datasets it was learned from."""
        out: dict[str, set[str]] = {}
        for t, ds in zip(self.targets.tolist(), self.datasets, strict=True):
            out.setdefault(self.outputs[t] if t >= 0 else OOD, set()).add(ds)
        return {k: sorted(v) for k, v in sorted(out.items())}

    def counts(self) -> dict[str, int]:
        """Number of texts per output (``ood`` for outliers without an output)."""
        c = Counter(self.outputs[t] if t >= 0 else OOD for t in self.targets.tolist())
        return dict(sorted(c.items()))

    def subset(self, index: Sequence[int] | np.ndarray) -> LabelledSet:
        idx = np.asarray(index, dtype=np.int64)
        pick = idx.tolist()
        return LabelledSet(
            texts=[self.texts[i] for i in pick],
            targets=self.targets[idx],
            outputs=self.outputs,
            labels=[self.labels[i] for i in pick],
            reasons=[self.reasons[i] for i in pick],
            datasets=[self.datasets[i] for i in pick],
        )


def build(
    split: str,
    variant: str,
    *,
    outliers: bool | None = None,
    max_per_dataset: int | None = 5000,
    seed: int = 0,
    data_dir: str | os.PathLike[str] | None = None,
    title_views: bool = False,
    question_views: bool = False,
    unsafe_suffixes: int = 0,
) -> LabelledSet:
    """The in-domain texts of ``split`` plus (by default for ``guarded``, and always for eval) its outliers.

    ``outliers=None`` means: include them unless this is the ``train`` split of a ``strict`` model. Each outlier
    dataset keeps at most ``max_per_dataset`` texts (seeded sample; ``None`` keeps all). ``title_views`` adds the
    title of each title + body text (a Reddit post, :attr:`gqr.data.Example.title`) as a text of its own, with the
    same label, from dataset ``<dataset>:title``: users type short queries, while most pool texts are long posts.
    ``question_views`` likewise adds the question sentences of long in-domain texts (:func:`question_sentences`)
    from dataset ``<dataset>:question``. ``unsafe_suffixes`` adds that many in-domain questions followed by an
    unsafe text of the split (an insult, hate, a prompt injection), as ``unsafe`` outliers (:func:`_suffixed`).
    """
    outputs = outputs_for(variant)
    if max_per_dataset is not None and max_per_dataset < 1:
        raise InvalidInputError(f"max_per_dataset must be a positive int or None, got {max_per_dataset!r}")
    if outliers is None:
        outliers = not (variant == "strict" and split == "train")
    examples = list(data.load_id(split, data_dir))
    if outliers:
        examples += _cap(data.load_outliers(split, data_dir), max_per_dataset, np.random.default_rng(seed))
    if title_views:
        examples += _views(examples, "title", lambda ex: () if ex.title is None else (ex.title,))
    if question_views:
        examples += _views(examples, "question", lambda ex: () if ex.label == OOD else question_sentences(ex.text))
    if unsafe_suffixes:
        examples += _suffixed(examples, unsafe_suffixes, np.random.default_rng([seed, 2]))
    index = {o: i for i, o in enumerate(outputs)}
    targets = np.array(
        [index.get(ex.label if ex.label != OOD else ex.reason or "", -1) for ex in examples], dtype=np.int64
    )
    return LabelledSet(
        texts=[ex.text for ex in examples],
        targets=targets,
        outputs=outputs,
        labels=[ex.label for ex in examples],
        reasons=[ex.reason for ex in examples],
        datasets=[ex.dataset for ex in examples],
    )


def _views(
    examples: Sequence[data.Example], kind: str, texts_of: Callable[[data.Example], Sequence[str]]
) -> list[data.Example]:
    """Each text of ``texts_of(example)`` not seen yet, as an example of its own from ``<dataset>:<kind>``."""
    seen = {ex.text for ex in examples}
    views = []
    for ex in examples:
        for text in texts_of(ex):
            if text not in seen:
                seen.add(text)
                views.append(replace(ex, text=text, dataset=f"{ex.dataset}:{kind}", title=None))
    return views


_SENTENCE = re.compile(r"[^.!?\n]*\?")
_MIN_POST_WORDS = 30
_QUESTION_WORDS = (6, 30)
_QUESTIONS_PER_TEXT = 2


def question_sentences(text: str) -> list[str]:
    """The first :data:`_QUESTIONS_PER_TEXT` question sentences of a long text (at least 30 words) that stand alone
    as a short query: 6 to 30 words and a law, money or health term (:func:`gqr.data._keywords.looks_in_domain`), so
    that "What should I do?" is not learned as a domain question."""
    if len(text.split()) < _MIN_POST_WORDS:
        return []
    lo, hi = _QUESTION_WORDS
    found = []
    for match in _SENTENCE.finditer(text):
        sentence = match.group().strip()
        if lo <= len(sentence.split()) <= hi and looks_in_domain(sentence):
            found.append(sentence)
            if len(found) == _QUESTIONS_PER_TEXT:
                break
    return found


_SUFFIX_HOST_WORDS = 60  # a host text this short keeps its suffix within every model's token cap
_SUFFIX_WORDS = 30


def _suffixed(examples: Sequence[data.Example], n: int, rng: np.random.Generator) -> list[data.Example]:
    """``n`` in-domain texts of at most 60 words, each followed by a short unsafe text of ``examples`` (at most 30
    words), labelled ``ood`` / ``unsafe`` from dataset ``<unsafe dataset>:suffix``: a question with an insult or an
    injection appended must be rejected as a whole, not routed on its first part."""
    hosts = [ex for ex in examples if ex.label != OOD and len(ex.text.split()) <= _SUFFIX_HOST_WORDS]
    unsafe = [ex for ex in examples if ex.reason == "unsafe" and len(ex.text.split()) <= _SUFFIX_WORDS]
    if not hosts or not unsafe:
        return []
    out = []
    for h, u in zip(rng.integers(len(hosts), size=n), rng.integers(len(unsafe), size=n), strict=True):
        host, tail = hosts[int(h)], unsafe[int(u)]
        text = f"{host.text.rstrip()} {tail.text}"
        out.append(data.Example(text, OOD, f"{tail.dataset}:suffix", "unsafe"))
    return out


def _cap(examples: Sequence[data.Example], limit: int | None, rng: np.random.Generator) -> list[data.Example]:
    if limit is None:
        return list(examples)
    groups: dict[str, list[int]] = {}
    for i, ex in enumerate(examples):
        groups.setdefault(ex.dataset, []).append(i)
    keep: list[int] = []
    for idx in groups.values():
        keep += idx if len(idx) <= limit else rng.choice(idx, limit, replace=False).tolist()
    return [examples[i] for i in sorted(keep)]
