"""Issue 17, the sub group's screens: the board grouped by agency, the room a wide terminal gives,
the board's counts, the review kind list and a review's status following its dates.

Each test checks the screen and what the store holds (read back through a second tracker).  The
demo store is frozen at 15/06/2018: 16 actions are not yet signed off, 5 of them led by Medway
Children's Services; A-000005 (SCR Ellie) is "Audit GP registrations of newly arrived children under
the revised protocol".
"""

from __future__ import annotations

import pytest

from safeguard_tracker.model import ActionStatus, ReviewStatus
from tui.forms import FormScreen
from tui.main import MainScreen
from tui.testing import field_note, fill, screen_text, status, wait_until

from test_tui_plans import app_for, make_demo, reread, settle, sync_tests, tab

A5 = "Audit GP registrations of newly arrived children under the revised protocol"


@pytest.fixture
def demo(tmp_path):
    tracker = make_demo(tmp_path)
    yield tracker
    tracker.close()


def lines(app) -> list[str]:
    return screen_text(app).splitlines()


# --- the actions board ---------------------------------------------------------------------------------

async def test_board_counts_agree_and_an_agency_heading_is_one_line_at_80_and_160(demo):
    store = reread(demo)
    listed = [a for a in store.actions() if a.status is not ActionStatus.SIGNED_OFF]
    children = [a for a in listed if a.lead_agency == "Medway Children's Services"]
    assert (len(listed), len(children)) == (16, 5)
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        board = await tab(pilot, "actions")
        text = screen_text(app)
        # Both counts count actions, say so, and agree with the store (the 3 RAG headings are rows, not actions).
        assert f"{len(listed)} action(s) not yet signed off" in text, text
        assert f"showing actions 1\u2013{len(listed)} of {len(listed)}" in text, text

        await pilot.press("t")                                      # group by lead agency
        await wait_until(pilot, lambda: board.group_by == "agency", "the board groups by agency")
        await settle(pilot)
        heading = next((ln for ln in lines(app) if f"({len(children)})" in ln), "")
        assert "Medway Children's Services" in heading, f"the agency's name on one line: {heading!r}"
        assert f"showing actions 1\u2013{len(listed)} of {len(listed)}" in screen_text(app)
        # On a heading the preview names the group whole, with its counts.
        board.pager.table.move_cursor(row=0)
        await settle(pilot)
        assert f"Medway Children's Services: {len(children)} action(s), 1 OVERDUE" in screen_text(app)

        await pilot.resize_terminal(160, 45)
        await wait_until(pilot, lambda: any(A5 in ln for ln in lines(app)),
                         "at 160 columns the action's text is shown whole")
        heading = next(ln for ln in lines(app) if "Medway Clinical Commissioning Group (CCG)" in ln)
        assert "(3)" in heading, heading
        await pilot.press("t")                                      # by RAG again: review, agency, action
        await wait_until(pilot, lambda: board.group_by == "rag", "the board groups by RAG")
        await settle(pilot)
        row = next(ln for ln in lines(app) if "A-000005" in ln)
        assert "SCR Ellie" in row and A5 in row, row
        assert store.get_action("A-000005").description == A5


# --- the reviews tree ----------------------------------------------------------------------------------------

async def test_tree_uses_the_width_it_has_and_marks_a_cut(demo):
    app = app_for(demo)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        view = await tab(pilot, "reviews")
        view.tree.show(("action", "A-000005"))
        await wait_until(pilot, lambda: view.tree.current == ("action", "A-000005"), "the cursor on A-000005")
        await settle(pilot)
        row = next(ln for ln in lines(app) if "A-000005" in ln)
        assert A5 in row and "Medway Clinical Commissioning Group (CCG)" in row, row
        await pilot.resize_terminal(80, 24)
        await wait_until(pilot, lambda: A5 not in screen_text(app), "at 80 columns the text is cut")
        await settle(pilot)
        row = next(ln for ln in lines(app) if "A-000005" in ln)
        assert row.rstrip().endswith("\u2026") and len(row) <= 80, f"a cut is visible as one: {row!r}"
        assert reread(demo).get_action("A-000005").description == A5


# --- a new review: every kind listed, the status following the dates -----------------------------------------

async def test_review_kinds_all_listed_and_status_follows_the_initiation_date(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = await tab(pilot, "reviews")
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen), "the New review form opens")
        form = app.screen
        await fill(pilot, "name", "Fox")
        await fill(pilot, "kind", "")
        await settle(pilot)
        note = field_note(form, "kind")
        assert all(k in note for k in ("scr", "lcspr", "rapid_review", "llr", "audit", "dhr", "other_board")), note
        assert "more" not in note, note
        await fill(pilot, "kind", "scr")
        await fill(pilot, "known_on", "01/05/2018")
        await fill(pilot, "notified_on", "04/05/2018")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), "the form saves")
        assert "Added SCR Fox" in status(app), status(app)
        fox = next(r for r in reread(demo).reviews() if r.name == "Fox")
        assert fox.status is ReviewStatus.NOTIFIED

        # The Panel decided on a review and it was initiated: the status moves on without being told.
        view.tree.show(("review", fox.reference))
        await wait_until(pilot, lambda: view.tree.current == ("review", fox.reference), "the cursor on SCR Fox")
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen), "the Edit form opens")
        await fill(pilot, "decision_on", "25/05/2018")
        await fill(pilot, "initiated_on", "01/06/2018")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), "the edit saves")
        assert reread(demo).get_review(fox.reference).status is ReviewStatus.IN_PROGRESS
        await wait_until(pilot, lambda: any("SCR Fox" in ln and "in progress" in ln for ln in lines(app)),
                         "the tree shows SCR Fox in progress")

        # A new review entered with its initiation date starts in progress.
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen), "the New review form opens")
        await fill(pilot, "name", "Wren")
        await fill(pilot, "kind", "lcspr")
        await fill(pilot, "initiated_on", "04/06/2018")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), "the form saves")
        wren = next(r for r in reread(demo).reviews() if r.name == "Wren")
        assert wren.status is ReviewStatus.IN_PROGRESS
        await wait_until(pilot, lambda: any("LCSPR Wren" in ln and "in progress" in ln for ln in lines(app)),
                         "the tree shows LCSPR Wren in progress")


def test_the_library_moves_a_review_on_when_it_is_initiated(demo):
    """The rule behind the screen: an initiation date moves a notified or rapid review stage on to in
    progress, unless a status is given with it; a publication date still moves it to published."""
    t = demo
    leo = t.get_review("Rapid Review Leo")
    assert leo.status is ReviewStatus.RAPID_REVIEW
    assert t.update_review(leo.reference, initiated_on="14/06/2018").status is ReviewStatus.IN_PROGRESS
    assert t.add_review(name="Ash", kind="scr", initiated_on="01/06/2018").status is ReviewStatus.IN_PROGRESS
    kept = t.add_review(name="Bay", kind="scr", initiated_on="01/06/2018", status="notified")
    assert kept.status is ReviewStatus.NOTIFIED, "a status given with the date is kept"
    assert t.update_review(kept.reference, chair="Oren Milsom").status is ReviewStatus.NOTIFIED, \
        "only a change of the initiation date moves it on"
    both = t.add_review(name="Cove", kind="scr", initiated_on="01/01/2018", published_on="01/06/2018")
    assert both.status is ReviewStatus.PUBLISHED
    assert reread(t).get_review(leo.reference).status is ReviewStatus.IN_PROGRESS


sync_tests(globals())
