"""The library API contract and its error cases."""

from datetime import date

import attrs
import pytest

import safeguard_tracker as st
from safeguard_tracker.errors import ConflictError, RuleError, UnknownReference, ValidationError


def test_readme_example_runs_as_written(store_path):
    with st.open_tracker(store_path, user="a.lado") as t:
        c = t.add_contact(received_on=date(2018, 1, 5), agency="School - Primary",
                          category="consultation", summary="...")
        t.escalate(c.reference, to="referral", reason="further concerns from the employer")
        t.close_contact(c.reference, outcome="unsubstantiated", closed_on=date(2018, 2, 1))
        assert t.get_contact(c.reference).category.value == "referral"
        assert [x.reference for x in t.contacts()] == [c.reference]
        changes = t.history(c.reference)
        assert {ch.field for ch in changes} >= {"*", "category", "outcome", "closed_on"}
        assert all(ch.user == "a.lado" for ch in changes)
        assert c.reference == "L-2018-0001"


def test_references_are_stable_and_per_year(tracker):
    a = tracker.add_contact(received_on="05/01/2018", agency="Police", category="enquiry")
    b = tracker.add_contact(received_on="2017-12-31", agency="Police", category="enquiry")
    c = tracker.add_contact(received_on="06/01/2018", agency="Police", category="enquiry")
    assert (a.reference, b.reference, c.reference) == ("L-2018-0001", "L-2017-0001", "L-2018-0002")
    assert a.received_on == date(2018, 1, 5)  # day first, as written in England


def test_unknown_agency_suggests_nearest_and_writes_nothing(tracker):
    with pytest.raises(ValidationError) as err:
        tracker.add_contact(received_on="05/01/2018", agency="Scool - Primary", category="referral")
    assert "agency" in str(err.value) and "School - Primary" in str(err.value)
    assert tracker.contacts() == []
    assert tracker.store.last_seq == 0


def test_agency_spelling_tolerance(tracker):
    c = tracker.add_contact(received_on="05/01/2018", agency="  foster carers – independent ", category="enquiry")
    assert c.agency == "Foster Carers - Independent"
    c = tracker.add_contact(received_on="05/01/2018", agency="School - Alternative (e.g. NOVUS)", category="enquiry")
    assert c.agency == "School \u2013 Alternative (e.g. NOVUS)"


@pytest.mark.parametrize("field,value,needle", [
    ("category", "referal", "referral"),
    ("received_on", "31/02/2018", "date"),
])
def test_bad_values_name_the_field(tracker, field, value, needle):
    kwargs = {"received_on": "05/01/2018", "agency": "Police", "category": "enquiry", field: value}
    with pytest.raises(ValidationError) as err:
        tracker.add_contact(**kwargs)
    assert field in str(err.value) and needle in str(err.value)


def test_unknown_outcome(tracker):
    c = tracker.add_contact(received_on="05/01/2018", agency="Police", category="referral")
    with pytest.raises(ValidationError, match="outcome 'sorted out'.*substantiated"):
        tracker.close_contact(c.reference, outcome="sorted out")


def test_a_local_label_for_an_outcome_means_its_value_once_the_list_has_it(tracker):
    c = tracker.add_contact(received_on="05/01/2018", agency="Police", category="referral")
    with pytest.raises(ValidationError, match="outcome 'Upheld'"):
        tracker.close_contact(c.reference, outcome="Upheld", closed_on="2018-01-10")
    tracker.vocab_alias("outcomes", "substantiated", ["Upheld"])
    assert tracker.close_contact(c.reference, outcome="Upheld", closed_on="2018-01-10").outcome.value == "substantiated"


def test_closing_before_received_is_refused(tracker):
    c = tracker.add_contact(received_on="05/01/2018", agency="Police", category="referral")
    with pytest.raises(ValidationError, match="closed_on.*on or after the received date 05/01/2018"):
        tracker.close_contact(c.reference, outcome="unfounded", closed_on="01/01/2018")
    assert tracker.get_contact(c.reference).is_open


def test_referral_needs_an_outcome(tracker):
    c = tracker.add_contact(received_on="05/01/2018", agency="Police", category="referral")
    with pytest.raises(ValidationError, match="referral closes only with one of"):
        tracker.close_contact(c.reference)
    assert tracker.get_contact(c.reference).rev == 1


def test_escalation_goes_up_only(tracker):
    c = tracker.add_contact(received_on="05/01/2018", agency="Police", category="consultation")
    with pytest.raises(RuleError, match="up only"):
        tracker.escalate(c.reference, to="enquiry", reason="x")
    with pytest.raises(ValidationError, match="reason"):
        tracker.escalate(c.reference, to="referral", reason="  ")
    up = tracker.escalate(c.reference, to="referral", reason="new information")
    assert up.escalated and up.category is st.Category.REFERRAL
    assert [d.kind.value for d in up.category_history] == ["categorised", "escalated"]


