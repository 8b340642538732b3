"""Issue 17, the contacts lists: the sort arrow, the filters' labels, agencies' short names, the
cursor and the status line when the list changes, and the sort of a large store worked out in
the background.  Each Pilot test asserts the screen and what the store holds (read back through
a second tracker, as another user would).  Nothing here measures time."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from safeguard_tracker.dates import financial_year_of
from safeguard_tracker.short_names import short_name, short_names
from safeguard_tracker.taxonomy import DEFAULT_AGENCIES
from tui.lado.data import SORT_COLUMNS, LadoData
from tui.forms import FormScreen
from tui.lado.detail import ContactScreen
from tui.lado.state import lado_data
from tui.main import MainScreen
from tui.paged_table import PagedTable
from tui.testing import app_for, reread, run_coroutine_tests, screen_text, show, status, type_in, wait_until

TODAY = date(2018, 6, 15)

# Another area's list, unlike the board's: shared prefixes, a county's name, long NHS names.
GENERIC_AGENCIES = (
    "Kent County Council Children's Services", "Kent County Council Adult Social Care", "Kent Police",
    "British Transport Police", "Kent Fire and Rescue Service", "School - Infant", "School - Junior",
    "School - Academy", "School - Academy Trust", "School - Independent", "School - Independent Special",
    "NHS - Acute Trust", "NHS - Mental Health Trust", "NHS - GP Practice", "Children's Home - Private",
    "Children's Home - Local Authority", "Church of England", "Roman Catholic Church", "Other Faith Groups",
    "Youth Offending Team", "Pupil Referral Unit", "Further Education College", "University", "Armed Forces",
    "Prison Service", "Private Tutor", "Private Fostering", "Supply Agency", "Kent Community Health NHS Foundation "
    "Trust", "Kent and Medway NHS and Social Care Partnership Trust", "Unknown", "Other",
)


def header(app) -> str:
    """The contacts table's header line as shown."""
    return next(line for line in screen_text(app).splitlines() if "Reference" in line and "Received" in line)


def agency_width(app) -> int:
    pager = app.screen.query_one("#contacts").query_one(PagedTable)
    return pager._widths[[c.key for c in pager.columns].index("agency")]


# --- short names (pure) -------------------------------------------------------------------------

@pytest.mark.parametrize("agencies", [DEFAULT_AGENCIES, GENERIC_AGENCIES], ids=["board", "generic"])
@pytest.mark.parametrize("width", [8, 10, 13, 16])
def test_every_agency_gets_a_distinct_short_name_that_fits(agencies, width):
    names = short_names(agencies, width)
    assert set(names) == {a.strip() for a in agencies}
    assert all(len(n) <= width for n in names.values()), names
    assert len({n.casefold() for n in names.values()}) == len(names), names
    for agency in agencies:                       # one name, whichever way it is asked for
        assert short_name(agency, width, agencies) == names[agency]


def test_short_names_keep_the_distinguishing_word():
    names = short_names(DEFAULT_AGENCIES, 13)
    assert [names[f"School - {kind}"] for kind in ("Primary", "Private", "PRU", "Secondary")] == \
        ["Sch Primary", "Sch Private", "Sch PRU", "Sch Secondary"]
    assert names["Medway NHS Foundation Trust"] == "NHS Trust"
    assert names["Medway Clinical Commissioning Group (CCG)"] == "CCG"
    assert names["Secure Estates (Youth Offending Institution)"] == "Secure YOI"
    assert names["Secure Estates (Medway Secure Training Centre)"] == "Secure STC"
    assert names["Foster Carers \u2013 Local Authority"] == "Foster LA"
    assert names["Police"] == "Police"            # a name that fits stays whole
    assert short_names(DEFAULT_AGENCIES, 80)["School - Primary"] == "School - Primary"
    assert short_name("", 10, DEFAULT_AGENCIES) == "" and short_name("  ", 10) == ""
    assert len(short_name("Somewhere Not On The List At All", 10, DEFAULT_AGENCIES)) <= 10


# --- the sort orders kept up to date (no Textual) --------------------------------------------------

