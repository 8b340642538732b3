import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import safeguard_tracker as st  # noqa: E402

FIXED_TODAY = date(2018, 6, 15)


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
def tracker(store_path):
    with st.open_tracker(store_path, user="a.lado", today=lambda: FIXED_TODAY) as t:
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
    decides which day each change falls on (the store as of a day, ``Tracker.as_of``).  It starts on 30/03/2022."""
    from safeguard_tracker.store import transaction as transaction_module
    now = {"at": "2022-03-30T10:00:00+01:00"}
    monkeypatch.setattr(transaction_module, "now_iso", lambda: now["at"])

    def set_day(day: str) -> None:
        now["at"] = f"{day}T10:00:00+01:00"
    return set_day
