"""WideMLP (the GQR paper's model): TF-IDF-weighted bag of features → one wide hidden layer → one sigmoid per output.

``EmbeddingBag(mode="sum", per_sample_weights)`` of width ``hidden`` (the first layer, a Gather + weighted sum) →
ReLU → dropout → linear → sigmoid, trained with binary cross-entropy (AdamW). Exported to ONNX by hand with the
embedding table stored as int8 with a per-row scale (or float16 / float32).

Several networks (``n_members`` seeds, plus a ``plain_weight``-ed one without synthetic outliers) can be trained and
merged into one: a weighted average of their logits is exactly one WideMLP whose hidden layer concatenates theirs
(output weights and biases scaled by each network's share of the weights), so the export is the same single graph.
For a strict model, ``hidden=320, n_members=2, epochs=3`` (640 hidden units in all) has the best eval objective
measured, 0.893 (seeds 0-2: 0.892-0.894); with the ``swap`` synthetic outliers a plain network no longer helps (0.890
with ``plain_weight=0.5``). Before ``swap``: 0.880 for one 1024-unit network, 0.886 with ``plain_weight=0.5``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, ClassVar

import numpy as np

from gqr._decision import OOD
from gqr._extras import require
from gqr._log import logger
from gqr._policy import REJECT_OUTPUTS
from gqr.train._dataset import LabelledSet
from gqr.train._onnx import GraphBuilder
from gqr.train._prior import PRIOR_EPS, prior_graph, prior_table
from gqr.train._synthetic import synthetic_outliers
from gqr.train._trainer import OneOf, Range, Trainer
from gqr.train._tune import tune_thresholds

__all__ = ["AUTO_SMOOTHING", "AUTO_SYNTHETIC", "WideMLP"]

# Defaults for a model trained without outliers (strict), chosen on the strict eval objective.
AUTO_SYNTHETIC = 0.7  # synthetic outliers per training text
AUTO_SMOOTHING = 0.1  # label smoothing


class WideMLP(Trainer):
    """The WideMLP trainer.

    Parameters: ``hidden`` units, ``dropout``, ``epochs``, ``batch_size``, ``lr`` and ``weight_decay`` of AdamW,
    ``table_dtype`` of the exported embedding table (``int8``, ``float16`` or ``float32``), ``synthetic_outliers``
    (synthetic outlier texts made from the training texts, per training text, trained as "no output": see
    :mod:`gqr.train._synthetic`; ``None`` means ``AUTO_SYNTHETIC`` when the training set holds no outliers, i.e. a
    strict model, else 0), ``label_smoothing`` (binary targets ``y (1 - s) + s / 2``; ``None`` means
    ``AUTO_SMOOTHING`` without outliers, else 0: scores of a model trained on in-domain text only then do not all
    saturate, so thresholds can separate them), ``threads`` for torch, ``seed``, ``n_members`` (networks trained
    with seeds ``seed``, ``seed + 1``, …) and ``plain_weight`` (when > 0, one more network, trained without
    synthetic outliers and label smoothing, whose logits weigh that much against 1 for each member): the networks
    are merged into one wider WideMLP (``hidden`` units per network) that outputs the weighted average of their
    logits; ``prior_dims`` / ``prior_dropout`` (the semantic prior, :mod:`gqr.train._prior`) and ``featurizer``
    settings (token n-grams ``max_features``, character n-grams ``max_char_features``, …).
    Fitted attributes: ``featurizer_``, ``outputs_``, ``module_`` (the torch model, members merged), ``n_synthetic_``
    (synthetic outliers trained on, per member), ``history_`` (per epoch; with several members, each entry also
    holds its ``member``), ``best_epoch_`` (one per member when ``n_members`` > 1).
    """

    family: ClassVar[str] = "widemlp"
    summary: ClassVar[str] = "WideMLP: TF-IDF bag of words/char n-grams, EmbeddingBag 1024 → ReLU → sigmoid per output"
    libraries: ClassVar[tuple[str, ...]] = ("torch",)

    def __init__(
        self,
        *,
        hidden: Annotated[int, Range(1, integer=True)] = 1024,
        dropout: Annotated[float, Range(0, 1, hi_open=True)] = 0.5,
        epochs: Annotated[int, Range(1, integer=True)] = 8,
        batch_size: Annotated[int, Range(1, integer=True)] = 256,
        lr: Annotated[float, Range(0, lo_open=True)] = 1e-3,
        weight_decay: Annotated[float, Range(0)] = 0.01,
        table_dtype: Annotated[str, OneOf(("int8", "float16", "float32"))] = "int8",
        synthetic_outliers: Annotated[float | None, Range(0, 10, optional=True)] = None,
        label_smoothing: Annotated[float | None, Range(0, 1, hi_open=True, optional=True)] = None,
        threads: Annotated[int, Range(1, integer=True)] = 2,
        seed: Annotated[int, Range(0, integer=True)] = 0,
        n_members: Annotated[int, Range(1, integer=True)] = 1,
        plain_weight: Annotated[float, Range(0, 10)] = 0.0,
        prior_dims: Annotated[int, Range(0, 384, integer=True)] = 0,
        prior_dropout: Annotated[float, Range(0, 1, hi_open=True)] = 0.0,
        featurizer: Mapping[str, Any] | None = None,
    ) -> None:
        self.hidden = hidden
        self.dropout = dropout
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.table_dtype = table_dtype
        self.synthetic_outliers = synthetic_outliers
        self.label_smoothing = label_smoothing
        self.threads = threads
        self.seed = seed
        self.n_members = n_members
        self.plain_weight = plain_weight
        self.prior_dims = prior_dims
        self.prior_dropout = prior_dropout
        self.featurizer = featurizer

    # ------------------------------------------------------------------------------------------------ fit
    def fit(self, train: LabelledSet, eval_set: LabelledSet | None = None) -> WideMLP:
        """Fit the featurizer and the network on ``train`` (rows with target ``-1`` are all-negative examples).

        With an ``eval_set`` (in-domain + outliers), each epoch also records the eval loss and the eval objective
        with thresholds tuned for it (:func:`tune_thresholds`) in ``history_``, and the weights of the best epoch
        by that objective are kept (``best_epoch_``): ``epochs`` is then an upper bound chosen on the eval split.
        """
        self._start_fit(train, all_labelled=False)
        torch = require("torch", "train")
        torch.set_num_threads(self.threads)
        self.prior_ = prior_table(self.featurizer_, self.prior_dims, self.threads) if self.prior_dims else None
        without_outliers = not ((train.targets < 0).any() or any(o in REJECT_OUTPUTS for o in train.outputs))
        ratio = self.synthetic_outliers
        if ratio is None:
            ratio = AUTO_SYNTHETIC if without_outliers else 0.0
        smoothing = self.label_smoothing
        if smoothing is None:
            smoothing = AUTO_SMOOTHING if without_outliers else 0.0
        self.n_synthetic_ = round(ratio * len(train))
        rows = [self.featurizer_.transform_one(t) for t in train.texts]
        tokens = [self.featurizer_.tokens(t) for t in train.texts] if self.n_synthetic_ else []
        eval_rows = [self.featurizer_.transform_one(t) for t in eval_set.texts] if eval_set is not None else None
        # (seed, synthetic outliers, label smoothing, weight) of each network
        specs = [(self.seed + i, self.n_synthetic_, smoothing, 1.0) for i in range(self.n_members)]
        if self.plain_weight > 0:
            specs.append((self.seed + self.n_members, 0, 0.0, self.plain_weight))
        self.history_: list[dict[str, float]] = []
        members, best_epochs = [], []
        for member, (seed, n_synthetic, member_smoothing, _) in enumerate(specs):
            data = self._with_synthetic(train, tokens, n_synthetic, seed)
            member_rows = rows + [self.featurizer_.transform_one(t) for t in data.texts[len(train) :]]
            module, history, best_epoch = self._fit_member(
                torch, data, member_rows, member_smoothing, eval_set, eval_rows, seed
            )
            members.append(module)
            best_epochs.append(best_epoch)
            self.history_ += [{"member": member, **h} for h in history] if len(specs) > 1 else history
        self.best_epoch_ = best_epochs[0] if len(specs) == 1 else best_epochs
        weights = [spec[3] for spec in specs]
        self.module_ = members[0] if len(specs) == 1 else _merge(torch, members, weights, self.dropout)
        self.module_.eval()
        return self

    def _fit_member(
        self,
        torch: Any,
        train: LabelledSet,
        rows: list[tuple[np.ndarray, np.ndarray]],
        smoothing: float,
        eval_set: LabelledSet | None,
        eval_rows: list[tuple[np.ndarray, np.ndarray]] | None,
        seed: int,
    ) -> tuple[Any, list[dict[str, float]], int]:
        """One network trained on featurized ``rows``: (module at its best epoch, history, best epoch)."""
        torch.manual_seed(seed)
        rng = np.random.default_rng(seed)
        y = torch.from_numpy(train.target_matrix())
        if smoothing:
            y = y * (1.0 - smoothing) + smoothing / 2
        sw = torch.from_numpy(train.sample_weights())
        module = _module(
            torch,
            self.featurizer_.n_features,
            self.hidden,
            len(self.outputs_),
            self.dropout,
            self.prior_,
            self.prior_dropout,
        )
        opt = torch.optim.AdamW(module.parameters(), lr=self.lr, weight_decay=self.weight_decay, fused=True)
        loss_fn = torch.nn.BCEWithLogitsLoss(reduction="none")
        history: list[dict[str, float]] = []
        best: tuple[float, int, Any] = (-1.0, self.epochs, None)
        for epoch in range(self.epochs):
            module.train()
            order = rng.permutation(len(rows))
            total = 0.0
            for start in range(0, len(order), self.batch_size):
                idx = order[start : start + self.batch_size]
                ids, weights, offsets = _bag(torch, [rows[i] for i in idx])
                logits = module(ids, weights, offsets)
                loss = (loss_fn(logits, y[idx]).mean(dim=1) * sw[idx]).mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += float(loss.detach()) * len(idx)
            entry = {"epoch": epoch + 1, "train_loss": total / len(rows)}
            if eval_set is not None and eval_rows is not None:
                logits = _logits(torch, module, eval_rows, len(self.outputs_))
                loss = loss_fn(torch.from_numpy(logits), torch.from_numpy(eval_set.target_matrix())).mean(dim=1)
                entry["eval_loss"] = float((loss * torch.from_numpy(eval_set.sample_weights())).mean())
                probs = 1.0 / (1.0 + np.exp(-logits))
                entry["eval_objective"] = tune_thresholds(probs, self.outputs_, eval_set)[1].objective
                if entry["eval_objective"] > best[0]:
                    best = (entry["eval_objective"], epoch + 1, copy.deepcopy(module.state_dict()))
            history.append(entry)
            logger.info("widemlp seed %d epoch %d: %s", seed, epoch + 1, entry)
        if best[2] is not None:
            module.load_state_dict(best[2])
        module.eval()
        return module, history, best[1]

    @staticmethod
    def _with_synthetic(train: LabelledSet, tokens: list[list[str]], n: int, seed: int) -> LabelledSet:
        """``train`` plus ``n`` synthetic outliers (target ``-1``, dataset ``synthetic``) drawn with ``seed`` from
        its tokenized texts ``tokens``."""
        if n == 0:
            return train
        rng = np.random.default_rng([seed, 1])  # its own stream: the training order does not depend on it
        texts = synthetic_outliers(tokens, train.targets, n, rng)
        return LabelledSet(
            texts=[*train.texts, *texts],
            targets=np.concatenate([train.targets, np.full(n, -1, dtype=np.int64)]),
            outputs=train.outputs,
            labels=[*train.labels, *[OOD] * n],
            reasons=[*train.reasons, *["off_topic"] * n],
            datasets=[*train.datasets, *["synthetic"] * n],
        )

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Sigmoid scores ``[n, len(outputs_)]`` of the torch model (float32 weights, no quantisation)."""
        torch = require("torch", "train")
        logits = _logits(torch, self.module_, [self.featurizer_.transform_one(t) for t in texts], len(self.outputs_))
        return (1.0 / (1.0 + np.exp(-logits))).astype(np.float32)

    # --------------------------------------------------------------------------------------------- export
    def to_onnx(self) -> Any:
        """The ONNX graph: EmbeddingBag (Gather, Mul, ReduceSum) + bias → ReLU → MatMul → Sigmoid.

        With the prior, the hidden layer also adds ``prior(unit(EmbeddingBag of word vectors))``: the word vectors
        are a second, int8 table with rows for word features only, reached through an id → row map (a Gather)."""
        bag, out = self.module_.bag, self.module_.out
        table = bag.weight.detach().numpy().copy()
        table[0] = 0.0  # padding row: contributes nothing whatever its weight
        g = GraphBuilder(f"widemlp-{len(self.outputs_)}")
        z = g.embedding_bag(table, dtype=self.table_dtype)
        if self.module_.prior is not None:
            prior = self.module_.prior.weight.detach().numpy().T
            z = g.op("Add", z, prior_graph(g, self.module_.prior_table.numpy(), prior))
        h = g.relu(g.add(z, self.module_.bias.detach().numpy()))
        logits = g.linear(h, out.weight.detach().numpy().T, out.bias.detach().numpy())
        return g.build(g.sigmoid(logits), len(self.outputs_), {"outputs": ",".join(self.outputs_)})


