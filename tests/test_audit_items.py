"""The audit trail records a change to a list as the items that changed, and still rebuilds every record.

A note added to a case file costs the note, not two copies of every earlier
note; the trail replays to each record exactly, at any past revision; a store
written before this form is upgraded (after a backup copy) and shrinks; the
history reads as a person would say it; redaction reaches the item entries.
"""

import errno
import json
import os
import random
import shutil
from datetime import date
from pathlib import Path

import pytest

import safeguard_tracker as st
from stored_text import stored_anywhere
from safeguard_tracker.cli import main
from safeguard_tracker.store.check import replay
from safeguard_tracker.store.format import decode_snapshot, iter_lines, read_journal_header
from safeguard_tracker.store.item_changes import apply_change, field_changes, item_entries, patched

TODAY = date(2018, 6, 15)
FIXTURE = Path(__file__).parent / "data" / "schema1"


# --- the rule itself: item entries replay to the new value exactly -----------------------------------------

def _random_value(rng: random.Random, depth: int = 0):
    kind = rng.random()
    if depth < 3 and kind < 0.3:
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if depth < 3 and kind < 0.6:
        return {rng.choice("abcdef"): _random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}
    return rng.choice([None, 0, 1, "x", "y", "2018-01-05", True, 2.5])


def _mutated(rng: random.Random, value):
    """A copy of ``value`` with a few edits anywhere inside: items added, removed, replaced, keys changed."""
    if isinstance(value, list):
        out = [(_mutated(rng, v) if rng.random() < 0.3 else v) for v in value]
        for _ in range(rng.randint(0, 2)):
            r = rng.random()
            if r < 0.4:
                out.insert(rng.randint(0, len(out)), _random_value(rng, 2))
            elif r < 0.7 and out:
                del out[rng.randrange(len(out))]
            elif out:
                out[rng.randrange(len(out))] = _random_value(rng, 2)
        return out
    if isinstance(value, dict):
        out = {k: (_mutated(rng, v) if rng.random() < 0.3 else v) for k, v in value.items()}
        if rng.random() < 0.3:
            out[rng.choice("abcdefgh")] = _random_value(rng, 2)
        if out and rng.random() < 0.3:
            del out[rng.choice(list(out))]
        return out
    return _random_value(rng, 3) if rng.random() < 0.5 else value


def test_item_entries_replay_any_change_of_a_list_exactly():
    rng = random.Random(20)
    for case in range(600):
        old = [_random_value(rng, 1) for _ in range(rng.randint(0, 6))]
        new = _mutated(rng, old)
        doc = {"things": old}
        frozen = json.dumps(doc, sort_keys=True)
        entries = field_changes("things", old, new)
        for e in entries:
            apply_change(doc, e)
        assert doc["things"] == new, (case, old, new, entries)
        assert json.dumps({"things": old}, sort_keys=True) == frozen      # replay never changes the old value
        assert (entries == []) == (old == new)


def test_one_added_item_is_one_entry_holding_only_that_item():
    notes = [{"at": "2018-01-0%dT10:00:00" % i, "user": "a.lado", "text": "n" * 500} for i in range(1, 8)]
    added = {"at": "2018-01-09T10:00:00", "user": "a.lado", "text": "the new one"}
    entries = field_changes("notes", notes, notes + [added])
    assert entries == [{"field": "notes", "op": "add", "path": [7], "old": None, "new": added}]
    done = [{"kind": "jem", "actions": [{"description": "a", "done_on": None}, {"description": "b", "done_on": None}]}]
    after = [{"kind": "jem", "actions": [{"description": "a", "done_on": None}, {"description": "b", "done_on": "2018-03-12"}]}]
    assert field_changes("meetings", done, after) == [
        {"field": "meetings", "op": "set", "path": [0, "actions", 1, "done_on"], "old": None, "new": "2018-03-12"}]
    assert field_changes("summary", "a", "b") == [{"field": "summary", "old": "a", "new": "b"}]


