"""The store as it stood at the end of a past day, rebuilt from the audit trail (``Tracker.as_of``, ``--as-of``).

The audit clock is set by the test (``clock``), so that changes fall on the days the test says: a year
is recorded up to its end, then edited months later, and the year's report must not move.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

import safeguard_tracker as st
from safeguard_tracker.cli import main
from safeguard_tracker.errors import StoreWriteError
from safeguard_tracker.lado.statistics import lado_statistics
from safeguard_tracker.store import transaction as transaction_module

YEAR = "2021-22"
YEAR_END = date(2022, 3, 31)



def _year(t: st.Tracker) -> dict[str, str]:
    """A small year: referrals open at year end, some closed, an enquiry, a consultation.  Returns refs by role."""
    refs = {}
    for name, received, agency, category in (
            ("open1", "10/01/2022", "School - Primary", "referral"),
            ("open2", "14/02/2022", "Police", "referral"),
            ("closed1", "05/05/2021", "School - Secondary", "referral"),
            ("closed2", "20/09/2021", "Medway NHS Foundation Trust", "referral"),
            ("enquiry", "03/03/2022", "College", "enquiry"),
            ("consult", "11/11/2021", "Faith Groups", "consultation")):
        c = t.add_contact(received_on=received, agency=agency, category=category, rationale="as logged",
                          summary=f"{name} summary", subject_name=f"Subject {name}")
        refs[name] = c.reference
    t.close_contact(refs["closed1"], outcome="substantiated", closed_on="01/06/2021")
    t.close_contact(refs["closed2"], outcome="unfounded", closed_on="10/10/2021")
    return refs


def _later_edits(t: st.Tracker, refs: dict[str, str], clock) -> None:
    """What happens after the year: closures, a reopening, corrections, notes, an escalation."""
    clock("2022-06-21")
    t.close_contact(refs["open1"], outcome="substantiated", closed_on="20/06/2022")
    t.close_contact(refs["open2"], outcome="malicious", closed_on="21/06/2022")
    clock("2022-07-02")
    t.reopen(refs["closed1"], "new evidence from the employer", on="01/07/2022")
    t.update_contact(refs["closed2"], agency="Police", harm="sexual")
    t.add_note(refs["consult"], "The employer called back")
    t.escalate(refs["enquiry"], "referral", "a second concern came in", on="02/07/2022")


def _reports(t: st.Tracker) -> dict[str, str | bytes]:
    return {fmt_: t.report_lado_annual(YEAR, fmt=fmt_) for fmt_ in ("md", "html", "csv", "json", "docx")}


def test_a_closed_year_renders_byte_identically_after_later_edits(tmp_path, clock):
    t = st.open_tracker(tmp_path / "s.json", user="a.lado", today=lambda: date(2022, 8, 1))
    refs = _year(t)
    clock("2022-04-20")
    before = _reports(t.as_of(YEAR_END))
    live_before = _reports(t)
    _later_edits(t, refs, clock)
    after = _reports(t.as_of(YEAR_END))
    assert after == before
    assert _reports(t) != live_before, "the later edits change today's figures, so the test is not idle"
    s = json.loads(before["json"])
    assert s["outcomes"]["open"] == 2 and s["outcomes"]["substantiated"] == 1 and s["outcomes"]["unfounded"] == 1
    assert s["by_category"] == {"enquiry": 1, "consultation": 1, "referral": 4}


def test_every_record_stands_as_it_was_at_the_end_of_the_day(tmp_path, clock):
    t = st.open_tracker(tmp_path / "s.json", user="a.lado", today=lambda: date(2022, 8, 1))
    refs = _year(t)
    clock("2022-06-20")
    _later_edits(t, refs, clock)
    past = t.as_of("31/03/2022")
    assert past.as_of_day == YEAR_END and past.today() == YEAR_END
    assert past.get_contact(refs["open1"]).closed_on is None
    assert past.get_contact(refs["closed1"]).closed_on == date(2021, 6, 1)
    assert past.get_contact(refs["closed1"]).reopenings == ()
    assert past.get_contact(refs["closed2"]).agency == "Medway NHS Foundation Trust"
    assert past.get_contact(refs["enquiry"]).category.value == "enquiry"
    assert len(past.get_contact(refs["consult"]).notes) == 0
    # A day between the closures and the reopening sees the closures, not the reopening.
    mid = t.as_of("30/06/2022")
    assert mid.get_contact(refs["open1"]).outcome.value == "substantiated"
    assert mid.get_contact(refs["closed1"]).status == "closed"
    assert t.get_contact(refs["closed1"]).status == "open"
    # History is cut at the day, too.
    assert all(c.at.date() <= YEAR_END for c in past.history(refs["closed2"]))
    assert len(past.history(refs["closed2"])) < len(t.history(refs["closed2"]))


def test_a_record_entered_after_the_day_stands_as_its_dates_say(tmp_path, clock):
    """An old log typed in (or imported) later: no history before its entry, so its own dates decide."""
    clock("2026-11-30")
    t = st.open_tracker(tmp_path / "s.json", user="a.lado", today=lambda: date(2026, 11, 30))
    late_close = t.add_contact(received_on="01/03/2022", agency="Police", category="referral", rationale="r")
    t.close_contact(late_close.reference, outcome="unsubstantiated", closed_on="15/04/2022")
    early_close = t.add_contact(received_on="01/02/2022", agency="Police", category="referral", rationale="r")
    t.close_contact(early_close.reference, outcome="false", closed_on="20/03/2022")
    t.reopen(early_close.reference, "more came to light", on="10/05/2022")
    not_yet = t.add_contact(received_on="02/04/2022", agency="Police", category="enquiry", rationale="r")
    stepped = t.add_contact(received_on="01/03/2022", agency="Police", category="enquiry", rationale="r")
    t.escalate(stepped.reference, "referral", "threshold met", on="05/04/2022")
    past = t.as_of(YEAR_END)
    assert past.get_contact(late_close.reference).status == "open"
    assert past.get_contact(late_close.reference).outcome is None
    closed = past.get_contact(early_close.reference)
    assert (closed.status, closed.outcome.value, closed.closed_on) == ("closed", "false", date(2022, 3, 20))
    assert closed.reopenings == ()
    assert past.get_contact(stepped.reference).category.value == "enquiry"
    assert not_yet.reference not in {c.reference for c in past.contacts()}
    assert past.store.past.entered_later["contacts"] == 3 and past.store.past.not_yet["contacts"] == 1


def test_an_action_plan_as_it_stood_at_the_sub_group_meeting(tmp_path, clock):
    clock("2022-03-01")
    t = st.open_tracker(tmp_path / "s.json", user="chair", today=lambda: date(2022, 8, 1))
    r = t.add_review(name="Robin", kind="llr", initiated_on="2021-10-01")
    t.add_recommendation(r, text="Share the plan", owner_agencies="Police")
    a = t.add_action(r, 1, description="Write the protocol", lead_agency="Police", due="30/04/2022")
    t.add_update(a, "Draft written", on="2022-03-01")
    meeting = date(2022, 3, 10)
    plan_then = t.as_of(meeting).report_action_plan("md")
    clock("2022-05-01")
    t.complete_action(a, on="2022-04-28", evidence="Protocol published")
    t.sign_off(a, by="chair", on="2022-05-01")
    assert t.as_of(meeting).report_action_plan("md") == plan_then
    assert t.as_of(meeting).get_action(a.reference).status.value == "in_progress"
    assert t.get_action(a.reference).status.value == "signed_off"


def test_the_past_cannot_be_changed_but_what_is_shown_is_logged(tmp_path, clock):
    t = st.open_tracker(tmp_path / "s.json", user="a.lado", today=lambda: date(2022, 8, 1))
    refs = _year(t)
    size = (tmp_path / "s.json").stat().st_size, t.store.last_seq
    past = t.as_of(YEAR_END)
    for attempt in (lambda: past.add_note(refs["open1"], "x"),
                    lambda: past.close_contact(refs["open1"], outcome="unfounded", closed_on="01/03/2022"),
                    lambda: past.add_contact(received_on="01/03/2022", agency="Police", category="enquiry",
                                             rationale="r")):
        with pytest.raises(StoreWriteError, match="as it stood at the end of 31/03/2022"):
            attempt()
    assert t.store.last_seq == size[1]
    past.log_access("open referrals shown at the board", records=2)
    entry = t.access_log()[-1]
    assert entry.what == "open referrals shown at the board" and "as at 31/03/2022" in entry.detail
    assert t.store.last_seq == size[1] + 1


def _cli(capsys, db, *args):
    code = main(["--db", str(db), "--user", "a.lado", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_as_of_on_every_read_command(tmp_path, clock, capsys, monkeypatch):
    monkeypatch.setenv("SAFEGUARD_TRACKER_NO_PROGRESS", "1")
    db = tmp_path / "s.json"
    t = st.open_tracker(db, user="a.lado", today=lambda: date(2022, 8, 1))
    refs = _year(t)
    r = t.add_review(name="Robin", kind="llr", initiated_on="2021-10-01")
    t.add_recommendation(r, text="Share the plan", owner_agencies="Police")
    a = t.add_action(r, 1, description="Write the protocol", lead_agency="Police", due="30/04/2022")
    clock("2022-06-20")
    _later_edits(t, refs, clock)
    t.complete_action(a, on="2022-06-20", evidence="done")
    t.close()
    day = ["--as-of", "31/03/2022"]
    code, out, _ = _cli(capsys, db, "report", "lado-annual", "--year", YEAR, "--format", "json", *day)
    then = json.loads(out)
    assert code == 0 and then["outcomes"]["open"] == 2 and then["outcomes"]["substantiated"] == 1
    code, out, _ = _cli(capsys, db, "report", "lado-annual", "--year", YEAR, "--format", "json")
    now = json.loads(out)     # open1 closed, closed1 reopened, the enquiry escalated
    assert now["outcomes"]["substantiated"] == 1 and now["outcomes"]["malicious"] == 1
    assert now["by_category"]["referral"] == 5 and then["by_category"]["referral"] == 4
    code, out, _ = _cli(capsys, db, "contacts", "--status", "open", *day)
    assert refs["open1"] in out and refs["closed1"] not in out
    code, out, _ = _cli(capsys, db, "contact", "show", refs["closed2"], "--format", "json", *day)
    assert json.loads(out)["agency"] == "Medway NHS Foundation Trust"
    code, out, _ = _cli(capsys, db, "actions", "--format", "json", *day)
    assert json.loads(out)[0]["status"] == "not_started"
    code, out, _ = _cli(capsys, db, "actions", "--format", "json")
    assert json.loads(out)[0]["status"] == "complete"
    code, out, _ = _cli(capsys, db, "reviews", *day)
    assert code == 0 and "Robin" in out
    code, out, _ = _cli(capsys, db, "due", *day)
    assert code == 0 and refs["open1"] in out
    code, _, err = _cli(capsys, db, "contacts", "--as-of", "31/02/2022")
    assert code == 2 and "--as-of" in err
    # The dataset and a record's history as they stood: a return given again, byte for byte.
    def by_ref(text: str) -> dict:
        return {c["reference"]: c for c in json.loads(text)["contacts"]}
    code, out, _ = _cli(capsys, db, "export", "contacts", "--format", "json", *day)
    assert code == 0 and by_ref(out)[refs["closed2"]]["agency"] == "Medway NHS Foundation Trust"
    assert by_ref(out)[refs["enquiry"]]["category"] == "enquiry"
    code, out_now, _ = _cli(capsys, db, "export", "contacts", "--format", "json")
    assert by_ref(out_now)[refs["enquiry"]]["category"] == "referral"
    code, out, _ = _cli(capsys, db, "export", "actions", "--format", "json", *day)
    assert code == 0 and json.loads(out)["actions"][0]["status"] == "not_started"
    code, out, _ = _cli(capsys, db, "history", refs["closed2"], *day)
    code_now, out_now, _ = _cli(capsys, db, "history", refs["closed2"])
    assert code == code_now == 0 and "Police" in out_now and "Police" not in out and out_now.startswith(out.rstrip())


def test_statistics_as_of_argument_matches_the_rebuilt_store(tmp_path, clock):
    """``lado_statistics(as_of=)`` judges today's records on a day; ``Tracker.as_of`` rebuilds them: they differ
    once a case open at the year end has been closed, and the rebuilt one is the published year's."""
    t = st.open_tracker(tmp_path / "s.json", user="a.lado", today=lambda: date(2022, 8, 1))
    refs = _year(t)
    clock("2022-06-20")
    _later_edits(t, refs, clock)
    judged = lado_statistics(t.context, YEAR, as_of=YEAR_END)
    rebuilt = lado_statistics(t.as_of(YEAR_END).context, YEAR)
    assert rebuilt.outcomes["open"] == 2 and rebuilt.outcomes["malicious"] == 0
    assert judged.outcomes["malicious"] == 1     # closed in June, counted as if it had been closed in March


