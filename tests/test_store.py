"""The store's guarantees: atomic, locked, versioned, audited, never overwriting a bad file."""

import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import safeguard_tracker as st
from safeguard_tracker.errors import StoreCorrupt, StoreTooNew
from safeguard_tracker.store import FileStore, check_store

WRITER = str(Path(__file__).with_name("writer.py"))


def _fill(path, n=3):
    with st.open_tracker(path, user="a") as t:
        for i in range(n):
            t.add_contact(received_on="05/01/2018", agency="Police", category="enquiry", summary=f"s{i}")
        t.store.compact()
    return path


def test_new_store_files_are_private(store_path):
    _fill(store_path)
    for p in (store_path, Path(str(store_path) + ".journal"), Path(str(store_path) + ".lock")):
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p


def test_save_appends_instead_of_rewriting(store_path):
    _fill(store_path, 5)
    before = store_path.stat()
    with st.open_tracker(store_path, user="b") as t:
        t.update_contact("L-2018-0001", summary="changed")
    after = store_path.stat()
    assert (before.st_ino, before.st_size) == (after.st_ino, after.st_size)  # snapshot untouched
    assert Path(str(store_path) + ".journal").stat().st_size > 0
    with st.open_tracker(store_path, user="c") as t:
        assert t.get_contact("L-2018-0001").summary == "changed"


def test_compaction_keeps_everything_and_backs_up(store_path):
    _fill(store_path, 4)
    s = FileStore(store_path).open()
    assert s.backups(), "compaction writes a backup"
    assert len(s.all("contacts")) == 4 and check_store(s) == []


def test_newer_schema_is_refused_untouched(store_path):
    body = b"{}"
    store_path.write_bytes(json.dumps({"format": "safeguard-tracker", "schema": 99, "last_seq": 0,
                                       "crc32": 0, "length": 2}).encode() + b"\n" + body)
    before = store_path.read_bytes()
    with pytest.raises(StoreTooNew, match="newer safeguard-tracker"):
        st.open_tracker(store_path)
    assert store_path.read_bytes() == before


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty", "not_json"])
def test_corrupt_file_is_refused_and_left_untouched(store_path, damage):
    _fill(store_path, 3)
    raw = store_path.read_bytes()
    if damage == "truncate":
        raw = raw[: len(raw) // 2]
    elif damage == "flip":
        mid = len(raw) * 3 // 4
        raw = raw[:mid] + bytes([raw[mid] ^ 0x01]) + raw[mid + 1:]
    elif damage == "empty":
        raw = b""
    else:
        raw = b"this is not json at all"
    store_path.write_bytes(raw)
    with pytest.raises(StoreCorrupt) as err:
        st.open_tracker(store_path)
    assert str(store_path) in str(err.value) and "newest backup" in str(err.value)
    assert store_path.read_bytes() == raw


def test_damaged_journal_line_is_refused(store_path):
    _fill(store_path, 1)
    with st.open_tracker(store_path, user="b") as t:
        t.update_contact("L-2018-0001", summary="one")
        t.update_contact("L-2018-0001", summary="two")
    journal = Path(str(store_path) + ".journal")
    raw = bytearray(journal.read_bytes())
    raw[20] ^= 0x02
    journal.write_bytes(bytes(raw))
    with pytest.raises(StoreCorrupt, match="checksum"):
        st.open_tracker(store_path)


def test_torn_journal_tail_is_ignored_then_cut(store_path):
    _fill(store_path, 1)
    with st.open_tracker(store_path, user="b") as t:
        t.update_contact("L-2018-0001", summary="kept")
    journal = Path(str(store_path) + ".journal")
    with open(journal, "ab") as fh:
        fh.write(b'deadbeef {"seq": 99, "puts": [')  # a kill mid-append
    with st.open_tracker(store_path, user="c") as t:
        assert t.get_contact("L-2018-0001").summary == "kept"
        t.update_contact("L-2018-0001", summary="after")
    with st.open_tracker(store_path, user="d") as t:
        assert t.get_contact("L-2018-0001").summary == "after"
        assert t.check() == []


def test_legacy_tinydb_file_is_migrated_after_backup(store_path):
    legacy = {"contacts": {"1": {"reference": "L-2017-0001", "received_on": "2017-05-01", "agency": "Police",
                                 "category": "enquiry"}}}
    store_path.write_text(json.dumps(legacy))
    with st.open_tracker(store_path, user="m") as t:
        assert t.get_contact("L-2017-0001").agency == "Police"
        assert t.store.migrated_from == 0
        backups = [b for b in t.store.backups() if "schema0" in b.name]
        assert backups and json.loads(backups[0].read_text()) == legacy
        assert t.check() == []


def test_tinydb_view_reads_the_store(store_path):
    from tinydb import Query
    from safeguard_tracker.store import open_tinydb
    _fill(store_path, 2)
    db = open_tinydb(str(store_path))
    assert len(db.table("contacts").search(Query().agency == "Police")) == 2


def _run_writer(path, user, n, mode="add"):
    return subprocess.Popen([sys.executable, WRITER, str(path), user, str(n), mode],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


# kill -9 during single edits, bulk imports and compaction: tests/test_faults_kill.py


def test_two_processes_adding_and_editing_keep_every_record(store_path):
    _fill(store_path, 3)
    procs = [_run_writer(store_path, u, 40) for u in ("p1", "p2")]
    procs += [_run_writer(store_path, u, 40, "edit") for u in ("e1", "e2")]
    outs = [p.communicate(timeout=180) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err
    added = {line.split()[1] for out, _ in outs for line in out.splitlines() if line.startswith("ACK")}
    notes = [line for out, _ in outs for line in out.splitlines() if line.startswith("NOTE")]
    assert len(added) == 80
    with st.open_tracker(store_path, user="checker") as t:
        assert added <= set(t.store.all("contacts"))
        total_notes = sum(len(t.get_contact(r).notes) for r in t.store.all("contacts"))
        assert total_notes == len(notes)
        assert t.check() == []


@pytest.mark.parametrize("values, words", [
    ({"fixed_today": 5}, "settings 'config' fixed_today 5 is not valid: a date such as 2018-01-05"),
    ({"agencies": "Police"}, "settings 'config' agencies 'Police' is not valid: a list"),
])
def test_a_value_the_store_could_not_read_back_is_refused_before_it_is_written(store_path, values, words):
    """A script handing the store a wrong type must not write a file that then refuses to open."""
    from safeguard_tracker.errors import ValidationError
    _fill(store_path, 1)
    before = {p: p.read_bytes() for p in store_path.parent.iterdir() if p.is_file()}
    with st.open_tracker(store_path, user="script") as t:
        with pytest.raises(ValidationError) as err:
            t.update_settings(**values)
        assert str(err.value) == words
    assert {p: p.read_bytes() for p in store_path.parent.iterdir() if p.is_file()} == before
    with st.open_tracker(store_path, user="after") as t:
        assert t.check() == []
