"""fastText supervised, trained on gqr's own features so that the ONNX graph can reproduce it exactly.

Each text is featurized by :class:`~gqr._featurize.Featurizer` (word unigrams and bigrams, character n-grams of
out-of-vocabulary words) and handed to fastText as one token per feature id (``f<id>``), with fastText's own
subwords and word n-grams switched off. fastText's forward pass is then: mean of the input rows of the text's feature
ids and of the end-of-line token ``</s>`` (which fastText adds to every line) → output matrix → softmax (or one
sigmoid per output with ``loss="ova"``). The ONNX graph does the same: Gather + weighted sum with weights
``1 / (n + 1)`` over the ``n`` ids of the text, plus the ``</s>`` row, → MatMul → Softmax / Sigmoid. Every row of the
table is a feature of the featurizer, so nothing unused is shipped; the table is stored as float16 by default.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, ClassVar

import numpy as np

from gqr._errors import ModelIntegrityError
from gqr._extras import require
from gqr._log import logger
from gqr.train._dataset import LabelledSet
from gqr.train._onnx import IDS, GraphBuilder
from gqr.train._trainer import OneOf, Range, Trainer, balanced_weights

__all__ = ["FastText"]

_EOS = "</s>"
_LABEL = "__label__"


class FastText(Trainer):
    """The fastText supervised trainer.

    Parameters: embedding ``dim``, ``epochs``, learning rate ``lr``, ``loss`` (``"softmax"`` or ``"ova"``: one
    sigmoid per output), ``balance`` (:func:`~gqr.train._trainer.balanced_weights`; fastText has no sample weights,
    so each text is repeated ``round(weight / min_weight)`` times in the shuffled training file), ``table_dtype`` of
    the exported embedding table (``float16`` or ``float32``), ``featurizer`` settings, ``threads`` and ``seed``.
    Every training text needs an output (a strict training set has no outliers).
    Fitted attributes: ``featurizer_``, ``outputs_``, ``model_`` (the ``fasttext`` model).
    """

    family: ClassVar[str] = "fasttext"
    summary: ClassVar[str] = "fastText supervised: mean of feature embeddings → linear → softmax"
    libraries: ClassVar[tuple[str, ...]] = ("fasttext",)
    featurizer_defaults: ClassVar[Mapping[str, Any]] = {"max_features": 20_000, "max_char_features": 20_000}

    def __init__(
        self,
        *,
        dim: Annotated[int, Range(1, integer=True)] = 64,
        epochs: Annotated[int, Range(1, integer=True)] = 10,
        lr: Annotated[float, Range(0, lo_open=True)] = 0.2,
        loss: Annotated[str, OneOf(("softmax", "ova"))] = "softmax",
        balance: Annotated[float, Range(0, 1)] = 0.5,
        table_dtype: Annotated[str, OneOf(("float16", "float32"))] = "float16",
        featurizer: Mapping[str, Any] | None = None,
        threads: Annotated[int, Range(1, integer=True)] = 1,
        seed: Annotated[int, Range(0, integer=True)] = 0,
    ) -> None:
        self.dim = dim
        self.epochs = epochs
        self.lr = lr
        self.loss = loss
        self.balance = balance
        self.table_dtype = table_dtype
        self.featurizer = featurizer
        self.threads = threads
        self.seed = seed

    def fit(self, train: LabelledSet, eval_set: LabelledSet | None = None) -> FastText:
        """Fit the featurizer and fastText on ``train``; ``eval_set`` is not used."""
        self._start_fit(train, all_labelled=True)
        fasttext = require("fasttext", "train")
        w = balanced_weights(train, self.balance)
        repeats = np.rint(w / w.min()).astype(np.int64)
        order = np.random.default_rng(self.seed).permutation(np.repeat(np.arange(len(train)), repeats))
        lines = [f"{_LABEL}{t} {self._line(text)}" for t, text in zip(train.targets.tolist(), train.texts, strict=True)]
        logger.info("fasttext: %d training lines (%d texts, balance %.2f)", len(order), len(train), self.balance)
        with tempfile.TemporaryDirectory(prefix="gqr-fasttext-") as tmp:
            path = Path(tmp) / "train.txt"
            path.write_text("".join(lines[i] + "\n" for i in order), encoding="utf-8")
            self.model_ = fasttext.train_supervised(
                input=str(path),
                dim=self.dim,
                epoch=self.epochs,
                lr=self.lr,
                loss=self.loss,
                minCount=1,
                minn=0,
                maxn=0,
                wordNgrams=1,
                bucket=0,
                thread=self.threads,
                seed=self.seed,
                verbose=0,
            )
        return self

    def _line(self, text: str) -> str:
        """The text as fastText sees it: one token per feature id (no newline)."""
        return " ".join(f"f{i}" for i in self.featurizer_.transform_one(text)[0].tolist())

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Scores ``[n, len(outputs_)]`` as fastText itself predicts them (the source model of the ONNX graph)."""
        out = np.zeros((len(texts), len(self.outputs_)), dtype=np.float32)
        for row, text in enumerate(texts):
            # the line ends in "\n" like in training, so fastText adds its end-of-line token "</s>"
            for prob, label in self.model_.f.predict(self._line(text) + "\n", -1, 0.0, "strict"):
                out[row, int(label[len(_LABEL) :])] = min(prob, 1.0)
        return out

    def to_onnx(self) -> Any:
        """The ONNX graph: mean of embedding rows (Gather + weighted sum) → MatMul → Softmax / Sigmoid."""
        onnx = require("onnx", "train")
        f = self.model_.f
        inputs = np.asarray(self.model_.get_input_matrix(), dtype=np.float32)
        rows = np.array([f.getWordId(f"f{i}") for i in range(1, self.featurizer_.n_features)], dtype=np.int64)
        if (rows < 0).any():
            raise ModelIntegrityError(
                f"expected a fastText row for every feature id of the featurizer, got none for {(rows < 0).sum()}"
            )
        table = np.zeros((self.featurizer_.n_features, self.dim), dtype=np.float32)
        table[1:] = inputs[rows]
        eos = inputs[f.getWordId(_EOS)]
        labels = np.array([int(lab[len(_LABEL) :]) for lab in self.model_.get_labels()])
        output = np.zeros((len(self.outputs_), self.dim), dtype=np.float32)
        output[labels] = np.asarray(self.model_.get_output_matrix(), dtype=np.float32)

        g = GraphBuilder(f"fasttext-{len(self.outputs_)}")
        axis_1 = g.const(np.array([1], dtype=np.int64), "axis")
        gathered = g.op("Gather", g.const(table.astype(self.table_dtype), "embedding"), IDS, axis=0)
        if self.table_dtype != "float32":
            gathered = g.op("Cast", gathered, to=onnx.TensorProto.FLOAT)
        mask = g.op("Cast", g.op("Greater", IDS, g.const(np.array(0, dtype=np.int64))), to=onnx.TensorProto.FLOAT)
        inv_n = g.op("Reciprocal", g.add(g.op("ReduceSum", mask, axis_1, keepdims=1), np.array([1.0])))  # [b, 1]
        mean_weights = g.op("Mul", mask, inv_n)
        bag = g.op("Mul", gathered, g.op("Unsqueeze", mean_weights, g.const(np.array([-1], dtype=np.int64), "axis")))
        hidden = g.op("Add", g.op("ReduceSum", bag, axis_1, keepdims=0), g.op("Mul", inv_n, g.const(eos, "eos")))
        logits = g.op("MatMul", hidden, g.const(np.ascontiguousarray(output.T), "output"))
        scores = g.softmax(logits) if self.loss == "softmax" else g.sigmoid(logits)
        return g.build(scores, len(self.outputs_), {"outputs": ",".join(self.outputs_)})
