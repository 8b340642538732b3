"""Issue 12: the Lists screen, where a council manages its agencies, partners and local labels
from the keyboard (V, or ctrl+p "Lists").

Each test drives the app as a LADO would, then reads the store back as another user."""

from __future__ import annotations


from tui.forms import FormScreen
from tui.help import HelpScreen
from tui.lado.add_contact import add_fields
from tui.lists import PALETTE_TITLE, ListsScreen
from tui.lists.screen import ListConfirmScreen
from tui.main import MainScreen
from tui.record_forms import ConfirmScreen
from tui.testing import (app_for, field_error, fill, palette_pick, reread, run_coroutine_tests, screen_text, show,
                         status, wait_until)


def footer(app) -> str:
    return screen_text(app).splitlines()[-1]


async def open_lists(pilot) -> ListsScreen:
    await pilot.press("V")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ListsScreen) and pilot.app.screen.rows,
                     "the Lists screen, its table filled")
    return pilot.app.screen


async def highlight(pilot, name: str) -> None:
    """The table's cursor on the entry ``name`` (the down key gets there too, a row a press)."""
    screen = pilot.app.screen
    screen.pager.table.move_cursor(row=list(screen.pager.page_keys).index(name), animate=False)
    await wait_until(pilot, lambda: screen.current_row().name == name and name in screen_text(pilot.app),
                     f"{name!r} highlighted")


async def press_for(pilot, key: str, cls: type) -> object:
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, cls) and pilot.app.screen.is_mounted,
                     f"{cls.__name__} after {key!r}")
    return pilot.app.screen


async def answer(pilot, key: str) -> None:
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ListsScreen), "back on the lists")


async def contact_row(pilot, ref: str) -> str:
    """The All contacts tab filtered to ``ref`` by its reference; the row as the table shows it."""
    app = pilot.app
    await show(pilot, "contacts")
    view = app.main_screen().active_view()
    view.query_one("#contacts-filter").value = ref
    await wait_until(pilot, lambda: list(view.pager.keys) == [ref], f"the contacts list filtered to {ref}")
    view.pager.focus_table()           # out of the filter field: keys are commands again
    return shown_row(app)


def shown_row(app) -> str:
    """The first row of the All contacts table, as drawn (agency names shortened to fit)."""
    table = app.main_screen().active_view().pager.table
    return " | ".join(cell.plain for cell in table.get_row_at(0)) if table.row_count else ""


async def test_rename_then_merge_an_agency_asks_first_and_every_view_shows_the_new_name(demo):
    private = [c.reference for c in demo.contacts() if c.agency == "School - Private"]
    assert len(private) == 19, "the demo has 19 contacts from private schools"
    ref = private[0]
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        assert "Private" in await contact_row(pilot, ref)
        screen = await open_lists(pilot)
        assert "Agencies" in screen_text(app) and "Records" in screen_text(app)
        await wait_until(pilot, lambda: "r Rename" in footer(app) and "m Merge" in footer(app), "the keys, at 80 columns")
        await highlight(pilot, "School - Private")

        # A name already in the list: refused beside the field, nothing asked, nothing written.
        form = await press_for(pilot, "r", FormScreen)
        await fill(pilot, "new", "Pupil Referral Unit")          # an alias of School - PRU
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: field_error(form, "new"), "the refusal beside the field")
        assert "it means 'School - PRU' there" in field_error(form, "new")
        assert app.screen is form, "no question for a change that cannot be made"

        # Rename: the question names the records that change; y makes it.
        await fill(pilot, "new", "School - Independent")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        assert app.screen.question == ("Rename 'School - Private' to 'School - Independent' in the agencies? 19 records "
                                       "will show 'School - Independent'; 'School - Private' stays as an alias. y/n")
        await answer(pilot, "y")
        assert status(app).startswith("\u2713 Renamed 'School - Private' to 'School - Independent' in the agencies; "
                                      "19 record(s)")
        await wait_until(pilot, lambda: screen.current_row().name == "School - Independent", "the cursor on it")
        assert screen.current_row().aliases[-1] == "School - Private"
        assert screen.current_row().records == 19
        assert "School - Independent" in screen_text(app)
        with reread(demo) as other:
            assert other.get_contact(ref).agency == "School - Independent"
            assert other.vocabulary("agencies").lookup("private school") == "School - Independent"
            assert any(ch.user == "a.lado" and ch.new == "School - Independent" for ch in other.history(ref))

        # Merge, the other entry typed by a part of its name: its records move.
        await highlight(pilot, "School - Independent")
        form = await press_for(pilot, "m", FormScreen)
        await fill(pilot, "into", "second")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        assert app.screen.question.startswith("Merge 'School - Independent' into 'School - Secondary'? 19 records "
                                              "will show 'School - Secondary'")
        await answer(pilot, "y")
        assert status(app).startswith("\u2713 Merged 'School - Independent' into 'School - Secondary'")
        await wait_until(pilot, lambda: "School - Independent" not in screen.rows, "gone from the table")
        assert screen.current_row().name == "School - Secondary"
        assert screen.current_row().records == 88 + 19
        with reread(demo) as other:
            assert other.get_contact(ref).agency == "School - Secondary"
            assert other.vocabulary("agencies").lookup("School - Private") == "School - Secondary"

        # Escape closes it; the All contacts list, as it was left, shows the current name, and its
        # agency filter suggests from the new list.
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), "back on the main screen")
        await wait_until(pilot, lambda: ref in shown_row(app) and "Secondary" in shown_row(app), "the new name shown")
        suggested = app.main_screen().query_one("#filter-agency").suggester.choices
        assert "School - Secondary" in suggested and "School - Private" not in suggested


