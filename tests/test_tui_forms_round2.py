"""Issue 17, the frictions every form shares: Escape asks before it discards what was typed, an
ambiguous beginning ("subs") is refused with the names it could be, a date of birth never offers
"today", Go to says what ctrl+s does there (open), and a long form (Edit) keeps every field and its
label on the screen at 80x24.  Each Pilot test asserts the store, read back by another user, and
what the screen says."""

from __future__ import annotations

import asyncio

import safeguard_tracker as st
from tui.fields import ChoiceSuggester, resolve_choice
from tui.forms import DiscardScreen, FormScreen
from tui.lado.detail import ContactScreen
from tui.testing import (app_for, field_error, field_note, fill, reread, run_coroutine_tests, screen_text, status,
                         type_in, wait_until)

OUTCOMES = ["substantiated", "false", "malicious", "unsubstantiated", "unfounded"]
SUSPENSION = ["suspended", "alternative", "not_suspended"]
AGENCIES = list(st.Taxonomy())


def test_a_beginning_that_could_name_two_choices_names_none():
    assert resolve_choice("subs", OUTCOMES) is None              # or UNsubstantiated
    assert resolve_choice("susp", SUSPENSION) is None            # or not_suspended
    assert resolve_choice("unsubs", OUTCOMES) == "unsubstantiated"
    assert resolve_choice("fa", OUTCOMES) == "false"
    assert resolve_choice("substantiated", OUTCOMES) == "substantiated"    # the whole name always
    assert resolve_choice("prim", AGENCIES) == "School - Primary"         # unique: still taken
    assert resolve_choice("pol", AGENCIES) == "Police"
    assert resolve_choice("r", ["enquiry", "consultation", "referral"]) == "referral"
    assert resolve_choice("pro", AGENCIES) is None              # Probation or Transport Provider


def test_no_greyed_suggestion_for_an_ambiguous_beginning():
    suggest = ChoiceSuggester(OUTCOMES).get_suggestion
    assert asyncio.run(suggest("subs")) is None
    assert asyncio.run(suggest("unsu")) == "unsubstantiated"
    assert asyncio.run(suggest("Mal")) == "Malicious"            # what was typed is kept as typed


async def open_form(pilot, key: str) -> FormScreen:
    await pilot.press(key)
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, FormScreen) and app.screen.is_mounted, f"the form ({key})")
    return app.screen


async def test_escape_asks_before_discarding_what_was_typed(demo):
    c0 = demo.contacts(status="open")[0]
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.open_reference(c0.reference)
        await wait_until(pilot, lambda: isinstance(app.screen, ContactScreen), "the record")
        record = app.screen
        # Untouched: Escape closes at once.
        await open_form(pilot, "n")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is record, "the untouched form closes")
        # Typed into: Escape asks; n goes back with the input kept.
        form = await open_form(pilot, "n")
        await type_in(pilot, "half typed")
        field = form.query_one("#field-text")
        await wait_until(pilot, lambda: field.value == "half typed", "the text in the field")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, DiscardScreen), "the question")
        assert "Discard what you typed? y/n" in screen_text(app)
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is form, "back to the form")
        assert field.value == "half typed"
        # Escape on the question also goes back; q there does not quit.
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, DiscardScreen), "the question again")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is form, "back to the form again")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, DiscardScreen), "the question a third time")
        await pilot.press("q")
        await wait_until(pilot, lambda: app.screen is form, "q answers no")
        assert app.return_code is None and field.value == "half typed"
        # y discards.
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, DiscardScreen), "the question, to say y")
        await pilot.press("y")
        await wait_until(pilot, lambda: app.screen is record, "the form discarded")
        assert "discarded: nothing was saved" in status(app)
    with reread(demo) as other:
        assert other.get_contact(c0.reference).notes == c0.notes
        assert other.get_contact(c0.reference).rev == c0.rev