def test_a_change_is_taken_into_the_known_orders_as_a_fresh_sort_would(demo):
    data = LadoData(demo)
    data.sync(0)
    for column in SORT_COLUMNS:
        if column != "due":
            data.order(column, True)
            data.order(column, False)
    data.counts()
    oldest_open = next(k for k, d in demo.contact_docs().items() if d.get("closed_on") is None)
    added = demo.add_contact(received_on=TODAY, agency="School - PRU", category="enquiry", rationale="advice")
    demo.update_contact(oldest_open, agency="Police")           # moves in the agency order
    data.sync(1, {added.reference, oldest_open})
    fresh = LadoData(demo)
    fresh.sync(1)
    for column in SORT_COLUMNS:
        if column == "due":
            continue
        for reverse in (True, False):
            assert data.has_order(column, reverse), (column, reverse)   # kept, not dropped
            assert data.order(column, reverse) == fresh.order(column, reverse), (column, reverse)
    assert data.order()[0] == added.reference
    assert data.years() == fresh.years()
    assert data.counts()[0] == fresh.counts()[0]
    with reread(demo) as other:
        assert added.reference in other.contact_docs()


# --- on screen ----------------------------------------------------------------------------------------

async def test_sort_arrow_filter_labels_and_short_agency_names(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, "contacts")
        assert "Received \u25bc" in header(app)            # newest first
        await pilot.press("greater_than_sign")            # sort by the next column: agency, A first
        await wait_until(pilot, lambda: "Agency \u25b2" in header(app), "the arrow on Agency, pointing up")
        assert "\u25bc" not in header(app) and header(app).count("\u25b2") == 1
        await pilot.press("r")                            # reversed
        await wait_until(pilot, lambda: "Agency \u25bc" in header(app), "the arrow turned down")
        view = app.screen.query_one("#contacts")
        with reread(demo) as other:
            expected = LadoData(other)
            expected.sync(0)
            assert list(view.pager.keys) == expected.order("agency", True)

        # Short names: the schools told apart in a 13-column Agency column at 80x24.
        await pilot.press("less_than_sign")               # back to the received date, newest first
        await wait_until(pilot, lambda: "Received \u25bc" in header(app), "sorted by the received date")
        width = agency_width(app)
        docs = demo.contact_docs()
        shown = {}
        for ref, cells in zip(view.pager.page_keys, view.pager.table.rows):
            shown[ref] = str(view.pager.table.get_row(cells)[2])
        assert all(len(text) <= width and "\u2026" not in text for text in shown.values()), shown
        for ref, text in shown.items():
            assert text == short_name(docs[ref]["agency"], width, demo.taxonomy.agencies), (ref, text)
        assert "Sch Primary" in screen_text(app) and "School - P\u2026" not in screen_text(app)

        # A filter keeps its name once set.
        view.query_one("#filter-year").value = "2017-18"
        await wait_until(pilot, lambda: "year: 2017-18" in screen_text(app), "the year filter says what it is")
        assert "year: any" not in screen_text(app)
        view.query_one("#filter-status").value = "open"
        await wait_until(pilot, lambda: "status: open" in screen_text(app), "the status filter says what it is")
        await wait_until(pilot, lambda: view._applied[0].status == "open", "the list filtered")
        keys = list(view.pager.keys)
    with reread(demo) as other:
        listed = [other.contact_docs()[k] for k in keys]
        assert listed and all(financial_year_of(date.fromisoformat(d["received_on"])) == "2017-18" for d in listed)
        assert all(d.get("closed_on") is None for d in listed)
        assert len(keys) == sum(1 for d in other.contact_docs().values() if d.get("closed_on") is None
                                and financial_year_of(date.fromisoformat(d["received_on"])) == "2017-18")


