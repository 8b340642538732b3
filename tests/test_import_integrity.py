"""Imports never swallow rows, never undo other people's edits, read Excel's encodings, and judge a
value by the same rules (in the same words) as the API.

* A quote opened in a cell and never closed (or closed by a stray quote rows later) is a
  row-level error, not three rows folded into one summary; a quoted multi-line cell as Excel
  writes it still imports.
* Every export carries each record's revision.  Importing an export made before someone else
  changed a record is a conflict naming the row, the fields and who changed them; a row without
  a revision that would change a stored record is refused unless the import is told to
  overwrite.  History (notes, updates, due-date revisions, recommendations) is never removed.
* UTF-16 "Unicode text" (tab-separated, with a byte-order mark) imports; binary junk is one line.
* JSON the store could not hold (numbers beyond 64 bits, NaN, lone surrogates, deep nesting) is
  one line naming the record and key, never a traceback.
"""

import csv
import io
import json
from datetime import date

import pytest

import safeguard_tracker as st
from safeguard_tracker.convert import to_doc
from safeguard_tracker.errors import ImportFailed, SafeguardError, ValidationError
from safeguard_tracker.model import Contact

FIXED_TODAY = date(2018, 6, 15)      # the tracker fixture's today (conftest)

HEADER = "received,agency,category,summary\r\n"


def _write(tmp_path, name, data):
    path = tmp_path / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8", newline="")
    return path


def _refused(call, *args, **kwargs) -> list[str]:
    """The problems of an import that must be refused; each must be one line."""
    with pytest.raises(ImportFailed) as err:
        call(*args, **kwargs)
    for problem in err.value.problems:
        assert problem.strip() and "\n" not in problem and "Traceback" not in problem, problem
    return err.value.problems


@pytest.fixture
def other(store_location, tracker):
    """A second user on the same store."""
    with st.open_tracker(store_location, user="b.other", today=lambda: FIXED_TODAY) as t:
        yield t


# --- 1. an unclosed quote never swallows the rows after it ---------------------------------------------

RUNAWAYS = {
    # the issue: a summary opens a quote and never closes it; three rows follow
    "never closed": '05/01/2018,Police,enquiry,"He said she was\r\n06/01/2018,Police,referral,second\r\n'
                    '07/01/2018,Police,referral,third\r\n08/01/2018,Police,enquiry,fourth\r\n',
    # closed, rows later, by a stray quote at the end of a row: the field count then looks right
    "closed by a later stray quote": '05/01/2018,Police,enquiry,"He said she was\r\n'
                                     '06/01/2018,Police,referral,second\r\n07/01/2018,Police,referral,6 foot"\r\n'
                                     '08/01/2018,Police,enquiry,fourth\r\n',
    # opened in a middle column and closed mid-row later: the row then has too few cells
    "opened mid-row": '05/01/2018,"Police,enquiry,first\r\n06/01/2018,Police",referral,second\r\n',
    # a quote mark inside a cell that does not start with one
    "stray quote": '05/01/2018,Police,enquiry,He said "leave it" twice\r\n06/01/2018,Police,referral,second\r\n',
    # text after a quoted cell's closing quote
    "text after the closing quote": '05/01/2018,Police,enquiry,"He said "leave it" twice"\r\n'
                                    '06/01/2018,Police,referral,second\r\n',
}


@pytest.mark.parametrize("case", list(RUNAWAYS))
def test_an_unbalanced_quote_is_a_row_error_and_nothing_is_written(tracker, tmp_path, case):
    seq = tracker.store.last_seq
    problems = _refused(tracker.import_contacts, _write(tmp_path, "c.csv", HEADER + RUNAWAYS[case]))
    assert len(problems) == 1 and problems[0].startswith("row 2"), problems
    assert "summary" in problems[0] or "agency" in problems[0]
    assert tracker.store.last_seq == seq and tracker.contacts() == []


PLAN_RUNAWAYS = {
    "reviews": 'name,kind,chair\r\nEllie,llr,"Rowan\r\nFay,llr,Ash\r\nGus,llr,Sam"\r\nHal,llr,Kit\r\n',
    "actions": 'review,recommendation,action,agency\r\nDawn,1,"Share the protocol,Police\r\n'
               'Dawn,1,Audit registrations,Police\r\nDawn,1,Train 6 foot",Police\r\n',
    "actions, never closed": 'review,recommendation,action,agency\r\nDawn,1,Share the protocol,Police\r\n'
                             'Dawn,1,"Audit registrations,Police\r\nDawn,1,Train staff,Police\r\n',
}


