"""``gqr.train_routes`` and ``gqr train --routes``: the glue from a route file to a loaded router. The trainer
(``gqr.train._routes.fit_routes``) is replaced by one that writes the toy model of tests/_router_model.py, so these
tests check what reaches it and what comes back, not the model."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import types
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from _router_model import CUSTOM, TRAIN, build_model
from typer.testing import CliRunner

import gqr
from gqr import InvalidInputError, MissingExtraError
from gqr.cli import app

REJECTS = ["off_topic", "unsafe", "other_language"]


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Replace the route trainer by a toy one; the list gets the arguments of each call."""
    seen: list[dict[str, Any]] = []

    def fit_routes(
        routes: Mapping[str, Sequence[str]],
        out_dir: Path,
        *,
        name: str = "my-router",
        threshold: float | None = None,
        seed: int = 0,
        descriptions: Mapping[str, str] | None = None,
    ) -> tuple[Path, Path]:
        seen.append(
            {"routes": dict(routes), "name": name, "threshold": threshold, "seed": seed, "descriptions": descriptions}
        )
        out_dir.mkdir(parents=True, exist_ok=True)
        train = {**TRAIN, **{route: list(examples) for route, examples in routes.items()}}
        card = build_model(out_dir, name, [*routes, *REJECTS], 0.5 if threshold is None else threshold, train)
        return card.with_suffix(".onnx"), card

    module = types.ModuleType("gqr.train._routes")
    module.fit_routes = fit_routes  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "gqr.train._routes", module)
    return seen


def route_file(tmp_path: Path) -> Path:
    path = tmp_path / "routes.toml"
    tables = [
        f'[routes.{route}]\ndescription = "{route} questions"\nexamples = [{", ".join(map(repr, examples))}]\n'
        for route, examples in CUSTOM.items()
    ]
    path.write_text("\n".join(tables).replace("\\'", "'"), encoding="utf-8")
    return path


def test_train_routes_returns_the_loaded_router(calls: list[dict[str, Any]], tmp_path: Path) -> None:
    router = gqr.train_routes(CUSTOM, tmp_path / "my-router", threshold=0.4, seed=3)
    assert isinstance(router, gqr.Router)
    assert router.name == "my-router"  # the name of the out directory
    assert router.routes == ("billing", "tech_support")
    assert (tmp_path / "my-router" / "my-router.json").is_file()
    assert router.classify("The app crashes when I open settings").route == "tech_support"
    assert router.classify("You stupid worthless idiot moron").reason == "unsafe"
    (call,) = calls
    assert call["routes"] == {route: tuple(examples) for route, examples in CUSTOM.items()}
    assert (call["name"], call["threshold"], call["seed"], call["descriptions"]) == ("my-router", 0.4, 3, {})


def test_the_out_directory_loads_as_the_model(calls: list[dict[str, Any]], tmp_path: Path) -> None:
    gqr.train_routes(CUSTOM, tmp_path / "my-router")
    assert gqr.load(f"{tmp_path / 'my-router'}/").routes == ("billing", "tech_support")
    assert gqr.load(tmp_path / "my-router").name == "my-router"
    with contextlib.chdir(tmp_path):
        assert gqr.load("my-router").name == "my-router"  # a directory here, without a trailing slash
    with pytest.raises(gqr.ModelNotFoundError, match="found 0"):
        gqr.load(tmp_path)
    gqr.train_routes(CUSTOM, tmp_path / "my-router", name="second")
    with pytest.raises(gqr.ModelNotFoundError, match=r"found 2: my-router\.json, second\.json; name the card"):
        gqr.load(tmp_path / "my-router")


def test_train_routes_from_a_file_passes_descriptions(calls: list[dict[str, Any]], tmp_path: Path) -> None:
    router = gqr.train_routes(route_file(tmp_path), tmp_path / "out", name="support")
    assert router.name == "support"
    assert calls[0]["descriptions"] == {"billing": "billing questions", "tech_support": "tech_support questions"}


@pytest.mark.parametrize("threshold", [-0.1, 1.5, True, "0.5"])
def test_bad_threshold_fails_before_training(calls: list[dict[str, Any]], tmp_path: Path, threshold: Any) -> None:
    with pytest.raises(InvalidInputError, match=r"threshold: expected a number in \[0, 1\]"):
        gqr.train_routes(CUSTOM, tmp_path, threshold=threshold)
    assert not calls


def test_bad_routes_fail_before_training(calls: list[dict[str, Any]], tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="'billing' has 2 distinct"):
        gqr.train_routes({"billing": CUSTOM["billing"][:2]}, tmp_path)
    assert not calls and not list(tmp_path.iterdir())


def trainer_importing(module: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Make ``gqr.train._routes`` a module whose import imports ``module``."""
    import gqr.train

    (tmp_path / "_routes.py").write_text(f"import {module}\n", encoding="utf-8")
    monkeypatch.delitem(sys.modules, "gqr.train._routes", raising=False)
    monkeypatch.setattr(gqr.train, "__path__", [str(tmp_path), *gqr.train.__path__])


def test_missing_train_extra_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    trainer_importing("surely_not_a_module_gqr", monkeypatch, tmp_path)
    with pytest.raises(MissingExtraError, match=r"'surely_not_a_module_gqr' is needed .* pip install 'gqr\[train\]'"):
        gqr.train_routes(CUSTOM, tmp_path / "out")


def test_a_missing_module_of_gqr_is_not_called_a_missing_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    trainer_importing("gqr.train._surely_not_there", monkeypatch, tmp_path)
    with pytest.raises(ModuleNotFoundError) as info:
        gqr.train_routes(CUSTOM, tmp_path / "out")
    assert not isinstance(info.value, MissingExtraError)


def test_cli_train_routes(calls: list[dict[str, Any]], tmp_path: Path) -> None:
    out = tmp_path / "my-router"
    args = ["train", "--routes", str(route_file(tmp_path)), "--out", str(out), "--threshold", "0.3", "--seed", "7"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert f"{out / 'my-router.json'}" in result.output and "routes: billing, tech_support" in result.output
    assert (calls[0]["name"], calls[0]["threshold"], calls[0]["seed"]) == ("my-router", 0.3, 7)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--routes", "r.toml", "--family", "svm"],
            "--routes takes --out, --name, --threshold and --seed, got also ['--family']",
        ),
        (["--routes", "r.toml", "--held-out", "-p", "C=1"], "got also ['--param', '--held-out']"),
        ([], "expected --family (one of"),
        (["--family", "svm", "--threshold", "0.5"], "--threshold is for --routes"),
        (["--routes", "nope.toml"], "expected a file at"),
        (["--routes", "r.txt"], "unknown format ('.txt')"),
    ],
)
def test_cli_train_routes_errors_exit_2(args: list[str], message: str, tmp_path: Path) -> None:
    (tmp_path / "r.txt").write_text("", encoding="utf-8")
    route_file(tmp_path).rename(tmp_path / "r.toml")
    command = [sys.executable, "-m", "gqr", "train", *args, "--out", str(tmp_path / "out")]
    result = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert not (tmp_path / "out").exists()
