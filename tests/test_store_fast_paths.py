"""The store's fast paths keep every guarantee: the audit trail parsed lazily, big transactions written as a snapshot."""

import gc
import json
import zlib
from pathlib import Path

import orjson
import pytest

import safeguard_tracker as st
from safeguard_tracker.errors import StoreCorrupt
from safeguard_tracker.store import FileStore, check_store
from safeguard_tracker.store.format import RawTable, decode_snapshot, encode_snapshot
from safeguard_tracker.store.gc_pause import gc_paused


def _fill(path, n=6):
    with st.open_tracker(path, user="a") as t:
        for i in range(n):
            t.add_contact(received_on="05/01/2018", agency="Police", category="enquiry", summary=f"s{i}")
        t.update_contact("L-2018-0002", summary="changed once")
        t.store.compact()
    return path


def _split(path):
    raw = path.read_bytes()
    nl = raw.index(b"\n")
    return json.loads(raw[:nl]), raw[nl + 1:]


def test_snapshot_body_is_one_json_object_and_the_header_locates_each_table(store_path):
    _fill(store_path)
    header, body = _split(store_path)
    whole = orjson.loads(body)
    assert set(header["sections"]) == set(whole)
    for name, (start, end) in header["sections"].items():
        assert orjson.loads(body[start:end]) == whole[name]
        assert header["counts"][name] == len(whole[name])


def test_opening_leaves_the_audit_unparsed_until_history_is_asked_for(store_path):
    _fill(store_path)
    s = FileStore(store_path).open()
    assert isinstance(s._tables["audit"], RawTable)
    assert len(s.all("contacts")) == 6
    h = s.history("L-2018-0002")
    assert [a["field"] for a in h] == ["*", "summary"] and h[-1]["new"] == "changed once"
    assert isinstance(s._tables["audit"], dict)


def test_edits_to_an_unparsed_audit_survive_compaction_and_reopening(store_path):
    _fill(store_path)
    with st.open_tracker(store_path, user="b") as t:
        t.update_contact("L-2018-0003", summary="edited while the audit was bytes")
        t.add_contact(received_on="06/01/2018", agency="Police", category="enquiry", summary="new one")
        assert isinstance(t.store._tables["audit"], RawTable)
        t.store.compact()  # writes the unparsed audit plus the new entries
        assert isinstance(t.store._tables["audit"], RawTable)
    s = FileStore(store_path).open()
    assert check_store(s) == []
    entries = list(s.tables["audit"].values())
    assert len(entries) == 6 + 1 + 1 + 1
    assert list(s.tables["audit"]) == [str(i) for i in range(1, len(entries) + 1)]
    assert [a["field"] for a in s.history("L-2018-0003")] == ["*", "summary"]
    assert s.history("L-2018-0007")[0]["user"] == "b"


def test_a_journal_replayed_onto_an_unparsed_audit_is_kept(store_path):
    _fill(store_path)
    with st.open_tracker(store_path, user="c") as t:
        t.update_contact("L-2018-0004", summary="in the journal only")
    s = FileStore(store_path).open()
    assert isinstance(s._tables["audit"], RawTable) and len(s._tables["audit"]) == 8
    assert s.history("L-2018-0004")[-1]["new"] == "in the journal only"
    assert check_store(s) == []


def test_encode_snapshot_with_raw_table_equals_the_parsed_table():
    audit = {"1": {"ref": "A", "field": "*"}, "2": {"ref": "B", "field": "x"}}
    raw = RawTable(orjson.dumps(audit), 2)
    raw.add("3", {"ref": "A", "field": "y"})
    chunks = encode_snapshot({"contacts": {}, "audit": raw}, 7)
    data = b"".join(bytes(c) for c in chunks)
    info = decode_snapshot(data, "x.json")
    assert info.tables["audit"] == {**audit, "3": {"ref": "A", "field": "y"}}
    assert info.last_seq == 7
    empty = RawTable(b"{}", 0)
    empty.add("1", {"ref": "A"})
    data = b"".join(bytes(c) for c in encode_snapshot({"audit": empty}, 1))
    assert decode_snapshot(data, "x.json").tables == {"audit": {"1": {"ref": "A"}}}


def test_a_snapshot_without_sections_is_read_whole(store_path):
    """Files written before the header carried sections still open (and check)."""
    _fill(store_path)
    header, body = _split(store_path)
    del header["sections"], header["counts"]
    store_path.write_bytes(json.dumps(header).encode() + b"\n" + body)
    s = FileStore(store_path).open()
    assert isinstance(s._tables["audit"], dict)
    assert check_store(s) == []


def test_sections_that_do_not_describe_the_body_are_ignored_not_trusted(store_path):
    _fill(store_path)
    header, body = _split(store_path)
    start, end = header["sections"]["contacts"]
    header["sections"]["contacts"] = [start + 1, end]
    store_path.write_bytes(json.dumps(header).encode() + b"\n" + body)
    s = FileStore(store_path).open()
    assert len(s.all("contacts")) == 6 and check_store(s) == []


def test_an_audit_count_that_does_not_match_is_corruption(store_path):
    _fill(store_path)
    header, body = _split(store_path)
    header["counts"]["audit"] += 1
    store_path.write_bytes(json.dumps(header).encode() + b"\n" + body)
    s = FileStore(store_path).open()
    with pytest.raises(StoreCorrupt, match="entries its header names"):
        s.history("L-2018-0001")


def test_gc_paused_restores_the_collector_and_nests():
    assert gc.isenabled()
    with gc_paused():
        with gc_paused(freeze=True):
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.unfreeze()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled(), "a collector that was off stays off"
    finally:
        gc.enable()


