"""Score whole files: format by extension, streaming in chunks, output written to a temporary file and renamed."""

from __future__ import annotations

import glob
import os
import secrets
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from gqr._errors import DataNotFoundError, InvalidInputError
from gqr._log import logger
from gqr.batch._readers import READERS, Chunk, count_invalid_utf8
from gqr.batch._score import MAX_CHARS, ModelSpec, Result, load_classifier, score_texts
from gqr.batch._summary import Summary
from gqr.batch._writers import WRITERS

__all__ = ["BATCH_SIZE", "EXTENSIONS", "expand_inputs", "plan_outputs", "score_file", "score_files"]

EXTENSIONS: dict[str, str] = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
"""File extension -> format."""
_SUFFIX = {"csv": ".csv", "jsonl": ".jsonl", "parquet": ".parquet"}

STDIO = "-"
BATCH_SIZE = 16_384
"""Rows read, scored and written at a time: large enough to keep both cores busy, small enough for flat memory."""
Progress = Callable[[int, float | None], None]


def score_file(
    input: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    model: ModelSpec = None,
    text_column: str = "text",
    input_format: str | None = None,
    output_format: str | None = None,
    batch_size: int = BATCH_SIZE,
    max_chars: int = MAX_CHARS,
    progress: Progress | None = None,
) -> Summary:
    """Score every row of a CSV, JSONL or Parquet file and write it with ``route, label, confidence, reason, error``.

    ``input`` / ``output`` are paths, or ``"-"`` for stdin / stdout. Formats come from the extensions (``.csv``,
    ``.jsonl`` / ``.ndjson``, ``.parquet`` / ``.pq``) unless given; stdin needs ``input_format``, stdout defaults
    to the input format. ``model`` is a :class:`gqr.Classifier`, a model name or path for :func:`gqr.load`, or
    ``None`` for the default model. ``progress(rows_done, fraction_read_or_None)`` is called after each chunk.

    The output has exactly one row per input record, in order: missing or blank text is rejected with reason
    ``"empty"``, text longer than ``max_chars`` with ``"too_long"``; a record that cannot be read (malformed CSV
    or JSON, wrong number of fields, text that is not a string) is kept with reason ``"error"`` and the cause,
    with its line number, in ``error``. Memory stays flat: two chunks of ``batch_size`` rows at a time (one is
    scored while the other is written).

    The output file is written to a hidden temporary file in its directory and renamed when complete, so an
    interrupted job leaves no output (``"-"`` streams instead). The output's directory must exist; it is checked,
    with the input and the text column, before any scoring. Returns the :class:`Summary`.
    """
    started = time.perf_counter()
    src, dst = _path(input), _path(output)
    in_fmt = _format(src, input_format, "input")
    out_fmt = _format(dst, output_format, "output", default=in_fmt)
    _check_paths(src, dst)
    if batch_size < 1 or max_chars < 1:
        raise InvalidInputError(f"batch_size and max_chars must be >= 1, got {batch_size} and {max_chars}")
    summary = Summary(input=str(src), output=str(dst))
    with count_invalid_utf8() as invalid, _open_input(src) as raw_in:
        reader = READERS[in_fmt](raw_in, text_column, batch_size)
        classifier = load_classifier(model)
        summary.model = getattr(classifier, "name", type(classifier).__name__)
        with _open_output(dst) as raw_out:
            writer = WRITERS[out_fmt](raw_out, reader)

            def emit(chunk: Chunk, scored: Future[list[Result]], fraction: float | None) -> None:
                results = scored.result()
                writer.write(chunk, results)
                summary.count(results)
                if progress is not None:
                    progress(summary.rows_out, fraction)

            # Chunk k is scored in a worker thread while chunk k - 1 is written and chunk k + 1 read: the model's
            # numpy / onnxruntime work overlaps this thread's I/O. Two chunks at most are held: memory stays flat.
            with ThreadPoolExecutor(1, thread_name_prefix="gqr-score-file") as pool:
                pending: deque[tuple[Chunk, Future[list[Result]], float | None]] = deque()
                for chunk in reader:
                    scored = pool.submit(score_texts, classifier, chunk.texts, chunk.errors, max_chars)
                    pending.append((chunk, scored, reader.fraction()))
                    if len(pending) > 1:
                        emit(*pending.popleft())
                while pending:
                    emit(*pending.popleft())
            writer.close()
    summary.rows_in = reader.rows_read
    summary.blank_lines = reader.blank_lines
    summary.invalid_utf8 = invalid[0]
    summary.dropped_fields = writer.dropped_fields
    summary.seconds = time.perf_counter() - started
    if summary.dropped_fields:
        logger.warning("%s: %d JSONL fields were not among the output columns: dropped", src, summary.dropped_fields)
    logger.info("%s", summary)
    return summary