@pytest.mark.parametrize("case", list(PLAN_RUNAWAYS))
def test_an_unbalanced_quote_is_refused_by_the_plans_importers_too(tracker, tmp_path, case):
    tracker.add_review(name="Dawn", kind="llr")
    tracker.add_recommendation("Dawn", text="Share information", owner_agencies="Police")
    seq = tracker.store.last_seq
    call = tracker.import_reviews if case == "reviews" else tracker.import_actions
    [problem] = _refused(call, _write(tmp_path, "p.csv", PLAN_RUNAWAYS[case]))
    assert problem.startswith("row 2" if case != "actions, never closed" else "row 3"), problem
    assert tracker.store.last_seq == seq and tracker.actions() == []


def test_a_quoted_multi_line_summary_as_excel_writes_it_still_imports(tracker, tmp_path):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")          # how Excel quotes: commas, quotes and line breaks
    w.writerow(["Received", "Agency", "Category", "Summary"])
    summaries = ['He said "leave it",\nthen left.\r\nMore on Monday, 08/01/2018.', "Second", 'One "quoted" word']
    for i, s in enumerate(summaries, 5):
        w.writerow([f"0{i}/01/2018", "Police", "enquiry", s])
    result = tracker.import_contacts(_write(tmp_path, "c.csv", "\ufeff" + out.getvalue()))
    assert result.rows == 3
    assert [c.summary for c in tracker.contacts()] == [s.strip() for s in summaries]


# --- 2. an import never undoes later edits ----------------------------------------------------------------

def _contact(tracker) -> Contact:
    return tracker.add_contact(received_on="05/01/2018", agency="Police", category="referral",
                               summary="Pushed a pupil", subject_name="Jo Smith")


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize("overwrite", [False, True])
def test_importing_an_export_older_than_another_users_edits_is_a_conflict(tracker, other, tmp_path, fmt,
                                                                          overwrite):
    c = _contact(tracker)
    old = _write(tmp_path, f"old.{fmt}", tracker.export_contacts(fmt))
    other.add_note(c.reference, "Police called back")
    other.update_contact(c.reference, subject_name="Jo Smyth")
    tracker.refresh()
    seq = tracker.store.last_seq
    [problem] = _refused(tracker.import_contacts, old, **({"overwrite": True} if overwrite else {}))
    assert c.reference in problem and "revision 1" in problem and "the store 3" in problem
    assert "notes by b.other" in problem and ("subject_name by b.other" in problem or "subject.name" in problem)
    assert tracker.store.last_seq == seq
    now = tracker.get_contact(c.reference)
    assert [n.text for n in now.notes] == ["Police called back"] and now.subject.name == "Jo Smyth"


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_an_export_re_imported_as_it_is_changes_nothing_and_an_edit_of_a_fresh_one_applies(tracker, other,
                                                                                        tmp_path, fmt):
    c = _contact(tracker)
    other.add_note(c.reference, "Police called back")
    tracker.refresh()
    fresh = _write(tmp_path, f"fresh.{fmt}", tracker.export_contacts(fmt))
    seq = tracker.store.last_seq
    again = tracker.import_contacts(fresh)
    assert (again.added, again.updated, again.overwritten) == ((), {}, ()) and tracker.store.last_seq == seq
    fresh.write_text(fresh.read_text(encoding="utf-8").replace("Pushed a pupil", "Pushed a pupil twice"),
                     encoding="utf-8")
    result = tracker.import_contacts(fresh)                 # based on the current revision: no overwrite needed
    assert result.updated == {c.reference: ("summary",)} and result.overwritten == ()
    now = tracker.get_contact(c.reference)
    assert now.summary == "Pushed a pupil twice" and [n.text for n in now.notes] == ["Police called back"]


