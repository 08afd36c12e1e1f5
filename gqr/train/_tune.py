"""Per-domain thresholds tuned on the eval split with the shared decision rule (:func:`gqr._policy.decide`).

The objective mirrors the GQR score: the harmonic mean of in-domain accuracy and the outlier rejection rate, where
the rejection rate is averaged per reason (``off_topic``, ``unsafe``, ``other_language``) over the mean rejection
rate of each outlier dataset, so no single large dataset dominates.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from gqr._decision import DOMAINS, LABELS, OOD, REASONS
from gqr._errors import InvalidInputError
from gqr._policy import decide
from gqr.train._dataset import LabelledSet

__all__ = ["EvalScores", "evaluate_scores", "tune_thresholds"]

_OOD_ID = LABELS.index(OOD)
_GRID = np.unique(np.concatenate([np.linspace(0.0, 0.99, 100), [0.995, 0.998, 0.999]])).astype(np.float32)


@dataclass(frozen=True)
class EvalScores:
    """Eval-split scores of one threshold setting (fractions in [0, 1])."""

    objective: float
    id_acc: float
    rejection: float
    rejection_per_reason: dict[str, float]
    rejection_per_dataset: dict[str, float]
    reason_acc: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "objective": self.objective,
            "id_acc": self.id_acc,
            "rejection": self.rejection,
            "rejection_per_reason": dict(self.rejection_per_reason),
            "rejection_per_dataset": dict(self.rejection_per_dataset),
            "reason_acc": self.reason_acc,
        }


class _Scorer:
    """Precomputed masks of an eval set, so each threshold candidate costs one :func:`decide` call."""

    def __init__(self, eval_set: LabelledSet) -> None:
        labels = np.array([LABELS.index(lab) for lab in eval_set.labels], dtype=np.int64)
        self.is_id = labels != _OOD_ID
        if not self.is_id.any() or self.is_id.all():
            raise InvalidInputError(
                f"expected an eval set with both in-domain texts and outliers, got {int(self.is_id.sum())} in-domain "
                f"texts and {int((~self.is_id).sum())} outliers"
            )
        self.true = labels
        datasets = np.array(eval_set.datasets, dtype=object)
        reasons = np.array([r or "" for r in eval_set.reasons], dtype=object)
        self.by_reason: dict[str, list[tuple[str, np.ndarray]]] = {}
        for ds in sorted(set(datasets[~self.is_id].tolist())):
            mask = (~self.is_id) & (datasets == ds)
            reason = Counter(reasons[mask].tolist()).most_common(1)[0][0] or OOD  # a dataset's (main) reason
            self.by_reason.setdefault(reason, []).append((ds, mask))
        self.reason_index = np.array([REASONS.index(r) if r in REASONS else -1 for r in reasons], dtype=np.int64)

    def __call__(self, scores: np.ndarray, outputs: tuple[str, ...], thresholds: Mapping[str, float]) -> EvalScores:
        pred, reason, _ = decide(scores, outputs, thresholds)
        id_acc = float((pred[self.is_id] == self.true[self.is_id]).mean())
        rejected = pred == _OOD_ID
        per_dataset: dict[str, float] = {}
        per_reason: dict[str, float] = {}
        for r, groups in self.by_reason.items():
            rates = [float(rejected[mask].mean()) for _, mask in groups]
            per_dataset.update({ds: rate for (ds, _), rate in zip(groups, rates, strict=True)})
            per_reason[r] = float(np.mean(rates))
        rejection = float(np.mean(list(per_reason.values())))
        objective = 0.0 if id_acc + rejection == 0 else 2 * id_acc * rejection / (id_acc + rejection)
        reason_acc = None
        if len(outputs) > len(DOMAINS):
            ood = ~self.is_id
            reason_acc = float((reason[ood] == self.reason_index[ood]).mean())
        return EvalScores(objective, id_acc, rejection, per_reason, per_dataset, reason_acc)


def evaluate_scores(
    scores: np.ndarray, outputs: tuple[str, ...], thresholds: Mapping[str, float], eval_set: LabelledSet
) -> EvalScores:
    """Score one threshold setting on ``eval_set`` (in-domain texts + outliers)."""
    return _Scorer(eval_set)(scores, outputs, thresholds)


def tune_thresholds(
    scores: np.ndarray, outputs: tuple[str, ...], eval_set: LabelledSet, *, passes: int = 3
) -> tuple[dict[str, float], EvalScores]:
    """Thresholds maximising the objective on ``eval_set`` by coordinate ascent over a grid in [0, 0.999].

    Starts at 0.5 for every domain; among equally good values it keeps the middle one (a wide plateau is safer
    than its edge). Returns the thresholds and their eval scores.
    """
    scores = np.asarray(scores, dtype=np.float32)
    if scores.shape != (len(eval_set), len(outputs)):
        raise InvalidInputError(f"expected scores of shape {(len(eval_set), len(outputs))}, got {scores.shape}")
    scorer = _Scorer(eval_set)
    tau = dict.fromkeys(DOMAINS, 0.5)
    best = scorer(scores, outputs, tau)
    for _ in range(passes):
        changed = False
        for d in DOMAINS:
            values = np.array([scorer(scores, outputs, {**tau, d: float(t)}).objective for t in _GRID])
            top = np.flatnonzero(values >= values.max() - 1e-12)
            pick = float(_GRID[top[len(top) // 2]])
            if pick != tau[d]:
                tau[d], changed = pick, True
        best = scorer(scores, outputs, tau)
        if not changed:
            break
    return tau, best
