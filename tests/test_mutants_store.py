"""Durability that a kill -9 cannot see: the fsync calls, counted in order.

A process killed with kill -9 leaves the page cache behind, so the kill tests pass even if nothing
is ever fsynced; only a power cut would show it.  So the calls are recorded, in order, through the
``os`` that ``store/files.py`` uses (the same shim as tests/test_faults_disk.py): a snapshot is
written to a temp file, the temp file is fsynced, renamed over the snapshot, and then the folder is
fsynced so the rename itself is durable; a journal created by an append fsyncs its folder too.
"""

import os
from datetime import date
from pathlib import Path

import pytest

import safeguard_tracker as st
from safeguard_tracker.store import files

TODAY = date(2018, 6, 15)


class _RecordingOs:
    """``os`` as files.py sees it, recording opens, writes, fsyncs and renames by path."""

    def __init__(self):
        self.calls: list[tuple] = []
        self._paths: dict[int, Path] = {}

    def __getattr__(self, name):
        return getattr(os, name)

    def _name(self, fd) -> Path:
        if fd in self._paths:
            return self._paths[fd]
        return Path(os.readlink(f"/proc/self/fd/{fd}"))     # a temp file from tempfile.mkstemp

    def open(self, path, flags, mode=0o777, *args, **kwargs):
        fd = os.open(path, flags, mode, *args, **kwargs)
        self._paths[fd] = Path(path)
        self.calls.append(("open", Path(path), bool(flags & os.O_CREAT)))
        return fd

    def close(self, fd):
        self._paths.pop(fd, None)
        return os.close(fd)

    def write(self, fd, data):
        self.calls.append(("write", self._name(fd)))
        return os.write(fd, data)

    def fsync(self, fd):
        self.calls.append(("fsync", self._name(fd)))
        return os.fsync(fd)

    def replace(self, src, dst, *args, **kwargs):
        self.calls.append(("replace", Path(src), Path(dst)))
        return os.replace(src, dst, *args, **kwargs)

    def of(self, *kinds):
        return [c for c in self.calls if c[0] in kinds]


@pytest.fixture
def recorder():
    rec = _RecordingOs()
    files.os = rec
    try:
        yield rec
    finally:
        files.os = os


needs_proc = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="names temp files by /proc/self/fd")


def _atomic_replacement_of(calls: list[tuple], target: Path) -> list[tuple]:
    """The calls about one atomic replacement of ``target``: its temp file's writes and fsync, the
    rename, and the fsync of the folder that follows it."""
    renames = [i for i, c in enumerate(calls) if c[0] == "replace" and c[2] == target]
    assert len(renames) == 1, f"{target} replaced {len(renames)} times"
    r = renames[0]
    tmp = calls[r][1]
    assert tmp.parent == target.parent and tmp != target
    before = [c for c in calls[:r] if c[0] in ("write", "fsync") and c[1] == tmp]
    after = []
    for c in calls[r + 1:]:
        if c[0] == "fsync" and c[1] == target.parent:
            after.append(c)
            break
        assert c[0] not in ("replace", "write"), f"{c} before the folder of {target.name} was fsynced"
    return before + [calls[r]] + after


def _assert_durable_replacement(calls, target):
    steps = _atomic_replacement_of(calls, target)
    kinds = [s[0] for s in steps]
    assert kinds[0] == "write" and set(kinds[:kinds.index("fsync")]) == {"write"}, steps
    assert kinds[kinds.index("fsync"):] == ["fsync", "replace", "fsync"], steps
    assert steps[-1][1] == target.parent                       # the folder, after the rename


@needs_proc
def test_a_snapshot_is_written_then_fsynced_then_renamed_then_its_folder_fsynced(tmp_path, recorder):
    path = tmp_path / "store.json"
    with st.open_tracker(path, user="a.lado", today=lambda: TODAY) as t:
        t.add_contact(received_on="05/01/2018", agency="Police", category="enquiry")
        recorder.calls.clear()
        t.store.compact()
    _assert_durable_replacement(recorder.calls, path)


