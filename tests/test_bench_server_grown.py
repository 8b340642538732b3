"""The million-contact benchmark (benchmarks/server_scale.py) measures a store the server grows from a smaller
one.  What it measures must be a real store: every contact copied with a reference and trail of its own, the
issued numbers moved on past the copies (a new contact takes the next number, never a copy's), and `check`
finds it sound.  No time is asserted."""

from __future__ import annotations

import sys
from pathlib import Path

import psycopg

import safeguard_tracker as st

from pg_cluster import cluster

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.server_support import grown  # noqa: E402


def test_a_grown_store_is_sound_with_its_own_references_and_trail(pg_url):
    with st.open_tracker(pg_url, user="a.lado") as t:
        for day in ("05/01/2018", "06/01/2018", "07/05/2018"):
            t.add_contact(received_on=day, agency="Police", category="referral", rationale="meets limb 1",
                          summary=f"logged on {day}")
        t.add_note(t.contacts()[0].reference, "first note")
        before = {c.reference: c for c in t.contacts()}
    with psycopg.connect(pg_url) as conn:
        before_seq = conn.execute("SELECT last_seq FROM st_state").fetchone()[0]
    source = pg_url.split("?", 1)[0].rsplit("/", 1)[1]
    url = grown(cluster(), source, 3, source + "_x3")
    with st.open_tracker(url, user="a.lado") as t:
        contacts = {c.reference: c for c in t.contacts()}
        assert len(contacts) == 9
        assert set(before) < set(contacts)
        assert set(contacts) == {f"L-2018-{n:04d}" for n in range(1, 10)}
        for ref, c in contacts.items():
            original = before[ref] if ref in before else next(
                b for b in before.values() if b.summary == c.summary and b.received_on == c.received_on)
            assert c.notes == original.notes and c.category == original.category
            trail = t.history(ref)
            assert [e.field for e in trail] == [e.field for e in t.history(original.reference)] and trail
            assert all(e.reference == ref for e in trail)
            if ref not in before:
                assert all(e.seq > max(x.seq for x in t.history(original.reference)) for e in trail)
        assert t.check() == []
    with psycopg.connect(url) as conn:     # what the store's own numbering says, as a write would read it
        assert conn.execute("SELECT issued ->> 'L-2018-', last_seq, audit_next = (SELECT max(id) FROM audit) "
                            "FROM st_state").fetchone() == ("9", 3 * before_seq, True)
        assert conn.execute("SELECT count(*) FROM contacts c WHERE c.seq <> (SELECT max(a.seq) FROM audit a "
                            "WHERE a.ref = c.key)").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM st_transactions").fetchone()[0] == 3 * before_seq
    with st.open_tracker(url, user="a.lado") as t:
        added = t.add_contact(received_on="08/01/2018", agency="Police", category="enquiry", rationale="advice")
        assert added.reference == "L-2018-0010"
