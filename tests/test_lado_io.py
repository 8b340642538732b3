"""Contacts CSV import (all or nothing, upsert, dry run, one transaction) and export (CSV defended
against formula injection, JSON lossless)."""

import csv
import io
import json
from datetime import date

import pytest

import safeguard_tracker as st
from safeguard_tracker.convert import from_doc, to_doc
from safeguard_tracker.demo import build_demo
from safeguard_tracker.errors import ImportFailed
from safeguard_tracker.lado.contacts_export import CSV_COLUMNS
from safeguard_tracker.io.csvfiles import FORMULA_PREFIXES
from safeguard_tracker.model import Contact

GOOD = (
    "\ufeffReference, Date Received ,AGENCY,category,Summary,Harm,Subject Role,Employer,Outcome,Closed,"
    "Employer Report Received,Referrer,Subject DOB,Threshold,Children Ages,Police\r\n"
    "L-2018-0001,05/01/2018,  school - primary ,Consultation,Pushed a pupil,physical,teacher,Meadowbank Primary,"
    "no further action,01/02/2018,20/01/2018,A. Referrer,1980-02-01,1;3,\"7,9\",yes\r\n"
    "L-2018-0002,2018-01-06,Foster Carers \u2013 Independent,REFERRAL,Messages to a young person,sexual,foster carer,"
    "Larkspur Fostering,,,,,,harmed; offence,15,no\r\n"
    "L-2018-0003,06/01/2018,School - Alternative (e.g. NOVUS),enquiry,Advice on a Facebook post,emotional,,,,"
    "07/01/2018,,,,,,\r\n"
    ",,,,,,,,,,,,,,,\r\n"
)


