"""The shipped, domain-agnostic base that :func:`gqr.train._routes.fit_routes` builds a user's router on.

It lives in ``gqr/_route_base/`` (package data: no ``GQR_DATA_DIR`` needed) and is built once by
``benchmarks/make_route_base.py`` from the outlier and in-domain pools (never from CLINC150, the benchmark):

- ``route_base.onnx``: the guard, a model-contract graph whose ``scores`` are ``[unsafe, other_language]``
  (sigmoids of a linear model over TF-IDF features and the unit-length TF-IDF-weighted sum of static word
  vectors); its initializers also hold the word vectors (int8 rows with a per-row scale), read back at training
  time;
- ``route_base.json``: the featurizer (vocabulary, idf), the names of those initializers, the PCA that maps a
  new word's all-MiniLM-L6-v2 embedding onto the table, the sha256 of the ONNX file and provenance;
- ``negatives.csv``: a compact set of general questions and instructions (``text,source``), off-topic for most
  users' routes, from permissively licensed sources (``NOTICE.md`` gives each source and licence).

Every array here is ONNX or JSON (never pickle).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from gqr._errors import ModelIntegrityError
from gqr._extras import require
from gqr._featurize import Featurizer
from gqr.train._prior import PRIOR_EPS

__all__ = [
    "BASE_DIR",
    "GUARD_OUTPUTS",
    "RouteBase",
    "decode_array",
    "encode_array",
    "load_route_base",
    "sentence_vectors",
]

BASE_DIR = Path(__file__).resolve().parent.parent / "_route_base"
GUARD_OUTPUTS: tuple[str, ...] = ("unsafe", "other_language")
BASE_ONNX, BASE_CARD, NEGATIVES = "route_base.onnx", "route_base.json", "negatives.csv"


def encode_array(array: np.ndarray) -> dict[str, Any]:
    """A float32 array as JSON: its shape and base64 of little-endian float32."""
    a = np.ascontiguousarray(array, dtype="<f4")
    return {"shape": list(a.shape), "float32": base64.b64encode(a.tobytes()).decode("ascii")}


def decode_array(d: dict[str, Any]) -> np.ndarray:
    """The inverse of :func:`encode_array`."""
    return np.frombuffer(base64.b64decode(d["float32"]), dtype="<f4").reshape(d["shape"]).astype(np.float32)


def sentence_vectors(X: Any, table: np.ndarray) -> np.ndarray:
    """``unit(X @ table)``: the TF-IDF-weighted sum of a text's word vectors at unit length (the graph's
    ``summed / sqrt(|summed|^2 + eps)``); ``X`` is the CSR TF-IDF matrix of the texts."""
    summed = np.asarray(X @ table, dtype=np.float32)
    return summed / np.sqrt(np.square(summed).sum(axis=1, keepdims=True) + np.float32(PRIOR_EPS))


@dataclass(frozen=True)
class RouteBase:
    """The loaded base.

    ``featurizer_dict`` (rebuild with :meth:`featurizer`), ``vectors`` (``[n_features, dims]`` float32, zero rows
    for features without a word vector: bigrams, character n-grams, tokens with digits), ``pca_mean`` /
    ``pca_axes`` / ``pca_scale`` (a new word's 384-d embedding ``e`` maps to ``(e - mean) @ axes.T / scale``),
    ``guard_sparse`` (``[n_features, 2]``), ``guard_dense`` (``[dims, 2]``), ``guard_bias`` (``[2]``) for the
    logits of :data:`GUARD_OUTPUTS`, ``negatives`` (texts) and ``negative_sources`` (their source, same order),
    and ``card`` (the base JSON, for provenance).
    """

    featurizer_dict: dict[str, Any]
    vectors: np.ndarray
    pca_mean: np.ndarray
    pca_axes: np.ndarray
    pca_scale: float
    guard_sparse: np.ndarray
    guard_dense: np.ndarray
    guard_bias: np.ndarray
    negatives: tuple[str, ...]
    negative_sources: tuple[str, ...]
    card: dict[str, Any]

    def featurizer(self) -> Featurizer:
        return Featurizer.from_dict(self.featurizer_dict)

    def guard_logits(self, X: Any, sentences: np.ndarray) -> np.ndarray:
        """``[n, 2]`` guard logits from the CSR TF-IDF matrix ``X`` (base features first) and
        :func:`sentence_vectors`."""
        n = self.guard_sparse.shape[0]
        return np.asarray(X[:, :n] @ self.guard_sparse) + sentences @ self.guard_dense + self.guard_bias

    def project(self, embeddings: np.ndarray) -> np.ndarray:
        """New words' 384-d encoder embeddings onto the table's axes."""
        return ((embeddings - self.pca_mean) @ self.pca_axes.T / self.pca_scale).astype(np.float32)


@cache
def load_route_base(folder: Path = BASE_DIR) -> RouteBase:
    """Read and check the base in ``folder`` (default: the one shipped in the package)."""
    onnx = require("onnx", "train")
    numpy_helper = require("onnx.numpy_helper", "train")
    card_path, onnx_path = folder / BASE_CARD, folder / BASE_ONNX
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
        blob = onnx_path.read_bytes()
    except FileNotFoundError as exc:
        raise ModelIntegrityError(f"the route base is incomplete: {exc.filename} is missing") from exc
    digest = hashlib.sha256(blob).hexdigest()
    if digest != card["onnx_sha256"]:
        raise ModelIntegrityError(
            f"{str(onnx_path)!r} does not match {BASE_CARD}: expected sha256 {card['onnx_sha256']}, got {digest}"
        )
    arrays = {t.name: numpy_helper.to_array(t) for t in onnx.load_from_string(blob).graph.initializer}
    names = card["tensors"]
    n_features = len(card["featurizer"]["vocabulary"]) + 1
    rows = arrays[names["vector_rows"]]
    compact = arrays[names["vectors_int8"]].astype(np.float32) * arrays[names["vector_scale"]][:, None]
    vectors = compact[rows]  # row 0 of the compact table is zero: features without a vector
    if vectors.shape[0] != n_features:
        raise ModelIntegrityError(f"route base: {vectors.shape[0]} vector rows for {n_features} features")
    with (folder / NEGATIVES).open(encoding="utf-8", newline="") as f:
        negatives = list(csv.DictReader(f))
    return RouteBase(
        featurizer_dict=card["featurizer"],
        vectors=vectors,
        pca_mean=decode_array(card["pca"]["mean"]),
        pca_axes=decode_array(card["pca"]["axes"]),
        pca_scale=float(card["pca"]["scale"]),
        guard_sparse=arrays[names["guard_sparse"]].astype(np.float32),
        guard_dense=arrays[names["guard_dense"]].astype(np.float32),
        guard_bias=arrays[names["guard_bias"]].astype(np.float32),
        negatives=tuple(r["text"] for r in negatives),
        negative_sources=tuple(r["source"] for r in negatives),
        card=card,
    )
