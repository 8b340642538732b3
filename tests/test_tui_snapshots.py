"""Snapshot tests of the queue, a contact and the help screen at 80x24.

The store is the seeded demo, frozen at 15/06/2018, plus one uncategorised contact.  Every
deadline shown is the deadline rules' own, worked out from the records (no due item is made up
here: a made-up one once showed an OVERDUE JEM on a consultation, which the rules cannot
produce).  The cursor does not blink.  Nothing shown comes from the clock: the audit times are on
the History tab, which these pictures do not show.

Snapshots live in tests/snapshots/; after an intended change of look, review and refresh them
with ``pytest tests/test_tui_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from safeguard_tracker.demo import build_demo
from tui.app import TrackerApp

TODAY = date(2018, 6, 15)

# Every screen at the smallest size we support and at a roomy one (issue 17).
SIZES = [(80, 24), (160, 45)]
SIZE_IDS = ["80x24", "160x45"]


@pytest.fixture
def snap_compare(snap_compare, monkeypatch):
    """The plugin's comparison, with the pictures kept in tests/snapshots/."""
    from pytest_textual_snapshot import SVGImageExtension

    def dirname(cls, *, test_location) -> str:
        return str(Path(test_location.filepath).parent / "snapshots" / test_location.basename)

    monkeypatch.setattr(SVGImageExtension, "dirname", classmethod(dirname))
    return snap_compare


@pytest.fixture
def demo(tmp_path):
    tracker = build_demo(tmp_path / "demo.json", user="a.lado")
    tracker.add_contact(received_on="14/06/2018", agency="School - Primary", summary="Parent reports a teaching "
                        "assistant shouted at their child.", subject_role="teaching assistant",
                        employer="Meadowbank Primary")
    yield tracker
    tracker.close()


def most_overdue_contact(tracker) -> str:
    """The contact whose deadline is the most overdue, by the deadline rules (the queue's first
    row after the uncategorised one)."""
    items = [i for i in tracker.due() if i.area == "lado"]
    assert items and items[0].overdue and items[0].as_of == TODAY, "the demo store has deadlines long past"
    return items[0].reference


def make_app(tracker) -> TrackerApp:
    return TrackerApp(tracker, refresh_interval=None, cursor_blink=False)


async def to_queue(pilot):
    """The queue tab (a store holding reviews may open on another area's tab)."""
    await pilot.pause()
    pilot.app.show_workspace("queue")
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_queue_snapshot(snap_compare, demo, size):
    assert snap_compare(make_app(demo), terminal_size=size, run_before=to_queue)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_detail_snapshot(snap_compare, demo, size):
    app = make_app(demo)

    async def open_first(pilot):
        await pilot.pause()
        app.open_reference(most_overdue_contact(demo))
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=open_first)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_help_snapshot(snap_compare, demo, size):
    assert snap_compare(make_app(demo), press=["question_mark"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_add_form_snapshot(snap_compare, demo, size):
    assert snap_compare(make_app(demo), press=["a", "p", "r", "i", "m"], terminal_size=size, run_before=to_queue)
