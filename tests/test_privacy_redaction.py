"""Redaction and retention (UK GDPR): personal data leaves every copy the tool keeps; statistics do not move.

Synthetic data only: every marker below is invented and unique, so finding it
in a file's bytes means the value survived.
"""

import io
import json
import sys
from datetime import date
from pathlib import Path

import pytest

import safeguard_tracker as st
from safeguard_tracker.cli import main
from safeguard_tracker.convert import from_doc
from safeguard_tracker.errors import ConflictError, RuleError, UnknownReference
from safeguard_tracker.model import Contact
from safeguard_tracker.model.personal_data import REDACTED, redact_doc
from safeguard_tracker.store.check import replay

TODAY = date(2018, 6, 15)

MARKERS = {
    "subject name": "Zebedee Quillfeather",
    "earlier subject name": "Zeb Quilfether",
    "date of birth": "1971-03-09",
    "subject role": "Deputy Keeper of Owls",
    "employer": "Larchmont Owl Sanctuary",
    "referrer name": "Ophelia Brackenridge",
    "referrer role": "Chief Owl Inspector",
    "referrer organisation": "Brackenridge Owl Trust",
    "summary": "Alleged grabbing at the owl enclosure",
    "case manager": "Percival Thistlewood",
    "rationale": "Concerns escalated by the owl trust",
    "decisions": "Owl sanctuary to suspend pending enquiries",
    "action description": "Sanctuary to send the owl rota",
    "action owner": "Thistlewood at the sanctuary",
    "police reference": "CR/98765/18",
    "suspension rationale": "Risk to owls and children weighed",
    "regulator reference": "DBS-REF-445566",
    "note": "Spoke to Mrs Brackenridge on the phone",
    "employer outcome": "Final written warning for Quillfeather",
    "reopen reason": "New evidence from the owl keeper",
    "late note": "Journal-only remark about the owl keeper",
}


def _rich_contact(t) -> str:
    m = MARKERS
    c = t.add_contact(received_on="05/01/2018", agency="School - Primary", category="consultation",
                      summary=m["summary"], subject_name=m["earlier subject name"], subject_role=m["subject role"],
                      employer=m["employer"], subject_dob="09/03/1971", referrer_name=m["referrer name"],
                      referrer_role=m["referrer role"], referrer_organisation=m["referrer organisation"],
                      case_manager=m["case manager"], children_count=2, children_ages="7, 9", harm="physical")
    ref = c.reference
    t.update_contact(ref, subject_name=m["subject name"])
    t.escalate(ref, to="referral", reason=m["rationale"], on="08/01/2018")
    t.record_meeting(ref, kind="jem", held_on="10/01/2018", agencies_present=["Police", "Employer"],
                     decisions=m["decisions"],
                     actions=[{"description": m["action description"], "owner": m["action owner"],
                               "due_on": "20/01/2018"}])
    t.record_police(ref, involved=True, police_reference=m["police reference"])
    t.record_suspension(ref, decision="suspended", on="11/01/2018", rationale=m["suspension rationale"])
    t.add_note(ref, m["note"])
    t.request_employer_report(ref, on="09/01/2018")
    t.record_employer_report(ref, received_on="30/01/2018", outcome=m["employer outcome"])
    t.close_contact(ref, outcome="unsubstantiated", closed_on="01/02/2018")
    t.reopen(ref, m["reopen reason"], on="05/02/2018")
    t.close_contact(ref, outcome="false", closed_on="20/02/2018")
    t.record_regulator_referral(ref, body="DBS", on="21/02/2018", reference_number=m["regulator reference"])
    return ref


def _all_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _hits(folder: Path) -> list[tuple[str, str]]:
    found = []
    for name, raw in _all_bytes(folder).items():
        for what, marker in MARKERS.items():
            if marker.encode() in raw:
                found.append((what, name))
    return found


@pytest.fixture
def folder(tmp_path) -> Path:
    return tmp_path / "lado"


