"""The lock: a stale lock left by a dead process, a deleted lock file, a live holder, a read-only folder."""

import errno
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import safeguard_tracker as st
from safeguard_tracker.cli import main
from safeguard_tracker.errors import StoreLocked, StoreWriteError
from safeguard_tracker.store import FileStore
from safeguard_tracker.store import lockfile

WRITER = str(Path(__file__).with_name("writer.py"))


def _seed(path: Path, n: int = 2) -> Path:
    with st.open_tracker(path, user="seed") as t:
        for i in range(n):
            t.add_contact(received_on="05/01/2018", agency="Police", category="enquiry", summary=f"seed {i}")
    return path


def _snapshot_files(path: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted(path.parent.iterdir()) if p.is_file() and not p.name.endswith(".lock")}


def _holder(path: Path, seconds: int = 60) -> subprocess.Popen:
    """A process that holds the store's lock; returns once it says it holds it."""
    proc = subprocess.Popen([sys.executable, WRITER, str(path), "holder.user", str(seconds), "hold"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in proc.stdout:
        if line.startswith("HELD"):
            return proc
    raise AssertionError(f"the holder never took the lock: {proc.stderr.read()}")


def test_stale_lock_of_a_killed_process_is_recovered_at_once(store_path):
    _seed(store_path)
    proc = _holder(store_path)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert store_path.with_name("store.json.lock").exists()      # the dead holder's file is still there
    waits: list[str] = []
    with st.open_tracker(store_path, user="next", lock_timeout=5, on_wait=waits.append) as t:
        c = t.add_contact(received_on="06/01/2018", agency="Police", category="enquiry")
        assert t.get_contact(c.reference).reference == c.reference
        assert t.check() == []
    assert waits == []                                            # the kernel released it when the holder died


def test_lock_file_left_with_junk_and_loose_mode_is_harmless_and_made_private(store_path):
    _seed(store_path)
    lock = store_path.with_name("store.json.lock")
    lock.write_bytes(b"\x00garbage from an older version\n" * 10)
    os.chmod(lock, 0o644)
    with st.open_tracker(store_path, user="next", lock_timeout=2) as t:
        t.add_contact(received_on="06/01/2018", agency="Police", category="enquiry")
    assert stat.S_IMODE(lock.stat().st_mode) == 0o600


def test_live_lock_makes_the_second_writer_wait_with_a_message_then_time_out(store_path):
    _seed(store_path)
    proc = _holder(store_path)
    try:
        before = _snapshot_files(store_path)
        waits: list[str] = []
        # Opening needs the lock too: the wait starts there.
        with pytest.raises(StoreLocked) as err:
            st.open_tracker(store_path, user="second", lock_timeout=1.5, on_wait=waits.append)
        assert len(waits) == 1
        assert "being written by holder.user" in waits[0] and f"process {proc.pid}" in waits[0]
        assert "waiting up to 2 s" in waits[0]
        msg = str(err.value)
        assert "locked by holder.user" in msg and "waited 2 s" in msg and "Nothing was saved" in msg
        assert "\n" not in msg
        assert _snapshot_files(store_path) == before
    finally:
        proc.kill()
        proc.wait()


def test_a_writer_that_opened_before_the_holder_also_times_out_cleanly(store_path):
    _seed(store_path)
    t = st.open_tracker(store_path, user="early", lock_timeout=1.0)
    proc = _holder(store_path)
    try:
        with pytest.raises(StoreLocked, match="locked by holder.user"):
            t.add_contact(received_on="06/01/2018", agency="Police", category="enquiry")
    finally:
        proc.kill()
        proc.wait()
    c = t.add_contact(received_on="06/01/2018", agency="Police", category="enquiry")  # free again: it works
    assert c.reference == "L-2018-0003"
    assert t.check() == []


def test_the_cli_waits_with_a_message_then_exits_1_with_one_line(store_path, capsys, monkeypatch):
    _seed(store_path)
    from safeguard_tracker import tracker as tracker_module
    monkeypatch.setitem(tracker_module.open_tracker.__kwdefaults__, "lock_timeout", 1.0)
    proc = _holder(store_path)
    try:
        code = main(["--db", str(store_path), "check"])
    finally:
        proc.kill()
        proc.wait()
    out, err = capsys.readouterr()
    assert code == 1
    assert "being written by holder.user" in err
    assert "locked by holder.user" in out + err
    assert "Traceback" not in out + err


def test_a_lock_file_deleted_under_a_writer_makes_that_writer_refuse(store_path):
    """rm store.json.lock while A holds it: B locks a new file and writes; A must not write too."""
    _seed(store_path)
    a = st.open_tracker(store_path, user="a", lock_timeout=1)
    b = st.open_tracker(store_path, user="b", lock_timeout=1)
    with pytest.raises(StoreLocked, match="deleted or replaced"):
        with a.store.transaction() as txn:
            doc = dict(txn.get("contacts", "L-2018-0001"))
            doc["summary"] = "from a"
            txn.put("contacts", "L-2018-0001", doc)
            store_path.with_name("store.json.lock").unlink()
            b.update_contact("L-2018-0002", summary="from b")       # B is not blocked by the orphaned lock
    with st.open_tracker(store_path, user="check") as t:
        assert t.get_contact("L-2018-0001").summary == "seed 0"     # A's edit was refused, not half-made
        assert t.get_contact("L-2018-0002").summary == "from b"
        assert t.check() == []
    a.update_contact("L-2018-0001", summary="a again")               # A recovers on its next write
    assert st.open_tracker(store_path).get_contact("L-2018-0001").summary == "a again"


def test_a_lock_file_replaced_while_waiting_is_not_trusted(tmp_path, monkeypatch):
    """The file we locked must still be the one at the path, else we lock the new one."""
    path = tmp_path / "x.lock"
    lock = lockfile.LockFile(path, "me")
    real_try = lockfile.LockFile._try_lock
    calls = []

    def swap_then_lock(fd):
        calls.append(os.fstat(fd).st_ino)
        if len(calls) == 1:                      # someone deletes and recreates the file just as we lock it
            path.unlink()
            path.write_bytes(b"")
        return real_try(fd)

    monkeypatch.setattr(lockfile.LockFile, "_try_lock", staticmethod(swap_then_lock))
    lock.acquire(timeout=2)
    try:
        assert len(calls) == 2 and calls[0] != calls[1]
        assert os.fstat(lock._fd).st_ino == path.stat().st_ino
        lock.verify()
    finally:
        lock.release()


def test_lock_file_as_a_symlink_is_refused(store_path, tmp_path):
    _seed(store_path)
    target = tmp_path / "elsewhere"
    target.write_text("do not touch")
    lock = store_path.with_name("store.json.lock")
    lock.unlink()
    lock.symlink_to(target)
    with pytest.raises(StoreWriteError, match="symbolic link"):
        st.open_tracker(store_path, user="x")
    assert target.read_text() == "do not touch"


# --- a read-only folder ------------------------------------------------------------------------------

def _make_read_only(folder: Path, monkeypatch) -> None:
    """chmod the folder read-only; as root (which ignores modes) also refuse writes under it, as EROFS would."""
    for p in folder.iterdir():
        if p.is_file():
            os.chmod(p, 0o400)
    os.chmod(folder, 0o555)
    if os.geteuid() != 0:
        return
    real_open = os.open
    writing = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

    def read_only_open(path, flags, mode=0o777, *, dir_fd=None):
        if str(path).startswith(str(folder)) and flags & writing:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, mode, dir_fd=dir_fd)
    monkeypatch.setattr(os, "open", read_only_open)


@pytest.fixture
def read_only_store(store_path, monkeypatch):
    _seed(store_path)
    folder = store_path.parent
    try:
        yield store_path, (lambda: _make_read_only(folder, monkeypatch))
    finally:
        monkeypatch.undo()
        os.chmod(folder, 0o700)


@pytest.mark.parametrize("lock_file_exists", [True, False])
def test_read_only_folder_reads_but_refuses_writes_clearly(read_only_store, lock_file_exists):
    store_path, make_read_only = read_only_store
    if not lock_file_exists:
        store_path.with_name("store.json.lock").unlink()
    make_read_only()
    before = _snapshot_files(store_path)
    t = st.open_tracker(store_path, user="reader")
    assert t.get_contact("L-2018-0001").summary == "seed 0"        # still readable
    assert t.check() == []
    assert any("can be read but not changed" in w for w in t.store.warnings)
    with pytest.raises(StoreWriteError) as err:
        t.add_contact(received_on="06/01/2018", agency="Police", category="enquiry")
    msg = str(err.value)
    assert "read-only" in msg and "nothing was saved" in msg and "\n" not in msg
    with pytest.raises(StoreWriteError):
        t.store.compact()
    assert _snapshot_files(store_path) == before
    assert not [p for p in store_path.parent.iterdir() if p.name.endswith(".tmp")]


def test_read_only_folder_cli_check_passes_and_writes_exit_1(read_only_store, capsys):
    store_path, make_read_only = read_only_store
    make_read_only()
    assert main(["--db", str(store_path), "check"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("sound:") and "can be read but not changed" in err


def test_a_new_store_in_a_read_only_folder_fails_clearly(tmp_path, monkeypatch):
    folder = tmp_path / "ro"
    folder.mkdir()
    _make_read_only(folder, monkeypatch)
    try:
        with pytest.raises(StoreWriteError, match="read-only"):
            FileStore(folder / "store.json").open()
    finally:
        monkeypatch.undo()
        os.chmod(folder, 0o700)
    assert list(folder.iterdir()) == []