@pytest.mark.parametrize("seed", range(4))
def test_every_past_day_rebuilds_exactly_what_the_store_held_that_evening(tmp_path, clock, seed):
    """Random work over two weeks; each evening the records are copied; ``as_of`` must give each copy back."""
    import random
    rng = random.Random(seed)
    t = st.open_tracker(tmp_path / "s.json", user="a.lado", today=lambda: date(2022, 8, 1))
    evenings: dict[date, dict[str, dict]] = {}
    refs: list[str] = []
    agencies = ["Police", "College", "School - Primary", "Medway NHS Foundation Trust"]
    for n in range(14):
        day = date(2022, 5, 2 + n)
        clock(day.isoformat())
        for _ in range(rng.randint(0, 4)):
            roll = rng.random()
            if roll < 0.35 or not refs:
                c = t.add_contact(received_on=f"{rng.randint(1, 28):02d}/04/2022", agency=rng.choice(agencies),
                                  category=rng.choice(["enquiry", "consultation", "referral"]), rationale="r")
                refs.append(c.reference)
                continue
            c = t.get_contact(rng.choice(refs))
            if roll < 0.5:
                t.add_note(c.reference, f"note {n}")
            elif roll < 0.65:
                t.update_contact(c.reference, agency=rng.choice(agencies), summary=f"changed {n}")
            elif roll < 0.8 and c.status == "open" and c.category is not None:
                outcome = {"referral": "unfounded", "enquiry": "advice_given"}.get(c.category.value)
                if outcome:
                    t.close_contact(c.reference, outcome=outcome, closed_on=day)
            elif c.status == "closed":
                t.reopen(c.reference, "more", on=day)
            elif c.category is not None and c.category.value == "enquiry":
                t.escalate(c.reference, "referral", "threshold met", on=day)
        evenings[day] = {k: {f: v for f, v in d.items() if f != "_rev"}
                         for k, d in t.store.all("contacts").items()}
    for day, held in evenings.items():
        past = t.as_of(day)
        if not held:        # before the trail begins: nothing to replay, so records stand as their dates say
            assert past.store.past.by_dates
            continue
        rebuilt = {k: {f: v for f, v in d.items() if f != "_rev"} for k, d in past.store.all("contacts").items()}
        assert rebuilt == held, f"seed {seed}: the store as at {day} differs from what it held that evening"


