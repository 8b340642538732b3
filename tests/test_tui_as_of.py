"""Issue 13, section 1 in the TUI: T shows the store as it stood at the end of a past day (``Tracker.as_of``,
rebuilt from the audit trail), read-only, the day in the top bar; T again (or 'today') returns to the store as
it is now.

The audit clock is set by the test (``clock``), so that each change falls on the day the test says: the
contacts are logged in May, one is closed in June; as at 31/05/2018 it is still open.
"""

from __future__ import annotations

from datetime import date

import pytest

import safeguard_tracker as st
from tui.forms import DiscardScreen, FormScreen
from tui.help import HelpScreen
from tui.lado.detail import ContactScreen
from tui.main import MainScreen
from tui.testing import (app_for, field_error, palette_pick, reread, run_coroutine_tests, screen_text, status,
                         type_in, wait_until, wait_until_settled)

TODAY = date(2018, 6, 15)
MAY_END = date(2018, 5, 31)



@pytest.fixture
def store(tmp_path, clock):
    """Three referrals logged in May; the first closed on 10/06/2018.  Returns (tracker, the closed one's ref)."""
    tracker = st.open_tracker(tmp_path / "s.json", user="a.lado", today=lambda: TODAY)
    clock("2018-05-02")
    refs = [tracker.add_contact(received_on=received, agency=agency, category="referral", rationale="as logged",
                                summary=f"Concern {n}", subject_name=f"Subject {n}").reference
            for n, (received, agency) in enumerate((("01/05/2018", "Police"), ("02/05/2018", "School - Primary"),
                                                    ("02/05/2018", "School - Secondary")), 1)]
    clock("2018-06-10")
    tracker.close_contact(refs[0], outcome="unfounded", closed_on="10/06/2018")
    yield tracker, refs[0]
    tracker.close()


def top_bar(app) -> str:
    return screen_text(app).splitlines()[0].strip()


async def ask(pilot, typed: str) -> FormScreen:
    """T, then the day typed key by key, then Enter: the prompt, as the keys left it."""
    app = pilot.app
    await pilot.press("T")
    await wait_until(pilot, lambda: isinstance(app.screen, FormScreen) and app.screen.id == "form-as-of"
                     and app.screen.is_mounted, "the as-of prompt")
    form = app.screen
    form.query_one("#field-as_of").value = ""
    await type_in(pilot, typed)
    await pilot.press("enter")
    return form


async def open_contact(pilot, ref: str) -> ContactScreen:
    pilot.app.open_reference(ref)
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ContactScreen)
                     and pilot.app.screen.contact is not None, f"{ref} on screen")
    return pilot.app.screen


def head(app) -> str:
    return str(app.screen.query_one("#detail-head").render())


async def test_a_past_day_is_shown_read_only_with_the_day_in_the_top_bar_then_today_again(store):
    tracker, ref = store
    app = app_for(tracker)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: "open" in top_bar(app), "the first screen")
        assert top_bar(app).startswith("safeguard-tracker 15/06/2018"), top_bar(app)
        await open_contact(pilot, ref)
        assert "CLOSED 10/06/2018" in head(app)

        await ask(pilot, "31/05/2018")
        await wait_until(pilot, lambda: app.tracker.as_of_day == MAY_END and isinstance(app.screen, ContactScreen),
                         "the store as at 31/05/2018")
        await wait_until_settled(pilot)
        assert app.live_tracker is tracker
        # The day in the top bar, in place of the app's name at 80 columns; the counts still beside it.
        assert top_bar(app).startswith("AS AT 31/05/2018 \u00b7 read-only"), top_bar(app)
        assert "safeguard-tracker" not in top_bar(app) and "open 3" in top_bar(app), top_bar(app)
        assert status(app).startswith("AS AT 31/05/2018")
        # The record as it stood: open on 31 May.
        assert f"{ref}  REFERRAL  open" in head(app), head(app)

        # A form opened on the past says it cannot be saved, and saves nothing.
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen) and app.screen.is_mounted, "the note form")
        form = app.screen
        assert "READ-ONLY store: this form cannot be saved" in str(form.query_one("#form-banner").render())
        assert "as it stood at the end of 31/05/2018" in str(form.query_one("#form-banner").render())
        seq = tracker.store.last_seq
        notes = len(reread(tracker).get_contact(ref).notes)
        await type_in(pilot, "Told in the past")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is not form or "NOT SAVED" in str(form.query_one("#form-banner")
                                                                                   .render()), "the save answered")
        assert app.screen is form and form.query_one("#field-text").value == "Told in the past"
        assert "NOT SAVED, the store is READ-ONLY" in str(form.query_one("#form-banner").render())
        assert tracker.store.last_seq == seq
        assert len(reread(tracker).get_contact(ref).notes) == notes
        # T is a letter in a form's field, not the key: the form keeps it.
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, DiscardScreen), "discard?")
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, ContactScreen), "back on the record")

        # T again: the store as it is now.
        await pilot.press("T")
        await wait_until(pilot, lambda: app.tracker is tracker, "back to today")
        await wait_until_settled(pilot)
        assert app.live_tracker is None
        assert "CLOSED 10/06/2018" in head(app), "the record as it is now"
        assert top_bar(app).startswith("safeguard-tracker 15/06/2018"), top_bar(app)
        assert "READ-ONLY" not in screen_text(app)
        assert status(app).startswith("Back to today (15/06/2018)")


