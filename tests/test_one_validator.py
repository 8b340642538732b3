"""One validator per record kind: the same bad value gets the same message through the API, a CSV
import, a JSON import and the TUI's edit form (validation/contact.py, validation/fields.py)."""

from __future__ import annotations

import json
from datetime import date

import pytest

import safeguard_tracker as st
from safeguard_tracker.convert import to_doc
from safeguard_tracker.errors import ImportFailed, ValidationError
from safeguard_tracker.model import Contact
from tui.forms import FormScreen
from tui.lado.detail import ContactScreen
from tui.testing import app_for, field_error, fill, run_coroutine_tests, wait_until

TODAY = date(2018, 6, 15)
# (API field, value, CSV column, edit-form field)
BAD = [
    ("children_count", "-5", "children_count", "children_count"),
    ("children_count", "several", "children_count", "children_count"),
    ("children_ages", "7;19", "children_ages", "children_ages"),
    ("threshold", "5", "threshold", "threshold"),
    ("agency", "Scool - Primary", "agency", "agency"),
    ("harm", "tickle", "harm", "harm"),
    ("received_on", "05/01/2030", "received", "received_on"),
    ("received_on", "31/02/2018", "received", "received_on"),
    ("responded_on", "01/01/2017", "responded", "responded_on"),
    ("subject_dob", "01/01/2019", "subject_dob", "subject_dob"),
]


def _tail(message: str, field: str) -> str:
    """The message after the field's name: what every way in must word alike."""
    at = message.find(field)
    assert at >= 0, (field, message)
    return message[at + len(field):].strip()


def api_message(t: st.Tracker, field: str, value: str) -> str:
    fields = {"received_on": "05/01/2018", "agency": "Police", "category": "enquiry", field: value}
    with pytest.raises(ValidationError) as err:
        t.add_contact(**fields)
    return _tail(str(err.value), field)


def csv_message(t: st.Tracker, tmp_path, column: str, value: str) -> str:
    row = {"received": "05/01/2018", "agency": "Police", "category": "enquiry", column: value}
    path = tmp_path / "sheet.csv"
    path.write_text(",".join(row) + "\r\n" + ",".join(row.values()) + "\r\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as err:
        t.import_contacts(path)
    [problem] = err.value.problems
    assert problem.startswith("row 2: ")
    return _tail(problem, column)


def json_message(t: st.Tracker, tmp_path, field: str, value: str) -> str:
    doc = to_doc(Contact(reference="L-2018-0001", received_on=date(2018, 1, 5), agency="Police"))
    if field == "subject_dob":
        doc["subject"]["date_of_birth"] = value
    else:
        doc[field] = value
    path = tmp_path / "export.json"
    path.write_text(json.dumps([doc]), encoding="utf-8")
    with pytest.raises(ImportFailed) as err:
        t.import_contacts(path)
    [problem] = err.value.problems
    return _tail(problem, field)


@pytest.fixture
def one_contact(tmp_path):
    with st.open_tracker(tmp_path / "store.json", user="a.lado", today=lambda: TODAY) as t:
        c = t.add_contact(received_on="05/01/2018", agency="Police", category="enquiry")
        yield t, c


async def form_message(t: st.Tracker, reference: str, field: str, value: str) -> str:
    """Open the contact, press u (edit details), type the value, ctrl+s: the message beside the field."""
    app = app_for(t)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        app.open_reference(reference)
        await wait_until(pilot, lambda: isinstance(app.screen, ContactScreen), "the contact opens")
        await pilot.press("u")
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen), "the edit form opens")
        form = app.screen
        await fill(pilot, field, value)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: field_error(form, field), "the form says what is wrong")
        return field_error(form, field).removeprefix("\u2717").strip()     # the form's mark, then the message


@pytest.mark.parametrize("field, value, column, form_field", BAD, ids=[f"{f}={v}" for f, v, _, _ in BAD])
async def test_the_same_bad_value_gets_the_same_message_by_every_way_in(one_contact, tmp_path, field, value, column,
                                                                        form_field):
    t, c = one_contact
    expected = api_message(t, field, value)
    assert csv_message(t, tmp_path, column, value) == expected
    assert json_message(t, tmp_path, field, value) == expected
    before = t.get_contact(c.reference)
    shown = await form_message(t, c.reference, form_field, value)
    assert shown == expected, (shown, expected)
    assert t.get_contact(c.reference) == before, "a refused form writes nothing"
    assert len(t.contacts()) == 1, "a refused import writes nothing"


run_coroutine_tests(globals())
