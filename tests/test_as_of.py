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
