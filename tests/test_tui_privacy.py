"""Pilot tests of privacy in the TUI: redacting a closed contact, and the retention review list.
Each asserts what the store holds afterwards, read back through a second tracker."""

from __future__ import annotations

from datetime import date


from safeguard_tracker.model.personal_data import REDACTED
from tui.forms import FormScreen
from tui.lado.detail import ContactScreen
from tui.lado.privacy import RetentionScreen, redaction_removes
from tui.testing import (app_for, field_error, fill, palette_pick, reread, run_coroutine_tests, screen_text,
                         status, type_in, wait_until)

TODAY = date(2018, 6, 15)


def flagged(tracker):
    """A false or malicious outcome whose subject is still named (the demo has several)."""
    return tracker.get_contact(tracker.retention().remove_identity[0].reference)


async def open_contact(pilot, ref: str) -> ContactScreen:
    pilot.app.open_reference(ref)
    await pilot.pause()
    assert isinstance(pilot.app.screen, ContactScreen)
    return pilot.app.screen


def test_the_confirmation_lists_only_what_the_record_holds(demo):
    c = flagged(demo)
    doc = demo.contact_docs()[c.reference]
    removes = redaction_removes(doc, TODAY)
    assert "staff name" in removes and "summary" in removes
    assert "date of birth" in removes if doc["subject"].get("date_of_birth") else "date of birth" not in removes
    assert not any("agency" in r or "outcome" == r for r in removes)


async def test_redact_a_closed_contact_after_confirming(demo):
    c = flagged(demo)
    name, summary = c.subject.name, c.summary
    assert name and summary
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_contact(pilot, c.reference)
        await pilot.press("r")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen) and c.reference in form.form_title
        await wait_until(pilot, lambda: "REMOVES" in screen_text(app), "the form paints its text")
        text = screen_text(app)
        assert "REMOVES" in text and "KEEPS" in text and "This cannot" in text
        # Anything but "yes" is refused beside the field, and nothing is written.
        await type_in(pilot, "no")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form and "yes" in field_error(form, "confirm")
        with reread(demo) as other:
            assert other.get_contact(c.reference).subject.name == name
        await fill(pilot, "confirm", "yes")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen)
        assert f"{c.reference} redacted" in status(app)
        assert "REDACTED 15/06/2018" in screen_text(app)
        assert name not in screen_text(app)
    with reread(demo) as other:
        after = other.get_contact(c.reference)
        assert after.redacted_on == TODAY
        assert after.subject.name in ("", REDACTED) and after.summary == REDACTED
        assert after.subject.date_of_birth is None
        assert after.agency == c.agency and after.outcome == c.outcome and after.closed_on == c.closed_on
        changes = other.history(c.reference)
        assert any(ch.field == "redacted_on" and ch.user == "a.lado" for ch in changes)
        assert not any(name in repr(ch.old) + repr(ch.new) for ch in changes)
        assert c.reference not in {i.reference for i in other.retention().remove_identity}


async def test_redact_is_refused_on_an_open_contact_saying_why(demo):
    c = demo.contacts(status="open")[0]
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_contact(pilot, c.reference)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen)
        assert "is open: close it before removing its personal data" in status(app)
    with reread(demo) as other:
        assert other.get_contact(c.reference).redacted_on is None


async def test_retention_list_from_the_palette_opens_and_redacts(demo):
    report = demo.retention()
    first = report.remove_identity[0].reference
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await palette_pick(pilot, "retention", "Retention review")
        await wait_until(pilot, lambda: isinstance(app.screen, RetentionScreen), "the retention list opens")
        await pilot.pause()
        screen = app.screen
        text = screen_text(app)
        assert "DE-IDENTIFY" in text and first in text
        assert f"{len(report.remove_identity)} false or" in text
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen) and app.screen.reference == first
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        await fill(pilot, "confirm", "yes")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        assert first not in [item.reference for _, item in screen.items]
    with reread(demo) as other:
        assert other.get_contact(first).redacted_on == TODAY


run_coroutine_tests(globals())