def write(tmp_path, text, name="contacts.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_imports_excel_csv_bom_crlf_any_case_headers_uk_dates_and_agency_spellings(tracker, tmp_path):
    result = tracker.import_contacts(write(tmp_path, GOOD))
    assert (result.rows, result.added, result.updated) == (3, ("L-2018-0001", "L-2018-0002", "L-2018-0003"), {})
    a, b, c = (tracker.get_contact(r) for r in result.added)
    assert a.received_on == date(2018, 1, 5)                        # day first: 5 January
    assert (a.agency, a.category.value, a.outcome.value, a.closed_on) == (
        "School - Primary", "consultation", "no_further_action", date(2018, 2, 1))
    assert (a.subject.role, a.subject.employer, a.subject.date_of_birth, a.referrer.name) == (
        "teacher", "Meadowbank Primary", date(1980, 2, 1), "A. Referrer")
    assert ([t.value for t in a.threshold], a.children_ages, a.police_involved) == (["harmed", "risk"], (7, 9), True)
    assert (b.agency, b.category.value, b.is_open) == ("Foster Carers - Independent", "referral", True)
    assert c.agency == "School \u2013 Alternative (e.g. NOVUS)" and c.outcome.value == "advice_given"
    assert [h.field for h in tracker.history("L-2018-0001")] == ["*"]


def test_imported_documents_are_exactly_what_the_model_stores(tracker, tmp_path):
    tracker.import_contacts(write(tmp_path, GOOD))
    for ref, doc in tracker.contact_docs().items():
        plain = {k: v for k, v in doc.items() if k != "_rev"}
        assert to_doc(from_doc(Contact, doc)) == plain, ref


def test_every_bad_row_is_listed_and_nothing_is_written(tracker, tmp_path):
    tracker.add_contact(received_on="01/01/2018", agency="Police", category="enquiry")
    seq = tracker.store.last_seq
    bad = ("received,agency,category,outcome,closed,reference,harm\n"
           "31/02/2018,Scool - Primary,referal,,,,\n"               # row 2: three bad cells
           "05/01/2018,Police,referral,sorted out,06/01/2018,,\n"       # row 3
           "05/01/2018,Police,referral,,06/01/2018,,\n"             # row 4: a referral closed without an outcome
           "05/01/2018,Police,enquiry,,,L-2018-0042,\n"              # row 5: fine
           "05/01/2018,Police,enquiry,,,L-2018-0042,\n"              # row 6: the same reference again
           "05/01/2018,Police,enquiry,,,L-1,tickle\n"                # row 7: ours, malformed
           "05/01/2019,Police,enquiry,,,,\n"                         # row 8: in the future
           ",Police,enquiry,,,,\n")                                  # row 9: no date
    with pytest.raises(ImportFailed) as err:
        tracker.import_contacts(write(tmp_path, bad))
    problems = err.value.problems
    text = "\n".join(problems)
    assert "row 2: received '31/02/2018' is not valid" in text
    assert "row 2: agency 'Scool - Primary' is not valid" in text and "did you mean 'School - Primary'" in text
    assert "row 2: category 'referal' is not valid" in text and "'referral'" in text
    assert "row 3: outcome 'sorted out' is not valid: one of: substantiated" in text
    assert "row 4: outcome '' is not valid: a referral closes only with one of" in text
    assert "row 6: reference 'L-2018-0042' is not valid: a reference used once in the file (it is also on row 5)" in text
    assert "row 7: harm 'tickle'" in text and "row 7: reference 'L-1'" in text
    assert "row 8: received '05/01/2019' is not valid: a date no later than today" in text
    assert "row 9: received '' is not valid: a date is required" in text
    assert not any(p.startswith("row 5") for p in problems)
    assert tracker.store.last_seq == seq and len(tracker.contacts()) == 1


def test_header_problems_are_reported(tracker, tmp_path):
    with pytest.raises(ImportFailed, match="missing required column.*category"):
        tracker.import_contacts(write(tmp_path, "received,agency\n05/01/2018,Police\n"))
    with pytest.raises(ImportFailed, match="unknown column.*'colour'"):
        tracker.import_contacts(write(tmp_path, "received,agency,category,colour\n05/01/2018,Police,enquiry,red\n"))


def test_reimporting_the_same_file_changes_nothing(tracker, tmp_path):
    path = write(tmp_path, GOOD)
    tracker.import_contacts(path)
    seq = tracker.store.last_seq
    again = tracker.import_contacts(path)
    assert (again.added, again.updated, len(again.unchanged)) == ((), {}, 3)
    assert tracker.store.last_seq == seq and len(tracker.contacts()) == 3


def test_upsert_by_reference_is_one_audited_transaction(tracker, tmp_path):
    tracker.import_contacts(write(tmp_path, GOOD))
    seq = tracker.store.last_seq
    changed = GOOD.replace("Messages to a young person", "Messages to two young people").replace(
        "L-2018-0003,06/01/2018", ",06/01/2018")
    result = tracker.import_contacts(write(tmp_path, changed, "v2.csv"), overwrite=True)  # no revision column
    assert result.updated == {"L-2018-0002": ("summary",)} and result.overwritten == ("L-2018-0002",)
    # no reference, but the same details as L-2018-0003: the same spreadsheet row, not a new contact
    assert result.added == () and set(result.already.values()) == {"L-2018-0003"}
    assert tracker.store.last_seq == seq + 1                                    # one transaction for the file
    last = tracker.history("L-2018-0002")[-1]
    assert (last.field, last.old, last.new) == ("summary", "Messages to a young person", "Messages to two young people")


def test_dry_run_reports_what_would_change_and_writes_nothing(tracker, tmp_path):
    tracker.import_contacts(write(tmp_path, GOOD))
    seq = tracker.store.last_seq
    changed = GOOD.replace("Pushed a pupil", "Pushed a pupil in the corridor") + "\r\n,07/01/2018,Police,enquiry,,,,,,,,,,,,\r\n"
    result = tracker.import_contacts(write(tmp_path, changed, "v2.csv"), dry_run=True, overwrite=True)
    assert result.dry_run and result.updated == {"L-2018-0001": ("summary",)} and result.added == ("L-2018-0004",)
    assert "would add 1, would update 1, 2 unchanged (dry run: nothing was written)" in result.summary()[0]
    assert tracker.store.last_seq == seq
    assert tracker.import_contacts(write(tmp_path, changed, "v2.csv"), overwrite=True).added == ("L-2018-0004",)  # numbers not skipped


def test_import_keeps_the_workflow_rules(tracker, tmp_path):
    tracker.import_contacts(write(tmp_path, GOOD))
    header = "reference,received,agency,category,outcome,closed,rationale,employer_report_received\n"
    cases = {
        "L-2018-0002,06/01/2018,Police,consultation,,,,\n": "rationale '' is not valid: a rationale for changing the category",
        "L-2018-0001,05/01/2018,School - Primary,consultation,,,,20/01/2018\n": "reopening needs `reopen` with a reason",
        "L-2018-0001,05/01/2018,School - Primary,consultation,false,01/02/2018,,20/01/2018\n": "the contact is closed",
        "L-2018-0009,05/01/2018,Police,consultation,unfounded,01/02/2018,,\n": "employer_report_received '' is not valid",
    }
    for row, needle in cases.items():
        with pytest.raises(ImportFailed, match=needle):
            tracker.import_contacts(write(tmp_path, header + row, "rule.csv"), overwrite=True)
    up = tracker.import_contacts(write(tmp_path, header + "L-2018-0002,06/01/2018,Police,consultation,,,"
                                       "police take no further action,\n", "rule.csv"), overwrite=True)
    assert set(up.updated["L-2018-0002"]) == {"agency", "category", "category_history"}
    last = tracker.get_contact("L-2018-0002").category_history[-1]
    assert (last.kind.value, last.from_.value, last.rationale) == ("stepped_down", "referral",
                                                                    "police take no further action")


def test_an_escalation_in_the_file_is_kept_in_the_history(tracker, tmp_path):
    text = ("received,agency,category,first_category,escalated_on,rationale\n"
            "05/01/2018,Police,referral,consultation,09/01/2018,a second allegation\n")
    ref = tracker.import_contacts(write(tmp_path, text)).added[0]
    c = tracker.get_contact(ref)
    assert c.escalated and c.referral_on == date(2018, 1, 9)
    assert [(d.kind.value, d.to.value) for d in c.category_history] == [("categorised", "consultation"),
                                                                         ("escalated", "referral")]
    with pytest.raises(ImportFailed, match="category_changed '' is not valid"):
        tracker.import_contacts(write(tmp_path, "received,agency,category,first_category\n"
                                      "05/01/2018,Police,referral,enquiry\n", "b.csv"))


# --- export ---------------------------------------------------------------------------------------------

HOSTILE = ("=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A2)")


def test_every_text_column_of_the_csv_export_is_defended(tracker, tmp_path):
    text_columns = ("summary", "subject_name", "subject_role", "employer", "referrer", "referrer_role",
                    "referrer_organisation", "case_manager", "police_reference", "disciplinary", "employer_outcome")
    for payload in HOSTILE:
        c = tracker.add_contact(received_on="05/01/2018", agency="Police", category="consultation",
                                rationale=payload, **{k: payload for k in text_columns})
        tracker.record_employer_report(c.reference, received_on="06/01/2018", outcome=payload)
    # The tracker strips typed text, so a leading tab or CR can only arrive through a JSON import.
    doc = to_doc(Contact(reference="L-2018-0100", received_on=date(2018, 1, 5), agency="Police"))
    path = tmp_path / "tab.json"
    path.write_text(json.dumps([dict(doc, summary="\tTab"), dict(doc, reference="L-2018-0101", summary="\rCR")]))
    tracker.import_contacts(path)
    rows = list(csv.DictReader(io.StringIO(tracker.export_contacts("csv"), newline="")))
    assert len(rows) == len(HOSTILE) + 2 and tuple(rows[0]) == CSV_COLUMNS
    for row, payload in zip(rows, HOSTILE):
        for column in text_columns + ("rationale",):
            assert row[column] == "'" + payload, column
    assert [r["summary"] for r in rows[-2:]] == ["'\tTab", "'\rCR"]
    for row in rows:
        assert not any(v.startswith(FORMULA_PREFIXES) for v in row.values())


def test_csv_export_reimports_without_change_and_undoes_the_defence(tmp_path):
    t = build_demo(tmp_path / "demo.json")
    c = t.contacts()[0]
    t.update_contact(c.reference, summary="=1+1 and -other text")
    path = tmp_path / "contacts.csv"
    path.write_text(t.export_contacts("csv"), encoding="utf-8")
    seq = t.store.last_seq
    result = t.import_contacts(path)
    assert result.changed == 0 and len(result.unchanged) == len(t.contacts()) and t.store.last_seq == seq
    fresh = st.open_tracker(tmp_path / "fresh.json", user="x", today=lambda: date(2018, 6, 15))
    fresh.import_contacts(path)
    assert fresh.get_contact(c.reference).summary == "=1+1 and -other text"
    assert fresh.lado_statistics("2017-18").to_dict() == t.lado_statistics("2017-18").to_dict()


def test_json_round_trip_is_lossless(tmp_path):
    t = build_demo(tmp_path / "demo.json")
    c = t.contacts()[3]
    t.reopen(c.reference, "new information") if c.closed_on else t.add_note(c.reference, "=not a formula")
    first = t.export_contacts("json")
    path = tmp_path / "contacts.json"
    path.write_text(first, encoding="utf-8")
    empty = st.open_tracker(tmp_path / "empty.json", user="someone.else", today=lambda: date(2018, 6, 15))
    result = empty.import_contacts(path)
    assert len(result.added) == len(t.contacts())
    # identical but for the revisions, which count each store's own changes
    assert _without_revisions(empty.export_contacts("json")) == _without_revisions(first)
    assert empty.import_contacts(path).changed == 0                          # and again: nothing changes
    data = json.loads(first)
    assert data["format"] == "safeguard-tracker/contacts" and data["version"] == 1
    assert [r["revision"] for r in data["contacts"]] == [d["_rev"] for _, d in sorted(t.contact_docs().items())]


def _without_revisions(text: str) -> dict:
    data = json.loads(text)
    for record in data["contacts"]:
        record.pop("revision")
    return data


def test_json_import_reports_bad_records(tracker, tmp_path):
    doc = to_doc(Contact(reference="L-2018-0001", received_on=date(2018, 1, 5), agency="Police"))
    bad = [dict(doc, received_on="2018-13-01"), dict(doc, reference="L-2018-0002", agency="Nowhere"),
           dict(doc, reference="L-2018-0003", colour="red"), dict(doc, reference="oops")]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"format": "safeguard-tracker/contacts", "version": 1, "contacts": bad}))
    with pytest.raises(ImportFailed) as err:
        tracker.import_contacts(path)
    text = "\n".join(err.value.problems)
    assert "contacts[1] (L-2018-0001): received_on '2018-13-01' is not valid: a date such as" in text  # the API's words
    assert "contacts[2] (L-2018-0002): agency 'Nowhere' is not valid" in text
    assert "contacts[3] (L-2018-0003): unknown field(s) colour" in text
    assert "contacts[4] (OOPS): reference 'oops' is not valid" in text
    assert tracker.contacts() == []