def test_an_entry_that_does_not_fit_the_record_is_named_by_check():
    class Tables:
        tables = {"audit": {
            "1": {"table": "contacts", "ref": "L-1", "field": "*", "old": None, "new": {"notes": []}},
            "2": {"table": "contacts", "ref": "L-1", "field": "notes", "op": "remove", "path": [4], "old": "x",
                  "new": None}}}
    problems: list[str] = []
    replay(Tables(), problems)
    assert problems and "L-1" in problems[0] and "audit entry 2" in problems[0] and "position 4" in problems[0]
    with pytest.raises(ValueError):
        patched({"notes": []}, [Tables.tables["audit"]["2"]])


# --- every record, at every revision --------------------------------------------------------------------------

def _casework(t, rng: random.Random) -> list[str]:
    """Realistic edits on a sample of the demo's records: notes, meetings and their actions, plan updates."""
    touched = []
    open_refs = [c.reference for c in t.contacts() if c.status == "open" and c.category is not None][:12]
    for ref in open_refs:
        for i in range(rng.randint(1, 4)):
            t.add_note(ref, f"Invented follow-up call {i} with the setting")
        c = t.get_contact(ref)
        if c.category.value != "referral":
            t.escalate(ref, to="referral", reason="More detail arrived", on="01/06/2018")
        t.record_meeting(ref, kind="jem", held_on="05/06/2018", agencies_present=["Police"], decisions="Investigate",
                         actions=[{"description": "Send the rota", "owner": "Employer", "due_on": "12/06/2018"},
                                  {"description": "Check records", "owner": "Police", "due_on": "14/06/2018"}])
        meetings = len(t.get_contact(ref).meetings)
        t.complete_meeting_action(ref, meetings, 2, done_on="13/06/2018")
        t.update_contact(ref, summary="Corrected summary, invented")
        touched.append(ref)
    for a in [a for a in t.actions() if a.status.value != "completed"][:8]:
        t.add_update(a.reference, "Progress, invented")
        t.add_update(a.reference, "More progress, invented")
        touched.append(a.reference)
    return touched


def test_every_record_of_the_demo_is_rebuilt_from_its_trail_field_for_field(demo):
    touched = _casework(demo, random.Random(3))
    assert len(touched) >= 15
    rebuilt = replay(demo.store)
    count = 0
    for table in ("contacts", "reviews", "actions"):
        for key, doc in demo.store.all(table).items():
            assert rebuilt[(table, key)] == {k: v for k, v in doc.items() if k != "_rev"}, (table, key)
            count += 1
    assert count == len([k for k in rebuilt if k[0] in ("contacts", "reviews", "actions")])
    items = [a for a in demo.store.tables["audit"].values() if "op" in a]
    assert {a["field"] for a in items} >= {"notes", "meetings", "category_history", "updates"}
    # no entry of a list field holds a whole list any more
    assert not [a for a in demo.store.tables["audit"].values()
                if a["field"] in ("notes", "meetings", "updates") and isinstance(a.get("new"), list) and a.get("old")]


def test_a_record_is_rebuilt_exactly_at_every_past_revision(tracker):
    t = tracker
    ref = t.add_contact(received_on="02/05/2018", agency="Police", category="consultation", summary="s").reference
    states = [t.store.get("contacts", ref)]
    steps = [
        lambda: t.add_note(ref, "first note"),
        lambda: t.escalate(ref, to="referral", reason="threshold met", on="03/05/2018"),
        lambda: t.record_meeting(ref, kind="jem", held_on="04/05/2018", agencies_present=["Police"],
                                 decisions="d", actions=[{"description": "x", "owner": "o", "due_on": "10/05/2018"}]),
        lambda: t.add_note(ref, "second note"),
        lambda: t.complete_meeting_action(ref, 1, 1, done_on="09/05/2018"),
        lambda: t.update_contact(ref, summary="changed"),
        lambda: t.add_note(ref, "third note"),
    ]
    for step in steps:
        step()
        states.append(t.store.get("contacts", ref))
    history = t.store.history(ref)
    seqs = sorted({a["seq"] for a in history})
    assert len(seqs) == len(states)
    for n, seq in enumerate(seqs):
        doc: dict = {}
        for a in history:
            if a["seq"] > seq:
                break
            if a["field"] == "*":
                doc = dict(a["new"])
            else:
                apply_change(doc, a)
        assert doc == {k: v for k, v in states[n].items() if k != "_rev"}, n


