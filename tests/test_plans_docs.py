"""The library example in docs/plans.md runs as written (SCR Dawn's six recommendations)."""

import os
import re
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "plans.md"


def test_docs_example_runs_as_written(tmp_path):
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert blocks, "docs/plans.md has a python example"
    cwd = os.getcwd()
    os.chdir(tmp_path)   # the example writes plans.json in the current folder
    try:
        exec(compile(blocks[0], str(DOC), "exec"), {})
    finally:
        os.chdir(cwd)
    assert (tmp_path / "plans.json").exists()
