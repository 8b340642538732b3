"""The dashboard: the first screen for a store holding reviews; its figures against the store; its
chart.  Its snapshot at 80x24 is in test_tui_plans_snapshots.py."""

from __future__ import annotations

import re
from datetime import date

import pytest

import safeguard_tracker as st
from safeguard_tracker.model import RAG
from tui.dashboard.data import month_columns, nice_top, scale
from tui.main import MainScreen
from tui.testing import screen_text

from test_tui_plans import app_for, make_demo, settle, sync_tests


@pytest.fixture
def demo(tmp_path):
    tracker = make_demo(tmp_path)
    yield tracker
    tracker.close()


def active_tab(app) -> str:
    return app.screen.query_one("#workspaces").active


async def test_a_store_with_reviews_opens_on_the_dashboard(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert active_tab(app) == "tab-dashboard"
        text = screen_text(app)
        assert "Dashboard" in text.splitlines()[1] and "Queue" in text.splitlines()[1], "a tab beside the queue"


async def test_a_store_without_reviews_opens_on_the_queue(tmp_path):
    with st.open_tracker(tmp_path / "lado.json", user="a.lado", today=lambda: date(2018, 6, 15)) as tracker:
        tracker.add_contact(received_on="14/06/2018", agency="Police", summary="synthetic")
        app = app_for(tracker)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert active_tab(app) == "tab-queue"


async def test_figures_match_the_store(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = app.screen.query_one("#dashboard")
        f = view.figures
        docs = demo.contact_docs()
        assert f.open_contacts == sum(1 for d in docs.values() if d.get("closed_on") is None)
        items = demo.due()
        assert f.overdue == sum(1 for i in items if i.overdue)
        assert f.overdue_by_area["action"] == sum(1 for i in items if i.overdue and i.area == "action") == 2
        assert f.rag == {k: len(demo.actions(rag=k.value)) for k in RAG}
        assert f.rag[RAG.RED] == 3
        assert [(d.title, d.what) for d in f.late_deadlines] == [("SCR Jay", "Publication")]
        assert f.late_deadlines[0].days == (date(2018, 6, 15) - date(2018, 4, 2)).days
        # Contacts by month: the financial year so far against the same months of the year before.
        this = sum(1 for d in docs.values() if "2018-04-01" <= d["received_on"] <= "2018-06-30")
        last = sum(1 for d in docs.values() if "2017-04-01" <= d["received_on"] <= "2017-06-30")
        assert f.year == "2018-19" and f.months_so_far == 3
        assert f.year_to_date == (this, last)
        assert sum(m[2] for m in f.by_month) == sum(1 for d in docs.values()
                                                    if "2017-04-01" <= d["received_on"] <= "2018-03-31")
        text = screen_text(app)
        # The overdue figures as the screen shows them: the total, then by area, from the store's own due list.
        by_area = {area: sum(1 for i in items if i.overdue and i.area == area) for area in ("lado", "action", "review")}
        overdue = sum(by_area.values())
        assert overdue == sum(1 for i in items if i.overdue) and overdue > by_area["action"] > 0
        assert re.search(rf"^ OVERDUE items +{overdue:,} ", text, re.MULTILINE), text
        assert (f"LADO {by_area['lado']} \u00b7 actions {by_area['action']} \u00b7 reviews {by_area['review']}"
                in text)
        assert "SCR Jay: publication OVERDUE 74d" in text
        assert "RED" in text and "AMBER" in text and "GREEN" in text and "BLUE" in text
        assert "Contacts by month" in text and "\u2588" in text and "\u2591" in text
        assert f"2018-19 to date: {this:,}" in text


async def test_the_dashboard_follows_changes(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = app.screen.query_one("#dashboard")
        red = view.figures.rag[RAG.RED]
        demo.flag_off_track("A-000014", "venue cancelled")
        app.data_changed()
        await settle(pilot)
        assert view.figures.rag[RAG.RED] == red + 1


async def test_dashboard_keys_go_to_the_lists(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        assert active_tab(app) == "tab-actions"
        assert app.screen.query_one("#actions").current_reference() == "A-000009"
        app.show_workspace("dashboard")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert active_tab(app) == "tab-chase"


def test_chart_scales_to_a_round_top_and_leaves_future_months_empty():
    assert nice_top(7) == 10 and nice_top(56) == 60 and nice_top(61) == 80 and nice_top(101) == 150
    assert scale(0, 60, 8) == 0 and scale(1, 60, 8) == 1 and scale(60, 60, 8) == 8
    months = tuple((m, 30, 20) for m in ("Apr", "May", "Jun", "Jul"))
    top, cols = month_columns(months, 8, months_so_far=2)
    assert top == 30
    assert cols == [(8, 5), (8, 5), (0, 5), (0, 5)]


sync_tests(globals())