async def test_an_ambiguous_outcome_is_refused_with_both_names(demo):
    c0 = demo.contacts(status="open", category="referral")[0]
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.open_reference(c0.reference)
        await wait_until(pilot, lambda: isinstance(app.screen, ContactScreen), "the record")
        form = await open_form(pilot, "x")
        await fill(pilot, "outcome", "subs", typed=True)
        field = form.query_one("#field-outcome")
        await wait_until(pilot, lambda: field.value == "subs", "subs typed")
        assert "unsubstantiated" in field_note(form, "outcome")
        assert field._suggestion == "", "no greyed word for a beginning that names two"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: field_error(form, "outcome"), "the outcome refused")
        message = field_error(form, "outcome")
        assert "substantiated" in message.replace("unsubstantiated", "") and "unsubstantiated" in message
        assert app.screen is form and field.value == "subs", "the form stays, with what was typed"
        assert "NOT SAVED" in screen_text(app)
        with reread(demo) as other:
            still = other.get_contact(c0.reference)
            assert still.closed_on is None and still.outcome is None and still.rev == c0.rev
        # Typed further, it is one name, and that one is saved.
        await fill(pilot, "outcome", "unsubs", typed=True)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is not form, "the form saves or asks")
        if app.screen.id == "confirm":                         # "Close ... as UNSUBSTANTIATED? y/n"
            await pilot.press("y")
        await wait_until(pilot, lambda: "closed" in status(app), "the close confirmed")
        assert "unsubstantiated" in status(app)
    with reread(demo) as other:
        assert other.get_contact(c0.reference).outcome is st.Outcome.UNSUBSTANTIATED


async def test_add_form_prefix_shown_whole_and_date_of_birth_in_the_past(demo):
    before = len(demo.contacts())
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.show_workspace("queue")
        await pilot.pause()
        form = await open_form(pilot, "a")
        dob = form.query_one("#field-subject_dob")
        assert "today" not in dob.placeholder
        await fill(pilot, "agency", "prim", typed=True)
        await fill(pilot, "subject_dob", "today", typed=True)
        await wait_until(pilot, lambda: dob.value == "today", "today typed as a date of birth")
        assert "15/06/2018 is not in the past" in field_note(form, "subject_dob")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: field_error(form, "subject_dob"), "the date of birth refused")
        assert "a date of birth before the contact was received" in field_error(form, "subject_dob")
        assert form.query_one("#field-agency").value == "School - Primary", "the full name it resolved to"
        assert app.screen is form and "School - Primary" in screen_text(app)
        assert len(reread(demo).contacts()) == before
        await fill(pilot, "subject_dob", "01/02/1980")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is not form, "the form saves")
        ref = status(app).split()[2]
    with reread(demo) as other:
        added = other.get_contact(ref)
        assert added.agency == "School - Primary"
        assert added.subject.date_of_birth.isoformat() == "1980-02-01"
        assert len(other.contacts()) == before + 1


async def test_edit_form_labels_whole_and_last_field_on_screen_at_80x24(demo):
    c0 = demo.contacts(status="open")[0]
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.open_reference(c0.reference)
        await wait_until(pilot, lambda: isinstance(app.screen, ContactScreen), "the record")
        form = await open_form(pilot, "u")
        assert "today" not in form.query_one("#field-subject_dob").placeholder
        last = form.query_one("#field-disciplinary")
        last.focus()
        await wait_until(pilot, lambda: "Disciplinary" in screen_text(app), "the last field scrolled into view")
        text = screen_text(app)
        assert "Employer outcome" in text, "the label whole, not a second 'Employer'"
        assert "ctrl+s save" in text, "the keys line stays on the screen"
        await type_in(pilot, "final written warning")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is not form, "the edit saves")
    with reread(demo) as other:
        assert other.get_contact(c0.reference).disciplinary == "final written warning"


async def test_go_to_says_open_not_save(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        form = await open_form(pilot, "g")
        text = screen_text(app)
        assert "ctrl+s open" in text and "^s Open" in text.splitlines()[-1], text
        assert "save" not in text.lower(), text
        await type_in(pilot, "x")
        await pilot.press("escape")                  # Go to changes nothing: no question
        await wait_until(pilot, lambda: app.screen is not form, "Go to closes at once")
        assert not isinstance(app.screen, DiscardScreen)


run_coroutine_tests(globals())
