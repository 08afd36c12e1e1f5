"""Running a README bash block as written: in a new process group (its background servers are stopped with it),
curl to localhost without the environment's proxies, output kept in files (background servers keep their copies of
the output open after bash is done, so a pipe would never close)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path


def run_bash(
    script: str, *, cwd: Path, tmp_path: Path, drop_env: tuple[str, ...] = (), timeout: float = 300
) -> tuple[int, str, str]:
    """``(exit code, stdout, stderr)`` of ``bash -e -c script``; -15 when it was killed after ``timeout`` seconds.
    ``stdout`` keeps HTTP's ``\\r\\n``."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy", *drop_env):
        env.pop(var, None)
    with open(tmp_path / "out", "w+") as out_file, open(tmp_path / "err", "w+") as err_file:
        proc = subprocess.Popen(
            ["bash", "-e", "-c", script],
            cwd=cwd,
            env=env,
            stdout=out_file,
            stderr=err_file,
            text=True,
            start_new_session=True,
        )
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass  # the caller reports the exit code with what the commands printed
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(10)
    out, err = ((tmp_path / name).read_bytes().decode() for name in ("out", "err"))
    return proc.returncode, out, err