@needs_proc
def test_a_new_journal_after_a_compaction_is_renamed_into_place_and_its_folder_fsynced(tmp_path, recorder):
    path = tmp_path / "store.json"
    with st.open_tracker(path, user="a.lado", today=lambda: TODAY) as t:
        t.add_contact(received_on="05/01/2018", agency="Police", category="enquiry")
        recorder.calls.clear()
        t.store.compact()
        journals = [c for c in recorder.of("replace") if c[2].name.startswith("store.json.journal")]
        assert journals, recorder.calls
        _assert_durable_replacement(recorder.calls, journals[0][2])


@needs_proc
def test_a_new_store_makes_its_journal_and_snapshot_durable(tmp_path, recorder):
    path = tmp_path / "store.json"
    with st.open_tracker(path, user="a.lado", today=lambda: TODAY):
        pass
    targets = {c[2] for c in recorder.of("replace")}
    assert path in targets
    for target in targets:
        if target.parent == tmp_path:
            _assert_durable_replacement(recorder.calls, target)


def test_appending_to_a_new_file_fsyncs_the_file_then_its_folder(tmp_path, recorder):
    log = tmp_path / "new.journal"
    files.append_durably(log, b"line 1\n")
    assert log.read_bytes() == b"line 1\n"
    assert recorder.calls == [("open", log, True), ("write", log), ("fsync", log), ("open", tmp_path, False),
                              ("fsync", tmp_path)]


def test_appending_to_an_existing_file_fsyncs_the_file(tmp_path, recorder):
    log = tmp_path / "old.journal"
    log.write_bytes(b"line 1\n")
    files.append_durably(log, b"line 2\n")
    assert log.read_bytes() == b"line 1\nline 2\n"
    assert [c for c in recorder.calls if c[0] in ("write", "fsync")] == [("write", log), ("fsync", log)]


def test_fsync_dir_fsyncs_the_folder_itself(tmp_path, recorder):
    files.fsync_dir(tmp_path)
    assert recorder.calls == [("open", tmp_path, False), ("fsync", tmp_path)]


@needs_proc
def test_atomic_write_counts(tmp_path, recorder):
    target = tmp_path / "out.json"
    files.atomic_write(target, [b"a" * 10, b"b" * 10])
    assert target.read_bytes() == b"a" * 10 + b"b" * 10
    kinds = [c[0] for c in recorder.calls]
    assert kinds == ["write", "write", "fsync", "replace", "open", "fsync"], recorder.calls
    _assert_durable_replacement(recorder.calls, target)
    assert oct(target.stat().st_mode & 0o777) == oct(files.FILE_MODE)


def test_rewrite_in_place_fsyncs_only_when_asked(tmp_path, recorder):
    target = tmp_path / "journal"
    target.write_bytes(b"0000000000\n")
    files.rewrite_in_place(target, 2, b"42")
    assert target.read_bytes() == b"0042000000\n"
    assert not recorder.of("fsync")                         # the journal's mark: no extra fsync
    files.rewrite_in_place(target, 0, b"99", durable=True)
    assert target.read_bytes() == b"9942000000\n"
    assert recorder.of("fsync") == [("fsync", target)]


def test_a_failed_append_cuts_the_file_back_and_fsyncs_the_cut(tmp_path):
    import errno

    class FullDisk(_RecordingOs):
        def write(self, fd, data):
            self.calls.append(("write", self._name(fd)))
            os.write(fd, bytes(data[:3]))
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def ftruncate(self, fd, length):
            self.calls.append(("ftruncate", self._name(fd), length))
            return os.ftruncate(fd, length)

    log = tmp_path / "old.journal"
    log.write_bytes(b"line 1\n")
    files.os = shim = FullDisk()
    try:
        with pytest.raises(files.StoreWriteError, match="is full; nothing was saved"):
            files.append_durably(log, b"line 2\n")
    finally:
        files.os = os
    assert log.read_bytes() == b"line 1\n"
    assert [c for c in shim.calls if c[0] != "open"] == [("write", log), ("ftruncate", log, 7), ("fsync", log)]


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@needs_proc
def test_the_file_primitives_leave_no_descriptor_open(tmp_path):
    target = tmp_path / "out.json"
    before = _open_fds()
    for _ in range(3):
        files.atomic_write(target, b"{}")
        files.append_durably(tmp_path / "log", b"x\n")
        files.rewrite_in_place(target, 0, b"{", durable=True)
        files.fsync_dir(tmp_path)
    assert _open_fds() == before


