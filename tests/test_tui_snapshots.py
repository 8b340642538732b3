"""Snapshot tests of the queue, a contact and the help screen at 80x24.

The store is the seeded demo, frozen at 15/06/2018, plus one uncategorised contact; the chase
items are fixed here (not computed by the deadline rules, which have their own tests), so the
pictures change only when the screens do.  The cursor does not blink.  Nothing shown comes from
the clock: the audit times are on the History tab, which these pictures do not show.

Snapshots live in tests/snapshots/; after an intended change of look, review and refresh them
with ``pytest tests/test_tui_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from safeguard_tracker.demo import build_demo
from safeguard_tracker.model.due import DueItem
from tui.app import TrackerApp

TODAY = date(2018, 6, 15)


@pytest.fixture
def snap_compare(snap_compare, monkeypatch):
    """The plugin's comparison, with the pictures kept in tests/snapshots/."""
    from pytest_textual_snapshot import SVGImageExtension

    def dirname(cls, *, test_location) -> str:
        return str(Path(test_location.filepath).parent / "snapshots" / test_location.basename)

    monkeypatch.setattr(SVGImageExtension, "dirname", classmethod(dirname))
    return snap_compare


@pytest.fixture
def demo(tmp_path, monkeypatch):
    tracker = build_demo(tmp_path / "demo.json", user="a.lado")
    tracker.add_contact(received_on="14/06/2018", agency="School - Primary", summary="Parent reports a teaching "
                        "assistant shouted at their child.", subject_role="teaching assistant",
                        employer="Meadowbank Primary")
    docs = tracker.contact_docs()
    open_refs = sorted(k for k, d in docs.items() if d.get("closed_on") is None and d.get("category"))
    picks = [(open_refs[0], "JEM (5 working days from referral)", date(2018, 6, 1)),
             (open_refs[1], "chase the employer's report (20 working days from request)", date(2018, 6, 8)),
             (open_refs[2], "respond to the referrer (1 working day)", TODAY),
             (open_refs[3], "JEM review (28 days after the meeting)", date(2018, 6, 18)),
             (open_refs[4], "resolve within 1 month of receipt", date(2018, 6, 21))]
    items = [DueItem(reference=r, what=w, due_on=d, as_of=TODAY, agency=docs[r]["agency"]) for r, w, d in picks]
    monkeypatch.setattr(tracker, "due", lambda *a, **k: list(items))
    tracker.snapshot_refs = [r for r, _, _ in picks]
    yield tracker
    tracker.close()


def make_app(tracker) -> TrackerApp:
    return TrackerApp(tracker, refresh_interval=None, cursor_blink=False)


async def to_queue(pilot):
    """The queue tab (a store holding reviews may open on another area's tab)."""
    await pilot.pause()
    pilot.app.show_workspace("queue")
    await pilot.pause()


def test_queue_snapshot(snap_compare, demo):
    assert snap_compare(make_app(demo), terminal_size=(80, 24), run_before=to_queue)


def test_detail_snapshot(snap_compare, demo):
    app = make_app(demo)

    async def open_first(pilot):
        await pilot.pause()
        app.open_reference(demo.snapshot_refs[0])
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_first)


def test_help_snapshot(snap_compare, demo):
    assert snap_compare(make_app(demo), press=["question_mark"], terminal_size=(80, 24))


def test_add_form_snapshot(snap_compare, demo):
    assert snap_compare(make_app(demo), press=["a", "p", "r", "i", "m"], terminal_size=(80, 24), run_before=to_queue)