async def test_retire_stops_offering_an_agency_and_keeps_it_where_recorded(demo):
    held = [c.reference for c in demo.contacts() if c.agency == "Transport Provider"]
    assert len(held) == 11
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, "contacts")
        screen = await open_lists(pilot)
        await highlight(pilot, "Transport Provider")
        await press_for(pilot, "x", ListConfirmScreen)
        assert app.screen.question == ("Retire 'Transport Provider' from the agencies? It stays on the 11 records that "
                                       "hold it, but it is no longer offered for new ones. y/n")
        await answer(pilot, "n")
        assert "not retired" in status(app)
        assert not screen.current_row().retired
        await press_for(pilot, "x", ListConfirmScreen)
        await answer(pilot, "y")
        assert status(app).startswith("\u2713 Retired 'Transport Provider' in the agencies")
        await wait_until(pilot, lambda: screen.current_row().retired, "marked retired")
        assert "RETIRED" in screen_text(app)
        assert "x brings it back" in screen_text(app)
        assert "Transport Provider" not in app.tracker.taxonomy.offered
        with reread(demo) as other:
            assert "Transport Provider" not in other.taxonomy.offered
            assert other.get_contact(held[0]).agency == "Transport Provider", "still valid where recorded"
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), "back on the main screen")
        assert "Transport" in await contact_row(pilot, held[0]), "an old contact still shows it"
        # Brought back: no question, it is offered again.
        screen = await open_lists(pilot)
        await highlight(pilot, "Transport Provider")
        await pilot.press("x")
        await wait_until(pilot, lambda: not screen.current_row().retired, "brought back")
        assert status(app).startswith("\u2713 Brought back 'Transport Provider'")
        assert "Transport Provider" in app.tracker.taxonomy.offered


def test_a_retired_agency_is_not_offered_by_the_new_contact_form(demo):
    demo.vocab_retire("agencies", "Transport Provider")
    agency = next(f for f in add_fields(demo) if f.name == "agency")
    assert "Transport Provider" not in agency.choices
    assert "Police" in agency.choices