def test_os_errors_are_described_in_words():
    import errno
    p = Path("/srv/store.json")
    assert files.describe_os_error(OSError(errno.ENOSPC, "No space left on device"), p) == \
        "the disk holding /srv/store.json is full"
    for code in (errno.EACCES, errno.EPERM, errno.EROFS):
        assert files.describe_os_error(OSError(code, "denied"), p) == \
            "/srv/store.json (or its folder) cannot be written: permission denied or read-only"
    assert files.describe_os_error(OSError(errno.EIO, "Input/output error"), p) == \
        "/srv/store.json could not be written: Input/output error"
    assert files.describe_os_error(OSError("odd"), p) == "/srv/store.json could not be written: odd"


@pytest.mark.parametrize("issued", ['{"L-2018-":"1"}', '{"L-2018-":1.0}', '{"L-2018-":true}', '[1]', '"L-2018-0001"'])
def test_a_snapshot_header_with_malformed_issued_references_is_refused(tmp_path, issued):
    from safeguard_tracker.errors import StoreError
    path = tmp_path / "store.json"
    with st.open_tracker(path, user="a.lado", today=lambda: TODAY) as t:
        t.add_contact(received_on="05/01/2018", agency="Police", category="enquiry")
        t.store.compact()
    raw = path.read_bytes()
    assert raw.count(b'"issued":{"L-2018-":1}') == 1
    crafted = raw.replace(b'"issued":{"L-2018-":1}', b'"issued":' + issued.encode())
    path.write_bytes(crafted)
    with pytest.raises(StoreError, match="issued references"):
        st.open_tracker(path, user="a.lado", today=lambda: TODAY)
    assert path.read_bytes() == crafted


def test_a_transaction_sees_stored_and_staged_records(tmp_path):
    path = tmp_path / "store.json"
    with st.open_tracker(path, user="a.lado", today=lambda: TODAY) as t:
        c = t.add_contact(received_on="05/01/2018", agency="Police", category="enquiry")
        with t.store.transaction() as txn:
            assert txn.exists("contacts", c.reference)
            assert not txn.exists("contacts", "L-2018-0999") and not txn.exists("actions", c.reference)
            txn.put("settings", "note", {"text": "staged"})
            assert txn.exists("settings", "note") and txn.get("settings", "note")["text"] == "staged"
        assert t.store.get("settings", "note")["text"] == "staged"


def test_reference_floors_count_the_first_reference_and_skip_other_keys():
    from safeguard_tracker.store.issued import issued_in_keys, merge_issued
    assert merge_issued({"L-2018-": 1}) == {"L-2018-": 1}
    assert merge_issued({"L-2018-": 1, "A-": 4}, {"L-2018-": 3, "A-": 2}, {}) == {"L-2018-": 3, "A-": 4}
    assert issued_in_keys(["L-2018-0001"]) == {"L-2018-": 1}
    assert issued_in_keys(["L-2018-0003", "stated_totals", "L-2018-0001", "A-000006", "R-2018-001"]) == {
        "L-2018-": 3, "A-": 6, "R-2018-": 1}


class _Tables:
    def __init__(self, tables):
        self.tables = tables


def _sound_tables():
    contact = {"reference": "L-2018-0001", "received_on": "2018-01-05", "agency": "Police", "summary": "first"}
    created = {"seq": 1, "at": "2018-06-15T10:00:00+00:00", "user": "a.lado", "table": "contacts",
               "ref": "L-2018-0001", "field": "*", "old": None, "new": dict(contact)}
    edited = {"seq": 2, "at": "2018-06-15T10:01:00+00:00", "user": "a.lado", "table": "contacts",
              "ref": "L-2018-0001", "field": "summary", "old": "first", "new": "second"}
    return {"contacts": {"L-2018-0001": dict(contact, summary="second", _rev=2)}, "reviews": {}, "actions": {},
            "audit": {"1": created, "2": edited}, "access_log": {}, "settings": {}}