@pytest.fixture
def rich(folder):
    folder.mkdir()
    path = folder / "store.json"
    t = st.open_tracker(path, user="a.lado", today=lambda: TODAY)
    t.add_contact(received_on="04/01/2018", agency="Police", category="enquiry", summary="another contact")
    ref = _rich_contact(t)
    t.store.compact()                                             # a backup holding every value
    t.add_note(ref, MARKERS["late note"])                         # and a value only in the journal
    return t, ref


def test_redaction_removes_every_personal_value_from_every_file(rich, folder):
    t, ref = rich
    assert {w for w, _ in _hits(folder)} == set(MARKERS)           # the values really were on disk
    stats_before = t.lado_statistics("2017-18").to_dict()
    result = t.redact_contact(ref)
    hits = _hits(folder)
    assert hits == [], f"personal data survived redaction: {hits}"
    assert result.warnings == () and result.backups_scrubbed
    assert t.lado_statistics("2017-18").to_dict() == stats_before   # the figures do not move


def test_redaction_keeps_what_statistics_need_and_records_who_and_when(rich):
    t, ref = rich
    before = t.get_contact(ref)
    redactor = st.open_tracker(t.path, user="d.p.officer", today=lambda: TODAY)
    c = redactor.redact_contact(ref).contact
    for field in ("reference", "received_on", "agency", "category", "harm", "threshold", "children_count",
                  "children_ages", "outcome", "closed_on", "police_involved", "s47_strategy_on", "responded_on"):
        assert getattr(c, field) == getattr(before, field), field
    assert [(d.on, d.kind, d.to, d.from_) for d in c.category_history] == \
        [(d.on, d.kind, d.to, d.from_) for d in before.category_history]
    assert c.escalated and c.jem_held_on == before.jem_held_on
    assert [(m.kind, m.held_on, m.agencies_present) for m in c.meetings] == \
        [(m.kind, m.held_on, m.agencies_present) for m in before.meetings]
    assert [r.body for r in c.regulator_referrals] == ["DBS"]
    assert [(r.on, r.previous_outcome) for r in c.reopenings] == [(r.on, r.previous_outcome) for r in before.reopenings]
    assert c.subject.name == REDACTED and c.subject.date_of_birth is None
    assert c.referrer.name == c.referrer.role == c.referrer.organisation == REDACTED
    assert c.summary == c.case_manager == c.police_reference == REDACTED
    assert all(n.text == REDACTED for n in c.notes) and len(c.notes) == len(before.notes)
    assert c.redacted_on == TODAY
    marks = [h for h in redactor.history(ref) if h.field == "redacted_on"]
    assert len(marks) == 1 and marks[0].user == "d.p.officer" and marks[0].new == TODAY.isoformat()
    assert redactor.check() == []
    rebuilt = replay(redactor.store)[("contacts", ref)]
    assert {k: v for k, v in rebuilt.items() if v is not None} == \
        {k: v for k, v in redactor.store.get("contacts", ref).items() if k != "_rev" and v is not None}
    # another user who had the store open sees the redaction, not a stale copy of the values
    t.refresh()
    assert t.get_contact(ref).subject.name == REDACTED


def test_a_scrubbed_backup_is_still_sound_and_restorable(rich, folder, capsys):
    t, ref = rich
    oldest = sorted(t.store.backups())[-1]
    t.redact_contact(ref)
    assert main(["--db", str(t.path), "restore", "--from-backup", oldest.name, "--yes"]) == 0
    with st.open_tracker(t.path) as again:
        assert again.check() == []
        assert again.get_contact(ref).subject.name == REDACTED       # restoring never brings the values back
    assert _hits(folder) == []


@pytest.mark.parametrize("case", ["open", "unknown", "already", "stale"])
def test_redaction_refusals_write_nothing(rich, folder, case):
    t, ref = rich
    if case == "open":
        ref = t.add_contact(received_on="06/01/2018", agency="Police", category="enquiry",
                            subject_name="Open Case Person").reference
    if case == "already":
        t.redact_contact(ref)
    before = _all_bytes(folder)
    errors = {"open": RuleError, "unknown": UnknownReference, "already": RuleError, "stale": ConflictError}
    with pytest.raises(errors[case]) as err:
        if case == "unknown":
            t.redact_contact("L-2018-9999")
        elif case == "stale":
            t.redact_contact(ref, expected_rev=1)
        else:
            t.redact_contact(ref)
    assert {"open": "close it", "already": "already redacted on 15/06/2018"}.get(case, "") in str(err.value)
    assert _all_bytes(folder) == before


