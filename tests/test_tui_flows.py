"""Pilot tests of the LADO's flows in the TUI.  Each asserts what the store holds afterwards,
read back through a second tracker opened on the same file, not only what the screen says."""

from __future__ import annotations

import re
import threading
from datetime import date


import safeguard_tracker as st
from safeguard_tracker.errors import StoreWriteError
from safeguard_tracker.model import CategoryChange, MeetingKind, Outcome
from tui.app import LoadingScreen, TrackerApp
from tui.fields import FieldRow
from tui.forms import FormScreen
from tui.lado.detail import ContactScreen
from tui.main import MainScreen
from tui.testing import (app_for, field_error, fill, palette_pick, reread, run_coroutine_tests, screen_text, show,
                         status, type_in, wait_until)

TODAY = date(2018, 6, 15)


def first(tracker, **filters) -> st.Contact:
    return tracker.contacts(**filters)[0]


async def open_contact(pilot, ref: str) -> ContactScreen:
    pilot.app.open_reference(ref)
    await pilot.pause()
    assert isinstance(pilot.app.screen, ContactScreen)
    return pilot.app.screen


# --- quick add -----------------------------------------------------------------------------------

async def test_add_contact_from_the_queue(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot)
        assert isinstance(app.screen, MainScreen)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        await fill(pilot, "received_on", "yesterday")
        await fill(pilot, "agency", "prim", typed=True)       # any part of the name
        await fill(pilot, "category", "ref", typed=True)      # the first letters of the category
        await fill(pilot, "rationale", "meets the harm threshold")
        await fill(pilot, "summary", "pupil reports being grabbed")
        await fill(pilot, "subject_role", "PE teacher")
        await fill(pilot, "employer", "Brookfield Academy")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen), screen_text(app)
        ref = app.screen.reference
        assert "Added " + ref in status(app)
    with reread(demo) as other:
        c = other.get_contact(ref)
        assert c.received_on == date(2018, 6, 14)
        assert c.agency == "School - Primary"
        assert c.category is st.Category.REFERRAL
        assert c.category_history[0].rationale == "meets the harm threshold"
        assert c.subject.employer == "Brookfield Academy"
        assert c.subject.role == "PE teacher"
        assert [ch.field for ch in other.history(ref)] == ["*"]


async def test_add_shows_pattern_warnings_after_saving_without_blocking(demo):
    earlier = first(demo, status="closed")
    employer = earlier.subject.employer
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot)
        await pilot.press("a")
        await pilot.pause()
        await fill(pilot, "agency", earlier.agency)
        await fill(pilot, "employer", employer)
        await pilot.press("ctrl+s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ContactScreen)
        assert screen.warnings, "the demo has earlier contacts at this employer"
        assert "PATTERN WARNING" in screen_text(app)
        assert "PATTERN WARNING" in status(app)
        ref = screen.reference
    with reread(demo) as other:
        assert other.get_contact(ref).subject.employer == employer


async def test_add_validation_messages_sit_next_to_the_field_and_keep_the_input(demo):
    before = len(demo.contact_docs())
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot)
        await pilot.press("a")
        await pilot.pause()
        await fill(pilot, "received_on", "31/02/2018")
        await fill(pilot, "agency", "zzz")
        await fill(pilot, "summary", "kept text")
        await pilot.press("ctrl+s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FormScreen)
        errors = {row.spec.name: field_error(screen, row.spec.name) for row in screen.query(FieldRow)}
        assert "is not valid: a date" in errors["received_on"]     # the library's own words
        assert "zzz" in errors["agency"]
        assert errors["summary"] == ""
        assert screen.query_one("#field-summary").value == "kept text"
        assert "NOT SAVED" in screen_text(app)
        # Fixing the fields saves.
        await fill(pilot, "received_on", "14/06/2018")
        await fill(pilot, "agency", "police")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen)
        ref = app.screen.reference
    with reread(demo) as other:
        assert len(other.contact_docs()) == before + 1
        added = other.get_contact(ref)
        assert added.agency == "Police" and added.summary == "kept text"


