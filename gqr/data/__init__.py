"""GQR-Bench data: the OOD test sets, the in-domain pool and the outlier pool, read from ``GQR_DATA_DIR``.

Every training pool is cleaned, de-duplicated, purged of any text that also appears in an OOD test set and split
into train / eval / test by a stable hash of the normalised text (:func:`split_of`). Loads are cached per process.
The short-query dev set (:func:`load_short_queries`) ships inside the package: dev / report only, never training.
:func:`load_profanity` reads the ``profanity_en`` word list, a lexicon resource (not training text).
"""

from __future__ import annotations

from gqr.data._clean import clean, normalize
from gqr.data._example import Example
from gqr.data._hub import load_hub_gqr_bench
from gqr.data._ood import OOD_REASONS, OOD_SIZES, OOD_TEST_SETS, load_ood_test
from gqr.data._paths import ENV_VAR, data_dir
from gqr.data._pools import load_id, load_outliers
from gqr.data._profanity import ProfaneTerm, load_profanity
from gqr.data._short import load_short_queries
from gqr.data._split import SPLITS, split_of
from gqr.data._summary import SetSummary, summary

__all__ = [
    "ENV_VAR",
    "OOD_REASONS",
    "OOD_SIZES",
    "OOD_TEST_SETS",
    "SPLITS",
    "Example",
    "ProfaneTerm",
    "SetSummary",
    "clean",
    "data_dir",
    "load_hub_gqr_bench",
    "load_id",
    "load_ood_test",
    "load_outliers",
    "load_profanity",
    "load_short_queries",
    "normalize",
    "split_of",
    "summary",
]
