"""Pilot tests of the Learning Lessons flows in the TUI (part 2).  Each asserts what the store holds
afterwards, read back through a second tracker opened on the same file, not only the screen.

The demo store is frozen at 15/06/2018: SCR Dawn (R-2017-001) has A-000009 and A-000006 overdue
and A-000010 off track; A-000001 is complete with evidence, waiting for sign-off.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from datetime import date

import pytest

import safeguard_tracker as st
from safeguard_tracker.model import ActionStatus, RAG
from tui.app import TrackerApp
from tui.forms import FormScreen
from tui.main import MainScreen
from tui.plans.detail import ActionScreen
from tui.plans.tree import ReviewScreen
from tui import testing
from demo_store import demo_copy
from tui.testing import screen_text

TODAY = date(2018, 6, 15)


# --- helpers (the dashboard and reports tests import these) -----------------------------------------
def make_demo(tmp_path, user: str = "a.subgroup") -> st.Tracker:
    """The demo store at ``tmp_path``/demo.json opened by ``user``: a copy of the one this worker built."""
    return demo_copy(tmp_path / "demo.json", user=user)


def reread(tracker) -> st.Tracker:
    """A second tracker on the same file: what another user would see."""
    return st.open_tracker(tracker.path, user="checker")


def app_for(tracker, **kwargs) -> TrackerApp:
    return TrackerApp(tracker, refresh_interval=None, cursor_blink=False, **kwargs)


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.pause()


async def type_in(pilot, text: str) -> None:
    """Type ``text`` key by key, each key once the app has handled the last (tui.testing.type_in)."""
    await testing.type_in(pilot, text)


async def fill(pilot, name: str, text: str) -> None:
    """Replace form field ``name``'s value by typing ``text`` into it."""
    screen = pilot.app.screen
    assert isinstance(screen, FormScreen), screen
    field = screen.query_one(f"#field-{name}")
    field.focus()
    field.value = ""
    await pilot.pause()
    await type_in(pilot, text)


def field_error(screen: FormScreen, name: str) -> str:
    return str(screen.row(name).query_one(".field-error").render())


def field_note(screen: FormScreen, name: str) -> str:
    return str(screen.row(name).query_one(".field-note").render())


def status(app) -> str:
    return app.status_message[0]


async def tab(pilot, ws_id: str):
    pilot.app.show_workspace(ws_id)
    await settle(pilot)
    return pilot.app.screen.query_one(f"#{ws_id}")


async def open_action(pilot, ref: str) -> ActionScreen:
    pilot.app.open_reference(ref)
    await settle(pilot)
    assert isinstance(pilot.app.screen, ActionScreen), screen_text(pilot.app)
    return pilot.app.screen


def sync_tests(namespace: dict) -> None:
    """No async test plugin is installed: run each coroutine test in its own event loop."""
    def wrap(fn):
        @functools.wraps(fn)
        def run(*args, **kwargs):
            return asyncio.run(fn(*args, **kwargs))
        return run
    for name, fn in list(namespace.items()):
        if name.startswith("test_") and inspect.iscoroutinefunction(fn):
            namespace[name] = wrap(fn)


@pytest.fixture
def demo(tmp_path):
    tracker = make_demo(tmp_path)
    yield tracker
    tracker.close()


# --- adding a review, a recommendation and an action ------------------------------------------------