async def test_category_without_rationale_is_refused_beside_the_rationale(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot)
        await pilot.press("a")
        await pilot.pause()
        await fill(pilot, "agency", "police")
        await fill(pilot, "category", "enq")
        await pilot.press("ctrl+s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FormScreen)
        assert "rationale" in field_error(screen, "rationale")


# --- the actions on a contact ---------------------------------------------------------------------

async def test_categorise_from_the_queue(demo):
    new = demo.add_contact(received_on="today", agency="Police", summary="waiting for a decision")
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot)
        queue = app.screen.query_one("#queue")
        assert queue.current_reference() == new.reference, "uncategorised contacts come first"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen)
        await pilot.press("c")
        await pilot.pause()
        await fill(pilot, "category", "cons")
        await fill(pilot, "rationale", "practice issue for the employer")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen)
        assert "categorised" in status(app) and new.reference in status(app)
    with reread(demo) as other:
        c = other.get_contact(new.reference)
        assert c.category is st.Category.CONSULTATION
        assert c.category_history[-1].kind is CategoryChange.CATEGORISED
        assert c.category_history[-1].rationale == "practice issue for the employer"
        assert c.category_history[-1].user == "a.lado"


async def test_escalate_asks_for_the_reason(demo):
    c0 = first(demo, status="open", category="consultation")
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_contact(pilot, c0.reference)
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.query_one("#field-to").value == "referral"
        await pilot.press("ctrl+s")          # no reason yet: refused beside the field
        await pilot.pause()
        assert app.screen is form
        assert "required" in field_error(form, "reason")
        await fill(pilot, "reason", "second allegation from another pupil")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen)
        assert "escalated from consultation to referral" in status(app)
    with reread(demo) as other:
        c = other.get_contact(c0.reference)
        assert c.category is st.Category.REFERRAL
        last = c.category_history[-1]
        assert last.kind is CategoryChange.ESCALATED
        assert last.from_ is st.Category.CONSULTATION
        assert last.rationale == "second allegation from another pupil"
        assert last.on == TODAY


async def test_record_a_jem(demo):
    c0 = next(c for c in demo.contacts(status="open", category="referral") if not c.meetings)
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_contact(pilot, c0.reference)
        await pilot.press("m")
        await pilot.pause()
        assert app.screen.query_one("#field-kind").value == "JEM"
        await fill(pilot, "held_on", "14/06/2018")
        await fill(pilot, "agencies_present", "Police, Employer, Ofsted")
        await fill(pilot, "decisions", "employer to investigate")
        await fill(pilot, "action", "share the investigation report")
        await fill(pilot, "action_owner", "Employer")
        await fill(pilot, "action_due", "29/06/2018")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen), screen_text(app)
        assert "JEM recorded" in status(app)
    with reread(demo) as other:
        m = other.get_contact(c0.reference).meetings[-1]
        assert m.kind is MeetingKind.JEM
        assert m.held_on == date(2018, 6, 14)
        assert m.agencies_present == ("Police", "Employer", "Ofsted")
        assert m.decisions == "employer to investigate"
        assert m.actions[0].description == "share the investigation report"
        assert m.actions[0].due_on == date(2018, 6, 29)


async def test_a_meeting_action_without_an_owner_is_refused_beside_the_owner(demo):
    c0 = next(c for c in demo.contacts(status="open", category="referral") if not c.meetings)
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_contact(pilot, c0.reference)
        await pilot.press("m")
        await pilot.pause()
        await fill(pilot, "action", "share the investigation report")
        await pilot.press("ctrl+s")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        assert "who does the action" in field_error(form, "action_owner")
        assert form.query_one("#field-action").value == "share the investigation report"
        # The library's own field name for it (actions[1].owner) lands on the same field.
        assert form._row_for("actions[1].owner") is form.row("action_owner")
        await fill(pilot, "action_owner", "Employer")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "when the action is due" in field_error(form, "action_due")
        await fill(pilot, "action_due", "29/06/2018")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen), screen_text(app)
    with reread(demo) as other:
        assert other.get_contact(c0.reference).meetings[-1].actions[0].owner == "Employer"