def test_a_spreadsheet_without_revisions_changes_a_stored_contact_only_when_told_to(tracker, other, tmp_path):
    c = _contact(tracker)
    other.update_contact(c.reference, subject_name="Jo Smyth")
    other.add_note(c.reference, "Police called back")
    tracker.refresh()
    sheet = _write(tmp_path, "sheet.csv", "Reference,Received,Agency,Category,Summary,Subject Name\r\n"
                   f"{c.reference},05/01/2018,Police,referral,Pushed a pupil,Jo Smith\r\n")
    seq = tracker.store.last_seq
    [problem] = _refused(tracker.import_contacts, sheet)
    assert problem.startswith(f"row 2: {c.reference} would change")
    assert "subject_name 'Jo Smyth' -> 'Jo Smith' (last changed by b.other" in problem and "--overwrite" in problem
    assert tracker.store.last_seq == seq
    result = tracker.import_contacts(sheet, overwrite=True)
    assert result.overwritten == (c.reference,) and result.updated == {c.reference: ("subject",)}
    now = tracker.get_contact(c.reference)
    assert now.subject.name == "Jo Smith" and [n.text for n in now.notes] == ["Police called back"]
    assert tracker.import_contacts(sheet).changed == 0          # identical rows are no-ops, revision or not


def test_a_json_import_never_removes_history(tracker, other, tmp_path):
    c = _contact(tracker)
    data = json.loads(tracker.export_contacts("json"))
    other.add_note(c.reference, "Police called back")
    tracker.refresh()
    record = data["contacts"][0]
    # the revision matches, but the file drops the stored note: refused
    current = dict(record, revision=tracker.get_contact(c.reference).rev, summary="Pushed a pupil twice")
    path = _write(tmp_path, "c.json", json.dumps(dict(data, contacts=[current])))
    [problem] = _refused(tracker.import_contacts, path)
    assert "notes" in problem and "only adds to a record's history" in problem
    # without a revision and with overwrite: the file's values go in, and the note stays
    path = _write(tmp_path, "c.json", json.dumps([{k: v for k, v in current.items() if k != "revision"}]))
    tracker.import_contacts(path, overwrite=True)
    now = tracker.get_contact(c.reference)
    assert now.summary == "Pushed a pupil twice" and [n.text for n in now.notes] == ["Police called back"]
    assert tracker.check() == []


def test_a_file_from_another_copy_of_the_store_is_refused(tracker, tmp_path):
    c = _contact(tracker)
    data = json.loads(tracker.export_contacts("json"))
    data["contacts"][0].update(revision=7, summary="Changed elsewhere")
    [problem] = _refused(tracker.import_contacts, _write(tmp_path, "c.json", json.dumps(data)))
    assert "revision 7 but the store only 1" in problem and tracker.get_contact(c.reference).summary == "Pushed a pupil"
    data["contacts"][0]["revision"] = "seven"
    [problem] = _refused(tracker.import_contacts, _write(tmp_path, "c.json", json.dumps(data)))
    assert "revision 'seven' is not valid" in problem


@pytest.fixture
def plan(tracker):
    tracker.add_review(name="Dawn", kind="scr", published_on="29/03/2018")
    tracker.add_recommendation("Dawn", text="Police should record every child", owner_agencies="Police")
    action = tracker.add_action("Dawn", 1, description="Change the incident form", lead_agency="Police",
                                due="31/07/2018")
    return tracker, action.reference


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_an_old_actions_export_cannot_undo_updates_or_revisions(plan, other, tmp_path, fmt):
    tracker, ref = plan
    old = _write(tmp_path, f"a.{fmt}", tracker.export_plans("actions", fmt))
    other.add_update(ref, "Draft shared")
    other.revise_due(ref, "31/08/2018", "service restructure")
    tracker.refresh()
    seq = tracker.store.last_seq
    [problem] = _refused(tracker.import_actions, old)
    assert ref in problem and "changed after this file was exported" in problem and "by b.other" in problem
    assert tracker.store.last_seq == seq
    if fmt == "json":   # without revisions, and told to overwrite: values change, history stays
        data = json.loads(old.read_text(encoding="utf-8"))
        for record in data["actions"]:
            del record["revision"]
            record["lead_officer"] = "Jo Tester"
        tracker.import_actions(_write(tmp_path, "b.json", json.dumps(data)), overwrite=True)
    a = tracker.get_action(ref)
    assert [u.text for u in a.updates] == ["Draft shared"]
    assert [r.reason for r in a.revisions] == ["service restructure"]


def test_a_reviews_import_keeps_the_stored_recommendations(plan, tmp_path):
    tracker, ref = plan
    data = json.loads(tracker.export_plans("reviews", "json"))
    for record in data["reviews"]:
        del record["revision"]
        record["recommendations"] = []
        record["chair"] = "A. Chair"
    tracker.import_reviews(_write(tmp_path, "r.json", json.dumps(data)), overwrite=True)
    review = tracker.get_review("Dawn")
    assert review.chair == "A. Chair" and [r.number for r in review.recommendations] == [1]


