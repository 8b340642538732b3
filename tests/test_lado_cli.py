"""The LADO commands: every feature reachable, exit 0 on success, 2 with one clear line on bad input."""

import json

import pytest

import safeguard_tracker as st
from safeguard_tracker.cli import main

TODAY = ["--today", "15/06/2018"]


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "store.json")


def run(db, *argv):
    return main(["--db", db, "--user", "a.lado", *TODAY, *argv])


def one_line_error(capsys):
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def test_a_referral_from_intake_to_close(db, capsys):
    assert run(db, "contact", "add", "--received", "28/03/2018", "--agency", "school - primary",
               "--category", "consultation", "--rationale", "practice issue", "--employer", "Hillcrest Academy",
               "--subject-name", "Casey Dunmore", "--summary", "Grabbed a pupil's arm") == 0
    assert "added L-2018-0001" in capsys.readouterr().out
    steps = [
        ["contact", "respond", "L-2018-0001", "--on", "29/03/2018"],
        ["contact", "escalate", "L-2018-0001", "--reason", "a second pupil", "--on", "29/03/2018"],
        ["contact", "meeting", "L-2018-0001", "--on", "06/04/2018", "--agencies", "Police;Employer",
         "--decisions", "Police to investigate", "--action", "Share CCTV|Employer|13/04/2018"],
        ["contact", "action-done", "L-2018-0001", "1", "1", "--on", "12/04/2018"],
        ["contact", "police", "L-2018-0001", "--police-reference", "CR/1/18", "--s47", "05/04/2018"],
        ["contact", "suspension", "L-2018-0001", "--decision", "alternative", "--rationale", "moved to office duties",
         "--on", "06/04/2018"],
        ["contact", "report-requested", "L-2018-0001", "--on", "06/04/2018"],
        ["contact", "report-received", "L-2018-0001", "--on", "20/04/2018", "--outcome", "final written warning"],
        ["contact", "note", "L-2018-0001", "Parents informed"],
        ["contact", "close", "L-2018-0001", "--outcome", "substantiated", "--on", "30/04/2018"],
        ["contact", "regulator", "L-2018-0001", "--body", "Teaching Regulation Agency", "--on", "01/05/2018"],
        ["contact", "reopen", "L-2018-0001", "--reason", "appeal upheld", "--on", "01/06/2018"],
        ["contact", "step-down", "L-2018-0001", "--to", "consultation", "--rationale", "appeal finding"],
    ]
    for argv in steps:
        assert run(db, *argv) == 0, (argv, capsys.readouterr().err)
    capsys.readouterr()
    with st.open_tracker(db) as t:
        c = t.get_contact("L-2018-0001")
        assert c.category.value == "consultation" and c.escalated and c.is_open
        assert (c.police_reference, len(c.meetings), c.meetings[0].actions[0].done_on is not None) == ("CR/1/18", 1, True)
        assert c.regulator_referrals[0].body == "Teaching Regulation Agency" and c.reopenings[0].reason == "appeal upheld"
    assert run(db, "contact", "show", "L-2018-0001") == 0
    out = capsys.readouterr().out
    assert "escalated consultation -> referral by a.lado: a second pupil" in out and "Share CCTV" in out
    assert run(db, "access-log") == 0
    assert "show contact L-2018-0001" in capsys.readouterr().out


@pytest.mark.parametrize("argv,needle", [
    (["contact", "add", "--received", "05/01/2018", "--agency", "Scool - Primary", "--category", "referral"],
     "did you mean 'School - Primary'"),
    (["contact", "add", "--received", "31/02/2018", "--agency", "Police"], "--received '31/02/2018'"),
    (["contact", "escalate", "L-2018-0001", "--to", "enquiry", "--reason", "x"], "up only"),
    (["contact", "close", "L-2018-0001"], "referral closes only with one of"),
    (["contact", "reopen", "L-2018-0001", "--reason", "x"], "is open"),
    (["contact", "show", "L-2018-0999"], "no contact with reference 'L-2018-0999'"),
    (["contact", "escalate", "L-2018-0001"], "--reason"),
    (["due", "--as-of", "soon"], "--as-of 'soon'"),
    (["deadlines", "--set", "jem=6"], "--set jem '6'"),
    (["deadlines", "--set", "jem"], "RULE=VALUE"),
    (["export", "contacts", "--format", "xml"], "invalid choice"),
])
def test_bad_input_exits_2_with_one_line(db, capsys, argv, needle):
    assert run(db, "contact", "add", "--received", "05/01/2018", "--agency", "Police", "--category", "referral", "--rationale", "r") == 0
    capsys.readouterr()
    assert run(db, *argv) == 2
    assert needle in one_line_error(capsys)


