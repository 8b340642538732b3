"""The snapshot's sections: the audit trail stays unparsed bytes until it is needed, and nothing is lost by that."""

import gc
import json

import orjson
import pytest

import safeguard_tracker as st
from safeguard_tracker.errors import StoreCorrupt
from safeguard_tracker.store import Store, check_store
from safeguard_tracker.store.format import RawTable, decode_snapshot, encode_snapshot, gc_paused


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
    s = Store(store_path).open()
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
    s = Store(store_path).open()
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
    s = Store(store_path).open()
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
    s = Store(store_path).open()
    assert isinstance(s._tables["audit"], dict)
    assert check_store(s) == []


def test_sections_that_do_not_describe_the_body_are_ignored_not_trusted(store_path):
    _fill(store_path)
    header, body = _split(store_path)
    start, end = header["sections"]["contacts"]
    header["sections"]["contacts"] = [start + 1, end]
    store_path.write_bytes(json.dumps(header).encode() + b"\n" + body)
    s = Store(store_path).open()
    assert len(s.all("contacts")) == 6 and check_store(s) == []


def test_an_audit_count_that_does_not_match_is_corruption(store_path):
    _fill(store_path)
    header, body = _split(store_path)
    header["counts"]["audit"] += 1
    store_path.write_bytes(json.dumps(header).encode() + b"\n" + body)
    s = Store(store_path).open()
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