def test_an_actions_file_changes_a_recommendations_text_only_when_told_to(plan, tmp_path):
    tracker, ref = plan
    path = _write(tmp_path, "a.csv", "review,recommendation,recommendation_text,action,agency\r\n"
                  "Dawn,1,Police must record every child,Change the incident form,Police\r\n")
    [problem] = _refused(tracker.import_actions, path)
    assert "recommendation 1 of SCR Dawn would change" in problem and "--overwrite" in problem
    tracker.import_actions(path, overwrite=True)
    assert tracker.get_review("Dawn").recommendation(1).text == "Police must record every child"


def test_every_export_carries_each_records_revision(plan, tmp_path):
    tracker, ref = plan
    c = _contact(tracker)
    tracker.add_note(c.reference, "note")
    tracker.add_update(ref, "update")
    for kind, export, table in (("contacts", lambda f: tracker.export_contacts(f), "contacts"),
                                ("reviews", lambda f: tracker.export_plans("reviews", f), "reviews"),
                                ("actions", lambda f: tracker.export_plans("actions", f), "actions")):
        stored = {k: d["_rev"] for k, d in tracker.store.all(table).items()}
        rows = list(csv.DictReader(io.StringIO(export("csv"))))
        assert {r["reference"]: int(r["revision"]) for r in rows} == stored, kind
        records = json.loads(export("json"))[table]
        assert {r["reference"]: r["revision"] for r in records} == stored, kind
    assert stored[ref] == 2


def test_the_cli_refuses_a_stale_export_with_exit_2_and_takes_overwrite(tracker, other, store_location, tmp_path,
                                                                       capsys):
    from safeguard_tracker.cli import main
    c = _contact(tracker)
    old = _write(tmp_path, "old.csv", tracker.export_contacts("csv"))
    other.update_contact(c.reference, subject_name="Jo Smyth")
    base = ["--db", str(store_location), "--today", "15/06/2018", "import", "contacts"]
    assert main(base + [str(old)]) == 2
    err = capsys.readouterr().err
    assert "changed after this file was exported" in err and "Traceback" not in err
    sheet = _write(tmp_path, "sheet.csv", f"reference,received,agency,category,summary\r\n"
                   f"{c.reference},05/01/2018,Police,referral,Pushed a pupil twice\r\n")
    assert main(base + [str(sheet)]) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert main(base + [str(sheet), "--overwrite"]) == 0
    tracker.refresh()
    assert tracker.get_contact(c.reference).summary == "Pushed a pupil twice"


# --- 3. Excel's encodings -----------------------------------------------------------------------------------

UNICODE_TEXT = ("Received\tAgency\tCategory\tSummary\r\n"
                "05/01/2018\tFoster Carers \u2013 Independent\treferral\tCaf\u00e9 owner, n\u00e4ive\r\n"
                "06/01/2018\tPolice\tenquiry\t\"Two\tcells? No: one, with a tab\"\r\n")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be-bom", "utf-16-le-no-bom", "utf-8-sig"])
def test_excel_unicode_text_tab_separated_utf16_imports(tracker, tmp_path, encoding):
    raw = {"utf-16": UNICODE_TEXT.encode("utf-16"),
           "utf-16-be-bom": ("\ufeff" + UNICODE_TEXT).encode("utf-16-be"),
           "utf-16-le-no-bom": UNICODE_TEXT.encode("utf-16-le"),
           "utf-8-sig": UNICODE_TEXT.encode("utf-8-sig")}[encoding]
    result = tracker.import_contacts(_write(tmp_path, "u.txt", raw))
    assert result.rows == 2
    a, b = tracker.contacts()
    assert (a.agency, a.summary) == ("Foster Carers - Independent", "Caf\u00e9 owner, n\u00e4ive")
    assert b.summary == "Two\tcells? No: one, with a tab"


def test_the_plans_importers_read_utf16_too(tracker, tmp_path):
    raw = "Name\tKind\tChair\r\nDawn\tscr\tRowan T\u00e9ster\r\n".encode("utf-16")
    tracker.import_reviews(_write(tmp_path, "r.txt", raw))
    assert tracker.get_review("Dawn").chair == "Rowan T\u00e9ster"


