"""Training gqr models (extra ``train``): one module per family, each fits and exports to ONNX.

>>> from gqr.train import train
>>> result = train("widemlp", "guarded", out_dir="models")   # models/widemlp-guarded.{onnx,json}

Shared pieces for every family: :class:`Trainer` (the base of every family's trainer: parameters, checks, ``fit`` /
``predict_proba`` / ``to_onnx``), :class:`LabelledSet` / :func:`build` (training and eval sets from
:mod:`gqr.data`), :func:`tune_thresholds` (eval split, :func:`gqr._policy.decide`), :class:`GraphBuilder`
(ONNX graphs), :func:`make_card` / :func:`write_model` (model cards), :func:`held_out_scores`
(source-held-out scores over the fixed rotation :data:`FOLD_TABLE`). :data:`FAMILIES` maps a family
name to its trainer class ("module:Class"); a new family registers with one line there (``gqr/train/_card.py``).
"""

from gqr.train._card import FAMILIES, VARIANTS, make_card, sha256_of, update_bench, write_model
from gqr.train._dataset import LabelledSet, build, outputs_for
from gqr.train._heldout import FOLD_TABLE, held_out_scores
from gqr.train._onnx import GraphBuilder, quantize_rows, run, session
from gqr.train._pipeline import TrainResult, train, trainer_class
from gqr.train._trainer import Trainer
from gqr.train._tune import EvalScores, evaluate_scores, tune_thresholds

__all__ = [
    "FAMILIES",
    "FOLD_TABLE",
    "VARIANTS",
    "EvalScores",
    "GraphBuilder",
    "LabelledSet",
    "TrainResult",
    "Trainer",
    "build",
    "evaluate_scores",
    "held_out_scores",
    "make_card",
    "outputs_for",
    "quantize_rows",
    "run",
    "session",
    "sha256_of",
    "train",
    "trainer_class",
    "tune_thresholds",
    "update_bench",
    "write_model",
]