# --- a big transaction is committed as a snapshot ------------------------------------------------------

def _big_batch(first: int, n: int = 1200):
    from safeguard_tracker.demo import make_contact
    import random
    from datetime import date
    rng = random.Random(first)
    return [make_contact(rng, f"L-2016-{first + j:05d}", date(2016, 5, 1 + j % 28), "School - Primary",
                         date(2018, 6, 15)) for j in range(n)]


def test_a_big_transaction_replaces_the_snapshot_instead_of_growing_the_journal(store_path):
    _fill(store_path)
    before = store_path.stat().st_ino
    with st.open_tracker(store_path, user="bulk") as t:
        t.update_contact("L-2018-0001", summary="a small edit first, in the journal")
        assert Path(str(store_path) + ".journal").stat().st_size > 0
        assert t.add_contacts(_big_batch(1)) == 1200
        assert store_path.stat().st_ino != before, "a new snapshot was written"
        journal = Path(str(store_path) + ".journal").read_bytes()
        assert journal.count(b"\n") == 1 and journal.startswith(b"%08x" % zlib.crc32(journal[9:-1]))  # its header only
        assert b'"seq":0,"journal"' in journal
        assert isinstance(t.store._tables["audit"], RawTable), "the audit trail was never parsed"
        assert len(t.store.backups()) >= 2
        in_memory = {k: dict(v) for k, v in t.store.all("contacts").items()}
    s = FileStore(store_path).open()
    assert s.all("contacts") == in_memory and len(in_memory) == 6 + 1200
    assert check_store(s) == []
    assert s.history("L-2016-00005")[0]["user"] == "bulk"
    assert s.history("L-2018-0001")[-1]["new"] == "a small edit first, in the journal"


def test_a_failed_snapshot_commit_changes_nothing(store_path, monkeypatch):
    from safeguard_tracker.errors import StoreWriteError
    from safeguard_tracker.store import file_store
    _fill(store_path)
    raw = store_path.read_bytes()
    with st.open_tracker(store_path, user="bulk") as t:
        def refuse(path, chunks):
            raise StoreWriteError(f"{path} could not be written: the disk is full; the previous version is intact")
        monkeypatch.setattr(file_store, "atomic_write", refuse)
        with pytest.raises(StoreWriteError, match="disk is full"):
            t.add_contacts(_big_batch(1))
        monkeypatch.undo()
        assert len(t.store.all("contacts")) == 6 and len(t.store._tables["audit"]) == 7
        assert t.store.last_seq == FileStore(store_path).open().last_seq
        t.update_contact("L-2018-0001", summary="still writable")
    assert store_path.read_bytes() == raw
    s = FileStore(store_path).open()
    assert len(s.all("contacts")) == 6 and check_store(s) == []


BULK_WRITER = r'''
import sys
from datetime import date
sys.path.insert(0, sys.argv[2])
import safeguard_tracker as st
from tests.test_store_fast_paths import _big_batch
t = st.open_tracker(sys.argv[1], user="killed")
done = [int(k.rsplit("-", 1)[1]) for k in t.store.all("contacts") if k.startswith("L-2016-")]
print("READY", flush=True)
for i in range(max(done, default=0) // 1200 + 1, 10000):
    t.add_contacts(_big_batch(i * 1200))
    print("ACK", i * 1200, flush=True)
'''


def test_kill_minus_nine_during_snapshot_commits_loses_no_acknowledged_batch(tmp_path):
    """Odd rounds kill once the writer has acknowledged a batch (so a loaded machine cannot leave the
    test with nothing acknowledged); even rounds kill at any moment after it is ready."""
    import random
    import signal
    import subprocess
    import sys
    import time

    from tests.test_faults_kill import _read_until
    root = str(Path(__file__).resolve().parent.parent)
    path = tmp_path / "store.json"
    _fill(path)
    rng = random.Random(7)
    acked: list[int] = []
    for round_ in range(4):
        proc = subprocess.Popen([sys.executable, "-c", BULK_WRITER, str(path), root], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        seen = bytearray()
        try:
            _read_until(proc, "READY", seen)
            if round_ % 2:
                _read_until(proc, "ACK", seen)
            time.sleep(rng.random() * 0.3)        # where in the next commit the kill lands: any moment will do
        finally:
            proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate()
        assert proc.returncode == -signal.SIGKILL, f"the writer should still have been writing: {err.decode()}"
        lines = (bytes(seen) + out).decode().splitlines()
        acked += [int(line.split()[1]) for line in lines if line.startswith("ACK")]
        with st.open_tracker(path, user="checker") as t:
            assert t.check() == []
            contacts = t.store.all("contacts")
            for first in acked:
                assert f"L-2016-{first:05d}" in contacts and f"L-2016-{first + 1199:05d}" in contacts
    assert acked, "no batch was acknowledged before the kills"


def test_the_tracker_keeps_a_bounded_number_of_model_objects(store_path, monkeypatch):
    from safeguard_tracker import context
    monkeypatch.setattr(context, "CACHE_LIMIT", 8)
    _fill(store_path, n=20)
    with st.open_tracker(store_path, user="a") as t:
        first = t.get_contact("L-2018-0001")
        assert t.get_contact("L-2018-0001") is first, "an unchanged record is reused"
        contacts = t.contacts()
        assert len(contacts) == 20 and len(t.context._cache) <= 8
        assert t.get_contact("L-2018-0020") is contacts[-1]
        t.update_contact("L-2018-0020", summary="changed")
        assert t.get_contact("L-2018-0020").summary == "changed"
