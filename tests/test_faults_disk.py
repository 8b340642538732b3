"""A full disk: every write call of an edit, a bulk import and a compaction fails in turn.

ENOSPC is injected into the store's own write path (``os.write`` and
``os.fsync`` as ``store/files.py`` calls them), at every call in turn, whole or
after half a buffer.  Each time: the write fails with a clear message, or (when
only a backup or a deferred compaction failed) succeeds; the state on disk and
in memory is exactly the state before or after, never between; ``check``
passes; no temp file is left.  Where a small tmpfs can be mounted (root on
Linux), the same is proved against a real full file system.
"""

import errno
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

import safeguard_tracker as st
from safeguard_tracker.demo import demo_contacts
from safeguard_tracker.errors import StoreWriteError
from safeguard_tracker.store import files



def TODAY() -> date:
    return date(2018, 6, 15)


class _OsWithFullDisk:
    """``os`` as files.py sees it, with write/fsync failing with ENOSPC from a chosen call on."""

    def __init__(self, fail_at: int | None = None, partial: bool = False, fsync_fail_at: int | None = None):
        self.fail_at, self.partial, self.fsync_fail_at = fail_at, partial, fsync_fail_at
        self.writes = self.fsyncs = 0

    def __getattr__(self, name):
        return getattr(os, name)

    def write(self, fd, data):
        self.writes += 1
        if self.fail_at is not None and self.writes >= self.fail_at:
            if self.partial and self.writes == self.fail_at and len(data) > 1:
                return os.write(fd, bytes(data[: len(data) // 2]))   # a short write, then the disk is full
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return os.write(fd, data)

    def fsync(self, fd):
        self.fsyncs += 1
        if self.fsync_fail_at is not None and self.fsyncs >= self.fsync_fail_at:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return os.fsync(fd)


def _edit(t):
    t.update_contact("L-2018-0001", summary="edited while the disk filled up")


def _bulk(t):
    t.add_contacts(_fresh_contacts())


def _fresh_contacts():
    import attrs
    out = []
    for i, c in enumerate(demo_contacts(seed=11, contacts=120, today=TODAY())):
        out.append(attrs.evolve(c, reference=f"L-2016-{i + 1:04d}"))
    return out


def _compact(t):
    t.store.compact()


def _edit_with_compaction(t):
    t.store.compact_min_bytes = 0        # this edit's commit triggers a compaction
    t.update_contact("L-2018-0002", summary="edited, then compacted")


OPS = {"edit": _edit, "bulk import": _bulk, "compaction": _compact, "edit+compaction": _edit_with_compaction}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("seed")
    path = folder / "store.json"
    with st.open_tracker(path, user="seed", today=TODAY) as t:
        t.add_contacts(demo_contacts(seed=5, contacts=60, today=TODAY()))
        t.store.compact()
        t.update_contact("L-2018-0003", summary="in the journal")   # so the journal is not empty
    return folder


def _copy(seeded, tmp_path) -> Path:
    folder = tmp_path / "store"
    shutil.copytree(seeded, folder)
    return folder / "store.json"


def _state(path: Path) -> dict:
    with st.open_tracker(path, user="reader", today=TODAY) as t:
        assert t.check() == []
        return {"contacts": dict(t.store.all("contacts")), "audit": len(t.store.all("audit"))}


def _expected_after(seeded, tmp_path, op) -> tuple[dict, int, int]:
    """The state after ``op`` with a healthy disk, and how many write/fsync calls it makes."""
    path = _copy(seeded, tmp_path / "healthy")
    t = st.open_tracker(path, user="writer", today=TODAY)
    counter = _OsWithFullDisk()
    files.os = counter
    try:
        op(t)
    finally:
        files.os = os
    return _state(path), counter.writes, counter.fsyncs


def _transactions(journal: bytes) -> bytes:
    """The journal's transaction lines, without its header line (whose acknowledged mark is rewritten in place)."""
    head, sep, rest = journal.partition(b"\n")
    return rest if b'"seq":0,"journal"' in head else journal


def _check_outcome(path: Path, t, before: dict, after: dict, journal_before: bytes, raised) -> None:
    now = _state(path)
    if raised is not None:
        msg = str(raised)
        assert "is full" in msg and ("nothing was saved" in msg or "previous version is intact" in msg), msg
        assert now == before, "a failed write changed the store"
        assert {k: v for k, v in t.store.all("contacts").items()} == before["contacts"], "memory moved on"
    else:
        assert now in (before, after)
    journal = _transactions(Path(str(path) + ".journal").read_bytes())
    journal_before = _transactions(journal_before)
    assert journal == journal_before or journal.startswith(journal_before) or journal == b"", "journal half-written"
    assert not journal or journal.endswith(b"\n"), "a torn line was left in the journal"
    leftovers = [p.name for p in path.parent.rglob("*.tmp")]
    assert not leftovers, f"half-written temp files left behind: {leftovers}"


@pytest.mark.parametrize("op_name", list(OPS))
@pytest.mark.parametrize("how", ["write", "short write", "fsync"])
def test_full_disk_at_every_write_call(seeded, tmp_path, op_name, how):
    op = OPS[op_name]
    after, writes, fsyncs = _expected_after(seeded, tmp_path, op)
    calls = fsyncs if how == "fsync" else writes
    assert calls >= 1
    failures = 0
    for k in range(1, calls + 1):
        path = _copy(seeded, tmp_path / f"{how}-{k}")
        before = _state(path)
        journal_before = Path(str(path) + ".journal").read_bytes()
        t = st.open_tracker(path, user="writer", today=TODAY)
        disk = (_OsWithFullDisk(fsync_fail_at=k) if how == "fsync"
                else _OsWithFullDisk(fail_at=k, partial=how == "short write"))
        files.os = disk
        raised = None
        try:
            op(t)
        except StoreWriteError as exc:
            raised = exc
            failures += 1
        finally:
            files.os = os
        _check_outcome(path, t, before, after, journal_before, raised)
        if raised is not None and op_name != "compaction":
            op(t)                               # space freed: the same tracker can now make the change
            assert _state(path) == after
    if op_name in ("edit", "bulk import", "compaction"):
        assert failures >= 1, "the first write of the operation failing must fail the operation"


def test_full_disk_while_writing_a_backup_is_a_warning_not_a_failure(seeded, tmp_path):
    path = _copy(seeded, tmp_path)
    t = st.open_tracker(path, user="writer", today=TODAY)
    counter = _OsWithFullDisk()
    files.os = counter
    try:
        t.store.compact()
    finally:
        files.os = os
    snapshot_writes = counter.writes // 2           # the snapshot, then the same bytes as a backup
    files.os = _OsWithFullDisk(fail_at=snapshot_writes + 1)
    try:
        t.store.compact()
    finally:
        files.os = os
    assert any("backup could not be written" in w and "is full" in w for w in t.store.warnings)
    assert _state(path)["contacts"] == dict(t.store.all("contacts"))
    assert not list(path.parent.rglob("*.tmp"))


def test_full_disk_on_an_export_leaves_no_partial_file(seeded, tmp_path):
    path = _copy(seeded, tmp_path)
    t = st.open_tracker(path, user="writer", today=TODAY)
    target = tmp_path / "export.csv"
    target.write_text("the previous export\n")
    files.os = _OsWithFullDisk(fail_at=1, partial=True)
    try:
        with pytest.raises(StoreWriteError, match="is full"):
            t.write_output(target, "a,b\n" * 10_000, what="contacts export", personal=True, records=1)
    finally:
        files.os = os
    assert target.read_text() == "the previous export\n"
    assert not list(tmp_path.glob(".*.tmp"))
    assert t.store.all("access_log") == {}       # nothing was exported, so nothing is logged


# --- a real full file system ------------------------------------------------------------------------------

@pytest.fixture
def small_fs(tmp_path):
    """A 2 MB tmpfs, where the machine allows mounting one (root on Linux); skipped elsewhere."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root; the injected ENOSPC tests cover this")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(mnt)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def _fill_disk(folder: Path, leave: int) -> Path:
    filler = folder / "filler"
    free = shutil.disk_usage(folder).free
    with open(filler, "wb") as fh:
        fh.write(b"\0" * max(0, free - leave))
    return filler


def test_a_really_full_file_system(small_fs):
    path = small_fs / "store.json"
    with st.open_tracker(path, user="seed", today=TODAY) as t:
        t.add_contacts(demo_contacts(seed=5, contacts=150, today=TODAY()))
        t.store.compact()
    before = _state(path)
    filler = _fill_disk(small_fs, leave=20_000)
    t = st.open_tracker(path, user="writer", today=TODAY)
    with pytest.raises(StoreWriteError, match="is full"):
        t.add_contacts(_fresh_contacts())             # ~100 KB of new records: does not fit
    with pytest.raises(StoreWriteError, match="is full"):
        t.store.compact()                             # a new snapshot does not fit either
    assert _state(path) == before
    assert not list(small_fs.rglob("*.tmp"))
    filler.unlink()
    t.add_contacts(_fresh_contacts())                 # space freed: the same import now goes through
    assert len(_state(path)["contacts"]) == len(before["contacts"]) + 120
