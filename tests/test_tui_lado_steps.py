"""Issue 17, round 2: every step the CLI takes on a contact is a key on the record, a palette
command and a help entry (a meeting's action done, the first response, the employer's report
asked for and received, step down); closing, stepping down and changing a category ask first,
naming the decision in words; the Escalate form starts where the decision is; "an enquiry".

Each test asserts the store, read back by another user, and the screen."""

from __future__ import annotations

from datetime import date

from safeguard_tracker.model import Category, CategoryChange, Outcome
from tui.forms import FormScreen
from tui.lado.detail import ContactScreen
from tui.lado.state import lado_data
from tui.lado.steps import open_meeting_actions
from tui.record_forms import ConfirmScreen
from tui.testing import (app_for, field_error, fill, palette_pick, reread, run_coroutine_tests, screen_text, show,
                         status, type_in, wait_until)

TODAY = date(2018, 6, 15)


def footer(app) -> str:
    return screen_text(app).splitlines()[-1]


def above_status(app) -> str:
    """The screen less its status line and footer."""
    return "\n".join(screen_text(app).splitlines()[:-2])


def record_text(app) -> str:
    """The whole record as drawn (below the fold too), one line per row."""
    import io
    from rich.console import Console
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(app.screen.query_one("#record").content)
    return console.export_text()


async def open_contact(pilot, ref: str) -> ContactScreen:
    pilot.app.open_reference(ref)
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ContactScreen)
                     and pilot.app.screen.contact is not None, f"{ref} on screen")
    return pilot.app.screen


async def press_for_form(pilot, key: str) -> FormScreen:
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, FormScreen) and pilot.app.screen.is_mounted,
                     f"the form of {key!r}")
    return pilot.app.screen


async def saved(pilot, ref: str) -> None:
    """ctrl+s, then back on the record once the form has gone."""
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ContactScreen), f"back on {ref}")


async def asked(pilot) -> str:
    """ctrl+s on a form that asks first: the question as shown."""
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen), "the question")
    await pilot.pause()
    text = screen_text(pilot.app)
    assert pilot.app.screen.question in text, "the whole question on one line at 80 columns"
    return text


async def test_a_meeting_action_is_marked_done_from_the_record_the_palette_and_help(demo):
    waiting = [c for c in demo.contacts(status="open") if open_meeting_actions(c)]
    assert len(waiting) >= 2, "the demo has open contacts whose JEM actions are overdue"
    first, second = waiting[0], waiting[1]
    choice = open_meeting_actions(first)[0]
    assert choice.startswith("meeting 1 action 1: ")
    assert any(i.reference == first.reference and i.what.startswith("meeting 1 action 1")
               for i in demo.due(as_of=TODAY)), "it is on the chase list"
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, "chase")
        await open_contact(pilot, first.reference)
        await wait_until(pilot, lambda: "t Action done" in footer(app), "the key in the footer at 80 columns")
        assert "q Quit" in footer(app)
        form = await press_for_form(pilot, "t")
        assert form.query_one("#field-action").value == choice     # the only one waiting: chosen
        assert "meeting 1 action 1: " in screen_text(app)
        await saved(pilot, first.reference)
        assert f"{first.reference} meeting 1 action 1 done on 15/06/2018" in status(app)
        with reread(demo) as other:
            assert other.get_contact(first.reference).meetings[0].actions[0].done_on == TODAY
            assert not any(i.reference == first.reference and i.what.startswith("meeting 1 action 1")
                           for i in other.due(as_of=TODAY))
        await wait_until(pilot, lambda: "done 15/06/2018" in record_text(app), "the record shows it done")
        assert "meeting 1 action 1" not in above_status(app), "no longer in the header or Next due"
        await wait_until(pilot, lambda: "t Action done" not in footer(app), "nothing left to mark done")
        await pilot.press("t")                              # the key still answers, saying why not
        await wait_until(pilot, lambda: "already done" in status(app), "why not, in the status line")
        assert isinstance(app.screen, ContactScreen)
        # The chase list no longer has the item.
        await pilot.press("escape")
        await show(pilot, "chase")
        await wait_until(pilot, lambda: not any(i.reference == first.reference and i.what.startswith("meeting 1 action")
                                                for i in lado_data(app).due_items), "the chase list updated")
        # The palette, from anywhere: "action 2017-413".
        await palette_pick(pilot, f"action {second.reference}", f"Action done {second.reference}")
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen), "the form")
        assert app.screen.query_one("#field-action").value == open_meeting_actions(second)[0]
        assert "meeting 1 action 1: " in screen_text(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, FormScreen), "the form closed")
    # And the help lists every contact step by its key.
    app = app_for(demo)
    async with app.run_test(size=(100, 200)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: "every key" in screen_text(app), "the help")
        text = screen_text(app)
        for line in ("t           Action done", "f           Respond", "k           Report asked",
                     "i           Report in", "l           Step down"):
            assert line in text, line