def test_a_damaged_copy_that_cannot_be_scrubbed_is_reported(rich, folder):
    t, ref = rich
    damaged = t.store.backup_dir / "damaged"
    damaged.mkdir()
    copy = damaged / "store.json-20180101"
    copy.write_bytes(b"{" + json.dumps(MARKERS["subject name"]).encode() + ref.encode())
    result = t.redact_contact(ref)
    assert result.not_scrubbed == (copy,)
    assert any(str(copy) in w and "delete them" in w for w in result.warnings)


def test_every_demo_contact_redacts_to_a_valid_contact_without_demo_names():
    from safeguard_tracker.demo import FIRST, LAST, demo_contacts
    from safeguard_tracker.convert import to_doc
    for c in demo_contacts(seed=9, contacts=300, today=TODAY):
        doc = redact_doc(to_doc(c), TODAY)
        again = from_doc(Contact, doc)
        assert again.reference == c.reference and again.outcome == c.outcome
        text = json.dumps(doc)
        assert not [n for n in FIRST + LAST if n in text], f"{c.reference}: a name survived"


def test_fields_added_later_are_redacted_unless_declared_kept():
    doc = {"reference": "L-2018-0001", "received_on": "2018-01-05", "agency": "Police",
           "subject": {"name": "X", "nickname": "Xy"}, "pet_name": "Rex", "history_of_x": ["a", "b"],
           "meetings": [{"kind": "jem", "held_on": "2018-01-09", "venue": "Room 4"}], "count": 3}
    out = redact_doc(doc, TODAY)
    assert out["subject"] == {"name": REDACTED, "nickname": REDACTED}
    assert out["pet_name"] == REDACTED and out["history_of_x"] == [REDACTED, REDACTED]
    assert out["meetings"] == [{"kind": "jem", "held_on": "2018-01-09", "venue": REDACTED}]


# --- retention -----------------------------------------------------------------------------------------------

@pytest.fixture
def old_store(tmp_path):
    t = st.open_tracker(tmp_path / "store.json", user="a.lado", today=lambda: TODAY)
    ten_years = t.add_contact(received_on="03/03/2007", agency="Police", category="enquiry",
                              subject_name="Person Tenyears")
    t.close_contact(ten_years.reference, closed_on="04/03/2007")
    young = t.add_contact(received_on="03/03/2007", agency="Police", category="enquiry",
                          subject_name="Person Young", subject_dob="01/01/1980")   # 67 in 2047
    t.close_contact(young.reference, closed_on="04/03/2007")
    still_open = t.add_contact(received_on="03/03/2007", agency="Police", category="enquiry")
    false = t.add_contact(received_on="05/01/2018", agency="Police", category="referral",
                          subject_name="Person Falsely Accused")
    t.close_contact(false.reference, outcome="false", closed_on="01/02/2018")
    malicious_anon = t.add_contact(received_on="05/01/2018", agency="Police", category="referral")
    t.close_contact(malicious_anon.reference, outcome="malicious", closed_on="01/02/2018")
    return t, {"ten": ten_years.reference, "young": young.reference, "open": still_open.reference,
               "false": false.reference, "anon": malicious_anon.reference}


def test_retention_lists_records_past_review_and_flags_false_or_malicious(old_store):
    t, refs = old_store
    report = t.retention()
    assert [i.reference for i in report.past_review] == [refs["ten"]]
    assert report.past_review[0].review_on == date(2017, 3, 3)
    assert [i.reference for i in report.remove_identity] == [refs["false"]]   # the anonymous one needs nothing
    assert "found false" in report.remove_identity[0].why
    later = t.retention(as_of="02/01/2047")
    assert refs["young"] in [i.reference for i in later.past_review]           # the later of the two rules
    t.redact_contact(refs["false"])
    t.redact_contact(refs["ten"])
    after = t.retention()
    assert after.past_review == () and after.remove_identity == ()


