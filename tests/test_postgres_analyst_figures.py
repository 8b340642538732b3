"""The analyst's figures are the LADO's figures (schema 5).  An analyst reads contacts through a view without
personal data; before schema 5 that view lacked the category decisions, meetings, suspensions, regulator
referrals, sources, disciplinary text and subjects the annual report counts, so an analyst's report gave
zeros for them without a word.  Now each contact carries a figures document made by whoever saves it
(lado/figures.py), and the analyst's report is the LADO's, byte for byte, with no name or free text in
what the analyst can read."""

from __future__ import annotations

import itertools
import json
import os

import psycopg
import pytest

import safeguard_tracker as st
from safeguard_tracker.cli import main
from safeguard_tracker.demo import build_demo

from pg_cluster import cluster

_numbers = itertools.count(1)
YEARS = ("2017-18", "2016-17")


@pytest.fixture(scope="module")
def moved(tmp_path_factory):
    """The demo (varied data written by the demo's own generator) moved into a new database with the CLI, as a
    user moves a store in; an analyst login and a lado login."""
    c = cluster()
    folder = tmp_path_factory.mktemp("figures")
    build_demo(folder / "demo.json", contacts=400).close()
    url = c.new_database(schema=False)
    assert main(["migrate", "--from", str(folder / "demo.json"), "--to", url]) == 0
    n = f"{os.getpid()}_{next(_numbers)}"
    logins = {"analyst": f"analyst_{n}", "lado": f"lado_{n}"}
    for role, login in logins.items():
        c.login(login)
        assert main(["--db", url, "admin", "grant", login, role]) == 0
    return url, {role: c.url_as(url, login) for role, login in logins.items()}


def _reports(url: str) -> list[str]:
    with st.open_tracker(url, user="owner") as t:
        return [t.report_lado_annual(year, fmt="json") for year in YEARS]


def test_the_analysts_annual_report_is_the_lados_byte_for_byte(moved):
    url, as_ = moved
    owners = _reports(url)
    assert _reports(as_["analyst"]) == owners
    measures = json.loads(owners[0])["measures"]      # (and the figures compared are not all zeros)
    assert sum(r["count"] for r in measures["disciplinary"] if r["key"] != "not_recorded") > 0
    assert sum(r["count"] for r in measures["by_source"] if r["key"] != "not_recorded") > 0
    assert any(r["count"] for r in measures["repeats"]["rows"])


def test_what_the_analyst_reads_holds_no_name_nor_free_text(moved):
    url, as_ = moved
    with st.open_tracker(url, user="owner") as t:
        docs = list(t.contact_docs().values())
    personal = set()
    for d in docs:
        personal |= {d["subject"]["name"], d["subject"]["employer"], d["referrer"]["name"],
                     d["referrer"]["organisation"], d["summary"], d["disciplinary"], d["case_manager"]}
        personal |= {n["text"] for n in d.get("notes") or ()}
        personal |= {h["rationale"] for h in d.get("category_history") or ()}
        personal |= {m["decisions"] for m in d.get("meetings") or ()}
    personal.discard("")
    with psycopg.connect(as_["analyst"]) as conn:
        seen = conn.execute("SELECT string_agg(doc::text, ' ') FROM st_contact_figures").fetchone()[0]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT key FROM st_figures_key")
    assert personal and not [p for p in personal if json.dumps(p)[1:-1] in seen]


def test_a_lados_changes_reach_the_analysts_figures_at_once(moved):
    url, as_ = moved
    with st.open_tracker(as_["lado"]) as t:
        ref = t.add_contact(received_on="10/01/2018", agency="Police", category="consultation",
                            rationale="practice issue", subject_name="Morwenna Quill", employer="Gull Rock School",
                            subject_dob="1980-02-02", referrer_organisation="Gull Rock School").reference
        t.categorise(ref, "referral", "further concerns from the employer")
        t.close_contact(ref, outcome="substantiated", closed_on="20/03/2018")
    assert _reports(as_["analyst"]) == _reports(url)


def test_a_contact_changed_by_hand_shows_no_figures_the_report_says_so_and_migrate_makes_them(moved, capsys):
    url, as_ = moved
    with psycopg.connect(as_["lado"]) as conn:     # a lado in SQL: the document changes, its figures do not
        key = conn.execute("SELECT key FROM contacts WHERE year = '2017-18' AND category = 'referral' "
                           "ORDER BY key LIMIT 1").fetchone()[0]
        conn.execute("UPDATE contacts SET doc = (doc::jsonb || '{\"disciplinary\": \"Dismissed\"}')::json "
                     "WHERE key = %s", (key,))
    with psycopg.connect(as_["analyst"]) as conn:
        assert conn.execute("SELECT doc -> 'figures' FROM st_contact_figures WHERE key = %s", (key,)).fetchone()[0] \
            is None
    with st.open_tracker(as_["analyst"]) as t:
        notes = json.loads(t.report_lado_annual("2017-18", fmt="json"))["measures"]["reconciliation"]
    assert any("1 contact(s) have no figures for the analyst role yet" in n and "admin migrate" in n for n in notes)
    capsys.readouterr()
    assert main(["--db", url, "admin", "migrate"]) == 0
    assert "made the analyst's figures of 1 contact(s)" in capsys.readouterr().out
    assert _reports(as_["analyst"]) == _reports(url)