async def test_first_response_and_the_employers_report_asked_then_received(demo):
    c0 = demo.add_contact(received_on="14/06/2018", agency="School - Secondary", category="consultation",
                          rationale="conduct for the employer to look into", summary="Shouted at a pupil")
    ref = c0.reference
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot)
        await open_contact(pilot, ref)
        await wait_until(pilot, lambda: "f Respond" in footer(app) and "k Report asked" in footer(app),
                         "the steps waiting, in the footer")
        assert "i Report in" not in footer(app), "not before the report was asked for"
        # The first response, from the palette.
        await palette_pick(pilot, f"respond {ref}", f"Respond {ref}")
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen), "the form")
        await saved(pilot, ref)
        assert "First response" in status(app) and "15/06/2018" in status(app)
        await wait_until(pilot, lambda: "f Respond" not in footer(app), "responded: no longer offered")
        assert "Responded      15/06/2018" in screen_text(app)
        # The report asked for (k), then received with the employer's outcome (i).
        await press_for_form(pilot, "k")
        await fill(pilot, "on", "14/06/2018")
        await saved(pilot, ref)
        assert "asked for on 14/06/2018" in status(app)
        await wait_until(pilot, lambda: "i Report in" in footer(app), "Report in offered once asked for")
        await press_for_form(pilot, "i")
        await fill(pilot, "outcome", "Final written warning")
        await saved(pilot, ref)
        assert "Final written warning" in status(app)
        await wait_until(pilot, lambda: "Final written warning" in screen_text(app), "the record shows it")
        await pilot.press("k")                       # asked again after it came in: says why not
        await wait_until(pilot, lambda: "came in on 15/06/2018" in status(app), "why not")
    with reread(demo) as other:
        c = other.get_contact(ref)
        assert c.responded_on == TODAY
        assert c.employer_report_requested_on == date(2018, 6, 14)
        assert c.employer_report_received_on == TODAY
        assert c.employer_outcome == "Final written warning"


async def test_closing_asks_naming_the_outcome_and_no_keeps_the_form(demo):
    c0 = demo.contacts(status="open", category="referral")[0]
    ref = c0.reference
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot)
        await open_contact(pilot, ref)
        form = await press_for_form(pilot, "x")
        await fill(pilot, "outcome", "unsub")
        text = await asked(pilot)
        assert f"Close {ref} as UNSUBSTANTIATED on 15/06/2018? y/n" in text
        with reread(demo) as other:
            assert other.get_contact(ref).closed_on is None, "nothing saved before the answer"
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is form, "back to the form")
        assert form.query_one("#field-outcome").value == "unsubstantiated", "the input is kept"
        assert "Not saved" in screen_text(app)
        with reread(demo) as other:
            assert other.get_contact(ref).closed_on is None
        await fill(pilot, "outcome", "unf")
        text = await asked(pilot)
        assert f"Close {ref} as UNFOUNDED" in text
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, ContactScreen), "back on the record")
        assert "closed on 15/06/2018: unfounded" in status(app)
        await wait_until(pilot, lambda: "CLOSED" in screen_text(app), "the record shows it closed")
    with reread(demo) as other:
        c = other.get_contact(ref)
        assert c.outcome is Outcome.UNFOUNDED and c.closed_on == TODAY


async def test_step_down_and_a_category_change_ask_first_and_say_an_enquiry(demo):
    c0 = demo.contacts(status="open", category="referral")[0]
    ref = c0.reference
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot)
        await open_contact(pilot, ref)
        form = await press_for_form(pilot, "l")
        to = form.query_one("#field-to")
        await wait_until(pilot, lambda: app.focused is to, "the form starts at the decision")
        assert to.value == "", "two categories below a referral: nothing chosen for the user"
        await type_in(pilot, "cons")
        await fill(pilot, "rationale", "no allegation of harm: a conduct matter")
        text = await asked(pilot)
        assert f"Step {ref} down from referral to CONSULTATION on 15/06/2018? y/n" in text
        with reread(demo) as other:
            assert other.get_contact(ref).category is Category.REFERRAL, "nothing saved before the answer"
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, ContactScreen), "back on the record")
        assert f"{ref} stepped down from referral to consultation" in status(app)
        await wait_until(pilot, lambda: f"{ref}  CONSULTATION" in screen_text(app), "the record's new category")
        # c on a decided category: the change is named before it is saved.
        await press_for_form(pilot, "c")
        await fill(pilot, "category", "enq")
        await fill(pilot, "rationale", "advice only: no concern about the adult")
        text = await asked(pilot)
        assert f"Step {ref} down from consultation to ENQUIRY on 15/06/2018? y/n" in text
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, ContactScreen), "back on the record")
        assert f"{ref} stepped down: now an enquiry" in status(app)
    with reread(demo) as other:
        c = other.get_contact(ref)
        assert c.category is Category.ENQUIRY
        assert [d.kind for d in c.category_history[-2:]] == [CategoryChange.STEPPED_DOWN] * 2
        assert c.category_history[-2].rationale == "no allegation of harm: a conduct matter"


async def test_escalate_starts_at_the_decision_and_add_says_an_enquiry(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot)
        # Quick add: a category without its rationale is refused in good English.
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen), "the quick-add form")
        await fill(pilot, "agency", "police")
        await fill(pilot, "category", "enq")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: field_error(app.screen, "rationale") != "", "the message")
        assert "a rationale for making it an enquiry" in field_error(app.screen, "rationale")
        await fill(pilot, "rationale", "a question about safer recruitment")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ContactScreen), "the new record")
        ref = app.screen.reference
        await wait_until(pilot, lambda: app.screen.contact is not None, "the record read")
        # Escalate an enquiry: two categories above, so the form starts in "to", empty.
        form = await press_for_form(pilot, "e")
        to = form.query_one("#field-to")
        await wait_until(pilot, lambda: app.focused is to, "the form starts at the decision")
        assert to.value == ""
        await type_in(pilot, "c")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.focused is form.query_one("#field-reason"), "then the reason")
        assert to.value == "consultation"
        await type_in(pilot, "the head teacher reports a pattern")
        await saved(pilot, ref)                    # an escalation is its own decision: no question
        assert f"{ref} escalated from enquiry to consultation" in status(app)
    with reread(demo) as other:
        c = other.get_contact(ref)
        assert c.category is Category.CONSULTATION
        assert c.category_history[-1].kind is CategoryChange.ESCALATED
        assert c.category_history[-1].rationale == "the head teacher reports a pattern"


run_coroutine_tests(globals())