def test_retention_cli_text_json_and_bad_date(old_store, capsys):
    t, refs = old_store
    db = str(t.path)
    assert main(["--db", db, "retention"]) == 0
    out = capsys.readouterr().out
    assert refs["ten"] in out and refs["false"] in out and "Person" not in out    # no names in the listing
    assert main(["--db", db, "retention", "--as-of", "2047-01-02", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert refs["young"] in [i["reference"] for i in data["past_review"]]
    assert main(["--db", db, "retention", "--as-of", "31/02/2018"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "31/02/2018" in err


class _Terminal(io.StringIO):
    def __init__(self, answer: str):
        super().__init__(answer + "\n")

    def isatty(self) -> bool:
        return True


def test_redact_cli_confirms_and_reports(old_store, capsys, monkeypatch):
    t, refs = old_store
    db, ref = str(t.path), refs["false"]
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["--db", db, "redact", ref]) == 2
    assert "--yes" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", _Terminal("no"))
    assert main(["--db", db, "redact", ref]) == 1
    assert "not redacted" in capsys.readouterr().out
    assert st.open_tracker(db).get_contact(ref).redacted_on is None
    monkeypatch.setattr(sys, "stdin", _Terminal("yes"))
    assert main(["--db", db, "--user", "dpo", "--today", "15/06/2018", "redact", ref]) == 0
    out = capsys.readouterr().out
    assert "cannot be undone" in out and f"redacted {ref}" in out and "dpo redacted it on 15/06/2018" in out
    assert main(["--db", db, "redact", ref, "--yes"]) == 2
    assert "already redacted" in capsys.readouterr().err
    assert main(["--db", db, "redact", "L-2018-9999", "--yes"]) == 2
    assert "no contact with reference 'L-2018-9999'" in capsys.readouterr().err


# --- the access log --------------------------------------------------------------------------------------------

def test_personal_data_exports_are_logged_and_shown(tmp_path, capsys):
    t = st.open_tracker(tmp_path / "store.json", user="analyst", today=lambda: TODAY)
    t.add_contact(received_on="05/01/2018", agency="Police", category="enquiry")
    target = t.write_output(tmp_path / "contacts.csv", "a,b\n", what="export contacts", personal=True, records=1)
    t.write_output(tmp_path / "board.md", "# figures\n", what="report lado-annual", personal=False)
    log = t.access_log()
    assert len(log) == 1
    e = log[0]
    assert (e.user, e.what, e.target, e.records) == ("analyst", "export contacts", str(target), 1)
    assert main(["--db", str(t.path), "access-log"]) == 0
    out = capsys.readouterr().out
    assert "analyst" in out and "export contacts" in out and str(target) in out
    assert main(["--db", str(t.path), "access-log", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["target"] == str(target)


def test_an_export_that_cannot_be_logged_is_not_made(tmp_path, monkeypatch):
    import errno
    import os
    from safeguard_tracker.errors import StoreWriteError
    from safeguard_tracker.store import files
    t = st.open_tracker(tmp_path / "store.json", user="analyst", today=lambda: TODAY)
    t.add_contact(received_on="05/01/2018", agency="Police", category="enquiry")

    class FullAfterFirstWrite:                       # the export's write succeeds, the log's append does not
        calls = 0

        def __getattr__(self, name):
            return getattr(os, name)

        def write(self, fd, data):
            FullAfterFirstWrite.calls += 1
            if FullAfterFirstWrite.calls > 1:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return os.write(fd, data)
    monkeypatch.setattr(files, "os", FullAfterFirstWrite())
    target = tmp_path / "contacts.csv"
    with pytest.raises(StoreWriteError, match="could not be logged, so .* was removed"):
        t.write_output(target, "a,b\n", what="export contacts", personal=True, records=1)
    monkeypatch.undo()
    assert not target.exists() and t.access_log() == []

    t.store.read_only = "the folder is read-only"  # as a read-only folder leaves it
    with pytest.raises(StoreWriteError, match="exports holding personal data are logged"):
        t.write_output(target, "a,b\n", what="export contacts", personal=True, records=1)
    assert not target.exists()
    t.write_output(tmp_path / "board.md", "# figures\n", what="report", personal=False)   # no names: fine