def test_the_analysts_deadlines_are_the_lados(moved):
    url, as_ = moved

    def due(at):
        with st.open_tracker(at) as t:
            return sorted((i.reference, i.due_on, i.days_overdue) for i in t.due(as_of="2018-06-15")
                          if i.area == "lado")
    owners = due(url)
    assert owners and due(as_["analyst"]) == owners


def test_the_analysts_record_screen_says_what_it_is_not_shown_never_not_recorded(moved):
    from rich.console import Console
    from tui.lado.detail import contact_renderable
    url, as_ = moved
    with st.open_tracker(as_["analyst"]) as t:
        withheld = t.withheld("contacts")
        contact = next(c for c in t.contacts() if c.meetings and c.category_history)
    with st.open_tracker(url, user="owner") as owner:
        assert owner.withheld("contacts") is None
    assert withheld and "analyst role" in withheld
    console = Console(width=120, record=True)
    console.print(contact_renderable(contact, withheld=withheld))
    text = console.export_text()
    assert "not recorded" not in text and text.count("not shown to the analyst role") >= 4
    assert contact.meetings[0].kind.value.replace("_", " ").upper() in text


def test_a_note_or_a_new_summary_keeps_the_figures(moved):
    """Most edits change no figure: the figures made again are the same, and still the record's."""
    url, as_ = moved
    with st.open_tracker(as_["lado"]) as t:
        c = next(c for c in t.contacts(year="2017-18") if c.meetings and c.is_open)
        t.add_note(c.reference, "rang the employer again")
        t.update_contact(c.reference, summary="the summary, put more plainly")
    with psycopg.connect(as_["analyst"]) as conn:
        assert conn.execute("SELECT doc -> 'figures' ->> 'disciplinary' FROM st_contact_figures WHERE key = %s",
                            (c.reference,)).fetchone()[0] is not None
    assert _reports(as_["analyst"]) == _reports(url)
    with st.open_tracker(url, user="owner") as owner, st.open_tracker(as_["analyst"]) as analyst:
        def when(t):   # (the analyst is not shown a meeting action's words: its dates only)
            return [(i.due_on, i.detail, i.what.split(":")[0]) for i in t.contact_due(t.get_contact(c.reference))]
        assert when(owner) == when(analyst) and when(owner)


def test_figures_written_by_hand_pass_on_no_name_nor_text(moved):
    """The server's view passes on only values of the figures' own shapes: a lado in SQL cannot hand the
    analyst a name through them."""
    url, as_ = moved
    with psycopg.connect(as_["lado"]) as conn:
        key = conn.execute("SELECT key FROM contacts ORDER BY key LIMIT 1").fetchone()[0]
        conn.execute("UPDATE contacts SET figures = json_build_object('person', 'Quentin Marlowe-Prys', "
                     "'employer', doc -> 'subject' -> 'name', 'disciplinary', doc -> 'summary', "
                     "'criminal', 'charged with hitting Ellis', 'source', json_build_object('sector', 'Gull Rock')), "
                     "figures_of = md5(doc::text) WHERE key = %s", (key,))
    with psycopg.connect(as_["analyst"]) as conn:
        got = conn.execute("SELECT doc -> 'figures' FROM st_contact_figures WHERE key = %s", (key,)).fetchone()[0]
    assert got == {"person": "", "employer": "", "disciplinary": "not_recorded", "criminal": None,
                   "source": {"blank": False, "listed": None, "sector": None}}
    with psycopg.connect(url) as conn:        # (the other tests share the store: its figures made again)
        conn.execute("UPDATE contacts SET figures_of = NULL WHERE key = %s", (key,))
    assert main(["--db", url, "admin", "migrate"]) == 0
    assert _reports(as_["analyst"]) == _reports(url)


def test_the_analyst_is_refused_retention_dates_which_need_dates_of_birth(moved):
    _, as_ = moved
    with st.open_tracker(as_["analyst"]) as t:
        with pytest.raises(st.StoreError, match="date of birth|dates of birth"):
            t.retention()
        with pytest.raises(st.StoreError, match="not shown to the analyst role"):
            t.retention_review_on(t.contacts()[0].reference)


def test_admin_migrate_makes_every_contacts_figures_again_when_asked(moved, capsys):
    url, as_ = moved
    with st.open_tracker(url, user="owner") as t:
        count = len(t.contacts())
    capsys.readouterr()
    assert main(["--db", url, "admin", "migrate"]) == 0
    assert "made the analyst's figures" not in capsys.readouterr().out      # none missing, none out of date
    assert main(["--db", url, "admin", "migrate", "--all-figures"]) == 0
    assert f"made the analyst's figures of {count:,} contact(s)" in capsys.readouterr().out
    assert _reports(as_["analyst"]) == _reports(url)