def test_unknown_reference(tracker):
    with pytest.raises(UnknownReference, match="L-2018-0099"):
        tracker.get_contact("L-2018-0099")
    with pytest.raises(UnknownReference):
        tracker.history("L-2018-0099")


def test_stale_copy_conflicts_and_nothing_is_overwritten(store_path):
    with st.open_tracker(store_path, user="one") as t1, st.open_tracker(store_path, user="two") as t2:
        c = t1.add_contact(received_on="05/01/2018", agency="Police", category="enquiry", summary="first")
        t2.refresh()
        stale = t2.get_contact(c.reference)
        t1.save_contact(attrs.evolve(t1.get_contact(c.reference), summary="edited by one"))
        with pytest.raises(ConflictError, match="changed by one"):
            t2.save_contact(attrs.evolve(stale, summary="edited by two"))
        with pytest.raises(ConflictError):
            t2.update_contact(c.reference, expected_rev=stale.rev, summary="edited by two")
        t2.refresh()
        assert t2.get_contact(c.reference).summary == "edited by one"


def test_two_users_editing_different_records_both_keep_their_edits(store_path):
    with st.open_tracker(store_path, user="one") as t1, st.open_tracker(store_path, user="two") as t2:
        a = t1.add_contact(received_on="05/01/2018", agency="Police", category="enquiry")
        b = t1.add_contact(received_on="06/01/2018", agency="Police", category="enquiry")
        t2.refresh()
        t1.update_contact(a.reference, summary="from one")
        t2.update_contact(b.reference, summary="from two")  # t2 had not seen t1's edit: it merges
        t1.refresh()
        for t in (t1, t2):
            assert t.get_contact(a.reference).summary == "from one"
            assert t.get_contact(b.reference).summary == "from two"
        assert [h.user for h in t1.history(b.reference)][-1] == "two"
        assert t1.check() == []


def test_models_are_frozen(tracker):
    c = tracker.add_contact(received_on="05/01/2018", agency="Police", category="enquiry")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        c.summary = "x"


def test_history_records_old_and_new_values(tracker):
    c = tracker.add_contact(received_on="05/01/2018", agency="Police", category="enquiry", summary="a")
    tracker.update_contact(c.reference, summary="b")
    last = tracker.history(c.reference)[-1]
    assert (last.field, last.old, last.new, last.user) == ("summary", "a", "b", "a.lado")


def test_path_none_uses_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SAFEGUARD_TRACKER_DB", str(tmp_path / "env.json"))
    with st.open_tracker(user="x") as t:
        assert t.path == tmp_path / "env.json"


def test_a_redacted_contact_takes_no_personal_data_again_by_any_way_in_and_stays_redacted(tracker):
    """After a redaction, a change may not put back what it removed (a name, free text, the referrer), by an
    edit, a note, a whole record saved, or an import's upsert; a change to what it kept still works."""
    import attrs
    from safeguard_tracker.errors import RuleError
    c = tracker.add_contact(received_on="05/01/2018", agency="Police", category="referral",
                            subject_name="Ann Example", summary="a concern about a coach")
    tracker.close_contact(c.reference, outcome="unfounded", closed_on="2018-03-01")
    tracker.redact_contact(c.reference)
    redacted = tracker.get_contact(c.reference)
    attempts = [lambda: tracker.update_contact(c.reference, subject_name="Ann Example"),
                lambda: tracker.add_note(c.reference, "the coach's name is Ann Example"),
                lambda: tracker.save_contact(attrs.evolve(redacted, summary="a concern about Ann Example")),
                lambda: tracker.save_contact(attrs.evolve(redacted, redacted_on=None)),
                lambda: tracker.add_contacts([attrs.evolve(redacted, summary="Ann Example again")], upsert=True)]
    for attempt in attempts:
        with pytest.raises(RuleError, match=f"{c.reference} was redacted on"):
            attempt()
    assert tracker.get_contact(c.reference) == redacted and tracker.check() == []
    assert tracker.update_contact(c.reference, agency="School - Primary").agency == "School - Primary"


def test_a_nul_character_is_refused_by_every_store_naming_the_field_and_nothing_is_written(tracker):
    """U+0000 (pasted from another system, or put there by a script) cannot be kept by PostgreSQL; both stores
    refuse it alike, in words that name the field, before anything is written."""
    from safeguard_tracker.errors import ValidationError
    with pytest.raises(ValidationError, match=r"subject\.name .*U\+0000"):
        tracker.add_contact(received_on="05/01/2018", agency="Police", category="referral",
                            subject_name="Ann\x00 Example", summary="a concern")
    assert tracker.contacts() == []
    c = tracker.add_contact(received_on="05/01/2018", agency="Police", category="enquiry")
    with pytest.raises(ValidationError, match=r"notes\.0\.text .*U\+0000"):
        tracker.add_note(c.reference, "first line\x00second")
    assert tracker.get_contact(c.reference).notes == ()