def test_a_clock_set_back_never_makes_half_a_record(tmp_path, clock):
    """A record created after the day, then changed with the machine's clock set back before it: its later
    change must not be replayed on its own (a record with one field), only with the record it belongs to."""
    t = st.open_tracker(tmp_path / "s.json", user="a.lado", today=lambda: date(2022, 8, 1))
    clock("2022-03-01")
    before = t.add_contact(received_on="01/03/2022", agency="Police", category="enquiry", rationale="r")
    clock("2022-04-05")
    late = t.add_contact(received_on="04/04/2022", agency="Police", category="enquiry", rationale="r")
    clock("2022-03-30")                      # the clock was wrong, then corrected
    t.add_note(late.reference, "typed while the clock was wrong")
    past = t.as_of(YEAR_END)
    assert [c.reference for c in past.contacts()] == [before.reference]
    assert set(past.store.all("contacts")) == {before.reference}


def test_changes_stamped_out_of_order_never_crash_the_past(tmp_path, monkeypatch):
    """A note at 00:30 on 1 April (+01:00), then one from a machine on UTC stamped 23:45 on 31 March: the
    second note's entry (at position 1) must not be replayed without the first."""
    now = {"at": "2022-03-01T10:00:00+00:00"}
    monkeypatch.setattr(transaction_module, "now_iso", lambda: now["at"])
    t = st.open_tracker(tmp_path / "s.json", user="a.lado", today=lambda: date(2022, 8, 1))
    c = t.add_contact(received_on="01/03/2022", agency="Police", category="enquiry", rationale="r")
    now["at"] = "2022-04-01T00:30:00+01:00"
    t.add_note(c.reference, "after midnight, summer time")
    now["at"] = "2022-03-31T23:45:00+00:00"
    t.add_note(c.reference, "from a machine on UTC")
    past = t.as_of(YEAR_END)
    assert past.get_contact(c.reference).notes == ()        # both notes came after the day, whatever their stamps
    assert past.store.past.problems == ()
    assert [h.field for h in past.history(c.reference)] == ["*"]      # the history is cut by the same rule


