import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import safeguard_tracker as st  # noqa: E402

FIXED_TODAY = date(2018, 6, 15)


STORE_KINDS = ("file", "postgres")


def pytest_configure(config):
    config.addinivalue_line("markers", "file_store_only(reason): a test of what only the file store has (its journal, "
                                       "its lock file, its backups); it runs on the file store alone, and says why")


def pytest_generate_tests(metafunc):
    """Every test on the ``tracker`` fixture runs on both stores (``[file]`` and ``[postgres]``), unless it is
    marked ``file_store_only`` with its reason."""
    if "store_kind" in metafunc.fixturenames:
        only = metafunc.definition.get_closest_marker("file_store_only")
        if only is not None and not (only.args or only.kwargs.get("reason")):
            raise pytest.UsageError(f"{metafunc.definition.nodeid}: file_store_only needs its reason")
        metafunc.parametrize("store_kind", ("file",) if only is not None else STORE_KINDS)


def pytest_addoption(parser):
    parser.addoption("--full", action="store_true", default=False,
                     help="run the heavy fault-injection tests at full size (e.g. 200 kills)")


@pytest.fixture
def full(request) -> bool:
    return bool(request.config.getoption("--full"))


@pytest.fixture
def store_path(tmp_path) -> Path:
    return tmp_path / "store.json"


@pytest.fixture
def pg_url() -> str:
    """A new database on this worker's throwaway PostgreSQL cluster, holding the current schema."""
    from pg_cluster import cluster
    return cluster().new_database()


@pytest.fixture
def store_location(store_kind, store_path, request):
    """Where the ``tracker`` fixture's store is: a file, or a new database on the throwaway cluster."""
    return store_path if store_kind == "file" else request.getfixturevalue("pg_url")


@pytest.fixture
def tracker(store_location):
    """An empty store opened by the LADO, on each kind of store in turn (``store_kind``)."""
    with st.open_tracker(store_location, user="a.lado", today=lambda: FIXED_TODAY) as t:
        yield t


@pytest.fixture
def demo(tmp_path):
    """A fresh demo store (frozen at 15/06/2018) opened by the LADO; files needing another user define their own.
    (A copy of the demo this worker built once: what ``build_demo`` writes, without building it per test.)"""
    from demo_store import demo_copy
    tracker = demo_copy(tmp_path / "demo.json", user="a.lado")
    yield tracker
    tracker.close()


@pytest.fixture
def large_demo(demo, monkeypatch):
    """The demo store, with the TUI treating it as large: deadlines and sorting worked out in the background."""
    import tui.lado.data
    monkeypatch.setattr(tui.lado.data, "BACKGROUND_DUE_AT", 100)
    return demo


@pytest.fixture
def clock(monkeypatch):
    """Set the audit trail's clock: ``clock("2022-03-30")`` stamps every change after it on that day, so a test
    decides which day each change falls on (the store as of a day, ``Tracker.as_of``).  It starts on 30/03/2022.
    The records' own time stamps (a note's, a progress update's) follow the same clock, so two stores given the
    same edits hold the same bytes whichever second each edit fell in."""
    from datetime import datetime
    from safeguard_tracker import context as context_module
    from safeguard_tracker.store import transaction as transaction_module
    now = {"at": "2022-03-30T10:00:00+01:00"}
    monkeypatch.setattr(transaction_module, "now_iso", lambda: now["at"])
    monkeypatch.setattr(context_module.Context, "now", lambda self: datetime.fromisoformat(now["at"]))

    def set_day(day: str) -> None:
        now["at"] = f"{day}T10:00:00+01:00"
    return set_day
