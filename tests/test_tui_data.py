"""The data behind the LADO screens, without Textual: filtering, sorting, the queue's order, and
the caches kept right after a change."""

from __future__ import annotations

from datetime import date

import pytest

from safeguard_tracker.demo import build_demo
from safeguard_tracker.model.due import DueItem
from safeguard_tracker.lado.search import ContactFilter
from tui.fields import matching_choices, resolve_choice
from tui.lado import normalise_reference
from tui.lado.data import Criteria, LadoData, contact_row_cells, filter_contacts

TODAY = date(2018, 6, 15)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    tracker = build_demo(tmp_path_factory.mktemp("data") / "demo.json", user="a.lado")
    yield tracker
    tracker.close()


def fresh(tracker) -> LadoData:
    data = LadoData(tracker)
    data.sync(0)
    return data


def reference_filter(tracker, **kw) -> set[str]:
    docs = tracker.contact_docs()
    return set(ContactFilter.build(tracker.taxonomy, **kw).keys(docs))


@pytest.mark.parametrize("criteria, library", [
    (Criteria(category="referral"), dict(category="referral")),
    (Criteria(status="open", harm="sexual"), dict(status="open", harm="sexual")),
    (Criteria(year="2016-17", category="enquiry"), dict(year="2016-17", category="enquiry")),
    (Criteria(text="school teacher"), dict(text="school teacher")),
    (Criteria(text="L-2017-01"), dict(text="L-2017-01")),
    (Criteria(category="uncategorised"), dict(category="uncategorised")),
    (Criteria(text="teacher", category="referral", status="closed"),
     dict(text="teacher", category="referral", status="closed")),
    (Criteria(text="primary pupil", harm="physical"), dict(text="primary pupil", harm="physical")),
])
def test_filter_agrees_with_the_library_filter(demo, criteria, library):
    keys = filter_contacts(fresh(demo), criteria)
    assert set(keys) == reference_filter(demo, **library)
    assert len(keys) == len(set(keys))


def test_agency_matches_any_part_of_the_name_dash_and_case_blind(demo):
    data = fresh(demo)
    keys = filter_contacts(data, Criteria(agency="residential - "))
    agencies = {demo.contact_docs()[k]["agency"] for k in keys}
    assert agencies == {"Residential \u2013 Private", "Residential \u2013 Local Authority"}
    assert filter_contacts(data, Criteria(agency="no such agency")) == []


def test_typing_more_and_deleting_give_the_same_as_filtering_afresh(demo):
    data = fresh(demo)
    for text in ("s", "sc", "sch", "school", "school t", "school te", "school", "sc", ""):
        crit = Criteria(text=text, status="open")
        assert filter_contacts(data, crit) == filter_contacts(fresh(demo), crit), text


@pytest.mark.parametrize("sort, reverse", [("received", True), ("agency", False), ("category", True)])
def test_words_alone_typed_and_deleted_agree_with_afresh_in_any_order(demo, sort, reverse):
    """The search texts are kept in a list aligned with each order: the keys and texts stay paired."""
    data = fresh(demo)
    for text in ("t", "te", "teach", "teacher", "teacher sch", "teacher", "tea", "x", "", "pupil"):
        crit = Criteria(text=text)
        assert filter_contacts(data, crit, sort, reverse) == filter_contacts(fresh(demo), crit, sort, reverse), text
        if text:
            assert set(filter_contacts(data, crit, sort, reverse)) == reference_filter(demo, text=text), text


def test_rag_counted_from_the_documents_agrees_with_the_models(demo):
    from collections import Counter
    from safeguard_tracker.plans.rag import RAG_ORDER, action_rag
    from tui.plans.data import PlansData
    counts = PlansData(demo).rag_counts()          # from the stored documents
    by_model = Counter(action_rag(a, demo.today()) for a in demo.actions())
    assert counts == {k: by_model.get(k, 0) for k in RAG_ORDER}
    assert all(counts[k] for k in RAG_ORDER), "the demo has every RAG, so the test means something"


def test_sorting_by_each_column(demo):
    data = fresh(demo)
    docs = demo.contact_docs()
    newest = filter_contacts(data, Criteria(), "received", True)
    assert [docs[k]["received_on"] for k in newest] == sorted((d["received_on"] for d in docs.values()), reverse=True)
    by_ref = filter_contacts(data, Criteria(), "reference", False)
    assert by_ref[0] == "L-2016-0001" and by_ref[-1] == max(docs, key=lambda r: (r[:6], int(r[7:])))
    cats = [docs[k].get("category") for k in filter_contacts(data, Criteria(), "category", False)]
    rank = {None: 0, "enquiry": 1, "consultation": 2, "referral": 3}
    assert [rank[c] for c in cats] == sorted(rank[c] for c in cats)
    status = [docs[k].get("closed_on") is None for k in filter_contacts(data, Criteria(), "status", False)]
    assert status == sorted(status, reverse=True)          # open first
    due = data.due_by_ref
    dated = [due[k].due_on for k in filter_contacts(data, Criteria(), "due", False) if k in due]
    assert dated == sorted(dated)


