"""Every public function of the API shows a runnable example, and every example runs (issue 18).

The examples are the docstrings' ``>>>`` blocks in the modules that make up ``Tracker`` (its own
module and every mixin's), plus ``open_tracker``, ``open_store``, ``default_store_path`` and
``Taxonomy``.  Each docstring is one case, run on its own fresh copy of the synthetic demo store
(frozen at 15/06/2018): the copy's folder is the working directory, ``t`` is a tracker opened on
``demo.json`` there by the LADO ``a.lado``, and nothing else is in scope, so an example is what an
analyst would type.  Cases share nothing, so they run in any order and under xdist.
"""

from __future__ import annotations

import doctest
import inspect
import shutil
from pathlib import Path
from types import ModuleType

import pytest

from safeguard_tracker import taxonomy
from safeguard_tracker import tracker as tracker_module
from safeguard_tracker.lado import figures
from safeguard_tracker.demo import build_demo
from safeguard_tracker.taxonomy import Taxonomy
from safeguard_tracker.tracker import ENV_DB, Tracker, open_tracker

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
STORE = "demo.json"
USER = "a.lado"


def _modules() -> list[ModuleType]:
    """The tracker package, the module of every class ``Tracker`` is made of, the taxonomy, and the analyst's
    figures (what the server store shows the analyst role)."""
    found = {tracker_module.__name__: tracker_module, taxonomy.__name__: taxonomy, figures.__name__: figures}
    for cls in Tracker.__mro__:
        module = inspect.getmodule(cls)
        if module is not None and module.__name__.startswith("safeguard_tracker."):
            found[module.__name__] = module
    return [found[name] for name in sorted(found)]


def _examples() -> dict[str, doctest.DocTest]:
    """Every docstring with examples in those modules, by its qualified name."""
    finder = doctest.DocTestFinder()
    return {test.name: test for module in _modules() for test in finder.find(module) if test.examples}


def _required() -> list[str]:
    """The qualified names that must show an example: each public member of Tracker, where it is defined,
    the three openers and Taxonomy's public methods."""
    names = [f"{tracker_module.__name__}.{f}" for f in ("default_store_path", "open_store", "open_tracker")]
    for cls in (Tracker, Taxonomy):
        for name in dir(cls):
            if name.startswith("_"):
                continue
            owner = next(c for c in cls.__mro__ if name in vars(c))
            member = inspect.getattr_static(cls, name)
            if callable(member) or isinstance(member, (property, classmethod, staticmethod)):
                names.append(f"{owner.__module__}.{owner.__qualname__}.{name}")
    return sorted(set(names))


EXAMPLES = _examples()


@pytest.fixture(scope="session")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store, built once per session (per xdist worker) and then only copied."""
    folder = tmp_path_factory.mktemp("demo")
    build_demo(folder / STORE, user=USER).close()
    return folder


def run_example(name: str, folder: Path) -> tuple[doctest.TestResults, str]:
    """Run one docstring's examples on a tracker opened on ``folder``'s store; return the results and report."""
    found = EXAMPLES[name]
    report: list[str] = []
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    with open_tracker(folder / STORE, user=USER) as t:
        test = doctest.DocTest(found.examples, {"t": t}, found.name, found.filename, found.lineno, found.docstring)
        runner.run(test, out=report.append)
    return doctest.TestResults(runner.failures, runner.tries), "".join(report)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_runs(name: str, demo_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = tmp_path / "store"
    shutil.copytree(demo_folder, case)
    monkeypatch.chdir(case)
    monkeypatch.delenv(ENV_DB, raising=False)     # restored after the case, whatever the example sets
    results, report = run_example(name, case)
    assert results.attempted > 0
    assert results.failed == 0, report


def test_every_public_function_shows_an_example() -> None:
    missing = [name for name in _required() if name not in EXAMPLES]
    assert missing == [], "no docstring example for:\n  " + "\n  ".join(missing)


def test_the_required_list_is_the_api() -> None:
    """The check above looks at what it should: Tracker's members where they are defined, and the openers."""
    required = _required()
    assert "safeguard_tracker.tracker.lado.LadoFace.add_contact" in required
    assert "safeguard_tracker.tracker.face.Face.user" in required              # a property
    assert "safeguard_tracker.tracker.plans.PlansFace.plan_rules" in required
    assert "safeguard_tracker.taxonomy.Taxonomy.from_file" in required          # a classmethod
    assert "safeguard_tracker.tracker.open_store" in required
    assert not any(name.rsplit(".", 1)[1].startswith("_") for name in required)
    assert len(required) > 90