@pytest.mark.parametrize("raw", [bytes(range(256)) * 4, b"\xff\xfe\x00\xd8abc", b"received,agency\n\x01\x02\x1b[31m\n",
                                 b"\x00" * 50, b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(40))])
def test_binary_junk_is_refused_in_one_line(tracker, tmp_path, raw):
    [problem] = _refused(tracker.import_contacts, _write(tmp_path, "junk.csv", raw))
    assert "junk.csv" in problem and "\x1b" not in problem


# --- 4. JSON the store could not hold ----------------------------------------------------------------------

def _contact_json(**changes) -> str:
    doc = to_doc(Contact(reference="L-2018-0001", received_on=date(2018, 1, 5), agency="Police"))
    return json.dumps({"format": "safeguard-tracker/contacts", "version": 1, "contacts": [dict(doc, **changes)]})


UNREADABLE = {
    "an int beyond 64 bits": (_contact_json(children_count=10 ** 30), "children_count"),
    "a revision beyond 64 bits": (_contact_json(revision=2 ** 64 + 1), "revision"),
    "a number in a note beyond 64 bits": (_contact_json(notes=[{"at": "2018-01-05T10:00:00+00:00", "user": "u",
                                                                "text": 10 ** 30}]), "notes[1].text"),
    "5,000 digits": ('[{"reference": "L-2018-0001", "received_on": "2018-01-05", "agency": "Police", '
                     '"children_count": ' + "9" * 5000 + "}]", "children_count"),
    "NaN": ('[{"reference": "L-2018-0001", "children_count": NaN}]', "NaN"),
    "1e999": ('[{"reference": "L-2018-0001", "received_on": "2018-01-05", "agency": "Police", '
              '"children_count": 1e999}]', "children_count"),
    "a lone surrogate": (_contact_json(summary="x").replace('"summary": "x"', '"summary": "\\ud800"'), "summary"),
    "nested a million deep": ("[" * 100_000 + "]" * 100_000, "nested"),
    "a list where an object belongs": (json.dumps([[1, 2]]), "contacts[1]"),
    "a number": ("5", "contacts"),
}


@pytest.mark.parametrize("case", list(UNREADABLE))
def test_json_the_store_cannot_hold_is_one_line_naming_the_key(tracker, tmp_path, case):
    text, key = UNREADABLE[case]
    seq = tracker.store.last_seq
    [problem] = _refused(tracker.import_contacts, _write(tmp_path, "c.json", text))
    assert key in problem, problem
    assert tracker.store.last_seq == seq


def test_a_plans_json_number_beyond_64_bits_is_one_line(plan, tmp_path):
    tracker, ref = plan
    data = json.loads(tracker.export_plans("reviews", "json"))
    data["reviews"][0]["recommendations"][0]["number"] = 10 ** 30
    [problem] = _refused(tracker.import_reviews, _write(tmp_path, "r.json", json.dumps(data)))
    assert "recommendations[1].number" in problem


def test_the_cli_prints_no_traceback_for_an_unholdable_json(tracker, store_location, tmp_path, capsys):
    from safeguard_tracker.cli import main
    path = _write(tmp_path, "c.json", _contact_json(children_count=10 ** 30))
    assert main(["--db", str(store_location), "--today", "15/06/2018", "import", "contacts", str(path)]) == 2
    err = capsys.readouterr().err
    assert "children_count" in err and "Traceback" not in err


# --- 5. one validator for every way in ------------------------------------------------------------------------

# (API field, bad value, CSV column, the same value as a CSV cell)
SAME_BAD = [
    ("children_count", -5, "children_count", "-5"),
    ("children_count", "several", "children_count", "several"),
    ("children_count", 10 ** 30, "children_count", str(10 ** 30)),
    ("children_ages", "7;19", "children_ages", "7;19"),
    ("threshold", "5", "threshold", "5"),
    ("police_involved", "maybe", "police_involved", "maybe"),
    ("harm", "tickle", "harm", "tickle"),
    ("agency", "Scool - Primary", "agency", "Scool - Primary"),
    ("received_on", "05/01/2030", "received", "05/01/2030"),
    ("received_on", "31/02/2018", "received", "31/02/2018"),
    ("responded_on", "01/01/2017", "responded", "01/01/2017"),
    ("subject_dob", "01/01/2019", "subject_dob", "01/01/2019"),
]


