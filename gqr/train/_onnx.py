"""Building gqr ONNX graphs (the model contract of :mod:`gqr._runtime`): inputs ``ids`` / ``weights``, output
``scores``.

Every family reads the same sparse input; most start with the same first layer, an EmbeddingBag: ``Gather`` the rows
of a table by ``ids`` and sum them weighted by ``weights`` over the length axis (never a dense MatMul over the
vocabulary).
Padding (id 0, weight 0) adds nothing. The table can be stored as float32, float16 or int8 with one scale per row.

>>> g = GraphBuilder("demo")
>>> h = g.embedding_bag(table, dtype="int8")            # [batch, hidden]
>>> g.build(g.sigmoid(g.linear(g.relu(h), w, b)), n_outputs=3)

A graph made by a converter (onnxmltools) joins in with :meth:`GraphBuilder.include`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from gqr._errors import InvalidInputError
from gqr._extras import require
from gqr._featurize import Featurizer

__all__ = ["IDS", "OPSET", "SCORES", "WEIGHTS", "GraphBuilder", "quantize_rows", "run", "session"]

IDS, WEIGHTS, SCORES = "ids", "weights", "scores"
OPSET = 17
_TABLE_DTYPES = ("float32", "float16", "int8")


def quantize_rows(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 quantisation with one float32 scale per row: ``table ≈ q * scale[:, None]``."""
    table = np.asarray(table, dtype=np.float32)
    scale = np.abs(table).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.rint(table / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32)


