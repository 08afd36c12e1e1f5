"""The trainer contract every model family follows (scikit-learn style), and what the families share.

A trainer's parameters are its keyword-only constructor parameters, each annotated with the values it accepts
(``C: Annotated[float, Range(0, lo_open=True)] = 1.5``): :meth:`Trainer.get_params` and :meth:`Trainer.validate`
read them from the signature, so a parameter is written once. ``featurizer`` holds the
:class:`~gqr._featurize.Featurizer` settings that differ from the family's :attr:`Trainer.featurizer_defaults`,
checked by the Featurizer's own rules. The verbs are :meth:`~Trainer.fit`, :meth:`~Trainer.predict_proba` (the
source model's scores, which the ONNX graph reproduces) and :meth:`~Trainer.to_onnx` (the graph of the model
contract in :mod:`gqr._runtime`: inputs ``ids`` / ``weights``, output ``scores``).
"""

from __future__ import annotations

import inspect
import math
import typing
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Self

import numpy as np

from gqr._errors import InvalidInputError
from gqr._extras import require
from gqr._featurize import Featurizer
from gqr.train._dataset import LabelledSet

__all__ = ["OneOf", "Range", "Trainer", "balanced_weights", "csr_features"]


@dataclass(frozen=True)
class Range:
    """Accepts a number in ``[lo, hi]`` (an end excluded when ``lo_open`` / ``hi_open``; an int when ``integer``;
    also ``None`` when ``optional``)."""

    lo: float = -math.inf
    hi: float = math.inf
    integer: bool = False
    lo_open: bool = False
    hi_open: bool = False
    optional: bool = False

    def accepts(self, value: Any) -> bool:
        if value is None:
            return self.optional
        if isinstance(value, bool) or not isinstance(value, int if self.integer else int | float):
            return False
        above = value > self.lo if self.lo_open else value >= self.lo
        below = value < self.hi if self.hi_open else value <= self.hi
        return above and below

    def __str__(self) -> str:
        kind = "an int" if self.integer else "a number"
        if self.hi == math.inf:
            what = f"{kind} {'>' if self.lo_open else '>='} {self.lo:g}"
        else:
            what = f"{kind} in {'(' if self.lo_open else '['}{self.lo:g}, {self.hi:g}{')' if self.hi_open else ']'}"
        return f"None or {what}" if self.optional else what


@dataclass(frozen=True)
class OneOf:
    """Accepts one of ``choices``."""

    choices: tuple[Any, ...]

    def accepts(self, value: Any) -> bool:
        return value in self.choices

    def __str__(self) -> str:
        return f"one of {list(self.choices)}"


