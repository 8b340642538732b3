"""Issue 17, the CLI's part: every list value (agency, category, status, harm, RAG, kind...) is read by
the library's one rule for a typed name, the same in the CLI and the TUI ("prim" is School - Primary;
a name that is no choice, or could be several, exits 2 listing the names); a category at intake needs
its rationale in the CLI as in the TUI ("an enquiry"); ``history`` shows reasons whole, wrapped, with
UK dates; an error names the option the user typed (``--received``), never the API's field name."""

from __future__ import annotations

import doctest
import re
from datetime import date

import pytest

import safeguard_tracker as st
from safeguard_tracker.cli import main
from safeguard_tracker.cli.store_cmds import history_lines
from safeguard_tracker.errors import ValidationError
from safeguard_tracker.validation import choices
from safeguard_tracker.validation.choices import match_choice, resolve_choice
from safeguard_tracker.validation.contact import intake_category

TODAY = date(2018, 6, 15)
AGENCIES = ["School - Primary", "School - Private", "School - PRU", "Police", "Other Local Authority", "Other"]
OUTCOMES = ["substantiated", "false", "malicious", "unsubstantiated", "unfounded", "advice_given", "no_further_action"]
ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
FIELD_NAMES = ("received_on", "closed_on", "as_of", "lead_agency", "held_on", "done_on", "notified_on", "due_on",
               "incident_on", "owner_agencies", "within_days", "deadlines.")


@pytest.fixture
def db(tmp_path):
    """Two primary-school contacts, one private-school one, and a review with an action."""
    path = tmp_path / "store.json"
    with st.open_tracker(path, user="a.lado", today=lambda: TODAY) as t:
        t.add_contact(received_on="05/01/2018", agency="School - Primary", category="referral", rationale="r")
        t.add_contact(received_on="06/01/2018", agency="School - Primary", category="enquiry", rationale="e")
        t.add_contact(received_on="07/01/2018", agency="School - Private", category="consultation", rationale="c")
        t.add_review(name="Dawn", kind="scr", notified_on="24/02/2017", initiated_on="03/04/2017",
                     published_on="29/03/2018")
        t.add_recommendation("Dawn", text="Record every child", owner_agencies=["Police"])
        t.add_action("Dawn", 1, description="Change the incident form", lead_agency="Police", due="31/07/2018")
    return str(path)


