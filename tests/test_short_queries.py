"""The short-query dev set: counts, law areas, languages, validity, packaging, independence from the pools."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from gqr import DataNotFoundError, GQRError, InvalidInputError
from gqr.data import _short, load_short_queries, normalize
from gqr.data._short import SHORT_QUERIES_FILE, short_query_areas

ROOT = Path(__file__).resolve().parent.parent
REL_PATH = "gqr/data/short_queries.csv"

MIN_COUNTS = {"law": 180, "finance": 120, "healthcare": 120, "ood": 200}
MIN_REASONS = {"off_topic": 90, "unsafe": 60, "other_language": 40}
# Every law area the issue names, each with at least 8 queries.
REQUIRED_LAW_AREAS = {
    "copyright",  # copyright, licences, fair use
    "privacy",  # privacy, GDPR, data protection
    "civil_rights",  # free speech, police searches, discrimination
    "immigration",
    "employment",
    "tenancy",
    "traffic",  # tickets, DUI
    "patents_trademarks",
    "company_forms",  # LLC, sole proprietorship, partnership, incorporation (legal side)
    "family",
    "criminal",
    "consumer",
    "estates",  # wills, trusts, probate, inheritance
    "contracts",
}
EXTRA_LAW_AREAS = {"small_claims", "defamation", "neighbours"}
LANGUAGES = {
    "spanish",
    "french",
    "german",
    "italian",
    "portuguese",
    "russian",
    "chinese",
    "japanese",
    "arabic",
    "hindi",
    "turkish",
    "polish",
    "dutch",
    "swedish",
    "korean",
    "greek",
    "vietnamese",
    "indonesian",
    "ukrainian",
}
BENCH_LANGUAGES = {"danish", "slovak", "norwegian", "czech"}  # GQR-Bench test languages: never here
ACCEPTANCE = [
    "Can my employer fire me for being pregnant?",
    "What happens if I break my apartment lease early?",
    "How does joint custody work when parents live in different cities?",
    "Can I get out of a non-compete clause in my contract?",
    "Can my landlord keep my security deposit for normal wear and tear?",
]


@pytest.fixture(scope="module")
def rows() -> list[tuple[str, str, str | None, str]]:
    return [(e.text, e.label, e.reason, a) for e, a in zip(load_short_queries(), short_query_areas(), strict=True)]


def test_loads_without_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GQR_DATA_DIR", raising=False)
    examples = load_short_queries()
    assert len(examples) >= sum(MIN_COUNTS.values())
    assert {e.dataset for e in examples} == {"short_queries"}
    assert len(short_query_areas()) == len(examples)


def test_counts(rows: list[tuple[str, str, str | None, str]]) -> None:
    labels = Counter(label for _, label, _, _ in rows)
    reasons = Counter(reason for _, label, reason, _ in rows if label == "ood")
    for label, minimum in MIN_COUNTS.items():
        assert labels[label] >= minimum, (label, labels[label])
    for reason, minimum in MIN_REASONS.items():
        assert reasons[reason] >= minimum, (reason, reasons[reason])
    assert set(labels) == set(MIN_COUNTS) and set(reasons) == set(MIN_REASONS)


def test_labels_and_reasons_valid(rows: list[tuple[str, str, str | None, str]]) -> None:
    for text, label, reason, area in rows:
        assert text and text == text.strip() and area
        if label == "ood":
            assert reason in MIN_REASONS, text
        else:
            assert label in {"law", "finance", "healthcare"} and reason is None, text


def test_every_law_area_covered(rows: list[tuple[str, str, str | None, str]]) -> None:
    areas = Counter(area for _, label, _, area in rows if label == "law")
    assert set(areas) == REQUIRED_LAW_AREAS | EXTRA_LAW_AREAS
    for area in REQUIRED_LAW_AREAS:
        assert areas[area] >= 8, (area, areas[area])


def test_languages(rows: list[tuple[str, str, str | None, str]]) -> None:
    languages = Counter(area for _, _, reason, area in rows if reason == "other_language")
    assert set(languages) <= LANGUAGES
    assert not set(languages) & BENCH_LANGUAGES
    assert len(languages) >= 10
    assert not BENCH_LANGUAGES & {area for *_, area in rows}


def test_no_duplicates(rows: list[tuple[str, str, str | None, str]]) -> None:
    keys = Counter(normalize(text) for text, *_ in rows)
    assert [k for k, n in keys.items() if n > 1] == []
    assert len({text.casefold() for text, *_ in rows}) == len(rows)


def test_acceptance_queries_absent(rows: list[tuple[str, str, str | None, str]]) -> None:
    keys = {normalize(text) for text, *_ in rows}
    assert not keys & {normalize(q) for q in ACCEPTANCE}
    # and no close paraphrase: none of the five questions' telltale word pairs
    for text, *_ in rows:
        low = text.casefold()
        assert "wear and tear" not in low, text
        assert "non-compete" not in low and "noncompete" not in low and "non compete" not in low, text
        assert not ("lease" in low and "break" in low), text
        assert not ("custody" in low and ("cities" in low or "city" in low)), text
        assert not ("pregnan" in low and ("fire" in low or "fired" in low)), text


def test_csv_shape() -> None:
    lines = SHORT_QUERIES_FILE.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "text,label,reason,area"


def test_in_wheel_and_tracked() -> None:
    assert SHORT_QUERIES_FILE == ROOT / REL_PATH
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wheel = config["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert "gqr" in wheel["packages"]
    assert not any("csv" in pattern or "short_queries" in pattern for pattern in wheel.get("exclude", []))
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    ignored = subprocess.run([git, "check-ignore", "-q", REL_PATH], cwd=ROOT, check=False)
    assert ignored.returncode == 1, f"{REL_PATH} is ignored by .gitignore"
    tracked = subprocess.run([git, "ls-files", "--error-unmatch", REL_PATH], cwd=ROOT, check=False, capture_output=True)
    assert tracked.returncode == 0, f"{REL_PATH} is not tracked by git"


@pytest.mark.parametrize(
    ("row", "match"),
    [
        ("what is a roth ira,banking,,x", "unknown label"),
        ("what is a roth ira,ood,rude,x", "unknown ood reason"),
        ("what is a roth ira,finance,unsafe,x", "has reason"),
        ("what is a roth ira,finance,,", "empty"),
    ],
)
def test_bad_rows_raise(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, row: str, match: str) -> None:
    path = tmp_path / "short_queries.csv"
    path.write_text(f"text,label,reason,area\n{row}\n", encoding="utf-8")
    monkeypatch.setattr(_short, "SHORT_QUERIES_FILE", path)
    _short._rows.cache_clear()
    try:
        with pytest.raises(InvalidInputError, match=match) as info:
            load_short_queries()
        assert isinstance(info.value, GQRError)
    finally:
        _short._rows.cache_clear()


def test_missing_file_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_short, "SHORT_QUERIES_FILE", tmp_path / "absent.csv")
    _short._rows.cache_clear()
    try:
        with pytest.raises(DataNotFoundError):
            load_short_queries()
    finally:
        _short._rows.cache_clear()


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("GQR_DATA_DIR"), reason="needs GQR_DATA_DIR")
def test_independent_of_pools_and_ood_tests(rows: list[tuple[str, str, str | None, str]]) -> None:
    from gqr.data import load_id, load_ood_test, load_outliers

    keys = {normalize(text) for text, *_ in rows}
    seen = []
    for loader in (load_id, load_outliers):
        for split in ("train", "eval", "test"):
            for e in loader(split):
                for text in (e.text, e.title):
                    if text and normalize(text) in keys:
                        seen.append((e.dataset, text))
    seen += [(e.dataset, e.text) for e in load_ood_test() if normalize(e.text) in keys]
    assert seen == []
