"""Build the shipped route base (``gqr/_route_base/``) that ``gqr.train_routes`` trains users' routers on.

    GQR_DATA_DIR=../shared/data/raw python benchmarks/make_route_base.py [--out gqr/_route_base]

Needs ``gqr[train]`` and the data mirror; run once, commit the output. What it writes is described in
:mod:`gqr.train._route_base`. No CLINC150 text is read (CLINC150 is the custom-routes benchmark):
the ``clinc150_oos`` rows of both pools are left out of everything below.

1. **Featurizer**: the usual TF-IDF featurizer (words, bigrams, character n-grams of unknown words) fit on a
   seeded sample of the in-domain and outlier training pools.
2. **Word vectors**: each word feature encoded alone by all-MiniLM-L6-v2 (:func:`gqr.train._prior.encode_words`),
   PCA to ``--dims`` dimensions (the mean, axes and scale are kept so new words can be projected the same way),
   int8 rows.
3. **Guard**: one logistic regression per output (``unsafe``, ``other_language``) over the TF-IDF features and
   the unit-length sum of word vectors, trained on the outlier pool's training split (other reasons and the
   in-domain pool are the negatives), class-balanced; its eval-split recall and false-positive rate are
   printed and stored in the base card.
4. **Negatives**: short off-topic questions and instructions from permissively licensed sources (``NEGATIVES``
   below; ``NOTICE.md`` lists them with their licences), a seeded sample per source.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import re
import time
from collections import Counter
from pathlib import Path

import numpy as np

from gqr._featurize import Featurizer
from gqr.data import load_id, load_outliers
from gqr.train._onnx import GraphBuilder, session
from gqr.train._prior import ENCODER, ENCODER_LICENSE, encode_words, prior_graph
from gqr.train._route_base import (
    BASE_CARD,
    BASE_DIR,
    BASE_ONNX,
    GUARD_OUTPUTS,
    NEGATIVES,
    encode_array,
    load_route_base,
    sentence_vectors,
)
from gqr.train._trainer import csr_features

EXCLUDED = {"clinc150_oos"}  # the benchmark's data set
# (pool, dataset, how many, licence): general questions / instructions / assistant commands, short texts only
NEGATIVES_FROM = (
    ("outliers", "hwu64", 1800, "CC BY 4.0 (HWU64, Liu et al. 2019, via jianguoz/Few-Shot-Intent-Detection)"),
    ("outliers", "snips", 600, "CC0 (SNIPS NLU benchmark, via jianguoz/Few-Shot-Intent-Detection)"),
    ("outliers", "nq_open_questions", 1500, "CC BY-SA 3.0 (Natural Questions)"),
    ("outliers", "gpteacher_roleplay_codegen", 400, "MIT (teknium1/GPTeacher)"),
    ("outliers", "self_instruct_seed_tasks", 119, "Apache-2.0 (yizhongw/self-instruct)"),
    ("outliers", "arena_hard_prompts", 200, "Apache-2.0 (lmarena/arena-hard-auto)"),
    ("outliers", "mmlu_test", 500, "MIT (hendrycks/test)"),
    ("outliers", "expertqa", 300, "MIT (chaitanyamalaviya/ExpertQA)"),
    ("outliers", "gsm8k_test", 200, "MIT (openai/grade-school-math)"),
    ("outliers", "team_roleplay", 300, "MIT (written by the gqr team, gqr/data/team/)"),
    ("id", "team_short_questions", 900, "MIT (written by the gqr team, gqr/data/team/)"),
)
MAX_NEGATIVE_CHARS = 300
_WORD = re.compile(r"[^\W\d_]+")  # a feature with a word vector: letters only (as gqr.train._prior)
FEATURIZER = {"max_features": 100_000, "max_char_features": 20_000, "min_df": 3, "max_tokens": 128}


def pools(split: str) -> list[tuple[str, str, str]]:
    """``(text, reason, dataset)`` of both pools without CLINC; in-domain texts get reason ``in_domain``."""
    rows = [(e.text, e.reason or "off_topic", e.dataset) for e in load_outliers(split)]
    rows += [(e.text, "in_domain", e.dataset) for e in load_id(split)]
    return [r for r in rows if r[2] not in EXCLUDED]


def guard_sample(rows: list[tuple[str, str, str]], rng: random.Random, caps: dict[str, int]) -> list[tuple[str, str]]:
    by_reason: dict[str, list[tuple[str, str, str]]] = {}
    for r in rows:
        by_reason.setdefault(r[1], []).append(r)
    out = []
    for reason, items in sorted(by_reason.items()):
        rng.shuffle(items)
        out += [(t, reason) for t, _, _ in items[: caps.get(reason, len(items))]]
    return out


def word_vectors(featurizer: Featurizer, dims: int) -> tuple[np.ndarray, dict[str, object]]:
    """``[n_features, dims]`` PCA-reduced word vectors (zero rows for non-words) and the PCA as JSON."""
    words = [(i, k) for k, i in featurizer.vocabulary_.items() if _WORD.fullmatch(k)]
    emb = encode_words([k for _, k in words])
    mean = emb.mean(axis=0)
    _, _, axes = np.linalg.svd(emb - mean, full_matrices=False)
    axes = axes[:dims]
    projected = (emb - mean) @ axes.T
    scale = float(np.linalg.norm(projected, axis=1).mean())
    table = np.zeros((featurizer.n_features, dims), dtype=np.float32)
    table[[i for i, _ in words]] = projected / scale
    pca = {"mean": encode_array(mean), "axes": encode_array(axes), "scale": scale, "words": len(words)}
    return table, pca


def fit_guard(
    featurizer: Featurizer, table: np.ndarray, train: list[tuple[str, str]], c: float, dense_scale: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    texts = [t for t, _ in train]
    X = csr_features(featurizer, texts)
    S = sentence_vectors(X, table) * dense_scale
    Z = sparse.hstack([X, sparse.csr_matrix(S)], format="csr")
    n = featurizer.n_features
    sparse_w = np.zeros((n, len(GUARD_OUTPUTS)), dtype=np.float32)
    dense_w = np.zeros((table.shape[1], len(GUARD_OUTPUTS)), dtype=np.float32)
    bias = np.zeros(len(GUARD_OUTPUTS), dtype=np.float32)
    for k, output in enumerate(GUARD_OUTPUTS):
        y = np.array([r == output for _, r in train])
        t0 = time.perf_counter()
        lr = LogisticRegression(C=c, class_weight="balanced", solver="liblinear", max_iter=2000).fit(Z, y)
        coef = lr.coef_[0]
        sparse_w[:, k], dense_w[:, k], bias[k] = coef[:n], coef[n:] * dense_scale, lr.intercept_[0]
        print(f"guard {output}: {int(y.sum())} positives of {len(y)}, fit in {time.perf_counter() - t0:.1f} s")
    sparse_w[0] = 0.0
    return sparse_w, dense_w, bias


def guard_graph(table: np.ndarray, sparse_w: np.ndarray, dense_w: np.ndarray, bias: np.ndarray) -> tuple[object, dict]:
    g = GraphBuilder("route-base-guard")
    logits = g.op("Add", g.embedding_bag(sparse_w), prior_graph(g, table, dense_w))
    model = g.build(g.sigmoid(g.add(logits, bias)), len(GUARD_OUTPUTS), {"outputs": ",".join(GUARD_OUTPUTS)})
    names = [t.name for t in model.graph.initializer]

    def find(prefix: str) -> str:
        (name,) = [n for n in names if n.rsplit("_", 1)[0] == prefix]
        return name

    tensors = {
        "vector_rows": find("prior_rows"),
        "vectors_int8": find("embedding_int8"),
        "vector_scale": find("embedding_scale"),
        "guard_sparse": find("embedding"),
        "guard_dense": find("prior_weight"),
        "guard_bias": [n for n in names if n.startswith("bias_")][-1],
    }
    return model, tensors


def pick_negatives(rng: random.Random) -> list[tuple[str, str]]:
    by_dataset: dict[str, list[str]] = {}
    for e in [*load_outliers("train"), *load_id("train")]:
        if e.dataset not in EXCLUDED and len(e.text) <= MAX_NEGATIVE_CHARS and (e.reason in (None, "off_topic")):
            by_dataset.setdefault(e.dataset, []).append(e.text)
    out = []
    for _pool, dataset, n, _licence in NEGATIVES_FROM:
        texts = sorted(set(by_dataset.get(dataset, [])))
        rng.shuffle(texts)
        out += [(t, dataset) for t in texts[:n]]
    return out


def guard_report(sess: object, featurizer: Featurizer, rows: list[tuple[str, str, str]]) -> dict[str, dict]:
    from gqr.train._onnx import run

    texts = [t for t, _, _ in rows]
    scores = run(sess, featurizer, texts)
    report = {}
    for k, output in enumerate(GUARD_OUTPUTS):
        pos = np.array([r == output for _, r, _ in rows])
        fired = scores[:, k] > 0.5
        report[output] = {
            "recall": round(float(fired[pos].mean()), 4),
            "false_positive_rate": round(float(fired[~pos].mean()), 4),
            "n_positive": int(pos.sum()),
            "n_negative": int((~pos).sum()),
        }
        print(f"eval {output}: {report[output]}")
    return report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=BASE_DIR)
    ap.add_argument("--dims", type=int, default=256)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--featurizer-texts", type=int, default=120_000)
    ap.add_argument("--C", type=float, default=4.0)
    ap.add_argument("--dense-scale", type=float, default=1.0)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    train = pools("train")
    negatives = pick_negatives(rng)
    fit_texts = [t for t, _, _ in train]
    rng.shuffle(fit_texts)
    featurizer = Featurizer(**FEATURIZER).fit(fit_texts[: args.featurizer_texts] + [t for t, _ in negatives])
    print(f"featurizer: {featurizer.n_features - 1} features ({time.perf_counter() - t0:.0f} s)")
    table, pca = word_vectors(featurizer, args.dims)
    print(f"word vectors: {pca['words']} words, {args.dims} dims ({time.perf_counter() - t0:.0f} s)")
    caps = {"other_language": 40_000, "off_topic": 50_000, "in_domain": 40_000}
    guard_train = guard_sample(train, rng, caps)
    print("guard training texts:", Counter(r for _, r in guard_train))
    sparse_w, dense_w, bias = fit_guard(featurizer, table, guard_train, args.C, args.dense_scale)
    model, tensors = guard_graph(table, sparse_w, dense_w, bias)
    blob = model.SerializeToString()
    report = guard_report(session(blob), featurizer, pools("eval"))
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    (out / BASE_ONNX).write_bytes(blob)
    card = {
        "format_version": 1,
        "description": "domain-agnostic base of gqr.train_routes: featurizer, word vectors, guard, negatives",
        "featurizer": featurizer.to_dict(),
        "tensors": tensors,
        "pca": pca,
        "guard": {
            "outputs": list(GUARD_OUTPUTS),
            "method": "logistic regression per output over TF-IDF + unit sum of word vectors, class-balanced",
            "C": args.C,
            "dense_scale": args.dense_scale,
            "training_texts": dict(Counter(r for _, r in guard_train)),
            "eval": report,
        },
        "word_vectors": {"encoder": ENCODER, "encoder_license": ENCODER_LICENSE, "dims": args.dims},
        "sources": "gqr.data training pools without clinc150_oos (gqr/data/SOURCES.md)",
        "negatives": {"file": NEGATIVES, "counts": dict(Counter(s for _, s in negatives))},
        "seed": args.seed,
        "onnx_sha256": hashlib.sha256(blob).hexdigest(),
    }
    (out / BASE_CARD).write_text(json.dumps(card, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    with (out / NEGATIVES).open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["text", "source"])
        w.writerows(negatives)
    load_route_base.cache_clear()
    base = load_route_base(out)
    seconds = time.perf_counter() - t0
    print(f"wrote {out}: {len(base.negatives)} negatives, onnx {len(blob) / 1e6:.1f} MB ({seconds:.0f} s)")


if __name__ == "__main__":
    main()