async def test_enters_queued_while_the_app_is_busy_each_move_one_field(demo):
    """Keys that arrive together (a fast typist, a busy app) land in the field they were meant for."""
    from textual import events
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot)
        await pilot.press("a")
        await pilot.pause()
        form = app.screen
        assert app.focused is form.query_one("#field-agency")

        def keys(text: str) -> None:                     # queued at once, no pause between them
            for char in text:
                key = {"\r": "enter", " ": "space"}.get(char, char)
                event = events.Key(key, char)
                event.set_sender(app)
                app._driver.send_message(event)

        # A value that makes no sense keeps its message (and the cursor) though the letters reach the
        # field after the Enter was taken.
        keys("zzz\r")
        await pilot.pause()
        await pilot.pause()
        assert "zzz" in field_error(form, "agency") and app.focused is form.query_one("#field-agency")
        form.query_one("#field-agency").value = ""
        # The letters before each Enter are in their field before it is judged, and the ones after
        # it land in the next field.
        keys("police\r\rx")
        await pilot.pause()
        await pilot.pause()
        assert form.query_one("#field-agency").value == "Police"
        assert form.query_one("#field-category").value == ""
        assert form.query_one("#field-rationale").value == "x"
        assert app.focused is form.query_one("#field-rationale")
        # Up to the save: what was typed just before ctrl+s is saved.
        form.query_one("#field-rationale").value = ""      # (a rationale needs a category)
        form.set_focus(form.query_one("#field-summary"))
        keys("typed fast")
        event = events.Key("ctrl+s", None)
        event.set_sender(app)
        app._driver.send_message(event)
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen), screen_text(app)
        ref = app.screen.reference
    with reread(demo) as other:
        c = other.get_contact(ref)
        assert c.agency == "Police" and c.summary == "typed fast"


async def test_add_a_note_with_enter(demo):
    c0 = first(demo, status="open")
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_contact(pilot, c0.reference)
        await pilot.press("n")
        await pilot.pause()
        await type_in(pilot, "Rang the employer, report promised Friday")
        await pilot.press("enter")   # Enter in the last field saves
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen)
        assert status(app).endswith(f"Note added to {c0.reference}")
        # The notes are the record's last section: scroll down to them and read the screen.
        record = app.screen.query_one("#record-scroll")
        assert app.focused is record
        await pilot.press("end")
        await wait_until(pilot, lambda: record.scroll_y == record.max_scroll_y, "the record scrolled to its end")
        assert "a.lado  Rang the employer, report promised Friday" in screen_text(app)
    with reread(demo) as other:
        note = other.get_contact(c0.reference).notes[-1]
        assert note.text == "Rang the employer, report promised Friday"
        assert note.user == "a.lado"


async def test_record_a_dbs_referral(demo):
    c0 = first(demo, status="open", category="referral")
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_contact(pilot, c0.reference)
        await pilot.press("d")
        await pilot.pause()
        assert app.screen.query_one("#field-body").value == "DBS"
        await fill(pilot, "reference_number", "DBS-77")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Referral to DBS recorded" in status(app)
    with reread(demo) as other:
        r = other.get_contact(c0.reference).regulator_referrals[-1]
        assert (r.body, r.on, r.reference) == ("DBS", TODAY, "DBS-77")