def _module(
    torch: Any,
    n_features: int,
    hidden: int,
    n_outputs: int,
    dropout: float,
    prior: np.ndarray | None = None,
    prior_dropout: float = 0.0,
) -> Any:
    nn = torch.nn

    class _Net(nn.Module):  # type: ignore[name-defined]  # torch is imported lazily
        def __init__(self) -> None:
            super().__init__()
            self.bag = nn.EmbeddingBag(n_features, hidden, mode="sum", padding_idx=0)
            self.bias = nn.Parameter(torch.zeros(hidden))
            self.drop = nn.Dropout(dropout)
            self.out = nn.Linear(hidden, n_outputs)
            nn.init.normal_(self.bag.weight, std=0.05)
            with torch.no_grad():
                self.bag.weight[0].zero_()
            self.prior = None
            if prior is not None:  # frozen word vectors [n_features, dims] (zero rows for non-words) → hidden
                self.register_buffer("prior_table", torch.from_numpy(prior))
                self.prior = nn.Linear(prior.shape[1], hidden, bias=False)

        def forward(self, ids: Any, weights: Any, offsets: Any) -> Any:
            z = self.bag(ids, offsets, per_sample_weights=weights)
            if self.prior is not None:
                if self.training and prior_dropout:  # some texts are learned from the prior alone
                    z = z * (torch.rand(z.shape[0], 1) >= prior_dropout).to(z.dtype)
                z = z + self.prior(
                    _unit(
                        torch,
                        nn.functional.embedding_bag(
                            ids, self.prior_table, offsets, mode="sum", per_sample_weights=weights
                        ),
                    )
                )
            return self.out(self.drop(torch.relu(z + self.bias)))

    return _Net()


