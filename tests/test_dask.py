"""gqr.dask on a real local cluster of 2 worker processes (loopback): same rows as the single-process path."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import dask.dataframe as dd
import pytest
from _router_model import build_model
from distributed import Client, LocalCluster

import gqr.dask
from gqr import InvalidInputError
from gqr.batch import RESULT_COLUMNS, score_file

pytestmark = pytest.mark.dask

QUERIES = [
    "Can my landlord keep my security deposit after I move out?",
    "How much should I save for retirement in my 401k?",
    "I have a headache and fever for three days, should I see a doctor?",
    "You are a stupid idiot and everyone hates you.",
    "",
    "Wie spät ist es heute Abend bei euch?",
    "line one\nline two, with a comma",
    "x" * 20_000,
]


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_model(tmp_path_factory.mktemp("models"), "tiny-guarded")


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None) as c,
        Client(c) as client,
    ):
        yield client


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    for k in range(4):
        buf = io.StringIO()
        rows = [[f"{k}-{i}", QUERIES[(i + k) % len(QUERIES)]] for i in range(25)]
        csv.writer(buf, lineterminator="\n").writerows([["id", "text"], *rows])
        (data / f"part{k}.csv").write_text(buf.getvalue(), encoding="utf-8")
    return data


def read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_dataframe_matches_single_process_row_for_row(client: Client, model: Path, inputs: Path) -> None:
    files = sorted(inputs.glob("*.csv"))
    ddf = dd.read_csv([str(f) for f in files], dtype=str, keep_default_na=False, blocksize=None)
    scored = gqr.dask.score(ddf, text_column="text", model=model)
    assert list(scored.columns) == ["id", "text", *RESULT_COLUMNS] and scored.npartitions == 4
    got = scored.compute()
    expected = [row for f in files for row in read(_scored(f, model))]
    assert len(got) == len(expected) == 100
    cells = [[("" if v is None else str(v)) for v in row] for row in got.itertuples(index=False)]
    assert cells == [list(row.values()) for row in expected]
    assert {r["reason"] for r in expected} >= {"empty", "too_long", "unsafe"}
    loads = client.run(lambda: gqr.dask._load.cache_info().misses)
    assert sorted(loads.values()) == [1, 1]  # each worker loaded the model once for its partitions


def test_dataframe_refuses_a_missing_text_column(model: Path, inputs: Path) -> None:
    ddf = dd.read_csv(str(inputs / "part0.csv"), dtype=str)
    with pytest.raises(InvalidInputError, match=r"no text column 'query'.*'id', 'text'.*--text-column"):
        gqr.dask.score(ddf, text_column="query", model=model)


def test_score_files_on_the_cluster_writes_what_score_file_writes(
    client: Client, model: Path, inputs: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    done = []
    summary = gqr.dask.score_files(
        [str(inputs / "*.csv")], out, model=model, scheduler=client.scheduler.address, progress=done.append
    )
    assert sorted(p.name for p in out.iterdir()) == [f"part{k}.csv" for k in range(4)]
    for k in range(4):
        assert (out / f"part{k}.csv").read_bytes() == _scored(inputs / f"part{k}.csv", model).read_bytes()
    assert (summary.rows_in, summary.rows_out, len(done)) == (100, 100, 4)


def test_cli_dask_engine_matches_local_engine(model: Path, inputs: Path, tmp_path: Path) -> None:
    pattern = str(inputs / "*.csv")
    common = ["--model", str(model), "--output-format", "jsonl"]
    cmd = [sys.executable, "-m", "gqr", "score", pattern, *common]
    dask_cmd = [*cmd, "--engine", "dask", "--workers", "2", "-o", str(tmp_path / "d")]
    dask_run = subprocess.run(dask_cmd, capture_output=True, timeout=120)
    assert dask_run.returncode == 0, dask_run.stderr
    local_run = subprocess.run([*cmd, "-o", str(tmp_path / "l/")], capture_output=True, timeout=60)
    assert local_run.returncode == 0, local_run.stderr
    names = sorted(p.name for p in (tmp_path / "d").iterdir())
    assert names == [f"part{k}.jsonl" for k in range(4)] == sorted(p.name for p in (tmp_path / "l").iterdir())
    for name in names:
        assert (tmp_path / "d" / name).read_bytes() == (tmp_path / "l" / name).read_bytes()
    assert b"rows in 100, rows out 100" in dask_run.stderr


def _scored(src: Path, model: Path) -> Path:
    """``src`` scored by the single-process path, into a sibling directory."""
    dst = src.parent.parent / "expected" / src.name
    dst.parent.mkdir(exist_ok=True)
    if not dst.exists():
        score_file(src, dst, model=model)
    return dst
