"""Concurrency: 4 processes edit overlapping and distinct records at once.

Each process edits shared records from a copy read one edit earlier (so
another process has often moved the record on) and its own records from a
fresh copy, always passing the revision its copy was based on.  Afterwards:

* no edit is lost: every acknowledged edit is in the audit trail, exactly once;
* nothing was silently overwritten: each edit's audit entry has, as the old
  value, exactly the value the editing process had read; so each record's
  chain of values is unbroken, and a conflict wrote nothing;
* conflicts surfaced as ConflictError (never on a process's own records);
* the audit trail has exactly one entry per successful change, and ``check``
  passes.

500 edits per process with ``--full``; fewer by default.
"""

import subprocess
import sys
from pathlib import Path

import attrs
import pytest

import safeguard_tracker as st
from safeguard_tracker.errors import ConflictError

WRITER = str(Path(__file__).with_name("writer.py"))
USERS = ("p1", "p2", "p3", "p4")


def test_four_processes_edit_overlapping_and_distinct_records(store_path, full):
    edits = 500 if full else 60
    with st.open_tracker(store_path, user="seed") as t:
        shared = [t.add_contact(received_on="05/01/2018", agency="Police", category="enquiry", summary="seed").reference
                  for _ in range(2)]
        own = {u: [t.add_contact(received_on="05/01/2018", agency="Police", category="enquiry",
                                 summary="seed").reference for _ in range(2)] for u in USERS}
    go = Path(str(store_path) + ".go")
    procs = {u: subprocess.Popen([sys.executable, WRITER, str(store_path), u, str(edits), "race",
                                  ",".join(shared), ",".join(own[u])],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for u in USERS}
    for p in procs.values():
        assert p.stdout.readline().strip() == "READY"
    go.touch()                                       # all four start together
    results = {u: p.communicate(timeout=600) for u, p in procs.items()}
    ok: list[tuple[str, str, str, str]] = []
    conflicts: list[tuple[str, str, int, int]] = []
    for u, (out, err) in results.items():
        assert procs[u].returncode == 0, err
        lines = out.splitlines()
        assert len(lines) == edits, f"{u} made {len(lines)} of {edits} attempts"
        for line in lines:
            kind, ref, a, b = line.split()
            if kind == "OK":
                ok.append((u, ref, a, b))
            else:
                assert kind == "CONFLICT", line
                conflicts.append((u, ref, int(a), int(b)))

    with st.open_tracker(store_path, user="checker") as t:
        assert t.check() == []
        trail = [a for a in t.store.all("audit").values() if a["field"] == "summary"]
        by_new = {}
        for a in trail:
            assert a["new"] not in by_new, f"the value {a['new']} was written twice"
            by_new[a["new"]] = a
        # exactly one audit entry per successful change, and none for a conflict
        assert len(trail) == len(ok)
        for user, ref, old, new in ok:
            entry = by_new.get(new)
            assert entry is not None, f"{user}'s acknowledged edit {new} to {ref} was lost"
            assert entry["ref"] == ref and entry["user"] == user
            assert entry["old"] == old, f"{ref}: {user} overwrote {entry['old']!r} having read {old!r}"
        # each record's values form one unbroken chain ending in what the store holds
        for ref in shared + [r for rs in own.values() for r in rs]:
            chain = [a for a in trail if a["ref"] == ref]
            value = "seed"
            for a in chain:
                assert a["old"] == value
                value = a["new"]
            contact = t.get_contact(ref)
            assert contact.summary == value
            assert contact.rev == 1 + len(chain)        # one revision per change, one audit entry each
    own_refs = {r for rs in own.values() for r in rs}
    assert not [c for c in conflicts if c[1] in own_refs], "a process conflicted with itself"
    assert conflicts, "the four processes never raced for a record: the test did not test anything"
    for _, _, expected, actual in conflicts:
        assert actual > expected                      # refused because the record really had moved on
    assert len(ok) + len(conflicts) == edits * len(USERS)
    print(f"{len(ok)} edits saved, {len(conflicts)} conflicts refused")


def test_a_stale_copy_raises_conflict_and_writes_nothing(store_path):
    """The deterministic core of the race above: two users, one record."""
    with st.open_tracker(store_path, user="a") as a, st.open_tracker(store_path, user="b") as b:
        ref = a.add_contact(received_on="05/01/2018", agency="Police", category="enquiry", summary="first").reference
        copy_a = a.get_contact(ref)
        b.refresh()
        copy_b = b.get_contact(ref)
        a.update_contact(ref, expected_rev=copy_a.rev, summary="a's change")
        b.refresh()                                       # b sees a's change, but still holds its old copy
        audit_before = len(b.store.all("audit"))
        with pytest.raises(ConflictError) as err:
            b.update_contact(ref, expected_rev=copy_b.rev, summary="b's change")
        assert "changed by a" in str(err.value) and "reload it" in str(err.value)
        with pytest.raises(ConflictError):
            b.save_contact(attrs.evolve(copy_b, summary="b via save_contact"))
        assert len(b.store.all("audit")) == audit_before
        assert b.get_contact(ref).summary == "a's change"
        assert [c.new for c in b.history(ref) if c.field == "summary"] == ["a's change"]
