"""gqr.batch and ``gqr score``: one output row per input record, in order, for good and bad input alike."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from _router_model import build_model

from gqr import ClassifierOutputError, DataNotFoundError, Decision, InvalidInputError, load
from gqr.batch import MAX_CHARS, RESULT_COLUMNS, Summary, score_file, score_files

RULES = (("court", "law"), ("loan", "finance"), ("doctor", "healthcare"))


class Keywords:
    """A small deterministic classifier: the first keyword in the text decides; texts with "explode" fail."""

    name = "keywords"

    def __init__(self) -> None:
        self.batches: list[int] = []

    def classify(self, text: str) -> Decision:
        if "explode" in text:
            raise RuntimeError("cannot classify this one")
        for word, route in RULES:
            if word in text.lower():
                return Decision(route=route, confidence=0.9, scores={route: 0.9})  # type: ignore[arg-type]
        return Decision(route=None, confidence=0.75, reason="off_topic")

    def classify_batch(self, texts: Sequence[str]) -> list[Decision]:
        self.batches.append(len(texts))
        return [self.classify(t) for t in texts]


def expected(text: object) -> tuple[str, str, str]:
    """(route, label, reason) the Keywords classifier and the batch rules give a text, as CSV cells."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return ("", "ood", "empty")
    if not isinstance(text, str):
        return ("", "ood", "error")
    if len(text) > MAX_CHARS:
        return ("", "ood", "too_long")
    route = next((r for w, r in RULES if w in text.lower()), None)
    return (route, route, "") if route else ("", "ood", "off_topic")


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def decided(rows: list[dict[str, str]]) -> list[tuple[str, str, str]]:
    return [(r["route"], r["label"], r["reason"]) for r in rows]


def score(tmp_path: Path, data: bytes, name: str = "in.csv", out: str = "out.csv", **kw: object) -> Summary:
    src = tmp_path / name
    src.write_bytes(data)
    return score_file(src, tmp_path / out, model=kw.pop("model", Keywords()), **kw)  # type: ignore[arg-type]


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".part"))


# --- the normal case -------------------------------------------------------------------------------------------


def test_csv_rows_in_order_with_every_input_column(tmp_path: Path) -> None:
    texts = ["Which court hears my case?", "Is this loan a good deal?", "Call a doctor", "Nice weather today"] * 5
    data = "id,text,lang\n" + "".join(f"{i},{t},en\n" for i, t in enumerate(texts))
    summary = score(tmp_path, data.encode(), batch_size=3)
    columns, rows = read_csv(tmp_path / "out.csv")
    assert columns == ["id", "text", "lang", *RESULT_COLUMNS]
    assert [r["id"] for r in rows] == [str(i) for i in range(len(texts))]
    assert [r["text"] for r in rows] == texts and {r["lang"] for r in rows} == {"en"}
    assert decided(rows) == [expected(t) for t in texts]
    assert {r["confidence"] for r in rows} == {"0.9", "0.75"} and {r["error"] for r in rows} == {""}
    assert (summary.rows_in, summary.rows_out, summary.errors) == (20, 20, 0)
    assert summary.routed == {"law": 5, "finance": 5, "healthcare": 5}
    assert summary.rejected["off_topic"] == 5
    assert summary.rows_out == sum(summary.routed.values()) + sum(summary.rejected.values()) + summary.errors
    assert "rows in 20, rows out 20" in str(summary) and "law 5" in str(summary)
    assert not leftovers(tmp_path)


def test_chunks_bound_memory_and_progress_reports_each(tmp_path: Path) -> None:
    model, calls = Keywords(), []
    data = "text\n" + "".join(f"loan number {i}\n" for i in range(10))
    score(tmp_path, data.encode(), model=model, batch_size=4, progress=lambda n, f: calls.append((n, f)))
    assert model.batches == [4, 4, 2]  # never more than batch_size rows in memory
    assert [n for n, _ in calls][:3] == [4, 8, 10] and calls[-1] == (10, 1.0)


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_every_output_format_gives_the_same_rows(tmp_path: Path, fmt: str) -> None:
    texts = ["court date", "", "loan?", "a doctor, please\nnow", "hello"]
    buf = io.StringIO()
    csv.writer(buf).writerows([["n", "text"], *[[i, t] for i, t in enumerate(texts)]])
    score(tmp_path, buf.getvalue().encode())
    score_file(tmp_path / "in.csv", tmp_path / f"out.{fmt}", model=Keywords())
    rows = (
        pq.read_table(tmp_path / "out.parquet").to_pylist() if fmt == "parquet" else read_jsonl(tmp_path / "out.jsonl")
    )
    _, via_csv = read_csv(tmp_path / "out.csv")
    assert [r["n"] for r in rows] == [str(i) for i in range(len(texts))] and [r["text"] for r in rows] == texts
    assert [(r["route"] or "", r["label"], r["reason"] or "") for r in rows] == decided(via_csv)
    assert [r["confidence"] for r in rows] == [float(r["confidence"]) for r in via_csv]


