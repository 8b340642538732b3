"""docs/lado.md's library example runs as written."""

import re
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "lado.md"


def test_the_library_example_runs(tmp_path, monkeypatch):
    text = DOC.read_text(encoding="utf-8")
    code = re.search(r"## The library\n\n```python\n(.*?)```", text, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "spreadsheet.csv").write_text("received,agency,category\n05/01/2018,Police,enquiry\n")
    scope: dict = {}
    exec(compile(code, str(DOC), "exec"), scope)
    t = scope["t"]
    assert scope["s"].to_dict()["by_category"]["referral"] == 1
    assert scope["result"].dry_run and len(scope["result"].added) == 1
    assert '"reference": "L-2018-0001"' in scope["text"]
    assert t.deadline_rules().employer_report == "15 working days"