def test_check_finds_each_kind_of_damage():
    from safeguard_tracker.store.check import check_store
    assert check_store(_Tables(_sound_tables())) == []

    t = _sound_tables()
    t["contacts"]["L-2018-0001"]["summary"] = "edited behind the trail's back"
    assert check_store(_Tables(t)) == [
        "contacts L-2018-0001: the audit trail does not agree with the record (fields: summary)"]

    t = _sound_tables()
    t["contacts"]["L-2018-0001"]["reference"] = "L-2018-0002"
    assert "contacts: record stored under 'L-2018-0001' says its reference is 'L-2018-0002'" in check_store(_Tables(t))

    t = _sound_tables()
    t["contacts"]["l-2018-0001"] = t["contacts"]["L-2018-0001"]
    assert "contacts: reference 'l-2018-0001' is not unique (also 'L-2018-0001')" in check_store(_Tables(t))

    t = _sound_tables()
    t["contacts"]["L-2018-0001"]["_rev"] = 3
    assert check_store(_Tables(t)) == ["contacts L-2018-0001: revision 3 but the trail has 2 change(s)"]


def test_substituting_audit_values_touches_only_the_records_whole_field_entries():
    from safeguard_tracker.store.transaction import substitute_audit_values
    entries = [
        {"ref": "L-2018-0001", "field": "*", "old": None, "new": {"summary": "secret", "agency": "Police"}},
        {"ref": "L-2018-0001", "field": "summary", "old": "secret", "new": "more secret"},
        {"ref": "L-2018-0001", "field": "summary", "old": None, "new": "first"},
        {"ref": "L-2018-0002", "field": "summary", "old": "other", "new": "other still"},
        {"ref": "L-2018-0001", "field": "notes", "op": "add", "path": [0], "new": {"text": "item"}},
    ]
    substitute_audit_values(entries, "L-2018-0001", {"summary": "[redacted]", "notes": []})
    assert entries == [
        {"ref": "L-2018-0001", "field": "*", "old": None, "new": {"summary": "[redacted]", "agency": "Police"}},
        {"ref": "L-2018-0001", "field": "summary", "old": "[redacted]", "new": "[redacted]"},
        {"ref": "L-2018-0001", "field": "summary", "old": None, "new": "[redacted]"},
        {"ref": "L-2018-0002", "field": "summary", "old": "other", "new": "other still"},
        {"ref": "L-2018-0001", "field": "notes", "op": "add", "path": [0], "new": {"text": "item"}},
    ]


def test_a_schema_0_file_gets_one_creation_entry_per_record_numbered_from_1(tmp_path):
    import json
    path = tmp_path / "store.json"
    docs = {str(i): {"reference": f"L-2017-000{i}", "received_on": "2017-05-0" + str(i), "agency": "Police"}
            for i in (1, 2)}
    path.write_text(json.dumps({"contacts": docs}))
    with st.open_tracker(path, user="m", today=lambda: TODAY) as t:
        audit = t.store.all("audit")
        assert list(audit) == ["1", "2"]
        assert [(a["ref"], a["field"], a["old"], a["seq"], a["migrated"], a["user"]) for a in audit.values()] == [
            ("L-2017-0001", "*", None, 0, True, "m"), ("L-2017-0002", "*", None, 0, True, "m")]
        assert t.check() == []


def test_an_atomic_write_is_0600_even_under_a_umask_that_takes_the_owners_write_bit(tmp_path):
    target = tmp_path / "store.json.journal"
    old = os.umask(0o277)
    try:
        files.atomic_write(target, b"header\n")
    finally:
        os.umask(old)
    assert oct(target.stat().st_mode & 0o777) == oct(0o600)
    files.rewrite_in_place(target, 0, b"HEADER", durable=True)      # the journal's mark is rewritten in place
    assert target.read_bytes() == b"HEADER\n"