def score_files(
    inputs: Sequence[str | os.PathLike[str]],
    output_dir: str | os.PathLike[str],
    *,
    model: ModelSpec = None,
    progress: Callable[[Summary], None] | None = None,
    **options: Any,
) -> Summary:
    """Score several files (paths or globs) one after the other into ``output_dir`` (see :func:`plan_outputs`).

    ``options`` are those of :func:`score_file`; ``progress(summary)`` is called after each file with its summary.
    Returns the merged :class:`Summary`.
    """
    started = time.perf_counter()
    classifier = load_classifier(model)
    done = []
    for src, dst in plan_outputs(inputs, output_dir, options.get("output_format")):
        done.append(score_file(src, dst, model=classifier, **options))
        if progress is not None:
            progress(done[-1])
    return Summary.merge(done, inputs, output_dir, time.perf_counter() - started)


def expand_inputs(patterns: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """The input files: each pattern is a path, or a glob (``data/*.csv``) expanded in sorted order."""
    paths: list[Path] = []
    for pattern in [os.fspath(p) for p in patterns]:
        if os.path.exists(pattern) or not glob.has_magic(pattern):
            paths.append(Path(pattern))
            continue
        matches = sorted(glob.glob(pattern))
        if not matches:
            raise DataNotFoundError(f"no input file matches {pattern!r}")
        paths.extend(map(Path, matches))
    return paths


def plan_outputs(
    inputs: Sequence[str | os.PathLike[str]], output_dir: str | os.PathLike[str], output_format: str | None = None
) -> list[tuple[Path, Path]]:
    """Pair each input (paths or globs) with ``output_dir/<stem>.<ext>`` (``ext``: that of ``output_format``, else
    the input's own). ``output_dir`` is created when missing (its parent must exist); inputs are checked to exist
    and outputs not to collide, before any work."""
    out = Path(output_dir)
    if output_format is not None and output_format not in WRITERS:
        raise InvalidInputError(f"output format must be one of {sorted(WRITERS)}, got {output_format!r}")
    ext = _SUFFIX.get(output_format or "")
    plan = []
    for src in expand_inputs(inputs):
        _check_paths(src, STDIO)
        _format(src, None, "input")
        plan.append((src, out / (src.stem + (ext or src.suffix))))
    if not plan:
        raise InvalidInputError("expected at least one input file, got none")
    names = [dst.name for _, dst in plan]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise InvalidInputError(f"several inputs would write the same output file(s) {repeated} in {str(out)!r}")
    if not out.is_dir():
        if not out.parent.is_dir():
            raise InvalidInputError(f"cannot create output directory {str(out)!r}: {str(out.parent)!r} does not exist")
        out.mkdir()
    return plan


def _path(value: str | os.PathLike[str]) -> Path | str:
    text = os.fspath(value)
    return STDIO if text == STDIO else Path(text)


def _format(path: Path | str, explicit: str | None, role: str, default: str | None = None) -> str:
    flag = "--format" if role == "input" else "--output-format"
    if explicit is not None:
        if explicit not in READERS:
            raise InvalidInputError(f"{role} format must be one of {sorted(READERS)} ({flag}), got {explicit!r}")
        return explicit
    if isinstance(path, Path) and path.suffix.lower() in EXTENSIONS:
        return EXTENSIONS[path.suffix.lower()]
    if path == STDIO and default is not None:
        return default
    where = "stdin" if path == STDIO else repr(str(path))
    raise InvalidInputError(
        f"cannot tell the {role} format of {where}: expected an extension among {sorted(EXTENSIONS)} or {flag} "
        f"{'|'.join(sorted(READERS))}"
    )


def _check_paths(src: Path | str, dst: Path | str) -> None:
    if isinstance(src, Path):
        if not src.exists():
            raise DataNotFoundError(f"input file {str(src)!r} does not exist")
        if src.is_dir():
            raise InvalidInputError(f"input {str(src)!r} is a directory; expected a file (or a glob like 'dir/*.csv')")
    if isinstance(dst, Path):
        parent = dst.parent
        if not parent.is_dir():
            raise InvalidInputError(
                f"output directory {str(parent)!r} does not exist; create it first (gqr score creates the output "
                "file, never its directories)"
            )
        if dst.is_dir():
            raise InvalidInputError(f"output {str(dst)!r} is a directory; expected a file path")
        if not os.access(parent, os.W_OK):
            raise InvalidInputError(f"output directory {str(parent)!r} is not writable")
        if isinstance(src, Path) and dst.exists() and os.path.samefile(src, dst):
            raise InvalidInputError(f"output {str(dst)!r} is the input file; expected a different path")


@contextmanager
def _open_input(src: Path | str) -> Iterator[BinaryIO]:
    if src == STDIO:
        yield sys.stdin.buffer
        return
    with open(src, "rb") as raw:
        yield raw


@contextmanager
def _open_output(dst: Path | str) -> Iterator[BinaryIO]:
    """stdout, or a hidden temporary file next to ``dst`` renamed to ``dst`` only once complete (removed if not)."""
    if dst == STDIO:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    assert isinstance(dst, Path)
    tmp = dst.with_name(f".{dst.name}.{secrets.token_hex(4)}.part")
    try:
        with open(tmp, "xb") as raw:
            yield raw
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, dst)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
