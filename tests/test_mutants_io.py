"""CSV exports guard formulas with a leading apostrophe, and imports take exactly that apostrophe off
again: every value comes back as it was, including values that begin with an apostrophe of their own
("'Tis", "'=1+1") and those that only look like formulas ("+44 7700 900000", "-", "@home")."""

import csv
import io
import json
import re
from datetime import date, datetime

import pytest

import safeguard_tracker as st
from safeguard_tracker.convert import to_doc
from safeguard_tracker.errors import ImportFailed, ValidationError
from safeguard_tracker.io.csvfiles import FORMULA_PREFIXES, safe_cell, unguard
from safeguard_tracker.io.importing import ImportResult, parse_revision
from safeguard_tracker.model import (
    Category,
    CategoryChange,
    CategoryDecision,
    Contact,
    Note,
)

TODAY = date(2018, 6, 15)

VALUES = ("'Tis the season", "'=1+1", "=1+1", "+44 7700 900000", "-", "@home", "'", "''=SUM(A1)", "'-",
          "Tis plain", "O'Brien", "it's -1", "'+44 7700 900000", "'@home", "-5 days")
TEXT_COLUMNS = ("summary", "subject_role", "employer", "referrer", "case_manager")


@pytest.mark.parametrize("value", VALUES + ("\tTab", "\rCR", "'\tTab", ""))
def test_unguard_undoes_safe_cell_exactly(value):
    assert unguard(safe_cell(value)) == value


@pytest.mark.parametrize("value", VALUES)
def test_a_written_cell_never_starts_a_formula(value):
    assert not safe_cell(value).startswith(FORMULA_PREFIXES)


def test_unguard_leaves_an_apostrophe_that_guards_nothing():
    # a spreadsheet's own text (not written by safe_cell) keeps an apostrophe that is not a guard
    assert unguard("'Tis") == "'Tis" and unguard("'") == "'" and unguard("O'Brien") == "O'Brien"
    assert unguard("'=1+1") == "=1+1" and unguard("'-") == "-" and unguard("'@home") == "@home"


def _open(path):
    return st.open_tracker(path, user="a.lado", today=lambda: TODAY)


