"""The in-domain pool and the outlier pool: read every source, clean, de-duplicate, purge leakage, split."""

from __future__ import annotations

import functools
import os
import time
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from gqr._decision import DOMAINS
from gqr._log import logger
from gqr.data._clean import clean, normalize
from gqr.data._example import Example
from gqr.data._near import DevSetGuard, OodHeads, read_dev_texts
from gqr.data._ood import load_ood_test
from gqr.data._paths import data_dir as _data_dir
from gqr.data._sources_id import ID_READERS, TitledText
from gqr.data._sources_outliers import OUTLIER_READERS
from gqr.data._split import SPLITS, check_split, split_of_key
from gqr.data._team import TEAM_FILES

__all__ = ["MIN_TITLE_WORDS", "Pool", "load_id", "load_outliers", "pool"]

MIN_TITLE_WORDS = 3  # shorter titles ("Update", "Help!") say little of their post


@dataclass(frozen=True, slots=True)
class Pool:
    """Every kept example per split, and per source how many raw texts were dropped and why."""

    splits: dict[str, tuple[Example, ...]]
    dropped: dict[str, Counter[str]]
    seconds: float


def load_id(split: str, data_dir: str | os.PathLike[str] | None = None) -> list[Example]:
    """In-domain examples (label ``law``, ``finance`` or ``healthcare``) of ``split``: train, eval, test or all."""
    return _select(split, data_dir, outliers=False)


def load_outliers(split: str, data_dir: str | os.PathLike[str] | None = None) -> list[Example]:
    """Training outliers (label ``ood`` with reason ``off_topic``, ``unsafe`` or ``other_language``) of ``split``."""
    return _select(split, data_dir, outliers=True)


def _select(split: str, data_dir: str | os.PathLike[str] | None, *, outliers: bool) -> list[Example]:
    check_split(split)
    built = pool(_data_dir(data_dir).resolve())
    names = SPLITS if split == "all" else (split,)
    return [e for name in names for e in built.splits[name] if (e.label == "ood") == outliers]


@functools.cache
def pool(root: Path) -> Pool:
    """Build (once per data root and process) both pools.

    A text is dropped when it is empty after cleaning, equals (normalised) a GQR-Bench OOD test text or starts or
    ends with the same eight words as one (``near_ood_test``), equals a query of the short-query dev set
    (``in_dev_set``), or, for a team-written text, nearly equals one (``near_dev_query``: same key or token-set
    Jaccard >= 0.5), repeats an earlier text, or was seen with two different labels (then every copy goes). A text's
    title is kept only when it has at least :data:`MIN_TITLE_WORDS` words and is not itself a pool text or an OOD
    test text (so a title view never copies another example).
    """
    start = time.perf_counter()
    test_keys = {normalize(e.text) for e in load_ood_test(root)}
    test_heads = OodHeads(test_keys)
    dev = DevSetGuard(read_dev_texts())
    kept: dict[str, Example] = {}
    conflicts: set[str] = set()
    dropped: dict[str, Counter[str]] = {}
    for name, read in (*ID_READERS.items(), *OUTLIER_READERS.items()):
        drops = dropped.setdefault(name, Counter())
        team = name in TEAM_FILES
        for label, reason, raw in read(root):
            text = clean(raw)
            key = normalize(text)
            if not key:
                drops["empty"] += 1
            elif key in test_keys:
                drops["in_ood_test"] += 1
            elif test_heads.hit(key):
                drops["near_ood_test"] += 1
            elif team and dev.near(text):
                drops["near_dev_query"] += 1
            elif dev.equals(key):
                drops["in_dev_set"] += 1
            elif key not in kept:
                title = clean(raw.title) if isinstance(raw, TitledText) else None
                kept[key] = Example(text, label, name, reason, title)
            elif kept[key].label != label:
                conflicts.add(key)
                drops["label_conflict"] += 1
            else:
                drops["duplicate"] += 1
    for key in conflicts:
        dropped[kept.pop(key).dataset]["label_conflict"] += 1
    for key, example in kept.items():
        if example.title is not None:
            title_key = normalize(example.title)
            short = len(example.title.split()) < MIN_TITLE_WORDS
            if short or not title_key or title_key in kept or title_key in test_keys:
                kept[key] = replace(example, title=None)
    splits: dict[str, list[Example]] = {name: [] for name in SPLITS}
    for key, example in kept.items():
        splits[split_of_key(key)].append(example)
    seconds = time.perf_counter() - start
    logger.info("built the data pools from %s in %.1f s: %d texts", root, seconds, len(kept))
    assert set(DOMAINS) >= {e.label for e in kept.values()} - {"ood"}
    return Pool({k: tuple(v) for k, v in splits.items()}, dropped, seconds)