class GraphBuilder:
    """Collects nodes and initializers; each method adds nodes and returns the name of its output tensor."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._nodes: list[Any] = []
        self._inits: list[Any] = []
        self._opsets: dict[str, int] = {}  # domains other than the default one, with their versions
        self._count = 0

    def _fresh(self, stem: str) -> str:
        self._count += 1
        return f"{stem}_{self._count}"

    def const(self, array: np.ndarray, stem: str = "const") -> str:
        """Add ``array`` as an initializer; return its name."""
        numpy_helper = require("onnx.numpy_helper", "train")
        name = self._fresh(stem)
        self._inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def op(self, op_type: str, *inputs: str, stem: str | None = None, **attrs: Any) -> str:
        """Add one node with a single output; return the output name."""
        helper = require("onnx.helper", "train")
        out = self._fresh(stem or op_type.lower())
        self._nodes.append(helper.make_node(op_type, list(inputs), [out], **attrs))
        return out

    def embedding_bag(self, table: np.ndarray, *, dtype: str = "float32", ids: str = IDS) -> str:
        """``sum_j weights[b, j] * table[ids[b, j]]`` → ``[batch, hidden]``; row 0 of ``table`` is padding.

        ``ids`` names the id tensor (default: the graph input; another tensor of the same shape, for example ids
        mapped to the rows of a smaller table, works too)."""
        if dtype not in _TABLE_DTYPES:
            raise InvalidInputError(f"dtype must be one of {_TABLE_DTYPES}, got {dtype!r}")
        if table.ndim != 2:
            raise InvalidInputError(f"expected a 2-d embedding table [vocabulary, hidden], got shape {table.shape}")
        onnx = require("onnx", "train")
        weights = WEIGHTS
        if dtype == "int8":
            q, scale = quantize_rows(table)
            rows = self.op("Gather", self.const(q, "embedding_int8"), ids, axis=0)
            row_scale = self.op("Gather", self.const(scale, "embedding_scale"), ids, axis=0)
            weights = self.op("Mul", WEIGHTS, row_scale)
        else:
            rows = self.op("Gather", self.const(table.astype(dtype), "embedding"), ids, axis=0)
        if dtype != "float32":
            rows = self.op("Cast", rows, to=onnx.TensorProto.FLOAT)
        # The weighted sum as a batched [batch, 1, length] @ [batch, length, hidden] product: one MatMul over the
        # gathered rows (about twice as fast in onnxruntime as Mul + ReduceSum), never over the vocabulary.
        axis = self.const(np.array([1], dtype=np.int64), "axis")
        summed = self.op("MatMul", self.op("Unsqueeze", weights, axis), rows)
        return self.op("Squeeze", summed, axis)

    def include(self, model: Any, inputs: Mapping[str, str]) -> list[str]:
        """Add the nodes and initializers of a converted ``onnx.ModelProto`` (its names prefixed, so none clash),
        its graph input ``name`` fed by this graph's tensor ``inputs[name]``; return its output names."""
        compose = require("onnx.compose", "train")
        prefix = self._fresh("include") + "/"
        graph = compose.add_prefix(model, prefix).graph
        rename = {prefix + name: tensor for name, tensor in inputs.items()}
        if sorted(rename) != sorted(i.name for i in graph.input):
            raise InvalidInputError(
                f"expected a tensor for each input {[i.name[len(prefix) :] for i in graph.input]}, got {sorted(inputs)}"
            )
        for node in graph.node:
            node.input[:] = [rename.get(name, name) for name in node.input]
            self._nodes.append(node)
        self._inits += graph.initializer
        self._opsets.update({o.domain: o.version for o in model.opset_import if o.domain not in ("", "ai.onnx")})
        return [o.name for o in graph.output]

    def linear(self, x: str, weight: np.ndarray, bias: np.ndarray) -> str:
        """``x @ weight + bias`` with ``weight`` of shape ``[in, out]``."""
        y = self.op("MatMul", x, self.const(np.asarray(weight, np.float32), "weight"))
        return self.op("Add", y, self.const(np.asarray(bias, np.float32), "bias"))

    def add(self, x: str, bias: np.ndarray) -> str:
        return self.op("Add", x, self.const(np.asarray(bias, np.float32), "bias"))

    def relu(self, x: str) -> str:
        return self.op("Relu", x)

    def sigmoid(self, x: str) -> str:
        return self.op("Sigmoid", x)

    def softmax(self, x: str) -> str:
        return self.op("Softmax", x, axis=-1)

    def build(self, output: str, n_outputs: int, metadata: Mapping[str, str] | None = None) -> Any:
        """The checked ``onnx.ModelProto`` whose ``scores`` output is ``output`` (``[batch, n_outputs]``)."""
        onnx = require("onnx", "train")
        helper = onnx.helper
        nodes = [*self._nodes, helper.make_node("Identity", [output], [SCORES])]
        graph = helper.make_graph(
            nodes,
            self.name,
            [
                helper.make_tensor_value_info(IDS, onnx.TensorProto.INT64, ["batch", "length"]),
                helper.make_tensor_value_info(WEIGHTS, onnx.TensorProto.FLOAT, ["batch", "length"]),
            ],
            [helper.make_tensor_value_info(SCORES, onnx.TensorProto.FLOAT, ["batch", n_outputs])],
            initializer=self._inits,
        )
        opsets = [helper.make_opsetid("", OPSET), *(helper.make_opsetid(d, v) for d, v in self._opsets.items())]
        model = helper.make_model(graph, opset_imports=opsets, producer_name="gqr", ir_version=8)
        for key, value in (metadata or {}).items():
            entry = model.metadata_props.add()
            entry.key, entry.value = key, str(value)
        onnx.checker.check_model(model)
        return model


def session(model: Any) -> Any:
    """A single-threaded onnxruntime session for a ``ModelProto``, serialized bytes or a path."""
    ort = require("onnxruntime", "train")
    if isinstance(model, str | Path):
        model = Path(model).read_bytes()
    elif not isinstance(model, bytes):
        model = model.SerializeToString()
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])


def run(sess: Any, featurizer: Featurizer, texts: Sequence[str], batch_size: int = 512) -> np.ndarray:
    """Scores ``[len(texts), K]`` of ``texts``, featurized and run in chunks of ``batch_size``."""
    chunks = []
    for start in range(0, len(texts), batch_size):
        ids, weights = featurizer.transform(texts[start : start + batch_size])
        chunks.append(sess.run([SCORES], {IDS: ids, WEIGHTS: weights})[0])
    if not chunks:
        raise InvalidInputError("expected at least one text to score, got none")
    return np.concatenate(chunks)