async def test_the_refresh_leaves_the_past_alone_and_another_users_change_shows_on_the_way_back(store, clock):
    tracker, ref = store
    app = app_for(tracker)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: "open" in top_bar(app), "the first screen")
        await ask(pilot, "31/05/2018")
        await wait_until(pilot, lambda: app.tracker.as_of_day == MAY_END and isinstance(app.screen, MainScreen),
                         "the store as at 31/05/2018")
        clock("2018-06-14")
        with reread(tracker) as other:
            added = other.add_contact(received_on="14/06/2018", agency="College", category="enquiry",
                                      rationale="advice", summary="A later concern").reference
        assert app.catch_up() is False, "the past does not change"
        assert app.tracker.as_of_day == MAY_END
        await pilot.press("T")
        await wait_until(pilot, lambda: app.tracker is tracker, "back to today")
        assert tracker.get_contact(added).summary == "A later concern", "the live store took in the change"
        await open_contact(pilot, added)


async def test_a_redaction_made_meanwhile_reaches_the_past_on_screen(store, clock):
    """The past does not change, but what a redaction removed must not stay on anyone's screen: another user
    redacts the contact shown as it stood in May, and the open past view drops its name at the next catch-up."""
    tracker, ref = store
    app = app_for(tracker)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: "open" in top_bar(app), "the first screen")
        await ask(pilot, "31/05/2018")
        await wait_until(pilot, lambda: app.tracker.as_of_day == MAY_END and isinstance(app.screen, MainScreen),
                         "the store as at 31/05/2018")
        await open_contact(pilot, ref)
        await wait_until(pilot, lambda: "Subject 1" in screen_text(app), "the subject's name, as it stood")
        clock("2018-06-14")
        with reread(tracker) as other:
            other.redact_contact(ref)
        assert app.catch_up() is True, "the redaction is taken in"
        await wait_until(pilot, lambda: "Subject 1" not in screen_text(app), "the name gone from the past view")
        assert app.tracker.as_of_day == MAY_END, "still the past"
        assert "Subject 1" not in repr(app.tracker.get_contact(ref))


async def test_a_bad_day_keeps_the_prompt_open_with_the_librarys_words_and_today_stays_live(store):
    tracker, _ref = store
    app = app_for(tracker)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: "open" in top_bar(app), "the first screen")
        form = await ask(pilot, "31/13/2018")
        await wait_until(pilot, lambda: app.screen is not form or field_error(form, "as_of"), "the day answered")
        assert app.screen is form, "a day that is no date keeps the prompt open"
        assert "'31/13/2018' is not valid:" in field_error(form, "as_of")
        assert app.screen is form and app.tracker is tracker
        form.query_one("#field-as_of").value = ""
        form.query_one("#field-as_of").focus()
        await type_in(pilot, "16/06/2018")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is not form or "a day up to today" in field_error(form, "as_of"),
                         "a day after today answered")
        assert app.screen is form and app.tracker is tracker, "a day after today is refused"
        assert "'16/06/2018' is not valid: a day up to today (15/06/2018)" in field_error(form, "as_of")
        form.query_one("#field-as_of").value = ""
        form.query_one("#field-as_of").focus()
        await type_in(pilot, "today")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), "the prompt closes")
        assert app.tracker is tracker and app.live_tracker is None
        assert top_bar(app).startswith("safeguard-tracker 15/06/2018")


async def test_the_palette_and_the_help_offer_the_key(store):
    tracker, _ref = store
    app = app_for(tracker)
    async with app.run_test(size=(100, 60)) as pilot:
        await wait_until(pilot, lambda: "open" in top_bar(app), "the first screen")
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
        help_lines = [line for line in screen_text(app).splitlines() if "As of a date" in line]
        assert help_lines and help_lines[0].split()[0] == "T", help_lines
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), "help closed")
        await palette_pick(pilot, "as of a date", "As of a date")
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen) and app.screen.id == "form-as-of",
                         "the prompt, from the palette")
        await type_in(pilot, "31/05/2018")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.tracker.as_of_day == MAY_END and isinstance(app.screen, MainScreen),
                         "the store as at 31/05/2018")
        await wait_until_settled(pilot)
        # At 100 columns and more: the day, then the app's name and the user.
        assert top_bar(app).startswith("AS AT 31/05/2018 \u00b7 read-only safeguard-tracker  a.lado"), top_bar(app)
        await palette_pick(pilot, "back to today", "Back to today")
        await wait_until(pilot, lambda: app.tracker is tracker, "back to today, from the palette")


run_coroutine_tests(globals())