def test_export_one_year(tracker):
    tracker.add_contact(received_on="05/01/2018", agency="Police", category="enquiry")
    tracker.add_contact(received_on="05/05/2018", agency="Police", category="enquiry")
    rows = list(csv.DictReader(io.StringIO(tracker.export_contacts("csv", year="2017-18"))))
    assert [r["received"] for r in rows] == ["2018-01-05"]


def test_pattern_warnings_after_an_import(tracker, tmp_path):
    text = ("reference,received,agency,category,subject_name,subject_dob,employer\n"
            "L-2018-0001,05/01/2018,Police,enquiry,Jo Marchbank,01/01/1980,Castle Taxis\n"
            "L-2018-0002,05/02/2018,Police,enquiry,JO  MARCHBANK,1980-01-01,Castle Taxis\n"
            "L-2018-0003,05/03/2018,Police,enquiry,Lee Stanway,,Castle Taxis\n")
    result = tracker.import_contacts(write(tmp_path, text))
    found = tracker.pattern_warnings_for(result.added)
    assert any("same person" in w and "L-2018-0002" in w for w in found["L-2018-0001"])
    assert any("same setting: Castle Taxis has had 3 contacts" in w for w in found["L-2018-0003"])
    assert found["L-2018-0003"] == tracker.pattern_warnings(tracker.get_contact("L-2018-0003"))