def _unit(torch: Any, x: Any) -> Any:
    """Rows of ``x`` scaled to unit L2 norm (a zero row stays zero)."""
    return x * torch.rsqrt((x * x).sum(dim=1, keepdim=True) + PRIOR_EPS)


def _merge(torch: Any, members: Sequence[Any], weights: Sequence[float], dropout: float) -> Any:
    """One network whose logits are the ``weights``-average of the ``members``' logits (hidden layers side by side)."""
    w = np.asarray(weights, dtype=np.float64) / sum(weights)
    n_features, hidden = members[0].bag.weight.shape
    prior = members[0].prior_table.numpy() if members[0].prior is not None else None
    merged = _module(torch, n_features, len(members) * hidden, members[0].out.out_features, dropout, prior)
    with torch.no_grad():
        merged.bag.weight.copy_(torch.cat([m.bag.weight for m in members], dim=1))
        merged.bias.copy_(torch.cat([m.bias for m in members]))
        merged.out.weight.copy_(torch.cat([m.out.weight * float(wi) for m, wi in zip(members, w, strict=True)], dim=1))
        merged.out.bias.copy_(sum(m.out.bias * float(wi) for m, wi in zip(members, w, strict=True)))
        if prior is not None:
            merged.prior.weight.copy_(torch.cat([m.prior.weight for m in members], dim=0))
    return merged.eval()


