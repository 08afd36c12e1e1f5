"""A guarded router for the user's own routes, trained from a few examples per route in seconds.

The model, built on the shipped base (:mod:`gqr.train._route_base`):

- **features**: the base featurizer, its vocabulary extended with the words of the route examples it lacks
  (their word vectors: all-MiniLM-L6-v2 embeddings of each word alone, projected with the base's PCA); a text is
  its TF-IDF features and the unit-length TF-IDF-weighted sum of its word vectors;
- **nearest examples**: per route, the text's best cosine with that route's examples (sentence vectors; an
  example is not compared with itself in training), a few columns that let the linear head see a route made of
  several intents;
- **route head**: a multinomial logistic regression over the routes and ``off_topic`` on all of the above, fit
  on the route examples
  and the base's negatives (general questions and instructions), each route and ``off_topic`` weighted the same
  in total. Negatives that look like a route's queries are dropped first (:func:`_far_from_routes`: as close to
  the route's examples as they are to each other), so a user's route wins over the shipped negatives;
- **guard**: the base's ``unsafe`` / ``other_language`` logistic regressions, unchanged;
- **scores**: ``[p_route..., p_off_topic * (1 - g)]`` then ``[p_unsafe, p_other_language]``, where ``p`` is the
  route head's softmax and ``g`` the larger guard sigmoid: a query is rejected as unsafe (or other-language)
  when the guard is surer of that than the head is of any route, so a query the head clearly routes keeps its
  route ("how do i make a cheesecake" with a cooking route: the guard alone says 0.64 unsafe), and the guard's
  reason beats ``off_topic`` once ``g`` passes 0.5. All in one ONNX graph (the model contract of :mod:`gqr._runtime`).

**Threshold** (one for every route; :data:`THRESHOLD_METHOD`): held-out scores from two kinds of folds, then the
threshold that maximizes the harmonic mean of routing (held-out route examples routed right) and rejection
(held-out negatives rejected): (1) 5-fold cross-validation over the route examples and the negatives; (2) with
two routes or more, each route left out in turn, its examples then being negatives for a head fit on the other
routes (queries near the user's domains but in none of them, which the shipped negatives rarely are).
``threshold=`` overrides the result.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from gqr._extras import require
from gqr._featurize import Featurizer
from gqr._log import logger
from gqr._routes import MIN_EXAMPLES
from gqr.train._card import make_card, write_model
from gqr.train._onnx import GraphBuilder, quantize_rows
from gqr.train._prior import ENCODER, encode_words, prior_graph
from gqr.train._route_base import GUARD_OUTPUTS, RouteBase, load_route_base, sentence_vectors
from gqr.train._trainer import csr_features

__all__ = ["DROP_SIMILARITY", "THRESHOLD_METHOD", "RouteModel", "fit_routes", "train_route_model"]

OFF_TOPIC = "off_topic"
DROP_SIMILARITY = 0.8
"""A shipped negative whose sentence vector has at least this cosine with a route example is never trained on."""
OFF_TOPIC_WEIGHT = 0.05  # off_topic's total weight in the head, relative to one route's (CLINC150 val, K = 20)
C = 4.0  # inverse L2 strength of the route head
DENSE_SCALE = 2.0  # the sentence-vector columns' scale beside the (unit-norm) TF-IDF columns
KNN_SCALE = (
    5.0  # the nearest-example columns' scale (CLINC150 val, K = 20: HM 0.744 without them, 0.758 at 2, 0.768 at 5)
)
FOLDS = MIN_EXAMPLES  # calibration folds: every fold holds one example of every route
CALIBRATION_NEGATIVES = 2000  # negatives the calibration heads train and are scored on (the final head: all)
THRESHOLD_METHOD = (
    "held-out route examples (5-fold) and held-out negatives (2,000 shipped negatives 5-fold, and each route's "
    "examples against a head fit without that route); the threshold maximizing the harmonic mean of routing "
    "accuracy and rejection"
)
_WORD = re.compile(r"[^\W\d_]+")


@dataclass
class RouteModel:
    """A fitted route model: ``featurizer``, ``vectors`` (``[n_features, dims]``), the head's ``sparse``
    (``[n_features, R + 1]``), ``dense`` (``[dims, R + 1]``), ``knn`` (``[R, R + 1]``, on the best cosine with
    each route's ``examples``, whose routes are ``example_routes``) and ``bias`` weights, the base (for the guard),
    ``outputs`` and the ``threshold``; ``info`` holds what the card's ``training`` says."""

    routes: tuple[str, ...]
    featurizer: Featurizer
    vectors: np.ndarray
    sparse: np.ndarray
    dense: np.ndarray
    examples: np.ndarray
    example_routes: np.ndarray
    knn: np.ndarray
    bias: np.ndarray
    base: RouteBase
    threshold: float
    info: dict[str, Any]

    @property
    def outputs(self) -> list[str]:
        return [*self.routes, OFF_TOPIC, *GUARD_OUTPUTS]

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """``[len(texts), len(outputs)]`` scores computed with numpy / scipy (the source of the ONNX graph)."""
        X = csr_features(self.featurizer, texts)
        S = sentence_vectors(X, self.vectors)
        sims = S @ self.examples.T
        nearest = np.stack([sims[:, self.example_routes == k].max(axis=1) for k in range(len(self.routes))], axis=1)
        head = np.asarray(X @ self.sparse) + S @ self.dense + nearest @ self.knn + self.bias
        return _compose(head, self.base.guard_logits(X, S))

    def to_onnx(self) -> Any:
        """The model-contract graph: one EmbeddingBag over the TF-IDF features (head and guard columns), the word
        vectors' unit sum through both dense layers and against the examples (max per route, then the ``knn``
        weights), the softmax for routes and ``off_topic`` (times 1 - guard), sigmoid for the guard."""
        n = self.featurizer.n_features
        n_base = self.base.guard_sparse.shape[0]
        guard_sparse = np.zeros((n, len(GUARD_OUTPUTS)), dtype=np.float32)
        guard_sparse[:n_base] = self.base.guard_sparse
        table = np.concatenate([self.sparse, guard_sparse], axis=1)
        table[0] = 0.0
        n_routes, k = len(self.routes), len(self.routes) + 1
        width = k + len(GUARD_OUTPUTS)
        # each route's examples as columns, padded to the same count by repeating its first (the max is the same)
        groups = [np.flatnonzero(self.example_routes == r) for r in range(n_routes)]
        most = max(len(rows) for rows in groups)
        order = np.concatenate([np.resize(rows, most) for rows in groups])
        dense = np.concatenate([self.dense, self.base.guard_dense, self.examples[order].T], axis=1)
        bias = np.concatenate([self.bias, self.base.guard_bias]).astype(np.float32)
        knn = np.zeros((n_routes, width), dtype=np.float32)
        knn[:, :k] = self.knn
        g = GraphBuilder(f"routes-{n_routes}")

        def cols(x: str, start: int, end: int) -> str:
            return g.op(
                "Slice",
                x,
                g.const(np.array([start], np.int64), "start"),
                g.const(np.array([end], np.int64), "end"),
                g.const(np.array([1], np.int64), "axes"),
            )

        projected = prior_graph(g, self.vectors, dense)  # [batch, width + R * most]: logits, then cosines
        sims = g.op(
            "Reshape",
            cols(projected, width, width + n_routes * most),
            g.const(np.array([0, n_routes, most], np.int64), "shape"),
        )
        nearest = g.op("ReduceMax", sims, axes=[2], keepdims=0)
        knn_logits = g.op("MatMul", nearest, g.const(knn, "knn_weight"))
        linear = g.op("Add", g.embedding_bag(table), cols(projected, 0, width))
        logits = g.add(g.op("Add", linear, knn_logits), bias)

        guard = g.sigmoid(cols(logits, k, width))
        worst = g.op("ReduceMax", guard, axes=[1], keepdims=1)
        off_topic = np.zeros(k, dtype=np.float32)
        off_topic[-1] = 1.0
        keep = g.op("Sub", g.const(np.array([1.0], np.float32), "one"), g.op("Mul", worst, g.const(off_topic, "off")))
        accepted = g.op("Mul", g.softmax(cols(logits, 0, k)), keep)
        scores = g.op("Concat", accepted, guard, axis=1)
        return g.build(scores, len(self.outputs), {"outputs": ",".join(self.outputs)})


def _compose(head: np.ndarray, guard_logits: np.ndarray) -> np.ndarray:
    head = head - head.max(axis=1, keepdims=True)
    p = np.exp(head)
    p /= p.sum(axis=1, keepdims=True)
    guard = 1.0 / (1.0 + np.exp(-guard_logits))
    p[:, -1] *= 1.0 - guard.max(axis=1)  # off_topic: what the guard leaves of it
    return np.concatenate([p, guard], axis=1).astype(np.float32)


def _extend(base: RouteBase, texts: Sequence[str]) -> tuple[Featurizer, np.ndarray, list[str]]:
    """The base featurizer and word vectors with the words of ``texts`` that the base lacks (idf: the base's
    largest, as for a rare word), and the list of those words."""
    featurizer = base.featurizer()
    seen = dict.fromkeys(re.sub(r"\d", "0", t) for text in texts for t in featurizer.tokens(text) if _WORD.fullmatch(t))
    new = [w for w in seen if w not in featurizer.vocabulary_]
    if not new:
        return featurizer, base.vectors, new
    vocabulary = [*sorted(featurizer.vocabulary_, key=featurizer.vocabulary_.__getitem__), *new]
    idf = [*featurizer.idf_[1:].tolist(), *[float(featurizer.idf_.max())] * len(new)]
    settings = {k: v for k, v in base.featurizer_dict.items() if k not in ("vocabulary", "idf", "format")}
    extended = Featurizer.from_dict({**settings, "format": 1, "vocabulary": vocabulary, "idf": idf})
    q, scale = quantize_rows(base.project(encode_words(new)))  # as the graph will hold them
    vectors = np.concatenate([base.vectors, q.astype(np.float32) * scale[:, None]])
    logger.info("routes: %d words of the examples added to the base vocabulary", len(new))
    return extended, vectors, new


def _far_from_routes(negatives: np.ndarray, examples: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Which negatives to train on: those farther from every route than its own examples are from each other.

    A negative is dropped when its cosine with some example of route ``r`` reaches the median of ``r``'s examples'
    nearest-neighbour cosines (capped at :data:`DROP_SIMILARITY`): it looks like a query of that route."""
    keep = np.ones(len(negatives), dtype=bool)
    for k in np.unique(labels):
        own = examples[labels == k]
        sims = own @ own.T
        np.fill_diagonal(sims, -1.0)
        bar = min(float(np.median(sims.max(axis=1))), DROP_SIMILARITY)
        keep &= (negatives @ own.T).max(axis=1) < bar
    return keep


def _head(X: Any, y: np.ndarray, n_classes: int, seed: int) -> Any:
    """The route head: multinomial logistic regression, every class weighted the same in total."""
    linear_model = require("sklearn.linear_model", "train")
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    weights = (len(y) / (n_classes * counts))[y]
    weights[y == n_classes - 1] *= OFF_TOPIC_WEIGHT
    return linear_model.LogisticRegression(C=C, max_iter=300, random_state=seed).fit(X, y, sample_weight=weights)


def _weights(model: Any) -> tuple[np.ndarray, np.ndarray]:
    """``(weight [features, classes], bias [classes])`` of a fitted head; a binary one (a single route) as the
    two logits ``-z/2, z/2``, whose softmax is its sigmoid."""
    coef, intercept = model.coef_, model.intercept_
    if coef.shape[0] == 1:
        coef, intercept = np.concatenate([-coef / 2, coef / 2]), np.concatenate([-intercept / 2, intercept / 2])
    return coef.T.astype(np.float32), intercept.astype(np.float32)


def _routed_best(scores: np.ndarray, n_routes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: the best route, its score, and whether no reject output beats it (the rule before the
    threshold)."""
    best = scores[:, :n_routes].argmax(axis=1)
    top = scores[np.arange(len(scores)), best]
    return best, top, scores[:, n_routes:].max(axis=1) <= top


def calibrate(pos_scores: np.ndarray, pos_labels: np.ndarray, neg_scores: np.ndarray, n_routes: int) -> float:
    """The threshold maximizing the harmonic mean of routing accuracy on ``pos`` and rejection of ``neg``
    (the middle of the best plateau)."""
    best, top, ok = _routed_best(pos_scores, n_routes)
    right = ok & (best == pos_labels)
    _, ntop, nok = _routed_best(neg_scores, n_routes)
    candidates = np.unique(np.concatenate([[0.0], top[right], ntop[nok] + 1e-6]))
    acc = np.array([(right & (top >= t)).mean() for t in candidates])
    rej = np.array([1.0 - (nok & (ntop >= t)).mean() for t in candidates])
    hm = np.where(acc + rej > 0, 2 * acc * rej / np.maximum(acc + rej, 1e-12), 0.0)
    winners = np.flatnonzero(hm >= hm.max() - 1e-9)
    lo, hi = candidates[winners[0]], candidates[winners[-1]]
    return float(np.clip((lo + hi) / 2, 0.0, 1.0))


def train_route_model(
    routes: Mapping[str, Sequence[str]], *, threshold: float | None = None, seed: int = 0
) -> RouteModel:
    """Fit the route model (see the module docstring); ``routes`` maps each route to its examples (checked by
    the caller: at least five distinct texts each, valid names).

    BLAS runs on one thread: the head's products are small, and several BLAS threads on a busy 2-core machine
    made training five times slower (81 s instead of 15 s for 5 routes x 20 examples)."""
    threadpoolctl = require("threadpoolctl", "train")
    with threadpoolctl.threadpool_limits(1):
        return _train(routes, threshold, seed)


def _train(routes: Mapping[str, Sequence[str]], threshold: float | None, seed: int) -> RouteModel:
    t0 = time.perf_counter()
    base = load_route_base()
    names = tuple(routes)
    texts = [t for r in names for t in routes[r]]
    labels = np.array([k for k, r in enumerate(names) for _ in routes[r]], dtype=np.int64)
    featurizer, vectors, new_words = _extend(base, texts)
    Xp = csr_features(featurizer, texts)
    Sp = sentence_vectors(Xp, vectors)
    Xn_all = csr_features(featurizer, list(base.negatives))
    Sn_all = sentence_vectors(Xn_all, vectors)
    keep = _far_from_routes(Sn_all, Sp, labels)
    Xn, Sn = Xn_all[keep], Sn_all[keep]
    n_routes = len(names)

    cols = np.unique(Xp.indices)  # the head's sparse weights: the features of the route examples only

    def nearest(S: np.ndarray, own: bool) -> np.ndarray:
        """``[n, R]``: each text's best cosine with each route's examples (an example not with itself)."""
        sims = S @ Sp.T
        if own:
            np.fill_diagonal(sims, -1.0)
        return np.stack([sims[:, labels == k].max(axis=1) for k in range(n_routes)], axis=1)

    def design(X: Any, S: np.ndarray, own: bool) -> Any:
        # dense: a few hundred columns, where BLAS beats sparse products by far
        return np.concatenate([X[:, cols].toarray(), S * DENSE_SCALE, nearest(S, own) * KNN_SCALE], axis=1)

    Zp, Zn = design(Xp, Sp, True), design(Xn, Sn, False)
    guard_p, guard_n = base.guard_logits(Xp, Sp), base.guard_logits(Xn, Sn)

    def fit(pos_rows: np.ndarray, neg_rows: np.ndarray, classes: np.ndarray, hide: np.ndarray | None = None) -> Any:
        """A head on the chosen route examples (labels renumbered over ``classes``) and negatives; ``hide``
        zeroes the nearest-example column of a left-out route."""
        remap = np.full(n_routes, -1)
        remap[classes] = np.arange(len(classes))
        y = np.concatenate([remap[labels[pos_rows]], np.full(len(neg_rows), len(classes))])
        Z = np.concatenate([Zp[pos_rows], Zn[neg_rows]])
        return _head(Z if hide is None else Z * hide, y, len(classes) + 1, seed)

    def held_out(model: Any, Z: Any, guard: np.ndarray, classes: np.ndarray) -> np.ndarray:
        """Scores in the full output layout (a route the head lacks scores 0)."""
        w, b = _weights(model)
        s = _compose(Z @ w + b, guard)
        full = np.zeros((Z.shape[0], n_routes + 1 + len(GUARD_OUTPUTS)), dtype=np.float32)
        full[:, classes] = s[:, : len(classes)]
        full[:, n_routes:] = s[:, len(classes) :]
        return full

    if threshold is None:
        rng = np.random.default_rng(seed)
        pos_fold = np.empty(len(texts), dtype=np.int64)
        for k in range(n_routes):
            rows = np.flatnonzero(labels == k)
            pos_fold[rows] = rng.permutation(len(rows)) % FOLDS
        sample = rng.permutation(Zn.shape[0])[:CALIBRATION_NEGATIVES]  # the calibration heads' negatives
        neg_fold = np.arange(len(sample)) % FOLDS
        everyone = np.arange(n_routes)
        pos_scores, neg_scores = [], []
        pos_held = np.zeros((len(texts), n_routes + 1 + len(GUARD_OUTPUTS)), dtype=np.float32)
        for f in range(FOLDS):
            model = fit(np.flatnonzero(pos_fold != f), sample[neg_fold != f], everyone)
            rows = np.flatnonzero(pos_fold == f)
            pos_held[rows] = held_out(model, Zp[rows], guard_p[rows], everyone)
            nrows = sample[neg_fold == f]
            neg_scores.append(held_out(model, Zn[nrows], guard_n[nrows], everyone))
        pos_scores.append(pos_held)
        if n_routes > 1:
            for k in range(n_routes):
                others = np.delete(everyone, k)
                hide = np.arange(Zp.shape[1]) != Zp.shape[1] - n_routes + k
                model = fit(np.flatnonzero(labels != k), sample, others, hide)
                rows = np.flatnonzero(labels == k)
                neg_scores.append(held_out(model, Zp[rows] * hide, guard_p[rows], others))
        tau = calibrate(np.concatenate(pos_scores), labels, np.concatenate(neg_scores), n_routes)
        how = THRESHOLD_METHOD
    else:
        tau, how = float(threshold), "given (threshold=)"
    model = fit(np.arange(len(texts)), np.arange(Zn.shape[0]), np.arange(n_routes))
    coef, intercept = _weights(model)  # [len(cols) + dims + R, R + 1], [R + 1]
    sparse_w = np.zeros((featurizer.n_features, n_routes + 1), dtype=np.float32)
    sparse_w[cols] = coef[: len(cols)]
    info: dict[str, Any] = {
        "method": "multinomial logistic regression over TF-IDF, the unit sum of word vectors and the best cosine "
        "with each route's examples, on the route examples and the shipped negatives, composed with the shipped "
        "unsafe / other_language guard",
        "knn_scale": KNN_SCALE,
        "off_topic_weight": OFF_TOPIC_WEIGHT,
        "examples": {r: len(routes[r]) for r in names},
        "negatives": {"shipped": len(base.negatives), "dropped_near_routes": int((~keep).sum())},
        "drop_similarity": DROP_SIMILARITY,
        "new_words": len(new_words),
        "word_vectors": {"encoder": ENCODER, "dims": int(vectors.shape[1])},
        "threshold": {"value": round(tau, 6), "method": how},
        "C": C,
        "dense_scale": DENSE_SCALE,
        "seed": seed,
        "base": {"onnx_sha256": base.card["onnx_sha256"], "guard_eval": base.card["guard"]["eval"]},
        "seconds": round(time.perf_counter() - t0, 2),
    }
    logger.info("routes: %s, threshold %.3f, %.1f s", ", ".join(names), tau, info["seconds"])
    return RouteModel(
        routes=names,
        featurizer=featurizer,
        vectors=vectors,
        sparse=sparse_w,
        dense=coef[len(cols) : -n_routes] * DENSE_SCALE,
        examples=Sp,
        example_routes=labels,
        knn=coef[-n_routes:] * KNN_SCALE,
        bias=intercept,
        base=base,
        threshold=tau,
        info=info,
    )


def fit_routes(
    routes: Mapping[str, Sequence[str]],
    out_dir: str | os.PathLike[str],
    *,
    name: str = "my-router",
    threshold: float | None = None,
    seed: int = 0,
    descriptions: Mapping[str, str] | None = None,
) -> tuple[Path, Path]:
    """Train a guarded router for ``routes`` (route name -> example texts, already validated) and write it to
    ``out_dir`` as ``<name>.onnx`` + ``<name>.json``; returns ``(onnx_path, card_path)``.

    ``threshold`` overrides the calibrated one; ``descriptions`` (route -> text) go into the card.
    """
    model = train_route_model(routes, threshold=threshold, seed=seed)
    described = ", ".join(model.routes)
    training = {**model.info, "descriptions": dict(descriptions or {})}
    card = make_card(
        name=name,
        family="routes",
        variant="guarded",
        description=f"guarded router for the routes {described} (gqr.train_routes)",
        outputs=model.outputs,
        thresholds=dict.fromkeys(model.routes, model.threshold),
        featurizer=model.featurizer.to_dict(),
        training=training,
    )
    return write_model(model.to_onnx(), card, out_dir)