# --- size: linear in the number of notes -----------------------------------------------------------------------

def _store_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file())


def test_store_bytes_grow_linearly_with_a_case_files_notes(tmp_path):
    per_note = {}
    for n in (10, 50, 200):
        folder = tmp_path / f"n{n}"
        folder.mkdir()
        t = st.open_tracker(folder / "store.json", user="a.lado", today=lambda: TODAY)
        ref = t.add_contact(received_on="05/01/2018", agency="Police", category="enquiry", summary="s").reference
        base = _store_bytes(folder)
        text = 0
        for i in range(n):
            body = f"note {i} " + "w" * 2000
            text += len(body)
            t.add_note(ref, body)
        grown = _store_bytes(folder) - base
        assert grown <= 3 * text, (n, grown, text)                     # journal and snapshot as they stand
        t.store.compact()
        grown = _store_bytes(folder) - base
        assert grown <= 3 * text, (n, grown, text)                     # and folded into one snapshot
        per_note[n] = grown / n
        t.close()
    assert max(per_note.values()) <= 1.3 * min(per_note.values()), per_note


# --- a store written before item entries -----------------------------------------------------------------------

def _fixture(tmp_path) -> Path:
    folder = tmp_path / "lado"
    folder.mkdir(mode=0o700)
    for name in ("store.json", "store.json.journal", "store.json.redactions"):
        shutil.copy(FIXTURE / name, folder / name)
        os.chmod(folder / name, 0o600)
    return folder / "store.json"


def _as_written(snapshot: bytes, journal: bytes) -> tuple[dict, dict]:
    """What schema-1 files hold: the records and the audit trail of the snapshot, then of each journal line."""
    info = decode_snapshot(snapshot, Path("store.json"))
    assert info.schema == 1
    tables = {t: dict(info.tables[t]) for t in ("contacts", "reviews", "actions")}
    audit = dict(info.tables["audit"])
    for _, _, entry in iter_lines(journal, read_journal_header(journal, Path("store.json.journal")).length):
        for table, key, doc in entry.get("puts", ()):
            tables[table][key] = doc
        for a in entry.get("audit", ()):
            audit[str(len(audit) + 1)] = {**a, "seq": a.get("seq", entry["seq"])}
    return tables, audit


def _records_as_written(path: Path) -> dict:
    return _as_written(path.read_bytes(), Path(str(path) + ".journal").read_bytes())[0]