def _logits(torch: Any, module: Any, rows: Sequence[tuple[np.ndarray, np.ndarray]], n_outputs: int) -> np.ndarray:
    """Logits ``[len(rows), n_outputs]`` of ``module`` (eval mode) on featurized rows, in chunks of 1024."""
    module.eval()
    out = []
    with torch.no_grad():
        for start in range(0, len(rows), 1024):
            out.append(module(*_bag(torch, rows[start : start + 1024])).numpy())
    return np.concatenate(out) if out else np.zeros((0, n_outputs), np.float32)


def _bag(torch: Any, rows: Sequence[tuple[np.ndarray, np.ndarray]]) -> tuple[Any, Any, Any]:
    """Flat ``ids``, ``weights`` and ``offsets`` tensors for ``EmbeddingBag`` from featurized rows."""
    lengths = np.fromiter((len(r[0]) for r in rows), dtype=np.int64, count=len(rows))
    offsets = np.zeros(len(rows), dtype=np.int64)
    np.cumsum(lengths[:-1], out=offsets[1:])
    if lengths.sum() == 0:
        ids, weights = np.zeros(1, np.int64), np.zeros(1, np.float32)  # all rows empty: one padding entry
    else:
        ids = np.concatenate([r[0] for r in rows])
        weights = np.concatenate([r[1] for r in rows])
    return torch.from_numpy(ids), torch.from_numpy(weights), torch.from_numpy(offsets)
