"""The options that choose what classifies, shared by ``gqr classify`` and ``gqr bench``.

``--model`` picks an ONNX router; ``--backend`` an LLM backend of :mod:`gqr.guards` over an OpenAI-compatible
server, with ``--model`` as the router it defers to (or the fast stage of a cascade).
"""

from __future__ import annotations

import typer

from gqr._protocol import Classifier

MODEL_HELP = "Model name (see `gqr models`) or path to a .json card / .onnx file; default: the shipped default."
BACKEND = typer.Option(
    None,
    "--backend",
    help="Classify with an LLM backend instead: prompt-router, llama-guard, nemo or cascade (extra 'llm'); "
    "--model is then the router that llama-guard/nemo defer to, or the fast stage of a cascade.",
)
BASE_URL = typer.Option(
    None, "--base-url", help="OpenAI-compatible API root for --backend, e.g. http://127.0.0.1:11434/v1 (Ollama)."
)
LLM_MODEL = typer.Option(None, "--llm-model", help="Model name on that server, for --backend.")
API_KEY_ENV = typer.Option(None, "--api-key-env", help="Environment variable holding the API key, for --backend.")


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
