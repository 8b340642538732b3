"""Random sequences of API operations against a model (hypothesis stateful testing).

Two users share one store.  After every step:

* references are unique and stable: every reference ever handed out still
  names the same record, and no two records share one;
* categories follow the escalation rules: escalations go up, step-downs go
  down, the category is the last decision's, and closed contacts carry the
  outcome their category needs;
* RAG is consistent with status and dates, as the documented rule says, and
  the fast filter over stored documents agrees with the model's RAG;
* replaying the audit trail from the start rebuilds every record exactly
  (``check``), with one revision per successful change;
* a refused step (RuleError, ValidationError, ConflictError) changed nothing.
"""

import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path

import hypothesis.strategies as hs
from hypothesis import HealthCheck, settings
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, initialize, invariant, rule

import safeguard_tracker as st
from safeguard_tracker.errors import ConflictError, RuleError, ValidationError
from safeguard_tracker.model import ALLEGATION_OUTCOMES, RAG, ActionStatus, Category, CategoryChange, Outcome

TODAY = date(2018, 6, 15)
AGENCIES = ("Police", "School - Primary", "College", "Foster Carers - Independent")
CATEGORIES = ("enquiry", "consultation", "referral")
OUTCOMES = tuple(o.value for o in Outcome)
REFUSED = (RuleError, ValidationError, ConflictError)
text = hs.text(alphabet=hs.characters(min_codepoint=32, max_codepoint=0x24F), min_size=1, max_size=30).filter(str.strip)