def test_pattern_warnings_are_printed_and_never_block(db, capsys):
    for day in ("01/01/2018", "01/02/2018", "01/03/2018"):
        assert run(db, "contact", "add", "--received", day, "--agency", "Police", "--category", "enquiry", "--rationale", "r",
                   "--subject-name", "Alex Colbeck", "--subject-dob", "02/02/1982", "--employer", "Castle Taxis") == 0
    err = capsys.readouterr().err
    assert "warning: same person" in err and "warning: same setting: Castle Taxis has had 3 contacts" in err
    with st.open_tracker(db) as t:
        assert len(t.contacts()) == 3


def test_due_text_and_json(db, capsys):
    assert run(db, "due") == 2 and "does not exist" in one_line_error(capsys)
    st.open_tracker(db).close()                      # an empty store
    assert run(db, "due") == 0
    assert "nothing overdue or due within 7 days (as of 15/06/2018)" in capsys.readouterr().out
    run(db, "contact", "add", "--received", "28/03/2018", "--agency", "Police", "--category", "referral", "--rationale", "r")
    capsys.readouterr()
    assert run(db, "due", "--as-of", "04/04/2018") == 0
    out = capsys.readouterr().out
    assert "1 overdue" in out and "respond to the referrer" in out and "JEM (5 working days from referral)" in out
    assert run(db, "due", "--as-of", "04/04/2018", "--format", "json") == 0
    items = json.loads(capsys.readouterr().out)
    assert items[0]["reference"] == "L-2018-0001" and items[0]["days_overdue"] == 6   # response was due 29/03
    assert {i["what"].split(" (")[0] for i in items} >= {"respond to the referrer", "JEM"}


def test_deadlines_can_be_shown_and_set(db, capsys):
    run(db, "contact", "add", "--received", "28/03/2018", "--agency", "Police", "--category", "referral", "--rationale", "r")
    assert run(db, "deadlines", "--set", "jem=3 working days") == 0
    assert "jem                  3 working days" in capsys.readouterr().out
    run(db, "due", "--as-of", "04/04/2018", "--format", "json")
    jem = next(i for i in json.loads(capsys.readouterr().out) if i["what"].startswith("JEM"))
    assert jem["due"] == "2018-04-04"


def test_import_dry_run_import_and_export(db, tmp_path, capsys):
    csv_path = tmp_path / "in.csv"
    csv_path.write_text("reference,received,agency,category\nL-2018-0007,05/01/2018,Police,enquiry\n")
    assert run(db, "import", "contacts", str(csv_path), "--dry-run") == 0
    assert "would add 1" in capsys.readouterr().out
    with st.open_tracker(db) as t:
        assert t.contacts() == []
    assert run(db, "import", "contacts", str(csv_path)) == 0
    assert "added 1" in capsys.readouterr().out
    assert run(db, "import", "contacts", str(csv_path)) == 0
    assert "added 0, updated 0, 1 unchanged" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("received,agency,category\n05/01/2018,Scool,referal\n")
    assert run(db, "import", "contacts", str(bad)) == 2
    err = capsys.readouterr().err
    assert "nothing was imported" in err and "row 2: agency 'Scool'" in err and "row 2: category 'referal'" in err
    out = tmp_path / "out.json"
    assert run(db, "export", "contacts", "--format", "json", "-o", str(out)) == 0
    assert json.loads(out.read_text())["contacts"][0]["reference"] == "L-2018-0007"
    assert run(db, "export", "contacts") == 0
    assert capsys.readouterr().out.startswith("reference,received,agency,category")
    assert run(db, "access-log") == 0
    log = capsys.readouterr().out
    assert "export contacts json" in log and str(out) in log
    assert run(db, "import", "contacts") == 2
    one_line_error(capsys)


def test_contacts_list(db, capsys):
    run(db, "contact", "add", "--received", "05/01/2018", "--agency", "Police", "--category", "referral", "--rationale", "r")
    run(db, "contact", "add", "--received", "05/05/2018", "--agency", "College", "--category", "enquiry", "--rationale", "r")
    capsys.readouterr()
    assert run(db, "contacts", "--year", "2017-18", "--format", "json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["reference"], r["category"], r["status"]) for r in rows] == [("L-2018-0001", "referral", "open")]
