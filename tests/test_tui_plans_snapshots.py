"""Snapshot tests of the reviews tree, the actions board and the dashboard at 80x24, on the seeded demo store
frozen at 15/06/2018.  The cursor does not blink and nothing shown comes from the clock.

After an intended change of look, review and refresh the pictures with
``pytest tests/test_tui_plans_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from test_tui_plans import app_for, make_demo, settle

# Every screen at the smallest size we support and at a roomy one (issue 17).
SIZES = [(80, 24), (160, 45)]
SIZE_IDS = ["80x24", "160x45"]


@pytest.fixture
def snap_compare(snap_compare, monkeypatch):
    """The plugin's comparison, with the pictures kept in tests/snapshots/<test file>/."""
    from pytest_textual_snapshot import SVGImageExtension

    def dirname(cls, *, test_location) -> str:
        return str(Path(test_location.filepath).parent / "snapshots" / test_location.basename)

    monkeypatch.setattr(SVGImageExtension, "dirname", classmethod(dirname))
    return snap_compare


@pytest.fixture
def demo(tmp_path):
    tracker = make_demo(tmp_path)
    yield tracker
    tracker.close()


def on_tab(app, workspace: str, *keys: str, then=None):
    """A ``run_before`` that shows ``workspace``, presses ``keys`` and calls ``then(app)``."""
    async def run_before(pilot):
        await settle(pilot)
        app.show_workspace(workspace)
        await settle(pilot)
        if then is not None:
            then(app)
            await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
    return run_before


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_reviews_tree_snapshot(snap_compare, demo, size):
    """SCR Dawn open at recommendation 3: two RED actions, one OVERDUE, one OFF TRACK."""
    app = app_for(demo)
    show = on_tab(app, "reviews", then=lambda a: a.screen.query_one("#reviews").tree.show(("action", "A-000009")))
    assert snap_compare(app, terminal_size=size, run_before=show)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_actions_board_snapshot(snap_compare, demo, size):
    """Every action not yet signed off, by RAG, overdue first; the preview of A-000009 below."""
    app = app_for(demo)
    assert snap_compare(app, terminal_size=size, run_before=on_tab(app, "actions"))


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_actions_board_by_agency_snapshot(snap_compare, demo, size):
    """The same board grouped by lead agency (t): agencies with overdue actions first."""
    app = app_for(demo)
    assert snap_compare(app, terminal_size=size, run_before=on_tab(app, "actions", "t"))


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_dashboard_snapshot(snap_compare, demo, size):
    """The first screen of the demo store: figures, actions by RAG, late reviews, contacts by month."""
    app = app_for(demo)
    assert snap_compare(app, terminal_size=size, run_before=on_tab(app, "dashboard"))