class TrackerMachine(RuleBasedStateMachine):
    contacts = Bundle("contacts")
    actions = Bundle("actions")
    stale = Bundle("stale")

    def __init__(self):
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="sgt-fuzz-"))
        path = self.folder / "store.json"
        self.users = [st.open_tracker(path, user=u, today=lambda: TODAY) for u in ("a.lado", "b.lado")]
        self.refs: dict[str, str] = {}          # reference -> the summary it was created with (identity)
        self.action_refs: set[str] = set()
        self.review = None

    def teardown(self):
        shutil.rmtree(self.folder, ignore_errors=True)

    def _t(self, who: int):
        t = self.users[who]
        t.refresh()
        return t

    def _refused_changes_nothing(self, t, call):
        seq, audit = t.store.last_seq, len(t.store.all("audit"))
        try:
            return call()
        except REFUSED:
            t.refresh()
            assert (t.store.last_seq, len(t.store.all("audit"))) == (seq, audit), "a refused step wrote something"
            return None

    # --- contacts --------------------------------------------------------------------------------------------
    @rule(target=contacts, who=hs.integers(0, 1), days_ago=hs.integers(0, 400), agency=hs.sampled_from(AGENCIES),
          category=hs.sampled_from(CATEGORIES + (None,)), summary=text)
    def add(self, who, days_ago, agency, category, summary):
        t = self._t(who)
        c = t.add_contact(received_on=TODAY - timedelta(days=days_ago), agency=agency, category=category,
                          summary=summary)
        assert c.reference not in self.refs
        self.refs[c.reference] = summary
        assert c.category == (Category(category) if category else None)
        return c.reference

    @rule(who=hs.integers(0, 1), ref=contacts, to=hs.sampled_from(CATEGORIES), reason=text)
    def escalate(self, who, ref, to, reason):
        t = self._t(who)
        before = t.get_contact(ref)
        after = self._refused_changes_nothing(t, lambda: t.escalate(ref, to=to, reason=reason))
        if after is not None:
            assert before.closed_on is None
            assert before.category is None or Category(to).rank > before.category.rank
            assert after.category_history[-1].kind in (CategoryChange.ESCALATED, CategoryChange.CATEGORISED)
        elif before.closed_on is None and before.category is not None:
            assert Category(to).rank <= before.category.rank or not reason.strip()

    @rule(who=hs.integers(0, 1), ref=contacts, to=hs.sampled_from(CATEGORIES), rationale=text)
    def step_down(self, who, ref, to, rationale):
        t = self._t(who)
        before = t.get_contact(ref)
        after = self._refused_changes_nothing(t, lambda: t.step_down(ref, to=to, rationale=rationale))
        if after is not None:
            assert before.category is not None and Category(to).rank < before.category.rank
            assert after.category_history[-1].kind is CategoryChange.STEPPED_DOWN

    @rule(who=hs.integers(0, 1), ref=contacts, outcome=hs.sampled_from(OUTCOMES + ("",)))
    def close(self, who, ref, outcome):
        t = self._t(who)
        after = self._refused_changes_nothing(t, lambda: t.close_contact(ref, outcome=outcome or None))
        if after is not None:
            assert after.closed_on is not None

    @rule(who=hs.integers(0, 1), ref=contacts)
    def employer_report(self, who, ref):
        t = self._t(who)
        self._refused_changes_nothing(t, lambda: t.record_employer_report(ref, outcome="report received"))

    @rule(who=hs.integers(0, 1), ref=contacts, reason=text)
    def reopen(self, who, ref, reason):
        t = self._t(who)
        after = self._refused_changes_nothing(t, lambda: t.reopen(ref, reason))
        if after is not None:
            assert after.closed_on is None and after.outcome is None and after.reopenings[-1].reason == reason.strip()

    @rule(who=hs.integers(0, 1), ref=contacts, note=text)
    def note(self, who, ref, note):
        t = self._t(who)
        before = t.get_contact(ref)
        after = t.add_note(ref, note)
        assert after.rev == before.rev + 1 and after.notes[-1].text == note.strip()
        assert after.notes[-1].user == t.user

    @rule(target=stale, who=hs.integers(0, 1), ref=contacts)
    def read_copy(self, who, ref):
        return (who, self._t(who).get_contact(ref))

    @rule(copy=consumes(stale), summary=text)
    def edit_copy(self, copy, summary):
        """An edit based on a copy read some steps ago: saved if nobody changed it since, else a conflict."""
        who, old = copy
        t = self.users[who]
        current = self._t(who).get_contact(old.reference)
        result = self._refused_changes_nothing(
            t, lambda: t.update_contact(old.reference, expected_rev=old.rev, summary=summary))
        if current.rev == old.rev:
            assert result is not None and result.summary == summary.strip()
        else:
            assert result is None, "an edit from a stale copy overwrote a newer version"

    # --- actions (RAG) --------------------------------------------------------------------------------------------
    @initialize()
    def a_review(self):
        t = self.users[0]
        self.review = t.add_review(name="Fuzz", kind="llr").reference
        t.add_recommendation(self.review, text="Agencies to share information", owner_agencies=["Police"])

    @rule(target=actions, who=hs.integers(0, 1), due_in=hs.integers(-60, 60), desc=text)
    def add_action(self, who, due_in, desc):
        t = self._t(who)
        a = t.add_action(self.review, 1, description=desc, lead_agency="Police", lead_officer="Officer One",
                         due=TODAY + timedelta(days=due_in))
        assert a.reference not in self.action_refs
        self.action_refs.add(a.reference)
        return a.reference

    @rule(who=hs.integers(0, 1), ref=actions, step=hs.sampled_from(
        ["update", "evidence", "complete", "sign_off", "off_track", "clear", "revise", "reopen"]),
        days=hs.integers(-30, 90), words=text)
    def action_step(self, who, ref, step, days, words):
        t = self._t(who)
        calls = {
            "update": lambda: t.add_update(ref, words),
            "evidence": lambda: t.record_evidence(ref, evidence=words),
            "complete": lambda: t.complete_action(ref),
            "sign_off": lambda: t.sign_off(ref, by="Sub group chair"),
            "off_track": lambda: t.flag_off_track(ref, words),
            "clear": lambda: t.clear_off_track(ref, words),
            "revise": lambda: t.revise_due(ref, TODAY + timedelta(days=days), words),
            "reopen": lambda: t.reopen_action(ref, words),
        }
        self._refused_changes_nothing(t, calls[step])

    # --- invariants ---------------------------------------------------------------------------------------------------
    @invariant()
    def references_unique_and_stable(self):
        t = self._t(0)
        docs = t.store.all("contacts")
        assert set(self.refs) <= set(docs), "a reference disappeared"
        folded = [k.casefold() for k in docs]
        assert len(folded) == len(set(folded))
        for ref in self.refs:
            assert docs[ref]["reference"] == ref
        assert self.action_refs <= set(t.store.all("actions"))

    @invariant()
    def categories_follow_the_rules(self):
        t = self._t(1)
        for c in t.contacts():
            previous = None
            for d in c.category_history:
                assert d.from_ == previous
                if d.kind is CategoryChange.CATEGORISED:
                    assert previous is None
                elif d.kind is CategoryChange.ESCALATED:
                    assert previous is not None and d.to.rank > previous.rank
                else:
                    assert previous is not None and d.to.rank < previous.rank
                previous = d.to
            assert c.category == previous
            assert c.escalated == any(d.kind is CategoryChange.ESCALATED for d in c.category_history)
            if c.closed_on is not None:
                if c.category is Category.REFERRAL:
                    assert c.outcome in ALLEGATION_OUTCOMES
                elif c.category is Category.ENQUIRY:
                    assert c.outcome is Outcome.ADVICE_GIVEN
                else:
                    assert c.employer_report_received_on is not None
                    assert c.outcome in ALLEGATION_OUTCOMES + (Outcome.NO_FURTHER_ACTION,)
            else:
                assert c.outcome is None

    @invariant()
    def rag_follows_status_and_dates(self):
        t = self._t(0)
        for as_of in (TODAY, TODAY + timedelta(days=45)):
            by_filter = {r: {a.reference for a in t.actions(rag=r.value, as_of=as_of)} for r in RAG}
            for a in t.actions():
                due = a.current_due_on
                if a.status is ActionStatus.SIGNED_OFF:
                    expected = RAG.BLUE
                elif a.status is ActionStatus.COMPLETE:
                    expected = RAG.GREEN if a.evidence.strip() else RAG.AMBER
                elif a.off_track_reason.strip() or (due is not None and due < as_of):
                    expected = RAG.RED
                else:
                    expected = RAG.AMBER
                assert t.rag(a.reference, as_of=as_of) is expected, (a.reference, a.status, due, as_of)
                assert a.reference in by_filter[expected], "the stored-document filter disagrees"
                if a.status is ActionStatus.SIGNED_OFF:
                    assert a.signed_off_by and a.signed_off_on and a.evidence.strip()

    @invariant()
    def the_audit_trail_rebuilds_every_record(self):
        t = self._t(1)
        assert t.check() == []


TrackerMachine.TestCase.settings = settings(max_examples=12, stateful_step_count=25, deadline=None,
                                            suppress_health_check=[HealthCheck.too_slow])
test_random_operations_keep_every_invariant = TrackerMachine.TestCase


def test_full_run_of_the_state_machine(full):
    """With --full, many more and longer random sequences."""
    if not full:
        return
    from hypothesis.stateful import run_state_machine_as_test
    run_state_machine_as_test(TrackerMachine, settings=settings(max_examples=200, stateful_step_count=60,
                                                                deadline=None,
                                                                suppress_health_check=[HealthCheck.too_slow]))
