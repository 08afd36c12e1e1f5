"""Route files: TOML, CSV, JSONL and mappings read the same way; every bad file fails with a message that says
where (file, route, line or item), what was expected and what was got."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

import gqr
from gqr import DataNotFoundError, InvalidInputError
from gqr._routes import MIN_EXAMPLES, RouteSpec, read_labelled, read_routes

ROOT = Path(__file__).resolve().parents[1]
BILLING = [f"Why was I charged twice for invoice {n}?" for n in range(6)]
SALES = [f"Can I get a quote for {n} seats on the team plan?" for n in range(6)]


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def toml_routes(routes: dict[str, list[str]], extra: str = "") -> str:
    tables = [f"[routes.{name}]\nexamples = {examples!r}\n".replace("'", '"') for name, examples in routes.items()]
    return extra + "\n".join(tables)


def csv_rows(pairs: list[tuple[str, str]], header: str = "text,route") -> str:
    return header + "\n" + "".join(f'"{text}",{route}\n' for text, route in pairs)


def jsonl_rows(pairs: list[tuple[str, str | None]]) -> str:
    import json

    return "".join(json.dumps({"text": text, "route": route}) + "\n" for text, route in pairs)


PAIRS = [(t, "billing") for t in BILLING] + [(t, "sales") for t in SALES]


# ------------------------------------------------------------------------------------------------ good files
def test_toml_reads_examples_description_and_upstream_and_ignores_serve_tables(tmp_path: Path) -> None:
    text = (
        '[router]\ncheck = "user"\n[rejections]\noff_topic = "Billing or sales only."\n'
        '[routes.billing]\ndescription = "Invoices and payments"\nexamples = ' + repr(BILLING).replace("'", '"') + "\n"
        '[routes.billing.upstream]\nbase_url = "http://127.0.0.1:8100/v1"\nmodel = "billing-bot"\n'
        "[routes.sales]\nexamples = " + repr(SALES).replace("'", '"') + "\n"
    )
    routes = read_routes(write(tmp_path, "routes.toml", text))
    assert list(routes) == ["billing", "sales"]
    assert routes["billing"] == RouteSpec(
        "billing",
        tuple(BILLING),
        "Invoices and payments",
        {"base_url": "http://127.0.0.1:8100/v1", "model": "billing-bot"},
    )
    assert routes["sales"] == RouteSpec("sales", tuple(SALES))


def test_csv_jsonl_and_mapping_give_the_same_routes(tmp_path: Path) -> None:
    expected = {"billing": tuple(BILLING), "sales": tuple(SALES)}
    sources = [
        write(tmp_path, "r.csv", csv_rows(PAIRS)),
        write(tmp_path, "r.jsonl", jsonl_rows(PAIRS)),  # type: ignore[arg-type]
        write(tmp_path, "r.toml", toml_routes({"billing": BILLING, "sales": SALES})),
        {"billing": BILLING, "sales": SALES},
    ]
    for source in sources:
        routes = read_routes(source)
        assert {name: spec.examples for name, spec in routes.items()} == expected, source


def test_csv_with_bom_extra_columns_quoted_commas_and_blank_lines(tmp_path: Path) -> None:
    rows = "\ufeffid,route,text\n" + "".join(f'{i},billing,"Refund, please: order {i}"\n\n' for i in range(5))
    routes = read_routes(write(tmp_path, "r.csv", rows))
    assert routes["billing"].examples[0] == "Refund, please: order 0"
    assert len(routes["billing"].examples) == 5


def test_one_route_is_a_single_topic_guard(tmp_path: Path) -> None:
    assert list(read_routes({"billing": BILLING})) == ["billing"]


def test_duplicates_within_a_route_are_dropped_with_a_counted_warning(caplog: pytest.LogCaptureFixture) -> None:
    examples = [*BILLING, BILLING[0].upper(), "  " + BILLING[1].replace(" ", "   ") + " "]
    with caplog.at_level(logging.WARNING, logger="gqr"):
        routes = read_routes({"billing": examples, "sales": SALES})
    assert routes["billing"].examples == tuple(BILLING)
    assert "dropped 2 duplicate example(s)" in caplog.text and "billing: 2" in caplog.text


def test_gqr_exports_read_routes() -> None:
    assert gqr.read_routes is read_routes
    assert gqr.RouteSpec is RouteSpec


# ------------------------------------------------------------------------------------------------- bad files
def test_too_few_examples_says_the_minimum_and_why(tmp_path: Path) -> None:
    few = BILLING[: MIN_EXAMPLES - 1]
    for source in (
        {"billing": few, "sales": SALES},
        write(tmp_path, "r.toml", toml_routes({"billing": few, "sales": SALES})),
        write(tmp_path, "r.csv", csv_rows([(t, "billing") for t in few] + [(t, "sales") for t in SALES])),
    ):
        with pytest.raises(InvalidInputError) as info:
            read_routes(source)
        message = str(info.value)
        assert "route 'billing' has 4 distinct example(s); expected at least 5" in message, message
        assert "5-fold cross-validation" in message and "every fold needs an example of every route" in message


def test_duplicates_do_not_count_toward_the_minimum() -> None:
    with pytest.raises(InvalidInputError, match=r"'billing' has 4 distinct"):
        read_routes({"billing": [*BILLING[:4], BILLING[0].lower()]})


def test_empty_route_list_is_too_few(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"'sales' has 0 distinct"):
        read_routes(write(tmp_path, "r.toml", toml_routes({"billing": BILLING, "sales": []})))


def test_same_text_under_two_routes_names_both_routes_and_lines(tmp_path: Path) -> None:
    pairs = [*PAIRS, (" why was I CHARGED twice for invoice 0? ", "sales")]
    with pytest.raises(InvalidInputError) as info:
        read_routes(write(tmp_path, "r.csv", csv_rows(pairs)))
    message = str(info.value)
    assert "the same text is under two routes, 'billing'" in message and "and 'sales'" in message
    assert "r.csv line 2" in message and "r.csv line 14" in message
    with pytest.raises(InvalidInputError, match=r"'billing' \(routes\['billing'\]\[0\]\) and 'sales'"):
        read_routes({"billing": BILLING, "sales": [*SALES, BILLING[0]]})


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "toml", "mapping"])
def test_empty_text_names_its_place(tmp_path: Path, fmt: str) -> None:
    examples = [*BILLING[:3], "   ", *BILLING[3:]]
    where = {
        "csv": "r.csv line 5",
        "jsonl": "r.jsonl line 4",
        "toml": "r.toml [routes.billing] examples[3]",
        "mapping": "routes['billing'][3]",
    }[fmt]
    pairs = [(t, "billing") for t in examples]
    source: object = {
        "csv": lambda: write(tmp_path, "r.csv", csv_rows(pairs)),
        "jsonl": lambda: write(tmp_path, "r.jsonl", jsonl_rows(pairs)),  # type: ignore[arg-type]
        "toml": lambda: write(tmp_path, "r.toml", toml_routes({"billing": examples})),
        "mapping": lambda: {"billing": examples},
    }[fmt]()
    with pytest.raises(InvalidInputError) as info:
        read_routes(source)  # type: ignore[arg-type]
    assert where in str(info.value) and "expected a non-empty example text, got '   '" in str(info.value)


@pytest.mark.parametrize("name", ["off_topic", "unsafe", "other_language", "low_confidence", "ood", "bad name", ""])
def test_route_named_like_a_reason_or_invalid(tmp_path: Path, name: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        read_routes({name: BILLING})
    assert repr(name) in str(info.value)
    if name:
        with pytest.raises(InvalidInputError, match=r"r\.csv line 2: .*" + repr(name)):
            read_routes(write(tmp_path, "r.csv", csv_rows([(t, name) for t in BILLING])))
        with pytest.raises(InvalidInputError, match=r"\[routes\." + name + r"\]"):
            read_routes(write(tmp_path, "r.toml", f'[routes."{name}"]\nexamples = ["a", "b", "c", "d", "e"]\n'))


def test_not_utf8_gives_the_byte_offset(tmp_path: Path) -> None:
    data = ("text,route\n" + "".join(f"{t},billing\n" for t in BILLING)).encode() + "café,billing\n".encode("latin-1")
    offset = data.index(b"\xe9")
    for name in ("r.csv", "r.toml", "r.jsonl"):
        with pytest.raises(InvalidInputError) as info:
            read_routes(write(tmp_path, name, data))
        message = str(info.value)
        assert f"expected UTF-8 text, got the byte 0xe9 at byte offset {offset} (line 8)" in message
        assert name in message


@pytest.mark.parametrize("name", ["routes.txt", "routes.json", "routes", "routes.yaml"])
def test_unknown_format(tmp_path: Path, name: str) -> None:
    with pytest.raises(
        InvalidInputError, match=r"unknown format .*expected a file ending in \.toml or \.csv or \.jsonl"
    ):
        read_routes(write(tmp_path, name, "anything"))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataNotFoundError, match="found none"):
        read_routes(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("r.toml", '[routes.billing\nexamples = ["a"]\n', r"invalid TOML: .*line 1"),
        (
            "r.toml",
            '[router]\nmodel = "x"\n',
            r"expected one \[routes.<name>\] table per route.*top-level keys: \['router'\]",
        ),
        ("r.toml", '[routes.billing]\nexample = ["a"]\n', r"\[routes.billing\]: unknown key\(s\) \['example'\]"),
        ("r.toml", '[routes.billing]\nexamples = "a"\n', r"\[routes.billing\] examples: expected a list of strings"),
        (
            "r.toml",
            "[routes.billing]\nexamples = [1, 2]\n",
            r"examples\[0\]: expected the example as a string, got int",
        ),
        ("r.toml", '[routes.billing]\nexamples = []\nupstream = "x"\n', r"upstream: expected a table"),
        ("r.toml", 'routes = "billing"\n', r"expected one \[routes.<name>\] table"),
        (
            "r.csv",
            "query,route\nhello,billing\n",
            r"r\.csv line 1: expected a header with the columns 'text' and 'route'.*missing \['text'\]",
        ),
        ("r.csv", "", r"line 1: expected a header"),
        (
            "r.csv",
            "text,route\nhello,billing\nhi,there,billing\n",
            r"r\.csv line 3: expected 2 fields \(text, route\), got 3",
        ),
        ("r.csv", 'text,route\n"never closed,billing\n', r"r\.csv line 2: malformed CSV in the record starting here"),
        ("r.csv", "text,route\nhello,\n", r"r\.csv line 2: expected a route name, got an empty route.*bench --data"),
        ("r.csv", "text,route\n", r"expected at least one example, got none"),
        (
            "r.jsonl",
            '{"text": "a", "route": "billing"}\n{"text": "b"\n',
            r"r\.jsonl line 2: expected one JSON object per line",
        ),
        ("r.jsonl", '{"text": "a"}\n', r"r\.jsonl line 1: expected an object with \"text\" and \"route\""),
        ("r.jsonl", '["a", "billing"]\n', r"line 1: expected an object"),
        ("r.jsonl", '{"text": "a", "route": 3}\n', r"line 1: expected route as a string, got 3"),
        ("r.jsonl", '{"text": 3, "route": "billing"}\n', r"line 1: expected the example as a string, got int"),
    ],
)
def test_malformed_files(tmp_path: Path, name: str, text: str, expected: str) -> None:
    with pytest.raises(InvalidInputError, match=expected):
        read_routes(write(tmp_path, name, text))


@pytest.mark.parametrize(
    "routes",
    [{}, {"billing": "one string"}, {"billing": [None] * 5}, {3: BILLING}],
)
def test_bad_mappings(routes: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(InvalidInputError, match="expected"):
        read_routes(routes)


# ------------------------------------------------------------------------------------------------- eval files
def test_labelled_rows_keep_order_duplicates_and_rejections(tmp_path: Path) -> None:
    csv_path = write(
        tmp_path, "eval.csv", 'text,route\nRefund my invoice,billing\n"What is 2+2?",\nRefund my invoice,billing\n'
    )
    rows = read_labelled(csv_path)
    assert [(r.text, r.route, r.where) for r in rows] == [
        ("Refund my invoice", "billing", f"{csv_path} line 2"),
        ("What is 2+2?", None, f"{csv_path} line 3"),
        ("Refund my invoice", "billing", f"{csv_path} line 4"),
    ]
    jsonl = write(tmp_path, "eval.jsonl", jsonl_rows([("Refund", "billing"), ("2+2?", None), ("Hi", "")]))
    assert [r.route for r in read_labelled(jsonl)] == ["billing", None, None]


def test_labelled_rows_refuse_toml_and_bad_names(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"expected a file ending in \.csv or \.jsonl"):
        read_labelled(write(tmp_path, "eval.toml", ""))
    with pytest.raises(InvalidInputError, match=r"eval\.csv line 2: .*'unsafe'"):
        read_labelled(write(tmp_path, "eval.csv", "text,route\nyou idiot,unsafe\n"))