def test_contacts_csv_round_trip_keeps_every_value_unchanged(tmp_path):
    source = _open(tmp_path / "source.json")
    refs = [source.add_contact(received_on="05/01/2018", agency="Police", category="consultation",
                               rationale=value, **{k: value for k in TEXT_COLUMNS}).reference
            for value in VALUES]
    path = tmp_path / "contacts.csv"
    path.write_text(source.export_contacts("csv"), encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    assert not any(v.startswith(FORMULA_PREFIXES) for row in rows for v in row.values())
    fresh = _open(tmp_path / "fresh.json")
    fresh.import_contacts(path)
    for ref, value in zip(refs, VALUES):
        c = fresh.get_contact(ref)
        got = (c.summary, c.category_history[-1].rationale, c.subject.role, c.subject.employer, c.referrer.name, c.case_manager)
        assert got == (value,) * 6, (ref, value)
    # and read back into the store that wrote it, nothing changes
    assert source.import_contacts(path).changed == 0


def test_actions_csv_round_trip_keeps_every_value_unchanged(tmp_path):
    source = _open(tmp_path / "source.json")
    source.add_review(name="Dawn", kind="scr", notified_on="24/02/2017")
    source.add_recommendation("Dawn", text="Record every child", owner_agencies="Police")
    refs = [source.add_action("Dawn", 1, description=value, lead_agency="Police", lead_officer=value,
                              due="31/07/2018").reference for value in VALUES]
    reviews, actions = tmp_path / "reviews.csv", tmp_path / "actions.csv"
    reviews.write_text(source.export_plans("reviews", "csv"), encoding="utf-8")
    actions.write_text(source.export_plans("actions", "csv"), encoding="utf-8")
    fresh = _open(tmp_path / "fresh.json")
    fresh.import_reviews(reviews)
    fresh.import_actions(actions)
    by_ref = {a.reference: a for a in fresh.actions()}
    for ref, value in zip(refs, VALUES):
        assert (by_ref[ref].description, by_ref[ref].lead_officer) == (value, value), (ref, value)


# --- the rest of the import: encodings, JSON shapes, revisions, conflicts, the summary ----------------------


CSV_TEXT = ("reference,received,agency,category,summary\r\n"
            "L-2018-0001,05/01/2018,Police,enquiry,Advice on a post\r\n"
            "L-2018-0002,06/01/2018,Police,consultation,Pushed a pupil\r\n")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_that_lost_its_byte_order_mark_is_recognised(tmp_path, codec):
    path = tmp_path / "contacts.csv"
    path.write_bytes(CSV_TEXT.encode(codec))
    t = _open(tmp_path / "store.json")
    result = t.import_contacts(path)
    assert result.added == ("L-2018-0001", "L-2018-0002")
    assert t.get_contact("L-2018-0002").summary == "Pushed a pupil"


def _json_import_problems(tmp_path, docs):
    path = tmp_path / "contacts.json"
    path.write_text(json.dumps(docs), encoding="utf-8")
    with pytest.raises(ImportFailed) as err:
        _open(tmp_path / "store.json").import_contacts(path)
    return " ".join(err.value.problems)


@pytest.mark.parametrize("bad", ["2018-02-31", "05/01/2018", "2018-1-5", 20180105])
def test_a_json_date_inside_a_record_that_is_not_iso_is_refused_naming_the_key(tmp_path, bad):
    decision = CategoryDecision(on=date(2018, 1, 5), user="a.lado", kind=CategoryChange.CATEGORISED,
                                to=Category.ENQUIRY, rationale="advice only")
    doc = to_doc(Contact(reference="L-2018-0001", received_on=date(2018, 1, 5), agency="Police",
                         category=Category.ENQUIRY, category_history=(decision,)))
    doc["category_history"][0]["on"] = bad
    problems = _json_import_problems(tmp_path, [doc])
    assert "category_history[1].on" in problems and "a date written 2018-01-05" in problems


@pytest.mark.parametrize("bad", ["yesterday", "2018-02-31T10:00:00", 5])
def test_a_json_date_and_time_that_is_not_iso_is_refused_naming_the_key(tmp_path, bad):
    note = Note(at=datetime(2018, 1, 5, 10, 30), user="a.lado", text="phoned the school")
    doc = to_doc(Contact(reference="L-2018-0001", received_on=date(2018, 1, 5), agency="Police", notes=(note,)))
    doc["notes"][0]["at"] = bad
    problems = _json_import_problems(tmp_path, [doc])
    assert "notes[1].at" in problems and "a date and time written" in problems


def test_revisions_are_whole_numbers_from_1_below_2_to_the_53():
    assert parse_revision("1") == 1 and parse_revision(" 42 ") == 42 and parse_revision(7) == 7
    assert parse_revision(str((1 << 53) - 1)) == (1 << 53) - 1
    assert parse_revision("") is None and parse_revision(None) is None
    for bad in ("0", 0, "-1", "1.5", 1.0, True, "\u0661", str(1 << 53), 1 << 53):
        with pytest.raises(ValidationError):
            parse_revision(bad, row=3)


def test_an_import_result_summarises_what_it_did():
    result = ImportResult(source="c.csv", rows=3, added=("L-2018-0003",), updated={"L-2018-0001": ("summary",)},
                          unchanged=("L-2018-0002",), ignored_columns=("status",))
    assert result.summary() == ["c.csv: 3 row(s): added 1, updated 1, 1 unchanged",
                                "  updated L-2018-0001: summary",
                                "  added: L-2018-0003",
                                "  ignored (export-only) column(s): status"]
    assert result.to_dict() == {"source": "c.csv", "rows": 3, "dry_run": False, "added": ["L-2018-0003"],
                                "updated": {"L-2018-0001": ["summary"]}, "unchanged": 1, "overwritten": []}


def test_a_long_import_summary_is_cut_at_its_limit():
    refs = tuple(f"L-2018-{i:04d}" for i in range(1, 23))
    result = ImportResult(source="c.csv", rows=44, added=refs, updated={r: ("summary",) for r in refs},
                          unchanged=(), dry_run=True)
    lines = result.summary()
    assert lines[0] == "c.csv: 44 row(s): would add 22, would update 22, 0 unchanged (dry run: nothing was written)"
    assert lines[1:21] == [f"  would update {r}: summary" for r in refs[:20]]
    assert lines[21] == "  ... and 2 more updated"
    assert lines[22] == "  would add: " + ", ".join(refs[:20]) + " ... and 2 more"
    exact = ImportResult(source="c.csv", rows=20, added=refs[:20], updated={r: ("summary",) for r in refs[:20]},
                         unchanged=())
    assert not any("more" in line for line in exact.summary())


def test_a_conflict_names_only_the_changes_made_since_the_export(tmp_path):
    path = tmp_path / "store.json"
    mine = st.open_tracker(path, user="a.lado", today=lambda: TODAY)
    c = mine.add_contact(received_on="05/01/2018", agency="Police", category="enquiry", summary="first")
    mine.update_contact(c.reference, police_reference="P/2018/1")
    old = tmp_path / "old.csv"
    old.write_text(mine.export_contacts("csv"), encoding="utf-8")
    with st.open_tracker(path, user="b.other", today=lambda: TODAY) as theirs:
        theirs.update_contact(c.reference, summary="second")
    mine.refresh()
    with pytest.raises(ImportFailed) as err:
        mine.import_contacts(old)
    (problem,) = err.value.problems
    assert "(the file holds revision 2, the store 3)" in problem
    assert re.search(r": summary by b\.other on \d\d/\d\d/\d{4} \d\d:\d\d; importing the row would undo", problem)
    assert "created" not in problem and "police_reference" not in problem and "a.lado" not in problem
    mine.close()


def test_unstorable_names_the_value_the_store_cannot_hold():
    from safeguard_tracker.io.jsonfiles import unstorable
    fine = ("contacts[1]", {"a": 5, "b": [1, 2], "c": "text", "d": None, "e": True, "f": 1.5})
    assert unstorable([fine]) == []
    assert unstorable([fine, ("contacts[2]", {"a": 5, "b": 1 << 70})]) == [
        "contacts[2]: b: 1180591620717411303424 is beyond the largest whole number the store can hold"]
    assert unstorable([("contacts[3]", {"notes": [{"text": "ok"}, {"text": "bad \ud800"}]})]) == [
        "contacts[3]: notes[2].text: text with an unpaired surrogate ('bad \\ud800') is not text the store can hold"]
    assert unstorable([("contacts[4]", {"x": {1: "one"}})]) == ["contacts[4]: x: the key 1 is not text"]


@pytest.mark.parametrize("bad", ["bogus", "", 1, None])
def test_a_json_choice_inside_a_record_must_be_one_of_its_values(tmp_path, bad):
    decision = CategoryDecision(on=date(2018, 1, 5), user="a.lado", kind=CategoryChange.CATEGORISED,
                                to=Category.ENQUIRY, rationale="advice only")
    doc = to_doc(Contact(reference="L-2018-0001", received_on=date(2018, 1, 5), agency="Police",
                         category=Category.ENQUIRY, category_history=(decision,)))
    doc["category_history"][0]["kind"] = bad
    assert "category_history[1].kind" in _json_import_problems(tmp_path, [doc])


def test_locate_names_the_row_column_and_line_of_a_position():
    from safeguard_tracker.io.csvfiles import locate
    text = "reference,received,agency\r\nL-1,05/01/2018,Police\r\nL-2,06/01/2018,Police\r\n"
    third = text.index("L-2")
    assert locate(text, third, ",") == (3, "reference", 3)              # the start of a row: its first column
    assert locate(text, third + 4, ",") == (3, "received", 3)
    assert locate(text, text.index("Police"), ",") == (2, "agency", 2)
    assert locate(text, 0, ",") == (1, "", 1)                            # the header itself


def test_an_unknown_key_inside_a_json_record_is_named(tmp_path):
    decision = CategoryDecision(on=date(2018, 1, 5), user="a.lado", kind=CategoryChange.CATEGORISED,
                                to=Category.ENQUIRY, rationale="advice only")
    doc = to_doc(Contact(reference="L-2018-0001", received_on=date(2018, 1, 5), agency="Police",
                         category=Category.ENQUIRY, category_history=(decision,)))
    doc["category_history"][0]["bogus"] = 1
    problems = _json_import_problems(tmp_path, [doc])
    assert "category_history[1].bogus" in problems and "a field of category_history[1]" in problems
