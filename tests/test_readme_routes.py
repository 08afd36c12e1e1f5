"""The README's "Your own routes" section, run as written: the bash block (train from the example route file, bench
on the example eval file, serve and classify over HTTP) and the Python block, whose ``expr  # value`` lines must hold.

Only the install line is left out (the test environment has it); the commands run in a temporary directory (so
``my-router/`` is written there) with ``examples/`` pointing at the repository's, and the port moved to a free one.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from _readme import run_bash
from llm_server import free_port

pytestmark = [pytest.mark.slow, pytest.mark.serve]

ROOT = Path(__file__).resolve().parents[1]


def blocks(language: str) -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Your own routes")
    section = readme[start : readme.index("\n## ", start + 1)]
    found = re.findall(rf"```{language}\n(.*?)```", section, re.S)
    assert found, f"expected a {language} block in the README's 'Your own routes' section"
    return found


def test_route_section_bash_runs_as_written(tmp_path: Path) -> None:
    (block,) = blocks("bash")
    lines = block.strip().splitlines()
    assert lines[0] == 'pip install -e ".[train,serve]"'
    assert [line.split()[:2] for line in lines[1:4]] == [["gqr", "train"], ["gqr", "bench"], ["gqr", "serve"]]
    port = str(free_port())
    script = "\n".join(lines[1:]).replace("examples/", f"{ROOT / 'examples'}/").replace("8000", port)
    code, out, err = run_bash(script, cwd=tmp_path, tmp_path=tmp_path, drop_env=("GQR_DATA_DIR",))  # needs no data
    assert code == 0, f"exit {code} (-15: killed after 300 s)\n{out[-2000:]}\n{err[-3000:]}"
    assert (tmp_path / "my-router" / "my-router.json").is_file()
    assert "routes: billing, tech_support, sales" in out
    assert "harmonic mean" in out and "expected \\ decided" in out
    assert json.loads(out.strip().splitlines()[-1])["decision"]["route"] == "billing"


def test_route_section_python_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (block,) = blocks("python")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GQR_DATA_DIR", raising=False)
    namespace: dict[str, object] = {}
    checked = 0
    for line in block.replace('"examples/', f'"{ROOT / "examples"}/').splitlines():
        code, _, comment = line.partition("  # ")
        try:
            expected = ast.literal_eval(comment)
        except (ValueError, SyntaxError):
            exec(code, namespace)  # a statement, or a comment that is not a value
            continue
        assert eval(code, namespace) == expected, line
        checked += 1
    assert checked >= 3