def test_records_entered_after_the_day_are_left_out_and_the_report_says_so(tmp_path, clock, capsys,
                                                                           monkeypatch):
    monkeypatch.setenv("SAFEGUARD_TRACKER_NO_PROGRESS", "1")
    db = tmp_path / "s.json"
    t = st.open_tracker(db, user="a.lado", today=lambda: date(2022, 8, 1))
    clock("2022-03-30")
    t.add_contact(received_on="30/03/2022", agency="Police", category="enquiry", rationale="r")
    clock("2022-04-10")                       # the old log typed in after the year end
    for day in ("05/04/2021", "06/06/2021", "31/03/2022"):
        t.add_contact(received_on=day, agency="Police", category="enquiry", rationale="r")
    past = t.as_of(YEAR_END)
    assert len(past.contacts()) == 1
    assert [r for r, _, _ in past.store.past.left_out["contacts"]] == ["L-2021-0001", "L-2021-0002", "L-2022-0002"]
    assert any("3 contacts dated on or before 31/03/2022 were entered later (10/04/2022)" in w
               for w in past.store.warnings)
    notes = past.lado_statistics(YEAR).reconciliation
    assert any("3 contact(s) received in the year were entered after 31/03/2022, so they are not counted" in n
               for n in notes)
    t.close()
    assert main(["--db", str(db), "contacts", "--as-of", "31/03/2022"]) == 0
    assert "entered later (10/04/2022)" in capsys.readouterr().err


