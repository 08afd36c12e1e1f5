"""``gqr classify`` and ``gqr models`` as real processes, on small real models built here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from _router_model import STRICT, build_models_dir

LAW = "Can my landlord keep my security deposit when I move out?"
INSULT = "You are a stupid worthless idiot."


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_models_dir(tmp_path_factory.mktemp("models"))


def gqr_cli(models_dir: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GQR_MODELS_DIR": str(models_dir)}
    res = subprocess.run([sys.executable, "-m", "gqr", *args], input=stdin, capture_output=True, env=env)
    return subprocess.CompletedProcess(res.args, res.returncode, res.stdout.decode(), res.stderr.decode())


def test_classify_prints_route_confidence_reason(models_dir: Path) -> None:
    res = gqr_cli(models_dir, "classify", LAW, INSULT, "")
    assert res.returncode == 0, res.stderr
    lines = [line.split("\t") for line in res.stdout.splitlines()]
    assert [(line[0], line[2]) for line in lines] == [("law", "-"), ("rejected", "unsafe"), ("rejected", "empty")]
    assert all(0.0 <= float(line[1]) <= 1.0 for line in lines)
    assert [line[3] for line in lines] == [LAW, INSULT, ""]  # piped: the query is the last column


def test_classify_piped_query_column_stays_one_field(models_dir: Path) -> None:
    res = gqr_cli(models_dir, "classify", "a\ttabbed\nquery", b"caf\xff".decode("utf-8", "surrogateescape"))
    assert res.returncode == 0, res.stderr
    assert [line.split("\t")[3] for line in res.stdout.splitlines()] == ["a tabbed query", "caf\ufffd"]


def test_classify_table_on_a_terminal(models_dir: Path) -> None:
    import pty

    primary, secondary = pty.openpty()
    env = {**os.environ, "GQR_MODELS_DIR": str(models_dir), "COLUMNS": "100"}
    args = [sys.executable, "-m", "gqr", "classify", LAW, INSULT, "\x1b[31mred"]
    proc = subprocess.Popen(args, stdout=secondary, stderr=subprocess.PIPE, env=env)
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # the terminal closed: the process is done
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(primary)
    assert proc.wait(30) == 0, proc.stderr.read()  # type: ignore[union-attr]
    header, *rows = b"".join(chunks).decode().replace("\r\n", "\n").splitlines()
    assert header.split() == ["query", "route", "confidence", "reason"]
    assert len(rows) == 3
    *_, route, confidence = rows[0].split()  # a routed query has no reason
    assert rows[0].startswith("Can my landlord") and route == "law" and 0 <= float(confidence) <= 1
    *_, route, confidence, reason = rows[1].split()
    assert rows[1].startswith(INSULT[:20]) and (route, reason) == ("rejected", "unsafe")
    assert "\x1b" not in rows[2]  # control characters of a query do not reach the terminal
    assert all(len(row) <= 100 for row in [header, *rows])


def test_classify_logs_with_verbose(models_dir: Path) -> None:
    res = gqr_cli(models_dir, "-v", "classify", LAW, INSULT)
    assert res.returncode == 0, res.stderr
    assert "INFO gqr.cli: loaded tiny-guarded in" in res.stderr
    assert "classified 2 queries in" in res.stderr and "law 1, rejected (unsafe) 1" in res.stderr
    assert "gqr classify: done after" in res.stderr
    assert "INFO" not in gqr_cli(models_dir, "classify", LAW).stderr  # quiet without -v


def test_classify_json_and_model_option(models_dir: Path) -> None:
    res = gqr_cli(models_dir, "classify", "--json", "--model", "tiny-strict", LAW)
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert (out["text"], out["route"], out["label"], out["reason"]) == (LAW, "law", "law", None)
    assert list(out["scores"]) == STRICT
    by_path = gqr_cli(models_dir, "classify", "--json", "-m", str(models_dir / "tiny-strict.onnx"), LAW)
    assert json.loads(by_path.stdout) == out


def test_classify_stdin_one_line_out_per_line_in(models_dir: Path) -> None:
    lines = [LAW.encode(), b"", INSULT.encode(), b"broken \xff\xfe utf-8 \xc3", "東京の天気".encode(), b"\x00\x1b[1m"]
    res = gqr_cli(models_dir, "classify", "--json", "-", stdin=b"\n".join(lines) + b"\r\n")
    assert res.returncode == 0, res.stderr
    out = [json.loads(line) for line in res.stdout.splitlines()]
    assert len(out) == len(lines)
    assert [d["text"] for d in out[:3]] == [LAW, "", INSULT]
    assert out[3]["text"] == "broken \ufffd\ufffd utf-8 \ufffd"
    assert [d["route"] for d in out[:3]] == ["law", None, None]
    assert [d["reason"] for d in out[1:3]] == ["empty", "unsafe"]
    assert out[4]["reason"] == "other_language"


def test_unknown_model_exits_non_zero_listing_models(models_dir: Path) -> None:
    res = gqr_cli(models_dir, "classify", "--model", "nope", LAW)
    assert res.returncode == 2
    assert res.stdout == ""
    assert "unknown model 'nope'" in res.stderr
    assert "tiny-guarded, tiny-strict" in res.stderr


def test_tampered_model_exits_non_zero(models_dir: Path, tmp_path: Path) -> None:
    for suffix in (".json", ".onnx"):
        (tmp_path / f"tiny-guarded{suffix}").write_bytes((models_dir / f"tiny-guarded{suffix}").read_bytes())
    blob = bytearray((tmp_path / "tiny-guarded.onnx").read_bytes())
    blob[-10] ^= 0xFF
    (tmp_path / "tiny-guarded.onnx").write_bytes(bytes(blob))
    res = gqr_cli(models_dir, "classify", "--model", str(tmp_path / "tiny-guarded.json"), LAW)
    assert res.returncode == 2
    assert "sha256" in res.stderr


def test_models_lists_cards_and_marks_default(models_dir: Path) -> None:
    res = gqr_cli(models_dir, "models")
    assert res.returncode == 0, res.stderr
    header, *rows = res.stdout.splitlines()
    assert header.split()[:4] == ["name", "family", "variant", "size_mb"]
    assert [row.split()[:2] for row in rows[:2]] == [["tiny-guarded", "*"], ["tiny-strict", "tiny"]]
    as_json = [json.loads(line) for line in gqr_cli(models_dir, "models", "--json").stdout.splitlines()]
    assert [(m["name"], m["default"], m["variant"]) for m in as_json[:2]] == [
        ("tiny-guarded", True, "guarded"),
        ("tiny-strict", False, "strict"),
    ]
    size = (models_dir / "tiny-guarded.onnx").stat().st_size / 1e6
    assert as_json[0]["size_mb"] == pytest.approx(size, abs=0.01)
    assert as_json[0]["gqr_score"] == json.loads((models_dir / "tiny-guarded.json").read_text())["bench"]["gqr_score"]