def test_parquet_keeps_input_types_and_jsonl_values(tmp_path: Path) -> None:
    table = pa.table({"id": pa.array([1, 2, 3], pa.int64()), "text": ["court", None, "loan"], "w": [0.5, 1.5, None]})
    pq.write_table(table, tmp_path / "in.parquet")
    summary = score_file(tmp_path / "in.parquet", tmp_path / "out.parquet", model=Keywords(), batch_size=2)
    out = pq.read_table(tmp_path / "out.parquet")
    assert out.schema.names == ["id", "text", "w", *RESULT_COLUMNS]
    assert out.schema.field("id").type == pa.int64() and out.column("w").to_pylist() == [0.5, 1.5, None]
    assert out.column("reason").to_pylist() == [None, "empty", None] and summary.rows_out == 3
    score_file(tmp_path / "in.parquet", tmp_path / "out.jsonl", model=Keywords())
    assert [(r["id"], r["w"], r["label"]) for r in read_jsonl(tmp_path / "out.jsonl")] == [
        (1, 0.5, "law"),
        (2, 1.5, "ood"),
        (3, None, "finance"),
    ]


def test_jsonl_keys_after_the_first_chunk_are_counted_when_dropped(tmp_path: Path) -> None:
    data = b'{"text": "court"}\n{"text": "loan", "late": 1}\n{"text": "doctor", "late": 2, "later": 3}\n'
    summary = score(tmp_path, data, name="in.jsonl", out="out.csv", batch_size=1)
    columns, rows = read_csv(tmp_path / "out.csv")
    assert columns == ["text", *RESULT_COLUMNS] and [r["route"] for r in rows] == ["law", "finance", "healthcare"]
    assert summary.dropped_fields == 3 and "JSONL fields dropped (not in the output columns): 3" in str(summary)
    score_file(tmp_path / "in.jsonl", tmp_path / "out.jsonl", model=Keywords(), batch_size=1)
    assert read_jsonl(tmp_path / "out.jsonl")[2]["later"] == 3  # JSONL output keeps every key


def test_input_with_result_columns_or_repeated_names_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"already has column\(s\) \['route', 'reason'\]"):
        score(tmp_path, b"text,route,reason\nhi,law,\n")
    with pytest.raises(InvalidInputError, match=r"repeats column name\(s\) \['a'\]"):
        score(tmp_path, b"a,text,a\n1,hi,2\n")
    with pytest.raises(InvalidInputError, match=r"line 2 already has key\(s\) \['label'\]"):
        score(tmp_path, b'{"text": "hi"}\n{"text": "yo", "label": "x"}\n', name="in.jsonl", out="out.jsonl")
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "out.jsonl").exists()
    assert not leftovers(tmp_path)


# --- bad input: exact row counts and order ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["in.csv", "in.jsonl"])
def test_empty_file_gives_empty_output(tmp_path: Path, name: str) -> None:
    model = Keywords()
    summary = score(tmp_path, b"", name=name, out="out" + Path(name).suffix, model=model)
    assert (summary.rows_in, summary.rows_out, summary.errors) == (0, 0, 0) and model.batches == []
    out = tmp_path / ("out" + Path(name).suffix)
    assert out.read_text() == (",".join(RESULT_COLUMNS) + "\n" if name.endswith(".csv") else "")


def test_header_only(tmp_path: Path) -> None:
    summary = score(tmp_path, b"id,text\r\n")
    assert read_csv(tmp_path / "out.csv") == (["id", "text", *RESULT_COLUMNS], [])
    assert (summary.rows_in, summary.rows_out) == (0, 0)