def test_a_year_seen_at_the_end_of_its_last_day_is_over(tmp_path, clock):
    t = st.open_tracker(tmp_path / "s.json", user="a.lado", today=lambda: date(2022, 8, 1))
    _year(t)
    past = t.as_of(YEAR_END)
    s = past.lado_statistics(YEAR)
    assert s.year_complete and not any("is not over" in n for n in s.reconciliation)
    md = past.report_lado_annual(YEAR)
    assert "the LADO received 6 contacts" in md and "is not over" not in md and "met yet" not in md
    live_on_the_day = st.open_tracker(tmp_path / "s.json", user="b", today=lambda: YEAR_END)
    assert any("is not over" in n for n in live_on_the_day.lado_statistics(YEAR).reconciliation)


def test_a_rename_and_new_settings_after_the_day_leave_the_past_report_as_it_was(tmp_path, clock):
    """The lists and the report settings are replayed from the trail too: the published year keeps its names."""
    t = st.open_tracker(tmp_path / "s.json", user="a.lado", today=lambda: date(2022, 8, 1))
    refs = _year(t)
    t.update_contact(refs["consult"], agency="Medway Council")
    t.set_report_settings(child_population=50_000)
    clock("2022-04-20")
    before = _reports(t.as_of(YEAR_END))
    clock("2022-06-01")
    t.vocab_rename("agencies", "Medway Council", "Medway Council (corporate)")
    t.set_report_settings(child_population=64_000, repeat_years=5)
    t.set_deadline_rules(resolution="2 months,4 months,12 months")
    after = _reports(t.as_of(YEAR_END))
    assert after == before
    assert "Medway Council (corporate)" in t.report_lado_annual(YEAR)


