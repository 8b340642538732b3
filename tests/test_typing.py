"""The library is typed for the scripts that import it: ``py.typed`` ships, the package passes ``mypy --strict``,
an analyst's ordinary script type-checks clean, and an analyst's mistakes are caught (issue 18)."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "typing_cases"
ERROR = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+): error: (?P<text>.*)$", re.M)


def test_py_typed_ships_in_the_wheel():
    assert (ROOT / "safeguard_tracker" / "py.typed").is_file()
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]
    assert "py.typed" in data["setuptools"]["package-data"]["safeguard_tracker"]
    assert data["mypy"]["strict"] is True


def test_mypy_strict_on_the_package_and_an_analysts_scripts(tmp_path):
    """One mypy run (the project's [tool.mypy] config: --strict) over the package and the two analyst scripts."""
    run = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "cache"), "--no-error-summary",
                          "safeguard_tracker", str(CASES.relative_to(ROOT))],
                         cwd=ROOT, capture_output=True, text=True)
    assert "error: " in run.stdout or run.returncode == 0, run.stderr   # mypy itself ran
    errors = [(Path(m["path"]).as_posix(), int(m["line"]), m["text"]) for m in ERROR.finditer(run.stdout)]
    mistakes = (CASES / "analyst_mistakes.py").relative_to(ROOT).as_posix()
    elsewhere = [f"{p}:{n}: {t}" for p, n, t in errors if p != mistakes]
    assert elsewhere == [], "mypy --strict found:\n" + "\n".join(elsewhere)
    marked = {n for n, line in enumerate((CASES / "analyst_mistakes.py").read_text().splitlines(), 1)
              if "# E:" in line}
    caught = {n for p, n, _ in errors if p == mistakes}
    assert marked and caught == marked, (f"mistakes not caught on lines {sorted(marked - caught)}; "
                                         f"errors on unmarked lines {sorted(caught - marked)}\n{run.stdout}")
