"""The options that choose what classifies, shared by ``gqr classify``, ``gqr bench`` and ``gqr score``.

``--model`` picks an ONNX router; ``--backend`` an LLM backend of :mod:`gqr.guards` over an OpenAI-compatible
server, with ``--model`` as the router it defers to (or the fast stage of a cascade).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from gqr._protocol import Classifier

# The choices of --backend: gqr.guards.BACKENDS, which takes too long to import for --help.
Backend = StrEnum("Backend", "prompt-router llama-guard nemo cascade")


Model = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        help="Model name (see `gqr models`) or path to a .json card / .onnx file; default: the shipped default.",
    ),
]
BackendOption = Annotated[
    Backend | None,
    typer.Option(
        help="Classify with an LLM backend instead (extra 'llm'); --model is then the router that llama-guard/nemo "
        "defer to, or the fast stage of a cascade.",
    ),
]
BaseUrl = Annotated[
    str | None,
    typer.Option(help="OpenAI-compatible API root for --backend, e.g. http://127.0.0.1:11434/v1 (Ollama)."),
]
LlmModel = Annotated[str | None, typer.Option(help="Model name on that server, for --backend.")]
ApiKeyEnv = Annotated[str | None, typer.Option(help="Environment variable holding the API key, for --backend.")]


def load_classifier(
    model: str | None, backend: str | None, base_url: str | None, llm_model: str | None, api_key_env: str | None
) -> Classifier:
    """The ONNX router ``model``, or the LLM ``backend`` built from the server options."""
    import gqr

    if backend is None:
        if base_url or llm_model or api_key_env:
            raise gqr.InvalidInputError("--base-url, --llm-model and --api-key-env need --backend")
        return gqr.load(model)
    from gqr.guards import load_backend

    backend = str(backend)  # a Backend member from the command line
    options: dict[str, object] = {"base_url": base_url, "model": llm_model}
    if api_key_env:
        options["api_key_env"] = api_key_env
    if backend in ("llama-guard", "nemo"):
        options["router"] = model
    elif backend == "cascade":
        options["fast"] = model
    elif model is not None:
        raise gqr.InvalidInputError(f"--model has no use with --backend {backend} (it needs no router model)")
    return load_backend(backend, **options)
