"""What the README tells a newcomer holds: no example overwrites the shipped models, the models it calls shipped
are shipped, the way to get data is written down and the hub loader fails clearly offline."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from _serve_support import closed_port

from gqr import DataUnavailableError, GQRError
from gqr.data import load_hub_gqr_bench

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    start = README.index(f"## {title}")
    end = README.find("\n## ", start + 1)
    return README[start : end if end > 0 else None]


def commands() -> list[str]:
    return [line for block in re.findall(r"```bash\n(.*?)```", README, re.S) for line in block.splitlines()]


def test_no_readme_command_writes_into_the_shipped_models() -> None:
    trains = [c for c in commands() if " train " in f" {c} "]
    assert trains, "expected training examples in the README"
    for command in trains:
        out = re.search(r"(?:--out|-o)\s+(\S+)", command)
        assert out, f"a training example without --out writes to ./models: {command}"
        assert Path(out.group(1)).parts[0] not in ("models", "./models"), command


def test_strict_models_are_described_as_trained_not_shipped() -> None:
    variants = {json.loads(p.read_text(encoding="utf-8")).get("variant") for p in (ROOT / "models").glob("*.json")}
    models = " ".join(section("Models").split())
    assert "what `gqr train --variant strict` makes" in models
    # The README says no strict model is shipped exactly when none is (if one ships, the wording changes with it).
    assert ("none is shipped" in models) == ("strict" not in variants)
    assert ("all shipped models are guarded" in models) == (variants == {"guarded"})


def test_readme_says_how_to_get_data() -> None:
    data = " ".join(section("Data").split())
    for needle in ("load_hub_gqr_bench()", "DataUnavailableError", "gqr/data/SOURCES.md", "INDEX.md", "SOURCE.md"):
        assert needle in data, needle
    assert (ROOT / "gqr" / "data" / "SOURCES.md").is_file()


def test_hub_loader_offline_fails_fast_with_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # A hub that cannot be reached, whatever this machine's network: a closed loopback port.
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{closed_port()}")
    for var in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"):
        monkeypatch.delenv(var, raising=False)
    start = time.perf_counter()
    with pytest.raises(DataUnavailableError) as info:
        load_hub_gqr_bench(timeout=2.0)
    assert time.perf_counter() - start < 4.0
    assert isinstance(info.value, GQRError)
    message = str(info.value)
    assert "cannot reach the Hugging Face hub" in message
    assert "GQR_DATA_DIR" in message and "load_ood_test()" in message  # it names the alternative


def test_readme_batch_scoring_shows_stdin_to_stdout() -> None:
    assert any(c.startswith("gqr score - -o -") for c in commands())