def test_missing_text_column_lists_columns_before_any_work(tmp_path: Path) -> None:
    model = Keywords()
    with pytest.raises(InvalidInputError) as info:
        score(tmp_path, b"id,query\n1,court\n", model=model)
    message = str(info.value)
    assert "no text column 'text'" in message and "'id', 'query'" in message and "--text-column" in message
    assert model.batches == [] and not (tmp_path / "out.csv").exists() and not leftovers(tmp_path)
    assert score(tmp_path, b"id,query\n1,court\n", text_column="query").routed["law"] == 1
    with pytest.raises(InvalidInputError, match=r"no text column 'text'.*'query'"):
        score(tmp_path, b'{"query": "court"}\n', name="in.jsonl", out="out.jsonl")


def test_quoted_newlines_commas_and_quotes(tmp_path: Path) -> None:
    texts = ["line one\nline two, with comma", 'she said "court"', "a,b,c", "crlf\r\ninside a loan"]
    buf = io.StringIO()
    csv.writer(buf).writerows([["text", "n"], *[[t, i] for i, t in enumerate(texts)]])
    summary = score(tmp_path, buf.getvalue().encode())
    _, rows = read_csv(tmp_path / "out.csv")
    assert [r["text"] for r in rows] == texts and [r["n"] for r in rows] == ["0", "1", "2", "3"]
    assert decided(rows) == [expected(t) for t in texts] and summary.rows_out == 4


def test_nul_byte_is_kept_and_scored(tmp_path: Path) -> None:
    score(tmp_path, b"text\nask the court\x00 now\n\x00\nplain\n")
    _, rows = read_csv(tmp_path / "out.csv")
    assert [r["text"] for r in rows] == ["ask the court\x00 now", "\x00", "plain"]
    assert decided(rows) == [("law", "law", ""), ("", "ood", "off_topic"), ("", "ood", "off_topic")]


@pytest.mark.parametrize("name", ["in.csv", "in.jsonl"])
def test_invalid_utf8_is_replaced_and_counted(tmp_path: Path, name: str) -> None:
    lines = [b"court \xff\xfe case", b"loan \xc3", b"fine \xe2\x82\xac"]
    if name.endswith(".csv"):
        data = b"text\n" + b"\n".join(lines) + b"\n"
    else:
        data = b"".join(b'{"text": "' + line + b'"}\n' for line in lines)
    summary = score(tmp_path, data, name=name, out="out.csv")
    _, rows = read_csv(tmp_path / "out.csv")
    assert [r["text"] for r in rows] == ["court \ufffd\ufffd case", "loan \ufffd", "fine \u20ac"]
    assert decided(rows) == [("law", "law", ""), ("finance", "finance", ""), ("", "ood", "off_topic")]
    assert summary.invalid_utf8 == 3 and summary.rows_out == 3 and "U+FFFD: 3" in str(summary)