async def test_add_review_then_recommendation_then_action_from_the_tree(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = await tab(pilot, "reviews")
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        await fill(pilot, "name", "Robin")
        await fill(pilot, "kind", "ll")                 # the first letters: llr
        await fill(pilot, "themes", "neglect; the child's voice")
        await fill(pilot, "initiated_on", "01/05/2018")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen), screen_text(app)
        assert "Added LLR Robin" in status(app)
        robin = next(r for r in demo.reviews() if r.name == "Robin")
        assert view.tree.current == ("review", robin.reference), "the new review is highlighted"

        await pilot.press("r")
        await settle(pilot)
        await fill(pilot, "text", "Schools should record every missed appointment")
        await fill(pilot, "owner_agencies", "school - prim; police")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Added recommendation 1" in status(app), screen_text(app)
        assert view.tree.current == ("rec", robin.reference, 1)

        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        await fill(pilot, "description", "Audit attendance records")
        await fill(pilot, "lead_agency", "police")
        await fill(pilot, "lead_officer", "Sol Upton")
        await fill(pilot, "due", "3 months after initiation")
        await pilot.pause()
        # The relative date shows the date it resolves to, as typed.
        assert "01/08/2018" in field_note(form, "due")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen), screen_text(app)
        assert "due 01/08/2018" in status(app)

    with reread(demo) as other:
        r = other.get_review("LLR Robin")
        assert r.kind is st.ReviewKind.LLR and r.initiated_on == date(2018, 5, 1)
        assert r.themes == ("neglect", "the child's voice")
        rec = r.recommendation(1)
        assert rec.owner_agencies == ("School - Primary", "Police")
        [action] = other.actions(review=r.reference)
        assert action.description == "Audit attendance records"
        assert action.lead_agency == "Police" and action.lead_officer == "Sol Upton"
        assert action.due_on == date(2018, 8, 1)
        assert action.due_rule is not None and action.due_rule.event == "initiation"
        assert other.history(action.reference)[0].user == "a.subgroup"


async def test_add_action_validation_sits_beside_the_field_and_keeps_the_input(demo):
    before = len(demo.actions())
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await tab(pilot, "actions")
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        await fill(pilot, "review", "dawn")
        await fill(pilot, "recommendation", "9")
        await fill(pilot, "description", "kept text")
        await fill(pilot, "lead_agency", "zzz")
        await fill(pilot, "due", "sometime soon")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "zzz" in field_error(form, "lead_agency")
        assert form.query_one("#field-description").value == "kept text"
        assert "NOT SAVED" in screen_text(app)
        await fill(pilot, "lead_agency", "police")
        await pilot.press("ctrl+s")
        await settle(pilot)
        # The tracker's own checks land beside their fields too.
        assert app.screen is form
        errors = field_error(form, "recommendation") + field_error(form, "due")
        assert "recommendation" in errors or "3 months after publication" in errors
        await fill(pilot, "recommendation", "3")
        await fill(pilot, "due", "31/10/2018")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen), screen_text(app)
    with reread(demo) as other:
        assert len(other.actions()) == before + 1
        added = [a for a in other.actions(review="Dawn", recommendation=3) if a.description == "kept text"]
        assert added and added[0].due_on == date(2018, 10, 31)


# --- the steps on an action ----------------------------------------------------------------------------