def test_queue_puts_uncategorised_then_overdue_then_due_soon(tmp_path, monkeypatch):
    tracker = build_demo(tmp_path / "demo.json")
    new = tracker.add_contact(received_on="14/06/2018", agency="Police")
    older = tracker.add_contact(received_on="01/06/2018", agency="Police")
    open_refs = sorted(k for k, d in tracker.contact_docs().items() if d.get("closed_on") is None and d.get("category"))
    items = [DueItem(reference=open_refs[0], what="JEM", due_on=date(2018, 6, 20), as_of=TODAY),
             DueItem(reference=open_refs[1], what="JEM", due_on=date(2018, 6, 1), as_of=TODAY),
             DueItem(reference=open_refs[2], what="JEM", due_on=date(2018, 6, 10), as_of=TODAY),
             DueItem(reference=new.reference, what="respond", due_on=date(2018, 6, 1), as_of=TODAY)]
    monkeypatch.setattr(tracker, "due", lambda *a, **k: sorted(items, key=DueItem.sort_key))
    queue = fresh(tracker).queue()
    assert queue == [older.reference, new.reference, open_refs[1], open_refs[2], open_refs[0]]
    tracker.close()


def test_row_cells_carry_the_state_in_words():
    doc = {"reference": "L-2018-0042", "received_on": "2018-06-01", "agency": "Police", "category": "referral"}
    late = DueItem(reference="L-2018-0042", what="JEM (5 working days from referral)", due_on=date(2018, 6, 8),
                   as_of=TODAY)
    state, cells, due = contact_row_cells(doc, late)
    assert (state, due) == ("OVERDUE", "JEM")
    assert cells == ["L-2018-0042", "01/06/2018", "Police", "referral", "open"]
    today = DueItem(reference="L-2018-0042", what="JEM", due_on=TODAY, as_of=TODAY)
    assert contact_row_cells(doc, today)[0] == "DUE TODAY"
    soon = DueItem(reference="L-2018-0042", what="JEM", due_on=date(2018, 6, 20), as_of=TODAY)
    assert contact_row_cells(doc, soon)[0::2] == ("", "20/06/2018 JEM")
    assert contact_row_cells({**doc, "category": None}, None)[0] == "UNCATEGORISED"


def test_a_change_updates_the_search_text_without_a_rebuild(tmp_path):
    tracker = build_demo(tmp_path / "demo.json")
    data = fresh(tracker)
    assert filter_contacts(data, Criteria(text="zebracrossing")) == []
    hay = data.hay
    ref = sorted(tracker.contact_docs())[3]
    tracker.update_contact(ref, summary="seen near the zebracrossing")
    data.sync(1, {ref})
    assert data.hay is hay, "the index is kept and patched, not rebuilt"
    assert filter_contacts(data, Criteria(text="zebracrossing")) == [ref]
    added = tracker.add_contact(received_on="today", agency="Police", summary="another zebracrossing")
    data.sync(2, None)      # unknown change: everything again
    assert set(filter_contacts(data, Criteria(text="zebracrossing"))) == {ref, added.reference}
    tracker.close()


def test_choices_resolve_from_any_unambiguous_part():
    agencies = ["School - Primary", "School - Secondary", "Secure Estates (Youth Offending Institution)", "Police"]
    assert resolve_choice("prim", agencies) == "School - Primary"
    assert resolve_choice("school \u2013 primary", agencies) == "School - Primary"
    assert resolve_choice("s", agencies) is None
    assert resolve_choice("youth", agencies) == "Secure Estates (Youth Offending Institution)"
    assert matching_choices("sec", agencies)[:1] == ["Secure Estates (Youth Offending Institution)"]
    assert resolve_choice("ref", ["enquiry", "consultation", "referral"]) == "referral"


def test_references_are_read_as_people_type_them():
    assert normalise_reference("2018-42") == "L-2018-0042"
    assert normalise_reference("l-2018-0042") == "L-2018-0042"
    assert normalise_reference("L 2018 42") == "L-2018-0042"
    assert normalise_reference("A-000123") == "A-000123"