async def test_close_with_an_outcome_then_reopen(demo):
    c0 = first(demo, status="open", category="referral")
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_contact(pilot, c0.reference)
        await pilot.press("x")
        await pilot.pause()
        await fill(pilot, "outcome", "advice")   # not an allegation outcome: refused
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        await fill(pilot, "outcome", "unsub")
        await pilot.press("ctrl+s")
        question = f"Close {c0.reference} as UNSUBSTANTIATED on 15/06/2018? y/n"
        await wait_until(pilot, lambda: question in screen_text(app), "the closing asked by name")
        with reread(demo) as other:
            assert other.get_contact(c0.reference).closed_on is None     # nothing written before the answer
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, ContactScreen), "back on the record")
        assert isinstance(app.screen, ContactScreen), screen_text(app)
        assert "closed on 15/06/2018: unsubstantiated" in status(app)
        with reread(demo) as other:
            c = other.get_contact(c0.reference)
            assert c.outcome is Outcome.UNSUBSTANTIATED and c.closed_on == TODAY
        assert "CLOSED" in screen_text(app)
        await pilot.press("o")
        await pilot.pause()
        await fill(pilot, "reason", "new information from the police")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "reopened" in status(app)
    with reread(demo) as other:
        c = other.get_contact(c0.reference)
        assert c.closed_on is None and c.outcome is None
        assert c.reopenings[-1].reason == "new information from the police"
        assert c.reopenings[-1].previous_outcome is Outcome.UNSUBSTANTIATED


async def test_an_action_that_does_not_apply_says_why(demo):
    c0 = first(demo, status="open", category="referral")
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_contact(pilot, c0.reference)
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen)
        assert "only a closed contact can be reopened" in status(app)
        assert app.status_message[1] == "error"


async def test_escape_cancels_a_form_and_goes_back(demo):
    c0 = first(demo, status="open")
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_contact(pilot, c0.reference)
        await pilot.press("n")
        await type_in(pilot, "never saved")
        await pilot.press("escape")
        await wait_until(pilot, lambda: "Discard what you typed?" in screen_text(app), "the discard question")
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, ContactScreen), "back on the record")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
    with reread(demo) as other:
        assert other.get_contact(c0.reference).notes == c0.notes


async def test_edit_details_saves_only_what_changed(demo):
    c0 = first(demo, status="open", category="referral")
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_contact(pilot, c0.reference)
        await pilot.press("u")
        await pilot.pause()
        assert app.screen.query_one("#field-agency").value == c0.agency     # the form opens filled in
        await fill(pilot, "responded_on", "14/06/2018")
        await fill(pilot, "subject_role", "cover supervisor")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen), screen_text(app)
        assert "responded_on" in status(app) and "subject_role" in status(app)
    with reread(demo) as other:
        c = other.get_contact(c0.reference)
        assert c.responded_on == date(2018, 6, 14) and c.subject.role == "cover supervisor"
        assert c.agency == c0.agency and c.summary == c0.summary
        fields = {ch.field for ch in other.history(c0.reference)[-3:]}
        assert "responded_on" in fields and "agency" not in fields


async def test_suspension_and_police_from_the_record(demo):
    c0 = first(demo, status="open", category="referral")
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_contact(pilot, c0.reference)
        await pilot.press("s")
        await fill(pilot, "decision", "alt")
        await fill(pilot, "rationale", "moved to a role without contact with pupils")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Suspension decision (alternative) recorded" in status(app)
        await pilot.press("p")
        await fill(pilot, "police_reference", "CR/123/18")
        await fill(pilot, "s47_strategy_on", "13/06/2018")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Police involvement recorded" in status(app)
    with reread(demo) as other:
        c = other.get_contact(c0.reference)
        assert c.suspension[-1].decision.value == "alternative"
        assert c.police_involved and c.police_reference == "CR/123/18"
        assert c.s47_strategy_on == date(2018, 6, 13)


async def test_note_straight_from_the_queue(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot)
        ref = app.screen.query_one("#queue").current_reference()
        await pilot.press("n")
        await type_in(pilot, "chased by phone")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert status(app).endswith(f"Note added to {ref}")
    with reread(demo) as other:
        assert other.get_contact(ref).notes[-1].text == "chased by phone"


# --- save failures never lose the form -----------------------------------------------------------