async def test_progress_update_from_the_board(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        board = await tab(pilot, "actions")
        assert board.current_reference() == "A-000009", "the most overdue action comes first"
        await pilot.press("u")
        await settle(pilot)
        await fill(pilot, "text", "Mapping workshop booked for 20 June")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Update added to A-000009" in status(app)
        assert "now in progress" in status(app)
    with reread(demo) as other:
        a = other.get_action("A-000009")
        assert a.updates[-1].text == "Mapping workshop booked for 20 June"
        assert a.updates[-1].by == "a.subgroup" and a.updates[-1].on == TODAY
        assert a.status is ActionStatus.IN_PROGRESS


async def test_revise_due_date_asks_the_reason_and_keeps_the_original(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_action(pilot, "A-000006")
        await pilot.press("d")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        await fill(pilot, "to", "31/08/2018")
        await pilot.pause()
        assert "original 31/05/2018" in field_note(form, "to")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form, "no reason: not saved"
        assert "required" in field_error(form, "reason")
        assert form.query_one("#field-to").value == "31/08/2018"
        await fill(pilot, "reason", "the trust's committee meets in August")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ActionScreen)
        assert "now due 31/08/2018" in status(app)
        text = screen_text(app)
        assert "31/08/2018 (revised from 31/05/2018)" in text
        await pilot.press("h")                       # the audit history, in words
        await settle(pilot)
        words = " ".join(screen_text(app).replace("\u2502", " ").split())
        assert "due date revised 31/05/2018 \u2192 31/08/2018, because the trust's committee meets in August" in words
    with reread(demo) as other:
        a = other.get_action("A-000006")
        assert a.due_on == date(2018, 5, 31), "the original stays"
        assert a.current_due_on == date(2018, 8, 31)
        assert a.revisions[-1].reason == "the trust's committee meets in August"
        assert a.revisions[-1].from_ == date(2018, 5, 31)
        assert other.rag(a) is RAG.AMBER


async def test_complete_then_sign_off_asks_who_signs(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_action(pilot, "A-000006")
        await pilot.press("s")                       # not complete yet: refused, in words
        await settle(pilot)
        assert isinstance(app.screen, ActionScreen)
        assert "complete it first" in status(app)
        await pilot.press("c")
        await settle(pilot)
        await fill(pilot, "evidence", "Assurance report presented 14/06/2018")
        await fill(pilot, "impact_measure", "Re-audit of 10 cases in December")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "A-000006 complete on 15/06/2018: GREEN" in status(app)
        await pilot.press("s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        assert "who signs it off for the sub group" in screen_text(app)
        await fill(pilot, "by", "Chair of the sub group")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ActionScreen)
        assert "signed off by Chair of the sub group" in status(app)
        assert "BLUE" in screen_text(app)
    with reread(demo) as other:
        a = other.get_action("A-000006")
        assert a.status is ActionStatus.SIGNED_OFF
        assert a.completed_on == TODAY and a.evidence == "Assurance report presented 14/06/2018"
        assert a.impact_measure == "Re-audit of 10 cases in December"
        assert a.signed_off_by == "Chair of the sub group" and a.signed_off_on == TODAY
        assert other.rag(a) is RAG.BLUE


async def test_complete_with_a_follow_up(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_action(pilot, "A-000014")
        await pilot.press("c")
        await settle(pilot)
        await fill(pilot, "evidence", "event held, 60 attended")
        await fill(pilot, "follow_up", "Survey attendees again")
        await fill(pilot, "follow_up_after", "6 weeks")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "follow-up" in status(app), status(app)
    with reread(demo) as other:
        [follow] = [a for a in other.follow_ups("A-000014") if a.description == "Survey attendees again"]
        assert follow.due_on == date(2018, 7, 27)


async def test_sign_off_a_complete_action_from_the_tree(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = await tab(pilot, "reviews")
        view.tree.show(("action", "A-000001"))
        await settle(pilot)
        assert view.current_reference() == "A-000001"
        await pilot.press("s")
        await settle(pilot)
        await fill(pilot, "by", "J. Chair")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "signed off" in status(app)
        assert "BLUE" in str(view.tree.cursor_node.label)
    with reread(demo) as other:
        a = other.get_action("A-000001")
        assert a.status is ActionStatus.SIGNED_OFF and a.signed_off_by == "J. Chair"


async def test_flag_off_track_asks_the_reason(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_action(pilot, "A-000014")
        await pilot.press("f")
        await settle(pilot)
        form = app.screen
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and "required" in field_error(form, "reason")
        await fill(pilot, "reason", "venue cancelled")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "OFF TRACK" in status(app)
        assert "OFF TRACK" in screen_text(app)
    with reread(demo) as other:
        a = other.get_action("A-000014")
        assert a.off_track_reason == "venue cancelled"
        assert "venue cancelled" in a.updates[-1].text
        assert other.rag(a) is RAG.RED


async def test_evidence_and_impact_measure(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_action(pilot, "A-000011")
        await pilot.press("e")
        await settle(pilot)
        await fill(pilot, "evidence", "Protocol agreed by both areas")
        await fill(pilot, "impact_measure", "Audit of cross-border cases")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Evidence and impact measure recorded" in status(app)
    with reread(demo) as other:
        a = other.get_action("A-000011")
        assert a.evidence == "Protocol agreed by both areas"
        assert a.impact_measure == "Audit of cross-border cases"
        assert other.rag(a) is RAG.GREEN


async def test_a_conflicting_edit_keeps_the_form_and_shows_the_conflict(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_action(pilot, "A-000008")
        await pilot.press("u")
        await settle(pilot)
        form = app.screen
        await fill(pilot, "text", "my update")
        with reread(demo) as other:                 # another user saves first
            other.add_update("A-000008", "their update")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "CONFLICT" in screen_text(app)
        assert form.query_one("#field-text").value == "my update"
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ActionScreen)
    with reread(demo) as other:
        texts = [u.text for u in other.get_action("A-000008").updates]
        assert texts[-2:] == ["their update", "my update"]


# --- finding things ------------------------------------------------------------------------------------

async def test_board_filters_by_review_and_puts_overdue_first(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        board = await tab(pilot, "actions")
        board.query_one("#board-review").focus()
        await type_in(pilot, "dawn")
        await settle(pilot)
        refs = [k for k in board.pager.keys if not k.startswith("group:")]
        assert refs and all(demo.get_action(r).review == "R-2017-001" for r in refs)
        assert refs[:2] == ["A-000009", "A-000006"], "overdue first, most days late first"
        assert board.pager.keys[0] == "group:RED"
        assert "A-000013" not in refs, "signed off actions are not on the board"
        await pilot.press("enter")                   # from the filter to the list
        await pilot.press("t")                       # group by lead agency
        await settle(pilot)
        groups = [k for k in board.pager.keys if k.startswith("group:")]
        assert "group:Police" in groups and "group:RED" not in groups
        assert groups[0] in ("group:Medway Children's Services", "group:Medway NHS Foundation Trust")
        board.query_one("#board-agency").focus()
        await type_in(pilot, "police")
        await settle(pilot)
        assert [k for k in board.pager.keys if not k.startswith("group:")] == ["A-000010"]
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert len([k for k in board.pager.keys if not k.startswith("group:")]) == 16


async def test_board_officer_and_text_filters(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        board = await tab(pilot, "actions")
        board.set_filters(officer="wren")
        await settle(pilot)
        refs = [k for k in board.pager.keys if not k.startswith("group:")]
        assert refs and all("Wren" in demo.get_action(r).lead_officer for r in refs)
        board.set_filters(officer="", text="protocol")
        await settle(pilot)
        refs = [k for k in board.pager.keys if not k.startswith("group:")]
        assert refs and all("protocol" in demo.get_action(r).description.lower() for r in refs)


async def test_chase_list_opens_actions_and_reviews(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        chase = await tab(pilot, "chase")
        keys = list(chase.pager.keys)
        items = demo.due()
        index = next(i for i, item in enumerate(items) if item.reference.startswith("A-"))
        chase.pager.table.move_cursor(row=int(keys.index(str(index))))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ActionScreen) and app.screen.reference == items[index].reference
        await pilot.press("escape")
        await settle(pilot)
        index = next(i for i, item in enumerate(items) if item.reference.startswith("R-"))
        chase.pager.table.move_cursor(row=int(keys.index(str(index))))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen) and app.screen.reference == items[index].reference
        assert "Statutory dates" in screen_text(app)


async def test_palette_finds_a_review_and_steps_by_reference(demo):
    from tui.registry import REGISTRY
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        titles = [c.title for source in REGISTRY.query_command_sources for c in source(app, "dawn")]
        assert "SCR Dawn: its actions on the board, overdue first" in titles
        titles = [c.title for source in REGISTRY.query_command_sources for c in source(app, "sign off a-6")]
        assert titles == ["Sign off A-000006"]
        titles = [c.title for source in REGISTRY.query_command_sources for c in source(app, "A-000006")]
        assert "Open A-000006" in titles and "Revise A-000006" in titles
        command = next(c for source in REGISTRY.query_command_sources for c in source(app, "dawn")
                       if c.title == "SCR Dawn: its actions on the board, overdue first")
        command.run(app)
        await settle(pilot)
        board = app.screen.query_one("#actions")
        assert board.query_one("#board-review").value == "SCR Dawn"
        assert board.current_reference() == "A-000009"


async def test_tree_shows_statutory_dates_rag_words_and_revised_dates(demo):
    demo.revise_due("A-000012", "31/08/2018", "protocol delayed")
    app = app_for(demo)
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        view = await tab(pilot, "reviews")
        view.tree.show(("action", "A-000012"))
        view.tree.show(("review", "R-2017-002"))
        await settle(pilot)
        labels = {k: str(n.label) for k, n in view.tree.nodes_by_key.items()}
        assert "PUBLICATION OVERDUE 74d" in labels[("review", "R-2017-002")]
        assert "SCR" in labels[("review", "R-2017-002")] and "in progress" in labels[("review", "R-2017-002")]
        assert "RED" in labels[("action", "A-000009")] and "OVERDUE 46d" in labels[("action", "A-000009")]
        assert "Medway Children's Services" in labels[("action", "A-000009")]
        assert "31/08/2018 (revised)" in labels[("action", "A-000012")]
        assert "BLUE" in labels[("action", "A-000013")]
        text = screen_text(app)
        assert "Publication due 02/04/2018" in text


async def test_help_lists_the_plan_keys(demo):
    from tui.help import own_bindings
    from tui.plans.board import ActionsBoardView
    from tui.plans.tree import ReviewsView
    app = app_for(demo)
    async with app.run_test(size=(100, 200)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        text = screen_text(app)
        for cls in (ReviewsView, ActionsBoardView, ActionScreen, ReviewScreen):
            for b in own_bindings(cls):
                assert b.description in text, (cls.__name__, b.key)
        for words in ("Sign off", "Off track", "Due date", "Group"):
            assert words in text


async def test_plan_screens_fit_80_by_24_with_words_beside_colours(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await tab(pilot, "actions")
        text = screen_text(app)
        assert "RED" in text and "late" in text and "AMBER" in text
        await open_action(pilot, "A-000009")
        text = screen_text(app)
        assert "OVERDUE 46d" in text and "RED" in text
        assert "Update" in text.splitlines()[-1], "the steps are in the footer"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)


# --- the board's logic without the screen ------------------------------------------------------------

def test_board_keys_group_filter_and_order(demo):
    from tui.plans.data import BoardCriteria, PlansData
    data = PlansData(demo)
    keys = data.board_keys(BoardCriteria())
    assert keys[:4] == ["group:RED", "A-000009", "A-000006", "A-000010"]
    groups = [k for k in keys if k.startswith("group:")]
    assert groups == ["group:RED", "group:AMBER", "group:GREEN"], "no BLUE: signed off actions are not listed"
    everything = data.board_keys(BoardCriteria(signed_off=True))
    assert "group:BLUE" in everything and "A-000013" in everything
    by_agency = data.board_keys(BoardCriteria(), "agency")
    assert by_agency[0] == "group:Medway Children's Services" and by_agency[1] == "A-000009"
    # Words match the description (and updates, evidence...); within a group the earliest due first.
    assert data.board_keys(BoardCriteria(review="ellie", text="gp")) == ["group:AMBER", "A-000005", "group:GREEN",
                                                                          "A-000004", "A-000001"]
    assert data.board_keys(BoardCriteria(agency="nhs")) == ["group:RED", "A-000006"]
    assert data.board_keys(BoardCriteria(review="no such review")) == []
    with pytest.raises(ValueError):
        data.board_keys(BoardCriteria(), "officer")


sync_tests(globals())