def test_five_megabyte_cell_is_too_long_and_neighbours_survive(tmp_path: Path) -> None:
    big = "court " * (5 * 1024 * 1024 // 6)
    score(tmp_path, f"id,text\n1,loan\n2,{big}\n3,doctor\n".encode(), batch_size=2)
    _, rows = read_csv(tmp_path / "out.csv")
    assert [r["id"] for r in rows] == ["1", "2", "3"] and rows[1]["text"] == big
    assert decided(rows) == [("finance", "finance", ""), ("", "ood", "too_long"), ("healthcare", "healthcare", "")]
    score(tmp_path, json.dumps({"text": big}).encode() + b"\n", name="in.jsonl", out="out.jsonl")
    assert read_jsonl(tmp_path / "out.jsonl")[0]["reason"] == "too_long"


def test_jsonl_mixed_types_malformed_lines_and_blank_lines(tmp_path: Path) -> None:
    lines = [
        '{"text": "court", "k": 1}',
        '{"text": 42}',
        '{"text": null, "k": [1, 2]}',
        '{"k": "no text key"}',
        '{"text": ["court"]}',
        '{"text": {"a": "loan"}}',
        '{"text": true}',
        "{not json",
        "",
        '["an", "array"]',
        '"a string"',
        '{"text": "loan", "k": {"x": null}}',
    ]
    summary = score(tmp_path, "\n".join(lines).encode() + b"\n", name="in.jsonl", out="out.jsonl")
    rows = read_jsonl(tmp_path / "out.jsonl")
    assert len(rows) == 11 and summary.rows_in == 11 and summary.blank_lines == 1
    assert [r["reason"] for r in rows] == [None, "error", "empty", "empty", "error", "error", "error"] + [
        "error"
    ] * 3 + [None]
    errors = [r["error"] for r in rows]
    assert errors[1] == "text must be str, got int" and errors[4] == "text must be str, got list"
    assert errors[5] == "text must be str, got dict" and errors[6] == "text must be str, got bool"
    assert errors[7].startswith("line 8: malformed JSON")
    assert errors[8] == "line 10: expected a JSON object, got a JSON array"
    assert errors[9] == "line 11: expected a JSON object, got a JSON string"
    assert rows[0] == {"text": "court", "k": 1, "route": "law", "label": "law", "confidence": 0.9} | {
        "reason": None,
        "error": None,
    }
    assert rows[2]["k"] == [1, 2] and rows[10]["k"] == {"x": None} and rows[1]["text"] == 42
    assert summary.errors == 7 and summary.routed == {"law": 1, "finance": 1, "healthcare": 0}
    score_file(tmp_path / "in.jsonl", tmp_path / "out.csv", model=Keywords())
    columns, flat = read_csv(tmp_path / "out.csv")
    assert columns == ["text", "k", *RESULT_COLUMNS] and len(flat) == 11
    assert [r["text"] for r in flat[:3]] == ["court", "42", ""] and flat[2]["k"] == "[1, 2]"


def test_malformed_csv_lines_are_error_rows_and_the_job_goes_on(tmp_path: Path) -> None:
    data = b'id,text\n1,court\n2,"bad"quote\n3,loan\n4,too,many\n5\n\n6,"multi\nline doctor"\n7,"never closed\n8,x\n'
    summary = score(tmp_path, data, batch_size=2)
    _, rows = read_csv(tmp_path / "out.csv")
    assert [r["id"] for r in rows] == ["1", "", "3", "4", "5", "6", ""]
    assert [r["reason"] for r in rows] == ["", "error", "", "error", "error", "", "error"]
    assert rows[1]["error"] == "line 3: malformed CSV record (',' expected after '\"')"
    assert rows[3]["error"] == "line 5: expected 2 fields, got 3" and rows[3]["text"] == "too"
    assert rows[4]["error"] == "line 6: expected 2 fields, got 1"
    assert rows[5]["text"] == "multi\nline doctor" and rows[5]["route"] == "healthcare"
    assert rows[6]["error"] == "lines 10-11: malformed CSV record (unexpected end of data)"
    assert (summary.rows_in, summary.rows_out, summary.errors, summary.blank_lines) == (7, 7, 4, 1)


def test_windows_line_endings_and_bom(tmp_path: Path) -> None:
    summary = score(tmp_path, b"\xef\xbb\xbfid,text\r\n1,court\r\n2,\r\n3,loan\r\n")
    columns, rows = read_csv(tmp_path / "out.csv")
    assert columns[:2] == ["id", "text"] and [r["text"] for r in rows] == ["court", "", "loan"]
    assert decided(rows) == [("law", "law", ""), ("", "ood", "empty"), ("finance", "finance", "")]
    assert summary.rows_out == 3
    score(tmp_path, b'{"text": "court"}\r\n\r\n{"text": "loan"}\r\n', name="in.jsonl", out="out.jsonl")
    assert [r["route"] for r in read_jsonl(tmp_path / "out.jsonl")] == ["law", "finance"]


def test_classifier_failure_fails_only_its_row_and_bad_output_is_refused(tmp_path: Path) -> None:
    summary = score(tmp_path, b"text\ncourt\nexplode now\nloan\n")
    _, rows = read_csv(tmp_path / "out.csv")
    assert [(r["route"], r["reason"], r["error"]) for r in rows] == [
        ("law", "", ""),
        ("", "error", "RuntimeError: cannot classify this one"),
        ("finance", "", ""),
    ]
    assert summary.errors == 1

    class Short(Keywords):
        def classify_batch(self, texts: Sequence[str]) -> list[Decision]:
            return super().classify_batch(texts)[:-1]

    (tmp_path / "keep.csv").write_text("precious\n")
    with pytest.raises(ClassifierOutputError, match=r"one Decision per text \(2\), got 1 items"):
        score(tmp_path, b"text\ncourt\nloan\n", out="keep.csv", model=Short())
    assert (tmp_path / "keep.csv").read_text() == "precious\n" and not leftovers(tmp_path)


def test_output_in_missing_directory_fails_before_any_work(tmp_path: Path) -> None:
    model = Keywords()
    (tmp_path / "in.csv").write_text("text\ncourt\n")
    with pytest.raises(InvalidInputError, match=r"output directory .*nope.* does not exist; create it first"):
        score_file(tmp_path / "in.csv", tmp_path / "nope" / "out.csv", model=model)
    assert model.batches == [] and not (tmp_path / "nope").exists()
    with pytest.raises(DataNotFoundError, match=r"input file .*missing\.csv.* does not exist"):
        score_file(tmp_path / "missing.csv", tmp_path / "out.csv", model=model)
    with pytest.raises(InvalidInputError, match=r"cannot tell the input format of .*in\.txt"):
        score_file(tmp_path / "in.txt", tmp_path / "out.csv", model=model)
    with pytest.raises(InvalidInputError, match="is the input file"):
        score_file(tmp_path / "in.csv", tmp_path / "in.csv", model=model)


def test_score_files_plans_a_directory_and_refuses_collisions(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / f"{name}.csv").write_text(f"text\ncourt {name}\nloan\n")
    summary = score_files([str(tmp_path / "*.csv")], tmp_path / "out", model=Keywords(), output_format="jsonl")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.jsonl", "b.jsonl"]
    assert (summary.rows_out, summary.routed["law"]) == (4, 2)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.csv").write_text("text\nx\n")
    with pytest.raises(InvalidInputError, match=r"same output file\(s\) \['a.csv'\]"):
        score_files([tmp_path / "a.csv", tmp_path / "sub" / "a.csv"], tmp_path / "out2", model=Keywords())
    with pytest.raises(DataNotFoundError, match="no input file matches"):
        score_files([str(tmp_path / "*.parquet")], tmp_path / "out3", model=Keywords())


# --- the command line, with real (small) models --------------------------------------------------------------


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("models")
    build_model(directory, "tiny-guarded")
    (directory / "DEFAULT").write_text("tiny-guarded\n", encoding="utf-8")
    return directory


def gqr(models_dir: Path | None, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ)
    if models_dir is not None:
        env["GQR_MODELS_DIR"] = str(models_dir)
    return subprocess.run([sys.executable, "-m", "gqr", *args], input=stdin, capture_output=True, env=env)


QUERIES = [
    "Can my landlord keep my security deposit after I move out?",
    "How much should I save for retirement in my 401k?",
    "I have a headache and fever for three days, should I see a doctor?",
    "You are a stupid idiot and everyone hates you.",
    "",
    "Wie spät ist es heute Abend bei euch?",
]


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header, *rows])
    return buf.getvalue().encode()