def test_a_store_written_before_item_entries_is_upgraded_after_a_backup_copy_and_shrinks(tmp_path):
    path = _fixture(tmp_path)
    before = {p.name: p.read_bytes() for p in path.parent.iterdir()}
    expected = _records_as_written(path)
    old_trail = decode_snapshot(path.read_bytes(), path).tables["audit"]
    assert any(isinstance(a.get("new"), list) and a.get("old") for a in old_trail.values())
    with st.open_tracker(path, user="b.lado", today=lambda: TODAY) as t:
        assert t.store.migrated_from == 1
        assert any("upgraded from schema 1" in w for w in t.store.warnings)
        assert t.check() == []
        for table, docs in expected.items():
            assert {k: {f: v for f, v in d.items() if f != "_rev"} for k, d in t.store.all(table).items()} == \
                {k: {f: v for f, v in d.items() if f != "_rev"} for k, d in docs.items()}
            assert {k: d["_rev"] for k, d in t.store.all(table).items()} == {k: d["_rev"] for k, d in docs.items()}
        trail = t.store.tables["audit"].values()
        assert not [a for a in trail if isinstance(a.get("new"), list) and a.get("old") and "op" not in a
                    and a["new"] != a["old"]]
        lines = [c.description for c in t.history("L-2018-0001")]
        assert "meeting 1 action 2 done (24/01/2018)" in lines
        assert sum(line.startswith("added note (a.lado, ") for line in lines) == 21
        t.add_note("L-2018-0001", "A note after the upgrade")
        assert t.check() == []
    after = sum(p.stat().st_size for p in path.parent.iterdir() if p.is_file())
    assert after * 3 < sum(len(b) for n, b in before.items() if n.startswith("store.json"))
    copies = [p for p in Path(str(path) + ".backups").iterdir() if "schema1" in p.name]
    assert len(copies) == 1
    kept = decode_snapshot(copies[0].read_bytes(), copies[0])
    assert kept.schema == 1 and kept.last_seq == 42 and kept.tables["audit"] == \
        _as_written(before["store.json"], before["store.json.journal"])[1]
    with st.open_tracker(path, user="b.lado") as again:
        assert again.store.migrated_from is None and again.check() == []
    assert not [n for n, b in ((p.name, p.read_bytes()) for p in path.parent.rglob("*") if p.is_file())
                if b"Rowena" in b]                                     # the redacted name stays gone


def test_a_schema_1_store_reads_unchanged_where_it_cannot_be_written(tmp_path, monkeypatch):
    path = _fixture(tmp_path)
    expected = _records_as_written(path)
    before = {p.name: p.read_bytes() for p in path.parent.iterdir()}
    real_open = os.open
    writing = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

    def read_only_open(name, flags, mode=0o777, *, dir_fd=None):     # a read-only file system, even for root
        if str(name).startswith(str(path.parent)) and flags & writing:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(name))
        return real_open(name, flags, mode, dir_fd=dir_fd)
    monkeypatch.setattr(os, "open", read_only_open)
    t = st.open_tracker(path, user="reader")
    assert t.store.read_only and t.store.schema == 1 and t.store.migrated_from is None
    assert dict(t.store.all("contacts")) == expected["contacts"]
    assert t.check() == []
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in path.parent.iterdir()} == before


# --- history in words ---------------------------------------------------------------------------------------

def test_history_reads_as_a_person_would_say_it(tracker, capsys):
    t = tracker
    ref = t.add_contact(received_on="02/05/2018", agency="Police", category="referral", summary="s").reference
    t.add_note(ref, "Rang the head teacher")
    t.record_meeting(ref, kind="jem", held_on="04/05/2018", agencies_present=["Police"], decisions="Investigate",
                     actions=[{"description": "x", "owner": "o", "due_on": "10/05/2018"}])
    t.record_meeting(ref, kind="jem_review", held_on="08/05/2018", agencies_present=["Police"], decisions="Wait",
                     actions=[{"description": "y", "owner": "o", "due_on": "20/05/2018"}])
    t.complete_meeting_action(ref, 2, 1, done_on="12/05/2018")
    t.close()
    assert main(["--db", t.store.location, "--user", "a.lado", "history", ref]) == 0
    out = capsys.readouterr().out
    assert "added note (a.lado, " in out and ": Rang the head teacher" in out
    assert "meeting 2 action 1 done (12/05/2018)" in out
    assert "item(s)" not in out and "[{" not in out


# --- redaction reaches the item entries --------------------------------------------------------------------------