class Trainer(ABC):
    """Base of every family's trainer: parameters from the constructor signature, checked before any data is read.

    Subclasses set ``family``, ``summary`` (for the card), ``libraries`` (the modules of the ``train`` extra they
    fit with) and ``featurizer_defaults``, take keyword-only parameters annotated with a :class:`Range` or
    :class:`OneOf` (plus ``featurizer`` and ``seed``), and implement :meth:`fit`, :meth:`predict_proba` and
    :meth:`to_onnx`. :meth:`fit` sets ``featurizer_`` (fitted) and ``outputs_``.
    """

    family: ClassVar[str]
    summary: ClassVar[str]
    libraries: ClassVar[tuple[str, ...]]
    featurizer_defaults: ClassVar[Mapping[str, Any]] = {}

    featurizer: Mapping[str, Any] | None
    featurizer_: Featurizer
    outputs_: tuple[str, ...]

    @classmethod
    def param_names(cls) -> list[str]:
        """The constructor parameters, in signature order."""
        return list(inspect.signature(cls).parameters)

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Self:
        """A checked trainer from flat parameters (as ``gqr train -p KEY=VALUE`` and the ``training.params`` of older
        cards give them): a Featurizer setting that is not a parameter of the family (``max_tokens=64``) goes into
        ``featurizer``, over the settings given there."""
        names = cls.param_names()
        settings = set(inspect.signature(Featurizer).parameters)
        flat = {k: v for k, v in params.items() if k not in names and k in settings}
        unknown = sorted(set(params) - set(names) - set(flat))
        if unknown:
            raise InvalidInputError(
                f"family {cls.family!r} takes the parameters {sorted(names)} (and the Featurizer settings "
                f"{sorted(settings)}), got unknown {unknown}"
            )
        given = {k: v for k, v in params.items() if k not in flat}
        if flat:
            given["featurizer"] = {**(given.get("featurizer") or {}), **flat}
        trainer = cls(**given)
        trainer.validate()
        return trainer

    def get_params(self) -> dict[str, Any]:
        """The constructor parameters as JSON-able values (``featurizer``: every setting the family uses)."""
        out = {name: getattr(self, name) for name in self.param_names()}
        out["featurizer"] = self._featurizer().settings()
        return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}

    def validate(self) -> None:
        """Check every parameter against its annotation (and ``featurizer`` by the Featurizer's own rules);
        :class:`~gqr.InvalidInputError` saying what was expected and what was got."""
        hints = typing.get_type_hints(type(self).__init__, include_extras=True)
        for name in self.param_names():
            for rule in getattr(hints[name], "__metadata__", ()):
                value = getattr(self, name)
                if not rule.accepts(value):
                    raise InvalidInputError(f"{self.family} parameter {name}: expected {rule}, got {value!r}")
        self._featurizer()

    def _featurizer(self) -> Featurizer:
        """An unfitted Featurizer with the family's settings, updated by ``featurizer`` (checked)."""
        accepted = sorted(inspect.signature(Featurizer).parameters)
        try:
            if not isinstance(self.featurizer, Mapping | None):
                raise InvalidInputError(f"expected None or a mapping of settings, got {self.featurizer!r}")
            settings = {**self.featurizer_defaults, **(self.featurizer or {})}
            unknown = sorted(set(settings) - set(accepted))
            if unknown:
                raise InvalidInputError(f"expected settings among {accepted}, got unknown {unknown}")
            if isinstance(settings.get("char_ngram_range"), list):  # as JSON gives it
                settings["char_ngram_range"] = tuple(settings["char_ngram_range"])
            featurizer = Featurizer(**settings)
            featurizer.validate()
        except (TypeError, ValueError) as e:
            raise InvalidInputError(f"{self.family} parameter featurizer: {e}") from None
        return featurizer

    def _start_fit(self, train: LabelledSet, *, all_labelled: bool) -> None:
        """Check parameters and data, set ``outputs_`` and fit ``featurizer_`` on the training texts.

        ``all_labelled``: every text needs an output (the family cannot learn from outliers without one)."""
        self.validate()
        if len(train) == 0:
            raise InvalidInputError("expected a non-empty training set, got 0 texts")
        if all_labelled and (train.targets < 0).any():
            raise InvalidInputError(
                f"{self.family} learns one output per text; expected no text without an output (target -1), "
                f"got {int((train.targets < 0).sum())} (train a guarded model to learn from outliers)"
            )
        missing = [o for k, o in enumerate(train.outputs) if not (train.targets == k).any()]
        if all_labelled and missing:
            raise InvalidInputError(f"expected training texts for every output, got none for {missing}")
        self.featurizer_ = self._featurizer().fit(train.texts)
        self.outputs_ = train.outputs

    @abstractmethod
    def fit(self, train: LabelledSet, eval_set: LabelledSet | None = None) -> Self:
        """Fit the featurizer and the model on ``train`` (``eval_set``: in-domain + outliers, if the family uses it)."""

    @abstractmethod
    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Scores ``[len(texts), len(outputs_)]`` of the source model (what :meth:`to_onnx` reproduces)."""

    @abstractmethod
    def to_onnx(self) -> Any:
        """The ``onnx.ModelProto`` of the model contract: inputs ``ids`` / ``weights``, output ``scores``."""


def balanced_weights(train: LabelledSet, balance: float) -> np.ndarray:
    """Per-text training weights, mean 1: the per-output balancing weights of :meth:`LabelledSet.sample_weights`
    raised to ``balance`` (0: every text counts once, 1: every output counts the same in total)."""
    w = train.sample_weights().astype(np.float64) ** balance
    return (w / w.mean()).astype(np.float32)


def csr_features(featurizer: Featurizer, texts: Sequence[str]) -> Any:
    """``scipy.sparse.csr_matrix [len(texts), n_features]`` whose column ``i`` holds the weight of feature id ``i``."""
    sparse = require("scipy.sparse", "train")
    rows = [featurizer.transform_one(t) for t in texts]
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(r[0]) for r in rows], out=indptr[1:])
    ids = np.concatenate([r[0] for r in rows]) if rows else np.zeros(0, np.int64)
    weights = np.concatenate([r[1] for r in rows]) if rows else np.zeros(0, np.float32)
    return sparse.csr_matrix((weights, ids, indptr), shape=(len(rows), featurizer.n_features), dtype=np.float32)