def test_an_open_past_view_catches_up_with_a_redaction(tmp_path, clock):
    t = st.open_tracker(tmp_path / "s.json", user="a.lado", today=lambda: date(2029, 8, 1))
    c = t.add_contact(received_on="01/03/2022", agency="Police", category="enquiry", rationale="r",
                      subject_name="Robin Example")
    t.close_contact(c.reference, outcome="advice_given", closed_on="10/03/2022")
    past = t.as_of(YEAR_END)
    assert past.get_contact(c.reference).subject.name == "Robin Example"
    clock("2029-07-01")
    other = st.open_tracker(tmp_path / "s.json", user="b.lado", today=lambda: date(2029, 8, 1))
    other.redact_contact(c.reference)
    other.close()
    assert past.refresh()                 # (a redaction rewrites the trail: the store is read again whole)
    assert past.get_contact(c.reference).subject.name != "Robin Example"


def test_an_action_stands_with_its_review(tmp_path, clock):
    """A plan typed up in July, seen as at March (before the trail): the review is not there yet, nor its actions."""
    clock("2022-07-01")
    t = st.open_tracker(tmp_path / "s.json", user="chair", today=lambda: date(2022, 8, 1))
    r = t.add_review(name="Robin", kind="llr", initiated_on="2022-05-01")
    t.add_recommendation(r, text="Share the plan", owner_agencies="Police")
    t.add_action(r, 1, description="Write the protocol", lead_agency="Police", due="30/09/2022")
    past = t.as_of(YEAR_END)
    assert past.reviews() == [] and past.actions() == []


def test_what_a_past_view_shows_says_the_day(tmp_path, clock, capsys, monkeypatch):
    """A pasted case file, and a report saved from the TUI, carry the day they show."""
    from tui.reports.specs import BY_ID
    monkeypatch.setenv("SAFEGUARD_TRACKER_NO_PROGRESS", "1")
    db = tmp_path / "s.json"
    t = st.open_tracker(db, user="a.lado", today=lambda: date(2022, 8, 1))
    refs = _year(t)
    past = t.as_of(YEAR_END)
    spec = BY_ID["lado-annual"]
    assert spec.default_name(past, {"year": YEAR}, "docx") == "lado-annual-2021-22-as-at-2022-03-31.docx"
    assert spec.default_name(t, {"year": YEAR}, "docx") == "lado-annual-2021-22.docx"
    t.close()
    assert main(["--db", str(db), "contact", "show", refs["open1"], "--as-of", "31/03/2022"]) == 0
    assert capsys.readouterr().out.startswith("as at the end of 31/03/2022 (rebuilt from the audit trail)\n")
    assert main(["--db", str(db), "contact", "show", refs["open1"]]) == 0
    assert "as at" not in capsys.readouterr().out


def test_the_report_settings_from_the_command_line(tmp_path, capsys):
    db = tmp_path / "s.json"
    st.open_tracker(db, user="a.lado").close()
    assert main(["--db", str(db), "settings", "--set", "child_population=2019-20:64000",
                 "--set", "repeat_years=4"]) == 0
    assert capsys.readouterr().out == ("child_population  2019-20: 64,000\n"
                                       "repeat_years      4 (a subject is a repeat within this many years)\n")
    with st.open_tracker(db, user="a.lado") as t:
        assert t.settings["child_population"] == {"2019-20": 64000} and t.settings["repeat_years"] == 4
    for bad in ("child_population=lots", "repeat_years=0", "population=3", "child_population"):
        assert main(["--db", str(db), "settings", "--set", bad]) == 2
        assert capsys.readouterr().err.startswith("safeguard-tracker: ")