def cli(db, capsys, *argv):
    code = main(["--db", db, "--user", "a.lado", "--today", "15/06/2018", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def stored(db):
    with st.open_tracker(db, user="checker", today=lambda: TODAY) as t:
        return {c.reference: c for c in t.contacts()}, {a.reference: a for a in t.actions()}


# --- the one rule for a typed name -------------------------------------------------------------------------

def test_one_rule_for_a_typed_name():
    assert resolve_choice("prim", AGENCIES, "agency") == "School - Primary"
    assert resolve_choice("school - pru", AGENCIES, "agency") == "School - PRU"
    assert resolve_choice("OTHER", AGENCIES, "agency") == "Other"               # the exact name beats a beginning
    assert resolve_choice("no further action", OUTCOMES, "outcome") == "no_further_action"
    assert match_choice("r", ["enquiry", "consultation", "referral"]) == "referral"
    assert match_choice("unsu", OUTCOMES) == "unsubstantiated"
    for typed, could_be in (("subs", ["substantiated", "unsubstantiated"]),
                            ("school - pr", ["School - Primary", "School - Private", "School - PRU"])):
        with pytest.raises(ValidationError) as err:
            resolve_choice(typed, OUTCOMES + AGENCIES, "x")
        assert err.value.value == typed and "it could be " + " or ".join(f"'{c}'" for c in could_be) in str(err.value)
    with pytest.raises(ValidationError, match="did you mean 'School - Primary'"):
        resolve_choice("Scool - Primary", AGENCIES, "agency")
    assert doctest.testmod(choices, optionflags=doctest.ELLIPSIS).failed == 0


# --- defect 2: every filter value is validated, and "prim" means what it means in the TUI -------------------

def test_a_filter_naming_no_agency_is_refused_with_the_nearest_names(db, capsys):
    code, out, err = cli(db, capsys, "contacts", "--agency", "Scool - Primary")
    assert code == 2 and out == "" and "no contacts match" not in out
    assert err.count("\n") == 1 and "--agency 'Scool - Primary' is not valid" in err
    assert "did you mean 'School - Primary'" in err


def test_a_unique_beginning_names_the_agency_in_filters_and_at_intake(db, capsys):
    code, out, err = cli(db, capsys, "contacts", "--agency", "prim")
    assert code == 0, err
    assert [line.split()[0] for line in out.splitlines()] == ["L-2018-0001", "L-2018-0002"]
    code, out, err = cli(db, capsys, "contact", "add", "--received", "01/06/2018", "--agency", "prim")
    assert code == 0, err and "added L-2018-0004" in out
    contacts, _ = stored(db)
    assert contacts["L-2018-0004"].agency == "School - Primary"
    # An ambiguous beginning is refused, listing what it could be, and nothing is stored.
    code, out, err = cli(db, capsys, "contact", "add", "--received", "01/06/2018", "--agency", "school - pr")
    assert code == 2 and "--agency 'school - pr' is not valid: it could be 'School - Primary' or " in err
    assert "'School - Private' or 'School - PRU'" in err
    assert len(stored(db)[0]) == 4


@pytest.mark.parametrize("argv, said", [
    (["contacts", "--category", "referal"], "--category 'referal' is not valid"),
    (["contacts", "--status", "shut"], "--status 'shut' is not valid: one of: open, closed"),
    (["contacts", "--harm", "bad"], "--harm 'bad' is not valid"),
    (["contacts", "--year", "2018"], "--year '2018' is not valid"),
    (["actions", "--rag", "purple"], "--rag 'purple' is not valid"),
    (["actions", "--agency", "polce"], "--agency 'polce' is not valid"),
    (["actions", "--status", "finished"], "--status 'finished' is not valid"),
    (["reviews", "--kind", "xx"], "--kind 'xx' is not valid"),
    (["reviews", "--status", "xx"], "--status 'xx' is not valid"),
    (["report", "action-plan", "--agency", "Scool", "--format", "md"], "--agency 'Scool' is not valid"),
    (["report", "chase-letters", "--agency", "medway"], "--agency 'medway' is not valid: it could be"),
    (["contact", "close", "L-2018-0001", "--outcome", "subs"],
     "--outcome 'subs' is not valid: it could be 'substantiated' or 'unsubstantiated'"),
])
def test_every_filter_and_choice_value_is_checked(db, capsys, argv, said):
    code, out, err = cli(db, capsys, *argv)
    assert code == 2 and out == "" and err.count("\n") == 1, (out, err)
    assert said in err, err
    contacts, _ = stored(db)
    assert contacts["L-2018-0001"].is_open        # the ambiguous outcome closed nothing


def test_beginnings_work_for_every_list(db, capsys):
    code, out, err = cli(db, capsys, "contacts", "--category", "ref", "--status", "op", "--harm", "")
    assert code == 0 and out.split()[0] == "L-2018-0001" and len(out.splitlines()) == 1, err
    code, out, err = cli(db, capsys, "actions", "--agency", "pol", "--rag", "am", "--status", "open")
    assert code == 0 and out.startswith("A-000001"), err
    code, out, err = cli(db, capsys, "contact", "close", "L-2018-0001", "--outcome", "unsu", "--on", "01/06/2018")
    assert code == 0 and "(unsubstantiated)" in out, err
    assert stored(db)[0]["L-2018-0001"].outcome.value == "unsubstantiated"


# --- defect 8: a category at intake carries its rationale, in the CLI as in the TUI -----------------------

def test_a_category_at_intake_needs_its_rationale(db, capsys):
    code, out, err = cli(db, capsys, "contact", "add", "--received", "01/06/2018", "--agency", "Police",
                         "--category", "enq")
    assert code == 2 and out == ""
    assert "--rationale '' is not valid: a rationale for making it an enquiry is required" in err
    code, out, err = cli(db, capsys, "contact", "add", "--received", "01/06/2018", "--agency", "Police",
                         "--rationale", "advice only")
    assert code == 2 and "--category '' is not valid: a category for this rationale" in err
    assert len(stored(db)[0]) == 3                       # neither was stored
    code, out, err = cli(db, capsys, "contact", "add", "--received", "01/06/2018", "--agency", "Police",
                         "--category", "enq", "--rationale", "advice and signposting only")
    assert code == 0 and "enquiry" in out, err
    [decision] = stored(db)[0]["L-2018-0004"].category_history
    assert (decision.to.value, decision.rationale) == ("enquiry", "advice and signposting only")
    # The one rule, as the TUI's form calls it, words the same.
    with pytest.raises(ValidationError, match="making it an enquiry"):
        intake_category("enquiry", " ")
    # Grammar in the library's own refusals.
    code, _, err = cli(db, capsys, "contact", "categorise", "L-2018-0002", "enquiry", "--rationale", "again")
    assert code == 2 and "is already an enquiry" in err
    code, _, err = cli(db, capsys, "contact", "escalate", "L-2018-0003", "--to", "enquiry", "--reason", "x")
    assert code == 2 and "L-2018-0003 is a consultation: escalation goes up only" in err
    code, _, err = cli(db, capsys, "contact", "step-down", "L-2018-0002", "--to", "consultation", "--rationale", "x")
    assert code == 2 and "L-2018-0002 is an enquiry: stepping down" in err


# --- defect 9: history whole and in UK dates; errors name the option typed -------------------------------

def test_history_shows_reasons_whole_and_dates_the_uk_way(db, capsys):
    reason = ("a second pupil has come forward with a similar account, reported to the deputy head teacher "
              "on the same afternoon")
    assert cli(db, capsys, "contact", "escalate", "L-2018-0003", "--to", "referral", "--reason", reason)[0] == 0
    assert cli(db, capsys, "contact", "update", "L-2018-0003", "--subject-dob", "03/04/1980")[0] == 0
    assert cli(db, capsys, "contact", "respond", "L-2018-0003", "--on", "08/01/2018")[0] == 0
    code, out, err = cli(db, capsys, "history", "L-2018-0003")
    assert code == 0, err
    assert f"added category decision (a.lado, 15/06/2018): {reason}\n" in out     # whole, one line in a pipe
    # At a terminal 80 wide a long entry wraps under itself, nothing cut.
    with st.open_tracker(db, user="checker", today=lambda: TODAY) as t:
        [change] = [c for c in t.history("L-2018-0003") if c.field == "category_history"]
    lines = history_lines(change, 80)
    lead = lines[0].index("added category decision")
    assert len(lines) > 1 and all(len(line) <= 80 for line in lines)
    assert all(line[:lead].isspace() and not line[lead].isspace() for line in lines[1:])
    assert reason in " ".join(" ".join(lines).split())
    assert "date of birth: (blank) -> 03/04/1980" in out and "responded (08/01/2018)" in out
    assert not ISO.search(out), out
    assert "\u2026" not in out
    # The store holds what was typed: the screen shows it, the trail keeps it.
    assert stored(db)[0]["L-2018-0003"].category_history[-1].rationale == reason


@pytest.mark.parametrize("argv, option", [
    (["contact", "add", "--received", "31/02/2018", "--agency", "Police"], "--received '31/02/2018'"),
    (["contact", "close", "L-2018-0001", "--outcome", "false", "--on", "01/01/2018"], "--on '01/01/2018'"),
    (["contact", "report-received", "L-2018-0003", "--on", "01/01/2030"], "--on '01/01/2030'"),
    (["contact", "meeting", "L-2018-0001", "--on", "10/01/2018", "--action", "CCTV|Employer|09/01/2018"],
     "--action 1 (due date) '09/01/2018'"),
    (["contact", "action-done", "L-2018-0001", "1", "1"], "MEETING 1 is not valid"),
    (["due", "--as-of", "soon"], "--as-of 'soon'"),
    (["actions", "--as-of", "soon"], "--as-of 'soon'"),
    (["action", "edit", "A-000001", "--agency", "polce"], "--agency 'polce'"),
    (["action", "revise", "A-000001", "--to", "31/02/2018", "--reason", "x"], "--to '31/02/2018'"),
    (["review", "add", "Zed", "--kind", "scr", "--incident", "02/02/2018", "--notified", "01/02/2018"],
     "--notified '01/02/2018' is not valid: a date on or after the incident date (02/02/2018)"),
    (["review", "recommend", "Dawn", "x", "--agency", "Polce"], "--agency 'Polce'"),
    (["report", "chase-letters", "--within", "999999999999"], "--within 999999999999 is not valid"),
    (["deadlines", "--set", "jem=6"], "--set jem '6'"),
])
def test_errors_name_the_option_typed(db, capsys, argv, option):
    code, out, err = cli(db, capsys, *argv)
    assert code == 2 and err.count("\n") == 1, err
    assert f"safeguard-tracker: {option}" in err, err
    assert not any(name in err for name in FIELD_NAMES), err


# --- the TUI and the CLI read a typed agency by the same rule ---------------------------------------------

async def test_the_tui_and_the_cli_read_a_typed_agency_alike(db, capsys):
    from tui.forms import FormScreen
    from tui.lado.detail import ContactScreen
    from tui.testing import app_for, field_error, fill, reread, screen_text, show, wait_until

    with st.open_tracker(db, user="a.lado", today=lambda: TODAY) as t:
        app = app_for(t)
        async with app.run_test(size=(80, 24)) as pilot:
            await show(pilot)
            await pilot.press("a")
            await wait_until(pilot, lambda: isinstance(app.screen, FormScreen), "the quick-add form")
            await fill(pilot, "agency", "school - pr")        # could be three: refused, as by the CLI
            await fill(pilot, "category", "enq")
            await fill(pilot, "rationale", "a question about safer recruitment")
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: not isinstance(app.screen, FormScreen)
                             or field_error(app.screen, "agency") != "", "the agency's message, or a save")
            assert isinstance(app.screen, FormScreen), "saved with an agency that could be three"
            said = field_error(app.screen, "agency")
            assert all(name in said for name in ("School - Primary", "School - Private", "School - PRU")), said
            with reread(t) as other:
                assert len(other.contacts()) == 3
            await fill(pilot, "agency", "prim")               # names one: taken
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: isinstance(app.screen, ContactScreen), "the new record")
            tui_ref = app.screen.reference
            await wait_until(pilot, lambda: app.screen.contact is not None, "the record read")
            await wait_until(pilot, lambda: "School - Primary" in screen_text(app), "the record shows the agency")
    code, _, err = cli(db, capsys, "contact", "add", "--received", "15/06/2018", "--agency", "school - pr")
    assert code == 2 and "it could be 'School - Primary' or 'School - Private' or 'School - PRU'" in err
    code, out, err = cli(db, capsys, "contact", "add", "--received", "15/06/2018", "--agency", "prim",
                         "--category", "enq", "--rationale", "a question about safer recruitment")
    assert code == 0, err
    contacts, _ = stored(db)
    cli_ref = out.split()[1]
    assert contacts[tui_ref].agency == contacts[cli_ref].agency == "School - Primary"
    assert contacts[tui_ref].category == contacts[cli_ref].category


from tui.testing import run_coroutine_tests  # noqa: E402

run_coroutine_tests(globals())


def test_version_names_the_installed_release(capsys):
    import safeguard_tracker
    from safeguard_tracker.cli import main
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"safeguard-tracker {safeguard_tracker.__version__}"
