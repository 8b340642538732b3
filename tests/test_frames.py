"""Tracker.frame: the records as pandas and polars data frames (issue 18; docs/analysis.md)."""

from __future__ import annotations

import doctest
import math
import sys
from datetime import date, datetime

import pytest

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")

import safeguard_tracker as st
from safeguard_tracker import frames
from safeguard_tracker.errors import ValidationError
from safeguard_tracker.model import RAG, ActionStatus, Category, Harm, Outcome

TABLES = ("contacts", "actions", "reviews")


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    """One demo store for the read-only tests (frozen at 15/06/2018)."""
    from safeguard_tracker.demo import build_demo
    path = tmp_path_factory.mktemp("frames") / "demo.json"
    build_demo(path, user="a.lado").close()
    return path


@pytest.fixture(scope="module")
def t(demo_store):
    with st.open_tracker(demo_store, user="an.analyst") as tracker:
        yield tracker


# --- the same values from both engines -------------------------------------------------------------

def _plain(value):
    """One cell as a plain Python value, whichever engine it came from."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, datetime):
        return value.date()
    if hasattr(value, "item"):          # numpy scalars
        return value.item()
    return value


def _pandas_rows(df):
    return {c: [_plain(v) for v in df[c].astype(object).tolist()] for c in df.columns}


def _polars_rows(df):
    return {c: [_plain(v) for v in df[c].to_list()] for c in df.columns}


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("as_of", [None, "31/03/2017", "01/03/2018"])
def test_pandas_and_polars_hold_the_same_values(t, table, as_of):
    a = t.frame(table, as_of=as_of, personal=True)
    b = t.frame(table, as_of=as_of, personal=True, engine="polars")
    assert list(a.columns) == list(b.columns) == list(frames.column_names(table, personal=True))
    assert len(a) == len(b) > 0
    assert _pandas_rows(a) == _polars_rows(b)


# --- types -----------------------------------------------------------------------------------------

def test_pandas_dtypes_are_as_promised(t):
    df = t.frame("contacts")
    for column in ("received_on", "closed_on", "responded_on", "jem_held_on"):
        assert str(df[column].dtype) == "datetime64[s]", column
    assert df["closed_on"].isna().any() and df["closed_on"].notna().any()      # NaT where open
    category = df["category"].dtype
    assert isinstance(category, pd.CategoricalDtype) and category.ordered
    assert list(category.categories) == [c.value for c in Category]
    assert list(df["outcome"].dtype.categories) == [o.value for o in Outcome]
    assert list(df["harm"].dtype.categories) == [h.value for h in Harm]
    agencies = list(df["agency"].dtype.categories)
    assert agencies[:len(t.taxonomy.agencies)] == list(t.taxonomy.agencies)
    assert list(df["timescale"].dtype.categories) == ["within_1_month", "within_3_months", "within_12_months",
                                                      "over_12_months", "open"]
    assert df["timescale"].dtype.ordered
    years = list(df["financial_year"].dtype.categories)
    assert years == sorted(years) and "2017-18" in years
    assert str(df["children_count"].dtype) == "Int64" and str(df["days_to_close"].dtype) == "Int64"
    assert df["escalated"].dtype == bool and df["meetings"].dtype == "int64"
    actions = t.frame("actions")
    assert list(actions["rag"].dtype.categories) == [r.value for r in (RAG.RED, RAG.AMBER, RAG.GREEN, RAG.BLUE)]
    assert list(actions["status"].dtype.categories) == [s.value for s in ActionStatus]
    assert actions["status"].dtype.ordered and actions["overdue"].dtype == bool
    assert list(actions["lead_agency"].dtype.categories)[:3] == list(t.plan_agencies.agencies)[:3]


def test_polars_dtypes_are_as_promised(t):
    df = t.frame("contacts", engine="polars")
    assert df.schema["received_on"] == pl.Date and df.schema["closed_on"] == pl.Date
    assert df["closed_on"].null_count() > 0
    assert df.schema["category"] == pl.Enum([c.value for c in Category])
    assert df.schema["agency"] == pl.Enum(list(t.taxonomy.agencies))
    assert df.schema["children_count"] == pl.Int64 and df.schema["escalated"] == pl.Boolean
    assert t.frame("actions", engine="polars").schema["rag"] == pl.Enum(["red", "amber", "green", "blue"])


def test_rows_are_one_per_record_in_reference_order(t):
    df = t.frame("contacts", columns=["reference"])
    assert df["reference"].tolist() == sorted(t.contact_docs())


# --- personal data ----------------------------------------------------------------------------------

def test_personal_columns_are_left_out_by_default(t):
    for table in TABLES:
        personal = frames.personal_columns(table)
        assert personal
        for engine in ("pandas", "polars"):
            got = set(t.frame(table, engine=engine).columns)
            assert not got & set(personal), (table, engine)
    assert {"subject_name", "subject_date_of_birth", "referrer_name", "summary"} <= \
        set(frames.personal_columns("contacts"))
    assert {"lead_officer"} <= set(frames.personal_columns("actions"))


def test_personal_frame_is_logged_and_holds_the_names(demo_store, tmp_path):
    with st.open_tracker(demo_store, user="an.analyst") as t:
        before = len(t.access_log())
        df = t.frame("contacts", personal=True)
        assert "subject_name" in df.columns and (df["subject_name"] != "").any()
        assert str(df["subject_date_of_birth"].dtype) == "datetime64[s]"
        log = t.access_log()
        assert len(log) == before + 1
        entry = log[-1]
        assert entry.user == "an.analyst" and entry.what == "frame contacts (personal)"
        assert entry.records == len(df) and "subject_name" in entry.detail
        t.frame("actions", as_of="01/01/2018", columns=["reference", "lead_officer"], personal=True,
                engine="polars")
        entry = t.access_log()[-1]
        assert entry.what == "frame actions (personal)" and entry.detail == "columns: lead_officer; as of 2018-01-01"
        t.frame("contacts", personal=True, columns=["reference"])     # nothing personal in it: not logged
        t.frame("reviews")
        assert len(t.access_log()) == before + 2


def test_a_personal_column_by_name_needs_personal(t):
    with pytest.raises(ValidationError, match="personal=True"):
        t.frame("contacts", columns=["reference", "subject_name"])


# --- columns ----------------------------------------------------------------------------------------

def test_columns_subset_in_the_given_order(t):
    df = t.frame("contacts", columns=["outcome", "reference", "received_on"])
    assert list(df.columns) == ["outcome", "reference", "received_on"]
    assert list(t.frame("reviews", columns=["title"], engine="polars").columns) == ["title"]


def test_unknown_column_is_named_with_the_accepted_ones(t):
    with pytest.raises(ValidationError) as err:
        t.frame("actions", columns=["reference", "colour"])
    message = str(err.value)
    assert "'colour'" in message and "rag" in message and "current_due_on" in message
    with pytest.raises(ValidationError, match="contacts, actions, reviews"):
        t.frame("meetings")  # type: ignore[call-overload]
    with pytest.raises(ValidationError, match="pandas or polars"):
        t.frame("contacts", engine="arrow")  # type: ignore[call-overload]


def test_a_missing_engine_says_how_to_install_it(t, monkeypatch):
    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(ImportError, match=r"pip install 'safeguard-tracker\[analysis\]'"):
        t.frame("contacts", engine="polars")


# --- agreement with the statistics and the RAG rules -----------------------------------------------

@pytest.mark.parametrize("year", ["2016-17", "2017-18"])
def test_counts_agree_with_lado_statistics(t, year):
    stats = t.lado_statistics(year)
    df = t.frame("contacts")
    df = df[df["financial_year"] == year]
    assert len(df) == stats.total_contacts
    assert df["category"].value_counts().to_dict() == stats.by_category
    assert int(df["escalated"].sum()) == stats.escalated
    assert df["harm"].value_counts().to_dict() == stats.by_harm
    assert df["timescale"].value_counts().to_dict() == stats.timescales
    referrals = df[df["category"] == "referral"]
    outcomes = referrals.loc[referrals["status"] == "closed", "outcome"].value_counts().to_dict()
    outcomes["open"] = int((referrals["status"] == "open").sum())
    assert {k: outcomes.get(k, 0) for k in stats.outcomes} == stats.outcomes
    by_agency = df["agency"].value_counts().to_dict()
    assert {r.agency: by_agency.get(r.agency, 0) for r in stats.by_agency} == \
        {r.agency: r.count for r in stats.by_agency}


@pytest.mark.parametrize("as_of", [None, "31/03/2018", "01/01/2018"])
def test_rag_and_overdue_agree_with_the_rules(t, as_of):
    df = t.frame("actions", as_of=as_of, columns=["reference", "rag", "overdue", "days_overdue", "current_due_on"])
    day = as_of or t.today()
    assert len(df) > 0
    for ref, rag, overdue, late in zip(df["reference"], df["rag"], df["overdue"], df["days_overdue"]):
        if as_of is None:       # as stored: the action's own model, by the library's rules
            assert rag == t.rag(ref, as_of=day).value, ref
            assert late == t.days_overdue(ref, as_of=day) and overdue == (late > 0), ref
    if as_of is None:
        red = {a.reference for a in t.actions(rag="red")}
        assert set(df.loc[df["rag"] == "red", "reference"]) == red


def test_reviews_count_their_actions(t):
    reviews = t.frame("reviews", columns=["reference", "actions", "open_actions", "overdue_actions"])
    actions = t.frame("actions", columns=["review", "status", "overdue"])
    for ref, n, n_open, n_late in reviews.itertuples(index=False):
        mine = actions[actions["review"] == ref]
        assert n == len(mine)
        assert n_open == int(mine["status"].isin(["not_started", "in_progress"]).sum())
        assert n_late == int(mine["overdue"].sum())


# --- as_of -------------------------------------------------------------------------------------------

@pytest.fixture
def clocked(tmp_path):
    """A small store whose working date the test moves, so that steps are dated when they are taken."""
    today = [date(2018, 1, 2)]
    with st.open_tracker(tmp_path / "store.json", user="a.lado", today=lambda: today[0]) as tracker:
        yield tracker, today


def test_as_of_shows_contacts_as_they_stood(clocked):
    t, today = clocked
    today[0] = date(2018, 6, 15)
    a = t.add_contact(received_on="05/01/2018", agency="Police", category="consultation", rationale="practice")
    t.escalate(a.reference, "referral", "a second pupil came forward", on="20/02/2018")
    t.close_contact(a.reference, outcome="unsubstantiated", closed_on="01/03/2018")
    t.reopen(a.reference, "new evidence", on="10/04/2018")
    t.close_contact(a.reference, outcome="substantiated", closed_on="01/05/2018")
    b = t.add_contact(received_on="01/04/2018", agency="School - Primary", category="enquiry", rationale="advice")
    c = t.add_contact(received_on="08/01/2018", agency="Police", category="referral", rationale="harm threshold")
    t.step_down(c.reference, "consultation", "the threshold is not met after all", on="12/01/2018")
    cols = ["reference", "category", "first_category", "escalated", "status", "outcome", "closed_on",
            "days_to_close", "timescale", "reopened"]

    def stood(as_of):
        df = t.frame("contacts", as_of=as_of, columns=cols, engine="polars")
        return {r["reference"]: r for r in df.to_dicts()}

    jan = stood("10/01/2018")
    assert set(jan) == {a.reference, c.reference}                       # b was received later
    assert jan[c.reference]["category"] == "referral"                  # before its step-down
    stepped = stood("15/01/2018")[c.reference]                          # a step-down is no escalation
    assert (stepped["first_category"], stepped["category"], stepped["escalated"]) == \
        ("referral", "consultation", False)
    assert jan[a.reference] | {"reference": ""} == {
        "reference": "", "category": "consultation", "first_category": "consultation", "escalated": False,
        "status": "open", "outcome": None, "closed_on": None, "days_to_close": None, "timescale": "open",
        "reopened": 0}
    feb = stood("25/02/2018")[a.reference]
    assert (feb["category"], feb["escalated"], feb["status"]) == ("referral", True, "open")
    march = stood("15/03/2018")[a.reference]                            # closed, before the reopening
    assert (march["status"], march["outcome"], march["closed_on"]) == ("closed", "unsubstantiated",
                                                                       date(2018, 3, 1))
    assert march["days_to_close"] == 55 and march["timescale"] == "within_3_months"
    april = stood("20/04/2018")
    assert (april[a.reference]["status"], april[a.reference]["outcome"], april[a.reference]["reopened"]) == \
        ("open", None, 1)
    assert april[b.reference]["status"] == "open"
    now = stood(None)[a.reference]
    assert (now["status"], now["outcome"], now["closed_on"]) == ("closed", "substantiated", date(2018, 5, 1))


def test_as_of_shows_actions_and_reviews_as_they_stood(clocked):
    t, today = clocked
    today[0] = date(2018, 1, 10)
    r = t.add_review(name="Fern", kind="scr", known_on="02/01/2018", notified_on="05/01/2018")
    t.add_recommendation(r.reference, text="Agencies should share records", owner_agencies=["Police"])
    x = t.add_action(r.reference, 1, description="Change the form", lead_agency="Police",
                     lead_officer="Robin Alder", due="31/01/2018")
    today[0] = date(2018, 2, 5)
    t.add_update(x.reference, "Draft circulated", on="05/02/2018")
    t.revise_due(x.reference, "31/03/2018", "Restructure")
    today[0] = date(2018, 3, 20)
    t.complete_action(x.reference, on="20/03/2018", evidence="Form reissued")
    today[0] = date(2018, 4, 2)
    t.sign_off(x.reference, by="Chair", on="02/04/2018")
    t.update_review(r.reference, initiated_on="15/03/2018", status="in_progress")
    late = t.add_review(name="Gale", kind="llr", known_on="01/04/2018")
    cols = ["reference", "status", "current_due_on", "revisions", "rag", "overdue", "days_overdue", "completed_on",
            "signed_off_on", "updates"]

    def action(as_of):
        df = t.frame("actions", as_of=as_of, columns=cols)
        return df.iloc[0].to_dict() if len(df) else None

    jan = action("20/01/2018")
    assert jan["status"] == "not_started" and jan["updates"] == 0 and jan["revisions"] == 0
    assert jan["current_due_on"] == pd.Timestamp("2018-01-31") and jan["rag"] == "amber" and not jan["overdue"]
    due_day = action("31/01/2018")                                      # due today is not overdue
    assert not due_day["overdue"] and due_day["days_overdue"] == 0 and due_day["rag"] == "amber"
    feb = action("01/02/2018")                                          # the revision came on 05/02
    assert feb["overdue"] and feb["days_overdue"] == 1 and feb["rag"] == "red"
    march = action("10/03/2018")
    assert march["status"] == "in_progress" and march["current_due_on"] == pd.Timestamp("2018-03-31")
    assert march["rag"] == "amber" and pd.isna(march["completed_on"])
    complete = action("25/03/2018")
    assert complete["status"] == "complete" and complete["rag"] == "green" and pd.isna(complete["signed_off_on"])
    assert action(None)["status"] == "signed_off" and action(None)["rag"] == "blue"
    assert action("31/12/2017") is None                                 # its review was not known yet

    reviews = t.frame("reviews", as_of="10/03/2018", columns=["reference", "status", "initiated_on", "actions"])
    assert reviews["reference"].tolist() == [r.reference]               # Gale came later
    assert reviews["status"].tolist() == ["rapid_review"] and reviews["initiated_on"].isna().all()  # notified by then
    now = t.frame("reviews", columns=["reference", "status"])
    assert now["reference"].tolist() == [r.reference, late.reference]
    assert now["status"].tolist()[0] == "in_progress"


def test_an_empty_store_gives_empty_frames_with_every_column(tracker):
    for table in TABLES:
        for engine in ("pandas", "polars"):
            df = tracker.frame(table, engine=engine, personal=True)
            assert len(df) == 0 and list(df.columns) == list(frames.column_names(table, personal=True))


def test_docs_describe_every_column():
    from pathlib import Path
    text = (Path(__file__).resolve().parent.parent / "docs" / "analysis.md").read_text(encoding="utf-8")
    for table in TABLES:
        section = text.split(f"\n## {table}\n", 1)[1].split("\n## ", 1)[0]
        for name in frames.column_names(table, personal=True):
            assert f"| {name} |" in section or f"`{name}`" in section, (table, name)


# --- the docstring's example ------------------------------------------------------------------------

def test_the_docstring_example_runs(t):
    from safeguard_tracker.tracker import frames as face
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    tests = [x for x in finder.find(face, globs={"t": t}) if x.examples]
    assert tests
    for test in tests:
        runner.run(test)
    assert runner.failures == 0