def test_redaction_removes_personal_values_from_item_entries(tracker):
    t = tracker
    secret = "Invented Name Orrinthwaite"
    ref = t.add_contact(received_on="02/05/2018", agency="Police", category="enquiry", summary="s",
                        subject_name="Someone Else").reference
    for i in range(3):
        t.add_note(ref, f"{secret} said {i}")
    t.update_contact(ref, subject_name=secret)
    t.close_contact(ref, outcome="advice_given", closed_on="10/05/2018")
    items = [a for a in t.store.history(ref) if "op" in a]
    assert len(items) == 3 and all(secret in a["new"]["text"] for a in items)
    t.redact_contact(ref)
    trail = json.dumps(t.store.history(ref))
    assert secret not in trail and "Someone Else" not in trail
    notes = [a for a in t.store.history(ref) if a["field"] == "notes"]
    assert all("op" in a for a in notes[:3]) and all(a["new"]["user"] == "a.lado" for a in notes[:3])
    assert t.check() == []
    assert not stored_anywhere(t, secret)


def test_an_older_whole_list_entry_becomes_the_item_entries_that_make_the_same_change():
    old = {"at": "2018-01-01T00:00:00", "user": "u", "ref": "L-1", "field": "notes", "seq": 3,
           "old": [{"text": "a"}], "new": [{"text": "a"}, {"text": "b"}]}
    assert item_entries(old) == [{"at": "2018-01-01T00:00:00", "user": "u", "ref": "L-1", "seq": 3, "field": "notes",
                                  "op": "add", "path": [1], "old": None, "new": {"text": "b"}}]


def test_the_copy_kept_before_the_upgrade_holds_every_transaction_and_restores_in_todays_form(tmp_path, capsys):
    path = _fixture(tmp_path)
    expected = _records_as_written(path)
    with st.open_tracker(path, user="b.lado") as t:
        t.add_note("L-2018-0001", "After the upgrade")
    copy = next(p for p in Path(str(path) + ".backups").iterdir() if "schema1" in p.name)
    info = decode_snapshot(copy.read_bytes(), copy)
    assert info.schema == 1 and info.last_seq == 42                 # the snapshot and its journal, not the snapshot alone
    assert main(["--db", str(path), "restore", "--from-backup", copy.name, "--yes"]) == 0
    with st.open_tracker(path, user="b.lado") as t:
        assert t.check() == []
        for table, docs in expected.items():
            assert {k: {f: v for f, v in d.items() if f != "_rev"} for k, d in t.store.all(table).items()} == \
                {k: {f: v for f, v in d.items() if f != "_rev"} for k, d in docs.items()}
        assert not [a for a in t.store.tables["audit"].values()
                    if isinstance(a.get("new"), list) and a.get("old") and a["new"] != a["old"] and "op" not in a]
        assert [c.description for c in t.history("L-2018-0001")].count("meeting 1 action 2 done (24/01/2018)") == 1


def test_names_inside_an_item_are_kept_in_the_words():
    from safeguard_tracker.model.change import describe_path
    assert describe_path("recommendations", (0, "impact_finding", "text")) == "recommendation 1 impact finding text"
    assert describe_path("recommendations", (0, "owner_agencies", 1)) == "recommendation 1 owner agency 2"
    assert describe_path("meetings", (1, "actions", 0, "done_on")) == "meeting 2 action 1 done on"
    assert describe_path("suspension", ("on",)) == "suspension on"


def test_free_text_that_starts_with_a_date_is_redacted_as_text(tracker):
    t = tracker
    ref = t.add_contact(received_on="02/05/2018", agency="Police", category="enquiry",
                        summary="2018-05-01 the head rang").reference
    t.add_note(ref, "2018-05-02 phoned the school")
    t.close_contact(ref, outcome="advice_given", closed_on="10/05/2018")
    c = t.redact_contact(ref).contact
    assert c.summary == "[redacted]" and c.notes[0].text == "[redacted]"
    assert t.check() == []
    with st.open_tracker(t.store.location, user="other") as again:
        assert again.get_contact(ref).redacted_on is not None