def test_cli_scores_a_file_and_prints_a_summary(tmp_path: Path, models_dir: Path) -> None:
    src = tmp_path / "q.csv"
    src.write_bytes(csv_bytes(["id", "query"], list(enumerate(QUERIES))))
    res = gqr(models_dir, "score", str(src), "-o", str(tmp_path / "q.out.csv"), "--text-column", "query")
    assert res.returncode == 0, res.stderr
    _, rows = read_csv(tmp_path / "q.out.csv")
    assert [r["route"] for r in rows[:3]] == ["law", "finance", "healthcare"]
    assert [r["reason"] for r in rows[3:]] == ["unsafe", "empty", "other_language"]
    stderr = res.stderr.decode()
    assert "rows in 6, rows out 6" in stderr and "with tiny-guarded" in stderr and "\x1b[" not in stderr
    assert res.stdout == b""


def test_cli_and_library_with_the_shipped_default_model(tmp_path: Path) -> None:
    src = tmp_path / "q.csv"
    src.write_bytes(csv_bytes(["id", "text"], list(enumerate(QUERIES))))
    res = gqr(None, "score", str(src), "-o", str(tmp_path / "cli.csv"))  # no GQR_MODELS_DIR: the shipped models
    assert res.returncode == 0, res.stderr
    _, rows = read_csv(tmp_path / "cli.csv")
    router = load()
    want = [(d.route or "", d.label, d.reason or "") for d in router.classify_batch(QUERIES)]
    assert [r["id"] for r in rows] == [str(i) for i in range(len(QUERIES))] and decided(rows) == want
    assert rows[4]["reason"] == "empty" and {r["error"] for r in rows} == {""}
    assert f"with {router.name}" in res.stderr.decode()
    score_file(src, tmp_path / "lib.csv")  # model=None: the default model
    assert (tmp_path / "lib.csv").read_bytes() == (tmp_path / "cli.csv").read_bytes()