async def test_the_fixed_lists_refuse_new_values_and_take_local_labels(demo):
    before = {kind: demo.vocab_export(kind) for kind in ("categories", "outcomes", "harms")}
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lists(pilot)
        for _ in range(3):
            await pilot.press("right")
        await wait_until(pilot, lambda: screen.kind == "outcomes" and "Outcomes (fixed)" in screen_text(app),
                         "the outcomes")
        assert "a Add" not in footer(app) and "r Rename" not in footer(app), "only the keys that apply"
        assert "l Alias" in footer(app)
        for key, verb in (("a", "added to"), ("r", "renamed"), ("m", "merged")):
            await pilot.press(key)
            await wait_until(pilot, lambda: f"Outcomes are fixed by the guidance, not {verb}" in status(app),
                             f"{key!r} says why not")
            assert isinstance(app.screen, ListsScreen), "no form opened"
            assert "l gives one your own label" in status(app)
        with reread(demo) as other:
            assert {kind: other.vocab_export(kind) for kind in before} == before, "nothing written"

        # A local label: 'Upheld' comes to mean substantiated.
        await highlight(pilot, "substantiated")
        await press_for(pilot, "l", FormScreen)
        assert "A local label for 'substantiated'" in screen_text(app)
        await fill(pilot, "aliases", "Upheld")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ListsScreen), "saved")
        assert status(app) == "\u2713 'Upheld' now means 'substantiated' in the outcomes"
        await wait_until(pilot, lambda: "Upheld" in screen.current_row().aliases, "the table shows it")
        with reread(demo) as other:
            assert other.vocabulary("outcomes").lookup("upheld") == "substantiated"
        # ...and u takes it away again, chosen by typing.
        await press_for(pilot, "u", FormScreen)
        await fill(pilot, "alias", "uph")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ListsScreen), "saved")
        assert status(app) == "\u2713 'Upheld' no longer means 'substantiated' in the outcomes"
        # Only agencies have a sector group.
        await pilot.press("s")
        await wait_until(pilot, lambda: "Only agencies have a sector group" in status(app), "s says why not")
        await pilot.press("left", "left", "left")
        await wait_until(pilot, lambda: screen.kind == "agencies", "back to the agencies")
        await highlight(pilot, "Recruitment Agency")
        await press_for(pilot, "s", FormScreen)
        await fill(pilot, "group", "edu")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ListsScreen), "saved")
        assert status(app) == "\u2713 'Recruitment Agency' is now in the sector group Education"
        assert screen.current_row().group == "Education"
    assert demo.taxonomy.group_of("Recruitment Agency") == "education"


async def test_opened_by_the_palette_and_listed_in_the_help_at_160x45(demo):
    app = app_for(demo)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await palette_pick(pilot, "lists", PALETTE_TITLE)
        await wait_until(pilot, lambda: isinstance(app.screen, ListsScreen) and app.screen.rows, "the Lists screen")
        text = screen_text(app)
        assert "Medway Clinical Commissioning Group (CCG)" in text, "whole names at 160 columns"
        assert "Sector group" in text and "Police and justice" in text
        assert "a Add r Rename m Merge x Retire l Alias u Unalias s Group esc Close" in footer(app)
        # Add a partner: it is offered at once, for action plans.
        await pilot.press("right")
        await wait_until(pilot, lambda: app.screen.kind == "partners", "the partners")
        await press_for(pilot, "a", FormScreen)
        await fill(pilot, "name", "Northshire Safeguarding Adults Board")
        await fill(pilot, "aliases", "NSAB | Adults Board")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ListsScreen), "saved")
        assert status(app) == "\u2713 Added 'Northshire Safeguarding Adults Board' to the partners"
        assert app.screen.current_row().name == "Northshire Safeguarding Adults Board"
        assert app.tracker.plan_agencies.lookup("nsab") == "Northshire Safeguarding Adults Board"
        # The help lists the key everywhere and the screen's own keys.
        await press_for(pilot, "question_mark", HelpScreen)
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ListsScreen), "back on the lists")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), "escape closes it")
    app = app_for(demo)
    async with app.run_test(size=(100, 300)) as pilot:
        await pilot.pause()
        await press_for(pilot, "question_mark", HelpScreen)
        text = screen_text(app)
        assert "V           Lists \u2013 the council's lists" in text
        assert "Lists (V): agencies, partners and local labels" in text
        for line in ("r           Rename", "m           Merge", "x           Retire", "l           Alias"):
            assert line in text
        # From a form, V says to close it first (here: typed into Go to's field, so from its keys line).
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), "help closed")
        app.action_goto()
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen), "the Go to form")
        app.action_lists()
        assert "A form is open" in status(app)
        assert isinstance(app.screen, FormScreen)


run_coroutine_tests(globals())
