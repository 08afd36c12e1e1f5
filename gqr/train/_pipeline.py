"""The shared training run: data → fit → ONNX → thresholds tuned on the eval split → model + card on disk."""

from __future__ import annotations

import importlib
import os
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from gqr._errors import InvalidInputError
from gqr._extras import require
from gqr._log import logger
from gqr.train._card import FAMILIES, VARIANTS, make_card, update_bench, write_model
from gqr.train._dataset import LabelledSet, build
from gqr.train._onnx import run, session
from gqr.train._trainer import Trainer
from gqr.train._tune import EvalScores, tune_thresholds

__all__ = ["TrainResult", "bench_numbers", "train", "trainer_class"]


def trainer_class(family: str) -> type[Trainer]:
    """The :class:`~gqr.train._trainer.Trainer` subclass of ``family`` (its module imported now)."""
    if family not in FAMILIES:
        raise InvalidInputError(f"expected a model family among {sorted(FAMILIES)}, got {family!r}")
    module, cls = FAMILIES[family].split(":")
    trainer: type[Trainer] = getattr(importlib.import_module(module), cls)
    return trainer


@dataclass(frozen=True)
class TrainResult:
    """What :func:`train` wrote and measured."""

    onnx_path: Path
    card_path: Path
    thresholds: dict[str, float]
    eval: EvalScores
    seconds: float
    estimator: Trainer


def train(
    family: str,
    variant: str,
    *,
    out_dir: str | os.PathLike[str] = "gqr-models",
    name: str | None = None,
    params: Mapping[str, Any] | None = None,
    seed: int = 0,
    max_per_dataset: int | None = 5000,
    data_dir: str | os.PathLike[str] | None = None,
    train_set: LabelledSet | None = None,
    eval_set: LabelledSet | None = None,
    bench: bool = False,
    title_views: bool = False,
    question_views: bool = False,
    unsafe_suffixes: int = 0,
) -> TrainResult:
    """Train ``family`` (``widemlp``, …) as ``variant`` (``strict`` or ``guarded``) and write ``<name>.onnx/.json``.

    ``params`` are the trainer's constructor parameters (a Featurizer setting may be given flat, ``max_tokens=64``:
    :meth:`~gqr.train._trainer.Trainer.from_params`), all checked before any data is read.

    The training set is the ``train`` split (outliers capped at ``max_per_dataset`` per dataset, guarded only; plus
    the short views ``title_views``, ``question_views`` and ``unsafe_suffixes`` of :func:`build`); thresholds are
    tuned on the ``eval`` split (in-domain + outliers), never on the GQR-Bench OOD test sets.
    ``train_set`` / ``eval_set`` replace the data from :mod:`gqr.data` (tests use small ones). ``bench=True``
    then scores the written model on GQR-Bench (:func:`gqr.bench.evaluate`, the OOD test sets: reporting only) and
    stores the numbers in the card's ``bench`` entry.
    """
    start = time.perf_counter()
    cls = trainer_class(family)
    if variant not in VARIANTS:
        raise InvalidInputError(f"expected a variant among {list(VARIANTS)}, got {variant!r}")
    estimator = cls.from_params({**dict(params or {}), "seed": seed})  # checked before any data is read
    for module in ("onnx", "pyarrow", "scipy", *cls.libraries):
        require(module, "train")
    name = name or f"{family}-{variant}"
    if train_set is None:
        train_set = build(
            "train",
            variant,
            max_per_dataset=max_per_dataset,
            seed=seed,
            data_dir=data_dir,
            title_views=title_views,
            question_views=question_views,
            unsafe_suffixes=unsafe_suffixes,
        )
    if eval_set is None:
        eval_set = build("eval", variant, max_per_dataset=max_per_dataset, seed=seed, data_dir=data_dir)
    if train_set.outputs != eval_set.outputs:
        raise InvalidInputError(
            f"expected train and eval sets with the same outputs, got {train_set.outputs} and {eval_set.outputs}"
        )
    logger.info("train %s: %d train texts %s, %d eval texts", name, len(train_set), train_set.counts(), len(eval_set))
    estimator.fit(train_set, eval_set)
    model = estimator.to_onnx()
    scores = run(session(model), estimator.featurizer_, eval_set.texts)
    thresholds, ev = tune_thresholds(scores, estimator.outputs_, eval_set)
    logger.info("train %s: thresholds %s, eval %s", name, thresholds, ev.to_dict())
    seconds = time.perf_counter() - start
    card = make_card(
        name=name,
        family=family,
        variant=variant,
        description=f"{cls.summary}; {variant}: {_VARIANT_TEXT[variant]}",
        outputs=estimator.outputs_,
        thresholds=thresholds,
        featurizer=estimator.featurizer_.to_dict(),
        training={
            "sources": train_set.sources(),
            "n_train": len(train_set),
            "n_train_per_output": train_set.counts(),
            "n_eval": len(eval_set),
            "max_outliers_per_dataset": max_per_dataset,
            "title_views": title_views,
            "question_views": question_views,
            "unsafe_suffixes": unsafe_suffixes,
            "params": estimator.get_params(),
            "seed": seed,
            "seconds": round(seconds, 1),
            "eval": _rounded(ev.to_dict()),
            "history": _rounded(getattr(estimator, "history_", None)),
            "prior": prior_of(estimator),
            "written_or_generated": written_or_generated(train_set),
            "best_epoch": getattr(estimator, "best_epoch_", None),
        },
    )
    onnx_path, card_path = write_model(model, card, out_dir)
    logger.info("train %s: wrote %s (%d bytes) in %.0f s", name, onnx_path, onnx_path.stat().st_size, seconds)
    if bench:
        update_bench(card_path, bench_numbers(card_path, data_dir))
    return TrainResult(onnx_path, card_path, thresholds, ev, seconds, estimator)


_VARIANT_TEXT = {
    "strict": "trained on in-domain text only; out-of-domain when no domain clears its threshold",
    "guarded": "also learns off_topic / unsafe / other_language outputs from the outlier pool",
}


def prior_of(estimator: Any) -> dict[str, Any] | None:
    """The card's account of the semantic prior a model ships, or ``None`` without one."""
    from gqr.train._prior import prior_provenance

    table = getattr(estimator, "prior_", None)
    return None if table is None else prior_provenance(table)


def written_or_generated(train_set: LabelledSet) -> dict[str, int]:
    """Training texts not taken from a public source as they are: team-written or rule-made sources, LLM-generated
    public sources, and views made from other texts (titles, question sentences, unsafe suffixes), with counts."""
    counts = Counter(
        name
        for name in train_set.datasets
        if name.startswith("team_") or name.endswith((":title", ":question", ":suffix")) or name in _GENERATED
    )
    return dict(sorted(counts.items()))


_GENERATED = {"lse_odsc_synthetic", "indian_legal_qa", "uk_legal_qa", "gpteacher_roleplay_codegen"}  # LLM-written


def bench_numbers(card_path: Path, data_dir: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """GQR-Bench numbers of a written model, for its card (test sets used for reporting only)."""
    import gqr
    from gqr.bench import evaluate

    result = evaluate(gqr.load(str(card_path)), data_dir=data_dir).to_dict()
    keys = ("gqr_score", "id_acc", "ood_acc", "unsafe_avg", "reason_acc", "p50_us", "p99_us", "throughput_qps")
    extra = ("id_acc_per_domain", "ood_acc_per_set", "reason_acc_per_set")
    return _rounded({**{k: result[k] for k in keys}, **{k: result[k] for k in extra}})


def _rounded(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return round(float(value), 4)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value
