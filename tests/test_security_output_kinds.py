"""An output path that is not a regular file is written through, followed or refused; never replaced.

A symlink is followed (its target is replaced atomically; the link stays); a FIFO, a terminal and
/dev/null are written through and stay what they were; ``-``, /dev/stdout and /dev/fd/N are the
process's own open files; a dangling link, a socket and a block device are refused in one line.
The access log names where personal data went.  No test replaces a real device: the terminal is a
pty of our own, the FIFO is in tmp_path with a reader thread, /dev/null is only written through,
and any replace or rename over /dev is stopped before it happens.
"""

import os
import select
import socket
import stat
import subprocess
import sys
import threading
import tty
from pathlib import Path

import pytest

import safeguard_tracker as st
from safeguard_tracker import outputs
from safeguard_tracker.cli import main
from safeguard_tracker.errors import StoreWriteError, ValidationError

DEADLINE = 60   # seconds; a safety net for a reader that never gets its data, not a timing assertion


@pytest.fixture
def t(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    tracker = st.open_tracker(folder / "store.json", user="analyst")
    tracker.add_contact(received_on="05/01/2018", agency="Police", category="enquiry")
    return tracker


@pytest.fixture(autouse=True)
def nothing_under_dev_is_replaced(monkeypatch):
    """Were the writer ever to treat a device as a file again, fail here instead of replacing it."""
    real_replace, real_rename = os.replace, os.rename

    def guarded(real):
        def call(src, dst, *args, **kwargs):
            assert not os.fspath(dst).startswith("/dev/"), f"{dst} would have been replaced"
            return real(src, dst, *args, **kwargs)
        return call
    monkeypatch.setattr(os, "replace", guarded(real_replace))
    monkeypatch.setattr(os, "rename", guarded(real_rename))


class FifoReader:
    """Reads a FIFO to its end in a daemon thread (opening blocks until a writer opens it)."""

    def __init__(self, path):
        self.path, self.data = path, None
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        with open(self.path, "rb") as fh:
            self.data = fh.read()

    def result(self) -> bytes:
        assert stat.S_ISFIFO(os.lstat(self.path).st_mode), "the FIFO was replaced"
        self.thread.join(DEADLINE)
        assert not self.thread.is_alive(), "the reader never got its data"
        return self.data


def _log(t):
    return [(e.what, e.target, e.records) for e in t.access_log()]


# --- symlinks ----------------------------------------------------------------------------------------------------

def test_a_symlink_is_followed_its_target_replaced_and_the_link_kept(t, tmp_path):
    target = tmp_path / "exports" / "contacts.csv"
    target.parent.mkdir()
    target.write_text("the previous export\n")
    link = tmp_path / "latest.csv"
    link.symlink_to(target)
    written = t.write_output(link, "a,b\n", what="export contacts", personal=True, records=1)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == "a,b\n" and stat.S_IMODE(target.stat().st_mode) == 0o600
    assert written == target and _log(t) == [("export contacts", str(target), 1)]


def test_a_dangling_symlink_is_refused_and_nothing_is_created(t, tmp_path):
    link = tmp_path / "latest.csv"
    link.symlink_to(tmp_path / "nowhere.csv")
    with pytest.raises(ValidationError, match="does not exist"):
        t.write_output(link, "a,b\n", what="export contacts", personal=True, records=1)
    assert link.is_symlink() and not (tmp_path / "nowhere.csv").exists() and _log(t) == []


def test_a_symlink_to_a_file_the_store_will_own_is_refused(t, tmp_path):
    link = tmp_path / "innocent.csv"
    link.symlink_to(t.store.path.with_name("store.json.redactions"))
    with pytest.raises(ValidationError, match="output"):
        t.write_output(link, "a,b\n", what="export contacts", personal=True, records=1)
    assert not t.store.path.with_name("store.json.redactions").exists()


# --- FIFOs, terminals, devices -----------------------------------------------------------------------------------

@pytest.mark.parametrize("through_a_link", [False, True], ids=["the FIFO", "a link to the FIFO"])
def test_a_fifo_is_written_through_to_its_reader_and_stays_a_fifo(t, tmp_path, through_a_link):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    path = fifo
    if through_a_link:
        path = tmp_path / "link"
        path.symlink_to(fifo)
    reader = FifoReader(fifo)
    written = t.write_output(path, "a,b\n1,2\n", what="export contacts", personal=True, records=2)
    assert reader.result() == b"a,b\n1,2\n"
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and path.is_symlink() == through_a_link
    assert written == fifo and _log(t) == [("export contacts", str(fifo), 2)]


def test_a_fifo_whose_reader_leaves_early_gives_one_line(t, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    def read_a_little():
        with open(fifo, "rb") as fh:
            fh.read(10)
    reader = threading.Thread(target=read_a_little, daemon=True)
    reader.start()
    with pytest.raises(StoreWriteError, match="stopped before the whole output was written"):
        t.write_output(fifo, "x" * (4 << 20), what="report", personal=False)
    reader.join(DEADLINE)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.parametrize("through_a_link", [False, True], ids=["the terminal", "a link to the terminal"])
def test_a_terminal_is_written_through_and_stays_a_terminal(t, tmp_path, through_a_link):
    master, slave = os.openpty()
    try:
        tty.setraw(slave)                                   # no \n -> \r\n translation on the way
        name = os.ttyname(slave)
        before = os.stat(name)
        path = name
        if through_a_link:
            path = tmp_path / "tty"
            path.symlink_to(name)
        t.write_output(path, "hello\n", what="export contacts", personal=True, records=1)
        got = b""
        while len(got) < 6 and select.select([master], [], [], DEADLINE)[0]:
            got += os.read(master, 100)
        assert got == b"hello\n"
        after = os.stat(name)
        assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
        assert _log(t) == [("export contacts", name, 1)]
    finally:
        os.close(slave)
        os.close(master)


def test_dev_null_is_written_through_and_stays_a_device(t):
    before = os.stat("/dev/null")
    written = t.write_output("/dev/null", "a,b\n", what="export contacts", personal=True, records=1)
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and (after.st_rdev, after.st_ino) == (before.st_rdev, before.st_ino)
    assert str(written) == "/dev/null" and _log(t) == [("export contacts", "/dev/null", 1)]


def test_a_socket_or_a_block_device_is_refused(t, tmp_path, monkeypatch):
    sock_path = tmp_path / "s"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(sock_path))
        with pytest.raises(ValidationError, match="socket"):
            t.write_output(sock_path, "a\n", what="report", personal=False)
    finally:
        server.close()
    disk = tmp_path / "disk"                     # a block device, as the writer's stat sees it
    disk.write_text("the disk\n")
    real_stat = os.stat

    def as_block_device(path, *args, **kwargs):
        result = real_stat(path, *args, **kwargs)
        if os.fspath(path) == str(disk):
            return os.stat_result((stat.S_IFBLK | 0o660,) + tuple(result)[1:])
        return result
    monkeypatch.setattr(outputs.os, "stat", as_block_device)
    with pytest.raises(ValidationError, match="block device"):
        t.write_output(disk, "a\n", what="report", personal=False)
    assert disk.read_text() == "the disk\n"


# --- the process's own open files --------------------------------------------------------------------------------

def test_dev_fd_of_a_pipe_is_that_descriptor(t):
    r, w = os.pipe()
    number = w
    try:
        t.write_output(f"/dev/fd/{w}", "a,b\n", what="export contacts", personal=True, records=1)
        os.close(w)
        w = None
        assert os.read(r, 100) == b"a,b\n"
        assert _log(t) == [("export contacts", f"(file descriptor {number})", 1)]
    finally:
        os.close(r)
        if w is not None:
            os.close(w)


def test_a_read_only_store_writes_no_personal_data_to_a_stream(t):
    t.store.read_only = "the folder is read-only"
    r, w = os.pipe()
    try:
        with pytest.raises(StoreWriteError, match="logged"):
            t.write_output(f"/dev/fd/{w}", "a,b\n", what="export contacts", personal=True, records=1)
        os.close(w)
        w = None
        assert os.read(r, 100) == b""
    finally:
        os.close(r)
        if w is not None:
            os.close(w)


def test_dash_and_a_link_to_dev_stdout_mean_standard_output(t, tmp_path, capsys):
    link = tmp_path / "out.csv"
    link.symlink_to("/dev/stdout")
    for output in ("-", str(link)):
        code = main(["--db", str(t.path), "export", "contacts", "-o", output])
        captured = capsys.readouterr()
        assert code == 0, captured.err
        assert captured.out.startswith("reference,") and link.is_symlink()
    assert [target for _, target, _ in _log(st.open_tracker(t.path, user="reader"))] == ["(standard output)"] * 2


def test_standard_output_pointed_at_the_store_is_refused(t):
    """``safeguard-tracker export contacts >> store.json`` would append CSV to the store."""
    root = str(Path(__file__).resolve().parent.parent)
    for victim in (t.path, t.store.journal_path):
        before = victim.read_bytes()
        with open(victim, "ab") as out:
            done = subprocess.run([sys.executable, "-c", "from safeguard_tracker.cli import main; "
                                   "raise SystemExit(main())", "--db", str(t.path), "export", "contacts"],
                                  stdout=out, stderr=subprocess.PIPE, text=True, timeout=DEADLINE * 2,
                                  env={**os.environ, "PYTHONPATH": root})
        assert done.returncode == 2 and done.stderr.count("\n") == 1 and "store" in done.stderr, done.stderr
        assert victim.read_bytes() == before
    assert t.check() == []


# --- every command that writes a file ----------------------------------------------------------------------------

def test_reports_and_letters_go_through_the_same_writer(demo, tmp_path, capsys):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = FifoReader(fifo)
    assert main(["--db", str(demo.path), "report", "lado-annual", "--year", "2017-18", "-o", str(fifo)]) == 0
    assert reader.result().startswith(b"## Allegations")
    letters = tmp_path / "letters" / "june.md"
    letters.parent.mkdir()
    letters.write_text("old\n")
    (tmp_path / "letters.md").symlink_to(letters)
    assert main(["--db", str(demo.path), "report", "chase-letters", "-o", str(tmp_path / "letters.md")]) == 0
    assert (tmp_path / "letters.md").is_symlink() and "**To:**" in letters.read_text()
    reader = FifoReader(fifo)
    assert main(["--db", str(demo.path), "export", "actions", "-o", str(fifo)]) == 0
    assert reader.result().startswith(b"reference,")
    assert st.open_tracker(demo.path, user="reader").access_log()[-1].target == str(fifo)
    capsys.readouterr()