async def test_the_cursor_stays_and_messages_about_another_record_go(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, "contacts")
        view = app.screen.query_one("#contacts")
        await pilot.press("down", "down", "down")
        noted = view.current_reference()
        await pilot.press("n")
        await type_in(pilot, "chased by phone")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), "back on the list")
        await pilot.pause()
        assert status(app).endswith(f"Note added to {noted}")        # the list's own reload keeps it
        await pilot.press("down")
        on = view.current_reference()
        assert on != noted and noted in status(app)                 # moving alone does not clear it

        # Another user logs a contact: it arrives at the top of the list (newest first).
        with reread(demo) as other:
            new = other.add_contact(received_on=TODAY, agency="Police", category="enquiry", rationale="advice only")
        app.catch_up()
        await wait_until(pilot, lambda: view.pager.keys and view.pager.keys[0] == new.reference, "the new contact listed")
        await pilot.pause()
        assert view.current_reference() == on                      # the cursor stayed on its record
        assert view.pager.table.cursor_row == list(view.pager.keys).index(on) == 5
        assert f" {on} " in f" {screen_text(app).splitlines()[-3]} "   # the preview line names it
        assert noted not in status(app)                             # the message about another record went

        # A message about this record; then the user opens another one: the message goes.
        await pilot.press("n")
        await type_in(pilot, "left a message")
        await pilot.press("enter")
        await wait_until(pilot, lambda: status(app).endswith(f"Note added to {on}"), "the note confirmed")
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ContactScreen), "another record open")
        opened = app.screen.reference
        assert opened != on and on not in status(app)
        assert opened in screen_text(app)

        # The same by `g` (go to a reference): a message about the record left behind goes.
        await pilot.press("n")
        await type_in(pilot, "one more")
        await pilot.press("enter")
        await wait_until(pilot, lambda: status(app).endswith(f"Note added to {opened}"), "the second note confirmed")
        await pilot.press("g")
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen), "the go-to dialog")
        await type_in(pilot, noted)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ContactScreen) and app.screen.reference == noted,
                         "the record gone to")
        assert opened not in status(app)
    with reread(demo) as other:
        assert other.get_contact(noted).notes[-1].text == "chased by phone"
        assert other.get_contact(on).notes[-1].text == "left a message"
        assert new.reference in other.contact_docs()


# --- a large store: the order sorted in the background, what is known shown at once -----------------


async def test_a_large_store_shows_every_contact_at_once_and_sorts_in_the_background(large_demo, monkeypatch):
    release = threading.Event()

    def held(real):
        """``real``, made to wait off the main thread until the test lets the workers go."""
        def wrapper(*args, **kwargs):
            if threading.current_thread() is not threading.main_thread():
                release.wait(30)
            return real(*args, **kwargs)
        return wrapper
    app = app_for(large_demo)
    async with app.run_test(size=(80, 24)) as pilot:
        try:
            await pilot.pause()
            await wait_until(pilot, lambda: lado_data(app).due_known and not lado_data(app).due_running, "the deadlines")
            real_sort_key = LadoData.sort_key
            monkeypatch.setattr(LadoData, "sort_key", lambda self, column: held(real_sort_key(self, column)))
            monkeypatch.setattr(LadoData, "build_index", held(LadoData.build_index))
            app.data_changed()   # a change of unknown extent: nothing is known but the documents
            await show(pilot, "contacts")
            view = app.screen.query_one("#contacts")
            data = lado_data(app)
            assert not data.has_order("received", True)
            count = len(large_demo.contact_docs())
            assert len(view.pager.keys) == count                         # every contact, at once
            assert "sorting" in screen_text(app)                          # and it says the order is coming
            top = view.current_reference()
            release.set()
            await wait_until(pilot, lambda: lado_data(app).has_order("received", True), "the order worked out")
            await wait_until(pilot, lambda: "sorting" not in screen_text(app), "the sorted list shown")
            assert view.current_reference() == top                       # on the same record as before
            keys = list(view.pager.keys)
            years = view.query_one("#filter-year")._years
        finally:   # a failed check must not leave the workers waiting (the app would never stop)
            release.set()
    with reread(large_demo) as other:
        fresh = LadoData(other)
        fresh.sync(0)
        assert keys == fresh.order("received", True)
        assert years == fresh.years()


run_coroutine_tests(globals())