def _after_field(message: str, field: str) -> str:
    """A message without where it came from and the field's name: "row 2: received '...' is not valid: ..."
    -> "'...' is not valid: ..." """
    at = message.find(field)
    assert at >= 0, (field, message)
    return message[at + len(field):]


def _api_message(tracker, field, value) -> str:
    fields = {"received_on": "05/01/2018", "agency": "Police", "category": "enquiry", field: value}
    with pytest.raises(ValidationError) as err:
        tracker.add_contact(**fields)
    return str(err.value)


@pytest.mark.parametrize("field,value,column,cell", SAME_BAD, ids=[f"{f}={v!r:.12}" for f, v, _, _ in SAME_BAD])
def test_the_same_bad_value_gets_the_same_message_from_the_api_the_csv_and_the_json(tracker, tmp_path, field,
                                                                                     value, column, cell):
    api = _after_field(_api_message(tracker, field, value), field)
    row = {"received": "05/01/2018", "agency": "Police", "category": "enquiry", column: cell}
    csv_path = _write(tmp_path, "c.csv", ",".join(row) + "\r\n" + ",".join(row.values()) + "\r\n")
    [from_csv] = _refused(tracker.import_contacts, csv_path)
    assert from_csv.startswith("row 2: ") and _after_field(from_csv, column) == api
    person = {"subject_dob": ("subject", "date_of_birth")}.get(field)
    doc = to_doc(Contact(reference="L-2018-0001", received_on=date(2018, 1, 5), agency="Police"))
    if person:
        doc[person[0]][person[1]] = value
    else:
        doc[field] = value
    [from_json] = _refused(tracker.import_contacts, _write(tmp_path, "c.json", json.dumps([doc])))
    assert from_json.startswith("contacts[1] (L-2018-0001): ") and _after_field(from_json, field) == api
    assert tracker.contacts() == []


@pytest.mark.parametrize("field,value", [("summary", {"text": "x"}), ("summary", ["x"]), ("case_manager", True),
                                         ("subject", "Jo"), ("subject", {"nmae": "Jo"}), ("children_ages", 7),
                                         ("threshold", 3)])
def test_values_of_the_wrong_kind_are_refused_alike_by_the_api_and_the_json(tracker, tmp_path, field, value):
    api = _after_field(_api_message(tracker, field, value), field)
    [from_json] = _refused(tracker.import_contacts, _write(tmp_path, "c.json", _contact_json(**{field: value})))
    assert _after_field(from_json, field) == api


YES_NO = [("yes", True), ("Y", True), ("true", True), ("1", True), ("x", True), ("X", True), ("no", False),
          ("n", False), ("FALSE", False), ("0", False), ("", False)]


def test_one_yes_no_parser_for_the_api_and_the_csv(tracker, tmp_path):
    rows = "".join(f"05/01/2018,Police,enquiry,{word}\r\n" for word, _ in YES_NO)
    tracker.import_contacts(_write(tmp_path, "c.csv", "received,agency,category,police\r\n" + rows))
    assert [c.police_involved for c in tracker.contacts()] == [want for _, want in YES_NO]
    for word, want in YES_NO:
        c = tracker.add_contact(received_on="05/01/2018", agency="Police", police_involved=word)
        assert c.police_involved is want, word
    for word in ("maybe", "nope", "2", "yess"):
        message = _api_message(tracker, "police_involved", word)
        assert "yes or no" in message and "x (for yes)" in message


def test_a_json_import_keeps_the_plans_apis_rules(plan, tmp_path):
    tracker, ref = plan
    data = json.loads(tracker.export_plans("actions", "json"))
    record = dict(data["actions"][0], reference="A-000099")
    del record["revision"]
    for field, value in (("lead_agency", "Polcie"), ("description", "   "), ("status", "finished")):
        with pytest.raises(SafeguardError) as err:
            tracker.add_action("Dawn", 1, **{"description": "d", "lead_agency": "Police", field: value})
        api = _after_field(str(err.value), field)
        path = _write(tmp_path, "a.json", json.dumps(dict(data, actions=[dict(record, **{field: value})])))
        [from_json] = _refused(tracker.import_actions, path)
        assert _after_field(from_json, field) == api
    future = dict(record, status="complete", completed_on="2030-01-01", evidence="x")
    [problem] = _refused(tracker.import_actions, _write(tmp_path, "a.json", json.dumps(dict(data, actions=[future]))))
    assert "completed_on '01/01/2030' is not valid: a date no later than today" in problem