async def test_concurrent_edit_is_a_conflict_and_the_form_keeps_its_input(demo):
    c0 = first(demo, status="open")
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_contact(pilot, c0.reference)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        await type_in(pilot, "my note")
        # Meanwhile another user saves a note on the same contact.
        with st.open_tracker(demo.path, user="b.lado") as other:
            other.add_note(c0.reference, "their note")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form, "the form stays open"
        assert form.query_one("#field-text").value == "my note"
        text = screen_text(app)
        assert "CONFLICT" in text and "b.lado" in text
        with reread(demo) as check:
            assert [n.text for n in check.get_contact(c0.reference).notes][-1] == "their note"
        # Taking in their change keeps the input; saving again works.
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert form.query_one("#field-text").value == "my note"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen)
    with reread(demo) as check:
        assert [n.text for n in check.get_contact(c0.reference).notes][-2:] == ["their note", "my note"]


async def test_a_store_write_failure_keeps_the_form(demo, monkeypatch):
    c0 = first(demo, status="open")

    def disk_full(*args, **kwargs):
        raise StoreWriteError("no space left on device while writing demo.json.journal")

    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_contact(pilot, c0.reference)
        await pilot.press("n")
        await type_in(pilot, "important")
        monkeypatch.setattr(demo, "add_note", disk_full)
        await pilot.press("ctrl+s")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.query_one("#field-text").value == "important"
        assert "NOT SAVED" in screen_text(app) and "no space left" in screen_text(app)
        monkeypatch.undo()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen)
    with reread(demo) as check:
        assert check.get_contact(c0.reference).notes[-1].text == "important"


# --- finding things ---------------------------------------------------------------------------------

async def test_filter_applies_as_you_type_and_opens_the_match(demo):
    target = first(demo, status="closed", category="referral")
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, "contacts")
        view = app.screen.query_one("#contacts")
        total = len(demo.contact_docs())
        assert f"of {total:,}" in screen_text(app)
        await pilot.press("slash")
        await type_in(pilot, target.reference[2:])      # "2017-0123": part of the reference
        await pilot.pause()
        assert view.pager.keys == [target.reference]
        assert "showing 1\u20131 of 1" in screen_text(app)
        await pilot.press("enter")                       # from the filter to the list
        await pilot.press("enter")                       # open the record
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen) and app.screen.reference == target.reference


async def test_structured_filters_and_sorting(demo):
    app = app_for(demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await show(pilot, "contacts")
        view = app.screen.query_one("#contacts")
        app.screen.query_one("#filter-category").value = "referral"
        app.screen.query_one("#filter-status").value = "open"
        app.screen.query_one("#filter-year").value = "2017-18"
        await pilot.pause()
        keys = list(view.pager.keys)
        assert keys
        docs = demo.contact_docs()
        assert all(docs[k]["category"] == "referral" and docs[k]["closed_on"] is None for k in keys)
        assert all("2017-04-01" <= docs[k]["received_on"] <= "2018-03-31" for k in keys)
        assert keys == [c.reference for c in sorted(demo.contacts(year="2017-18", category="referral", status="open"),
                                                    key=lambda c: (c.received_on, c.reference), reverse=True)]
        await pilot.press("tab")  # anywhere but a text field
        view.pager.focus_table()
        await pilot.press("greater_than_sign")   # received -> agency
        await pilot.pause()
        assert view.sort == "agency"
        agencies = [docs[k]["agency"] for k in view.pager.keys]
        order = list(demo.taxonomy.agencies)
        assert [order.index(a) for a in agencies] == sorted(order.index(a) for a in agencies)
        assert len(set(agencies)) > 1, "a reversal must be visible"
        rows = [(docs[k]["agency"], docs[k]["received_on"]) for k in view.pager.keys]   # the sort key
        await pilot.press("r")
        await pilot.pause()
        assert view.reverse
        assert sorted(view.pager.keys) == sorted(keys)
        assert [(docs[k]["agency"], docs[k]["received_on"]) for k in view.pager.keys] == rows[::-1]
        shown = list(dict.fromkeys(re.findall(r"L-\d{4}-\d{4}", screen_text(app))))   # the rows, top down
        assert len(shown) > 1 and shown == list(view.pager.keys[:len(shown)])


async def test_agency_filter_matches_part_of_the_name(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, "contacts")
        app.screen.query_one("#filter-agency").focus()
        await type_in(pilot, "secure")
        await pilot.pause()
        view = app.screen.query_one("#contacts")
        agencies = {demo.contact_docs()[k]["agency"] for k in view.pager.keys}
        assert agencies == {"Secure Estates (Medway Secure Training Centre)",
                            "Secure Estates (Youth Offending Institution)"}


async def test_paging_keeps_the_table_small(demo):
    app = app_for(demo, page_size=50)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, "contacts")
        view = app.screen.query_one("#contacts")
        table = view.pager.table
        assert table.row_count == 50
        first_page = list(view.pager.page_keys)
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert table.row_count == 50 and view.pager.page == 1
        assert "showing 51\u2013100 of" in screen_text(app)
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert view.pager.page_keys == first_page
        # Moving down past the last row brings the next page.
        table.move_cursor(row=49)
        await pilot.press("down")
        await pilot.pause()
        assert view.pager.page == 1 and table.cursor_row == 0