def test_cli_stdin_to_stdout_matches_the_file_path(tmp_path: Path, models_dir: Path) -> None:
    data = "".join(json.dumps({"text": q, "n": i}) + "\n" for i, q in enumerate(QUERIES)).encode()
    (tmp_path / "q.jsonl").write_bytes(data)
    piped = gqr(models_dir, "score", "-", "--format", "jsonl", "-o", "-", "--quiet", stdin=data)
    assert piped.returncode == 0 and piped.stderr == b""
    assert gqr(models_dir, "score", str(tmp_path / "q.jsonl"), "-o", str(tmp_path / "o.jsonl"), "-q").returncode == 0
    assert piped.stdout == (tmp_path / "o.jsonl").read_bytes()
    to_csv = gqr(models_dir, "score", "-", "--format", "jsonl", "-o", "-", "--output-format", "csv", stdin=data)
    assert to_csv.stdout.decode().splitlines()[0] == "text,n,route,label,confidence,reason,error"
    pq.write_table(pa.table({"text": QUERIES, "n": list(range(len(QUERIES)))}), tmp_path / "q.parquet")
    piped = gqr(
        models_dir, "score", "-", "--format", "parquet", "-o", "-", "-q", stdin=(tmp_path / "q.parquet").read_bytes()
    )
    assert piped.returncode == 0, piped.stderr
    assert [r["route"] for r in pq.read_table(io.BytesIO(piped.stdout)).to_pylist()[:3]] == [
        "law",
        "finance",
        "healthcare",
    ]
    no_format = gqr(models_dir, "score", "-", "-o", "-", stdin=data)  # stdin without --format is read as CSV
    assert no_format.returncode == 2 and b"stdin is read as CSV; for JSONL or Parquet pass --format" in no_format.stderr


def test_cli_errors_are_one_clear_line(tmp_path: Path, models_dir: Path) -> None:
    (tmp_path / "q.csv").write_text("id,query\n1,hi\n")
    res = gqr(models_dir, "score", str(tmp_path / "q.csv"), "-o", str(tmp_path / "out.csv"))
    assert res.returncode == 2 and b"--text-column" in res.stderr and b"'id', 'query'" in res.stderr
    res = gqr(models_dir, "score", str(tmp_path / "q.csv"), "-o", str(tmp_path / "no" / "out.csv"), "-c", "query")
    assert res.returncode == 2 and b"does not exist; create it first" in res.stderr
    assert b"Traceback" not in res.stderr and not (tmp_path / "no").exists()


def test_ctrl_c_midway_leaves_no_output(tmp_path: Path, models_dir: Path) -> None:
    out = tmp_path / "out.csv"
    cmd = [sys.executable, "-m", "gqr", "score", "-", "--format", "csv", "-o", str(out), "--batch-size", "50"]
    env = {**os.environ, "GQR_MODELS_DIR": str(models_dir)}
    # A job started in the background by a shell ignores SIGINT, and so would its children: restore the default.
    default_sigint = lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)  # noqa: E731
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE, env=env, preexec_fn=default_sigint)
    assert proc.stdin is not None
    proc.stdin.write(csv_bytes(["text"], [[f"{QUERIES[i % 4]} {i}"] for i in range(3000)]))
    proc.stdin.flush()  # the job has rows to score, and then waits for more: it is midway
    deadline = time.monotonic() + 20
    while not any(p.stat().st_size > 0 for p in tmp_path.glob(".out.csv.*.part")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert leftovers(tmp_path), "the job never started writing"
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=20)
    assert proc.returncode == 130, stderr
    assert b"interrupted" in stderr and not out.exists() and not leftovers(tmp_path)


def test_cli_progress_bar_on_a_terminal(tmp_path: Path, models_dir: Path) -> None:
    (tmp_path / "q.csv").write_bytes(csv_bytes(["text"], [[QUERIES[i % 6]] for i in range(2000)]))
    leader, follower = os.openpty()
    env = {**os.environ, "GQR_MODELS_DIR": str(models_dir), "COLUMNS": "150", "TERM": "xterm"}
    cmd = [sys.executable, "-m", "gqr", "score", str(tmp_path / "q.csv"), "-o", str(tmp_path / "o.csv")]
    proc = subprocess.run([*cmd, "--batch-size", "100"], stderr=follower, env=env, timeout=60)
    os.close(follower)
    seen = b""
    while True:
        try:
            data = os.read(leader, 1 << 16)
        except OSError:
            break
        if not data:
            break
        seen += data
    os.close(leader)
    assert proc.returncode == 0
    assert b"rows/s" in seen and b"rows in 2,000, rows out 2,000" in seen
