"""A council's lists as data: rename, merge, retire, alias, replace; history kept, statistics unchanged."""

from __future__ import annotations

import pytest

from safeguard_tracker import ValidationError, open_tracker



@pytest.fixture
def t(demo):
    return demo


def _by_agency(t, year="2017-18"):
    s = t.lado_statistics(year)
    return s.total_contacts, {r.agency: (r.count, r.compare_count) for r in s.by_agency if r.count or r.compare_count}


def test_a_rename_shows_the_new_name_on_old_records_and_the_statistics_agree(t):
    before_total, before = _by_agency(t)
    held = [r for r, d in t.contact_docs().items() if d["agency"] == "School - Primary"]
    change = t.vocab_rename("agencies", "School - Primary", "Primary Schools")
    assert set(held) <= set(change.records) and held
    after_total, after = _by_agency(t)
    assert after_total == before_total
    assert after["Primary Schools"] == before["School - Primary"] and "School - Primary" not in after
    assert {k: v for k, v in after.items() if k != "Primary Schools"} == \
        {k: v for k, v in before.items() if k != "School - Primary"}
    assert t.get_contact(held[0]).agency == "Primary Schools"
    last = t.history(held[0])[-1]
    assert (last.field, last.old, last.new, last.user) == ("agency", "School - Primary", "Primary Schools", "a.lado")
    assert t.taxonomy.canonical("school - primary") == "Primary Schools"      # the old name is an alias
    assert t.taxonomy.index("Primary Schools") == 13                           # in the same place in the list


def test_a_merge_combines_the_counts_and_keeps_every_name(t):
    total, before = _by_agency(t)
    private, secondary = before["School - Private"], before["School - Secondary"]
    t.vocab_merge("agencies", "school - private", "School - Secondary")
    total_after, after = _by_agency(t)
    assert total_after == total and "School - Private" not in after
    assert after["School - Secondary"] == (private[0] + secondary[0], private[1] + secondary[1])
    assert "School - Private" not in t.vocabulary("agencies").names
    assert t.taxonomy.canonical("School - Private") == "School - Secondary"


def test_a_rename_reaches_action_plans_too(t):
    actions = [r for r, d in t.action_docs().items() if d.get("lead_agency") == "Police"]
    owners = [r for r, d in t.review_docs().items()
              if any("Police" in (x.get("owner_agencies") or ()) for x in d.get("recommendations") or ())]
    assert actions or owners
    t.vocab_rename("agencies", "Police", "Kent Police")
    assert all(t.get_action(r).lead_agency == "Kent Police" for r in actions)
    for r in owners:
        assert "Police" not in {o for x in t.get_review(r).recommendations for o in x.owner_agencies}


def test_a_retired_agency_stays_on_its_records_but_is_not_offered(t):
    ref = next(r for r, d in t.contact_docs().items() if d["agency"] == "Transport Provider")
    t.vocab_retire("agencies", "Transport Provider")
    assert "Transport Provider" not in t.taxonomy.offered and "Transport Provider" in t.taxonomy
    assert t.get_contact(ref).agency == "Transport Provider"
    t.update_contact(ref, summary="still editable")                 # an old record is still valid
    t.vocab_retire("agencies", "Transport Provider", retired=False)
    assert "Transport Provider" in t.taxonomy.offered


def test_names_must_not_clash_and_fixed_lists_take_labels_not_names(t):
    with pytest.raises(ValidationError, match="'Kent Police'.*means 'Police'"):
        t.vocab_add("agencies", "Kent Police")                      # already the Police's alias
    with pytest.raises(ValidationError, match="not already in the agencies"):
        t.vocab_rename("agencies", "College", "school - primary")
    with pytest.raises(ValidationError, match="alias"):
        t.vocab_add("outcomes", "Upheld")
    with pytest.raises(ValidationError, match="fixed by the guidance"):
        t.vocab_rename("outcomes", "substantiated", "founded")
    with pytest.raises(ValidationError, match="sector group"):
        t.vocab_add("agencies", "Northgate Trust", group="schools and such")
    t.vocab_alias("outcomes", "substantiated", ["Upheld"])
    assert t.vocabulary("outcomes").lookup("upheld") == "substantiated"


def test_replacing_a_list_keeps_recorded_names_retired_and_nothing_else(t, tmp_path):
    path = tmp_path / "ours.csv"
    path.write_text("name,group,aliases\nSchools,education,School - Primary | School - Secondary\n", encoding="utf-8")
    change = t.vocab_import("agencies", path)
    recorded = set(t.vocabulary_usage("agencies"))
    assert "Schools" in recorded and "School - Primary" not in recorded       # the alias's records now show Schools
    assert "Safeguarding Children Board" not in change.kept                   # a partner, not an agency
    assert set(change.kept) == recorded - {"Schools", "Safeguarding Children Board"}
    assert t.taxonomy.offered == ("Schools",)
    for name in change.kept:
        assert t.vocabulary("agencies").entry(name).retired


def test_the_lists_persist_and_another_tracker_sees_a_change(t, tmp_path):
    other = open_tracker(t.path, user="b.lado")
    try:
        assert other.taxonomy.canonical("Police") == "Police"
        t.vocab_rename("agencies", "Police", "Constabulary")
        other.refresh()
        assert other.taxonomy.canonical("Police") == "Constabulary"
    finally:
        other.close()
    reopened = open_tracker(t.path, user="c.lado")
    try:
        assert reopened.vocabulary("agencies").entry("Constabulary").aliases[-1] == "Police"
    finally:
        reopened.close()


def test_an_exported_list_imports_back_unchanged_and_a_bad_row_names_itself(t, tmp_path):
    text = t.vocab_export("agencies")
    path = tmp_path / "agencies.csv"
    path.write_text(text, encoding="utf-8")
    before = t.vocabulary("agencies").entries
    change = t.vocab_import("agencies", path)
    assert t.vocabulary("agencies").entries == before and not change.kept
    path.write_text("name,group\nSchools,education\nClinics,hospitals\n", encoding="utf-8")
    seq = t.store.last_seq
    with pytest.raises(ValidationError, match="row 3: group 'hospitals'"):
        t.vocab_import("agencies", path)
    assert t.store.last_seq == seq


def test_a_preset_sets_every_list(t):
    t.apply_preset("england")
    assert t.taxonomy.group_of("Police") == "police"
    assert "Safeguarding Children Partnership" in t.plan_agencies
    assert t.vocabulary("outcomes").lookup("Founded") == "substantiated"
    with pytest.raises(ValidationError, match="board, england"):
        t.apply_preset("scotland")


def test_a_plain_list_of_names_one_a_line_replaces_the_list_too(t, tmp_path):
    path = tmp_path / "agencies.txt"
    path.write_text("# our agencies\nSchools\n\nHealth\nPolice\n", encoding="utf-8")
    change = t.vocab_import("agencies", path)
    assert t.taxonomy.offered == ("Schools", "Health", "Police")
    assert "School - Primary" in change.kept                      # still recorded: kept, retired


def test_a_retired_agency_is_in_the_annual_table_only_where_it_has_contacts(t):
    _, before = _by_agency(t)
    names = [r.agency for r in t.lado_statistics("2017-18").by_agency]
    assert "Probation" in names and "Probation" not in before              # offered, no contacts: a zero row
    t.vocab_retire("agencies", "Probation")
    t.vocab_retire("agencies", "Transport Provider")
    names = [r.agency for r in t.lado_statistics("2017-18").by_agency]
    assert "Probation" not in names and "Transport Provider" in names      # retired: only with contacts