async def test_chase_list_enter_opens_the_record(demo):
    items = demo.due()        # the demo store, frozen at 15/06/2018, has deadlines long past
    assert items and items[0].overdue, "the deadline rules found nothing overdue in the demo store"
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, "chase")
        assert "OVERDUE" in screen_text(app) and items[0].reference in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen)
        assert app.screen.reference == items[0].reference


async def test_goto_a_reference(demo):
    ref = sorted(demo.contact_docs())[41]
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("g")
        await type_in(pilot, ref.lower()[2:])
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen) and app.screen.reference == ref


async def test_goto_an_action_by_its_short_reference_and_an_unknown_one(demo):
    from tui.plans.detail import ActionScreen
    action = demo.actions()[5]
    short = "a-" + str(int(action.reference[2:]))           # 'a-6' for A-000006
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("g")
        await type_in(pilot, short)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ActionScreen) and app.screen.reference == action.reference
        await pilot.press("escape")
        await pilot.press("g")
        await type_in(pilot, "2018-9999")
        await pilot.press("enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        assert "no contact with reference 'L-2018-9999'" in field_error(form, "reference")
        assert "NOT SAVED" not in screen_text(app) and "NOT OPENED" in screen_text(app)


async def test_the_palette_offers_no_contact_for_a_review_reference(demo):
    from tui.registry import REGISTRY
    review = demo.reviews()[0].reference                     # R-2017-001
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        titles = [c.title for source in REGISTRY.query_command_sources for c in source(app, review)]
        assert titles and not [t for t in titles if "L-" in t], titles
        assert any(t.startswith("Open ") and review in t for t in titles)
        titles = [c.title for source in REGISTRY.query_command_sources for c in source(app, "escalate 2016-9")]
        assert "Escalate L-2016-0009" in titles


async def test_command_palette_escalates_a_named_contact(demo):
    c0 = first(demo, status="open", category="consultation")
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await palette_pick(pilot, f"escalate {c0.reference}", f"Escalate {c0.reference}")
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen), "the escalation form opens")
        form = app.screen
        assert isinstance(form, FormScreen) and c0.reference in form.form_title
        await fill(pilot, "reason", "found by the palette")
        await pilot.press("ctrl+s")
        await pilot.pause()
    with reread(demo) as other:
        assert other.get_contact(c0.reference).category_history[-1].rationale == "found by the palette"


async def test_history_tab_shows_the_change_just_made(demo):
    c0 = first(demo, status="open", category="consultation")
    app = app_for(demo)
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.pause()
        await open_contact(pilot, c0.reference)
        await pilot.press("e")
        await fill(pilot, "reason", "history check")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        text = screen_text(app)
        assert "category: consultation \u2192 referral" in text
        assert "escalated: consultation \u2192 referral, because: history check" in text
        assert "a.lado" in text


