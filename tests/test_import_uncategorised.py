"""A contact logged before its category is decided (``contact add`` without --category) is a record
like any other: its export goes back in, into a new store or the one that wrote it, as CSV and as an
Excel workbook.  A blank category is refused only where the row needs one (closed, an outcome, a first
category), naming the row and saying what would be accepted, and nothing is written."""

from datetime import date

import pytest

import safeguard_tracker as st
from safeguard_tracker.errors import ImportFailed

TODAY = date(2026, 11, 30)
HEADER = "reference,received,agency,category,first_category,category_changed,rationale,closed,outcome,summary"


def _open(path):
    return st.open_tracker(path, user="a.lado", today=lambda: TODAY)


def _logged(tmp_path):
    t = _open(tmp_path / "source.json")
    waiting = t.add_contact(received_on="02/11/2026", agency="Police", summary="Caller unsure what happened yet")
    decided = t.add_contact(received_on="03/11/2026", agency="Police", category="referral", rationale="meets limb 1")
    return t, waiting.reference, decided.reference


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_uncategorised_contact_goes_back_in_to_a_new_store_and_to_its_own(tmp_path, fmt):
    source, waiting, decided = _logged(tmp_path)
    path = tmp_path / f"contacts.{fmt}"
    if fmt == "csv":
        path.write_text(source.export_contacts("csv"), encoding="utf-8")
    else:
        path.write_bytes(source.export_contacts_xlsx())
    fresh = _open(tmp_path / "fresh.json")
    assert fresh.import_contacts(path).added == (waiting, decided)
    got = fresh.get_contact(waiting)
    assert got.category is None and got.category_history == () and got.closed_on is None
    assert got.summary == "Caller unsure what happened yet"
    assert fresh.get_contact(decided).category.value == "referral"
    assert fresh.export_contacts("csv") == source.export_contacts("csv")
    assert source.import_contacts(path).changed == 0
    # and it is decided later, as one logged by hand is
    assert fresh.categorise(waiting, "consultation", "employer to investigate").category.value == "consultation"


@pytest.mark.parametrize("row, words", [
    (",01/11/2026,Police,,,,,20/11/2026,advice_given,closed without a category", "categorised before it is closed"),
    (",01/11/2026,Police,,,,,,advice_given,an outcome without a category", "categorised before it is closed"),
    (",01/11/2026,Police,,enquiry,10/11/2026,,,,changed to nothing", "changed to from enquiry"),
])
def test_a_blank_category_where_the_row_needs_one_is_refused_naming_the_row(tmp_path, row, words):
    t = _open(tmp_path / "s.json")
    path = tmp_path / "in.csv"
    path.write_text(f"{HEADER}\n,01/11/2026,Police,,,,,,,open and undecided\n{row}\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as err:
        t.import_contacts(path)
    text = str(err.value)
    assert "row 3" in text and "category" in text and words in text and "row 2" not in text
    assert "blank only for an open contact" in text and "enquiry, consultation, referral" in text
    assert t.contacts() == []


def test_a_blank_category_does_not_take_a_stored_category_away(tmp_path):
    source, waiting, decided = _logged(tmp_path)
    before = source.export_contacts("csv")
    c = source.get_contact(decided)
    path = tmp_path / "in.csv"
    path.write_text(f"reference,revision,received,agency,category\n{decided},{c.rev},03/11/2026,Police,\n",
                    encoding="utf-8")
    with pytest.raises(ImportFailed) as err:
        source.import_contacts(path)
    text = str(err.value)
    assert "row 2" in text and "'referral' as stored" in text and "not made uncategorised" in text
    assert source.export_contacts("csv") == before