# --- help and opening ---------------------------------------------------------------------------------

async def test_help_lists_every_binding(demo):
    from tui.help import own_bindings
    from tui.lado.views import ChaseView, ContactsView, QueueView
    from tui.forms import FormScreen as Form
    from tui.lado.privacy import RetentionScreen
    app = app_for(demo)
    async with app.run_test(size=(100, 150)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        for cls in (TrackerApp, ContactScreen, QueueView, ContactsView, ChaseView, Form, RetentionScreen):
            for b in own_bindings(cls):
                assert b.description in text, (cls.__name__, b.key)
        for word in ("Category", "Escalate", "JEM", "Note", "DBS", "Close", "Reopen", "Redact", "Retention",
                     "Command palette"):
            assert word.lower() in text.lower()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        await pilot.press("f1")
        await pilot.pause()
        assert "every key" in screen_text(app)


async def test_opening_a_store_shows_progress_then_the_queue(demo):
    release = threading.Event()
    seen = []

    def opener(progress):
        progress("reading demo.json")
        seen.append("opened")
        release.wait(120)            # held open until the test has seen the progress
        return demo

    app = TrackerApp(opener=opener, refresh_interval=None)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: "reading demo.json" in screen_text(app), "the progress message")
            assert isinstance(app.screen, LoadingScreen)
            release.set()
            await wait_until(pilot, lambda: app.first_screen_shown, "the first screen, loaded and painted")
            main = app.screen
            assert isinstance(main, MainScreen) and seen == ["opened"]
            assert main.active_view() is not None and main.active_view().loaded_version is not None
            assert "open " in screen_text(app).splitlines()[0]        # the top bar's counts
    finally:
        release.set()


async def test_a_store_that_cannot_open_exits_with_its_message(tmp_path):
    def opener(progress):
        raise st.StoreCorrupt("demo.json fails its checksum; the file has not been changed")

    app = TrackerApp(opener=opener, refresh_interval=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.open_error, "the store's message")
    assert "checksum" in app.open_error
    assert app.return_code == 1


async def test_q_quits_but_types_in_a_field(demo):
    c0 = first(demo, status="open")
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_contact(pilot, c0.reference)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen) and app.screen.is_mounted, "the note form")
        field = app.screen.query_one("#field-text")
        await wait_until(pilot, lambda: app.focused is field, "the note's field focused")
        await type_in(pilot, "q")
        await wait_until(pilot, lambda: field.value or app.return_code is not None, "the q lands somewhere")
        assert field.value == "q" and app.return_code is None
        await pilot.press("escape", "y", "escape")
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0



async def test_a_letter_read_before_the_form_has_its_focus_goes_into_its_field(demo, monkeypatch):
    """n, then q read by the app once the note form has mounted but before the focus it asked
    for has moved to its field (the app reads the next key as soon as the screen has mounted; on
    a busy machine the q is already waiting): the q is the note's first letter, not lost."""
    from textual import events
    c0 = first(demo, status="open")
    app = app_for(demo)
    real_on_mount = FormScreen.on_mount

    def on_mount(form) -> None:
        key = events.Key("q", "q")           # typed while the form was being built
        key.set_sender(app)
        app.post_message(key)
        real_on_mount(form)

    monkeypatch.setattr(FormScreen, "on_mount", on_mount)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_contact(pilot, c0.reference)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen) and app.screen.is_mounted, "the note form")
        form = app.screen
        field = form.query_one("#field-text")
        await wait_until(pilot, lambda: app.focused is field or app.return_code is not None, "the form's focus")
        await type_in(pilot, "x")            # typed after the q: once it is in, the q has gone wherever it went
        await wait_until(pilot, lambda: "x" in field.value or app.return_code is not None, "the x in the field")
        assert app.return_code is None, "the q quit the app"
        assert field.value == "qx"
        assert app.focused is field


run_coroutine_tests(globals())
