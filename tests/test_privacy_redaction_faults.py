"""Redaction that is resumable, complete, and survives restores; SIGINT and SIGTERM deferred.

A child process runs ``safeguard-tracker redact`` on the demo store (with one
contact holding the invented values of ``test_privacy_redaction.MARKERS``) and
is stopped right after a chosen step: by ``os._exit`` there (as a kill -9
would leave it: no clean-up, the kernel drops the lock), or by a real SIGKILL,
SIGTERM or SIGINT once it says it got there.  Every byte of every file in the
store's folder is then searched for the values.  Synthetic data only.
"""

from __future__ import annotations

import os
import selectors
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import safeguard_tracker as st
from safeguard_tracker.cli import main
from safeguard_tracker.errors import RuleError, StoreCorrupt, StoreWriteError
from safeguard_tracker.model.personal_data import REDACTED
from safeguard_tracker.signals import deferred_signals
from safeguard_tracker.store import file_store, redaction_ledger
from test_privacy_redaction import MARKERS, TODAY, _hits, _rich_contact

ROOT = Path(__file__).resolve().parent.parent
STEPS = ("intent", "record", "compacted", "one-backup", "scrubbed")

# The child: a CLI command (redact, unless given), stopping right after STEP (see the module's doc).
CHILD = r"""
import os, signal, sys
sys.path.insert(0, sys.argv[4])
signal.signal(signal.SIGINT, signal.default_int_handler)   # as at a terminal, whatever the parent ignores
signal.signal(signal.SIGTERM, signal.SIG_DFL)
from safeguard_tracker.cli import main
from safeguard_tracker.store import redaction
db, step, how, command = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[5:]

def stop():
    if how == "exit":
        os._exit(0)
    print("REACHED", flush=True)
    sys.stdin.readline()             # until the parent kills this process, or lets it go on

def after(name, when=lambda result: True):
    real = getattr(redaction, name)
    def wrapped(*args, **kwargs):
        result = real(*args, **kwargs)
        if when(result):
            stop()
        return result
    setattr(redaction, name, wrapped)

after({"intent": "append_to_ledger", "record": "redact_records", "compacted": "_compact", "one-backup": "_scrub_file",
       "scrubbed": "_scrub_backups"}[step], (lambda r: r == "scrubbed") if step == "one-backup" else (lambda r: True))
sys.exit(main(["--db", db, "--user", "d.p.officer", *command]))
"""


def _child(db: Path, ref: str, step: str, how: str, *command: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", CHILD, str(db), step, how, str(ROOT),
                             *(command or ("redact", ref, "--yes"))],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_until_reached(proc: subprocess.Popen, deadline: float = 120.0) -> None:
    """Block on the child's pipe (no sleeping) until it says REACHED; the deadline is only a safety net."""
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        assert sel.select(deadline), "the child never reached the step"
    line = proc.stdout.readline()
    assert line.strip() == "REACHED", f"the child ended early: {line!r} {proc.communicate()}"


def _stop_after(db: Path, ref: str, step: str, *command: str) -> None:
    """Redact (or run ``command``) in a child that stops dead right after ``step``."""
    proc = _child(db, ref, step, "exit", *command)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0 and "redacted" not in out and "restored" not in out, (out, err)


def _state(t, ref: str) -> str:
    return redaction_ledger.read_ledger(t.store)[("contacts", ref)].state


@pytest.fixture
def rich_demo(demo):
    """The demo store, plus a contact whose invented values sit in two backups, the snapshot and the journal."""
    folder = demo.path.parent
    assert _hits(folder) == []                                    # the markers are not demo values
    ref = _rich_contact(demo)
    demo.store.compact()
    demo.add_note(ref, "a second backup holds every value too")
    demo.store.compact()
    demo.add_note(ref, MARKERS["late note"])                      # a value only in the journal
    assert {w for w, _ in _hits(folder)} == set(MARKERS)
    return demo, ref, folder


def _assert_redacted_everywhere(folder: Path, ref: str, user: str = "d.p.officer") -> st.Tracker:
    """Open the store (which finishes what is outstanding), then search every file for the values."""
    t = st.open_tracker(folder / "demo.json", user="auditor")
    assert _hits(folder) == [], "personal data survived"
    assert t.check() == []
    c = t.get_contact(ref)
    assert c.redacted_on == TODAY and c.subject.name == REDACTED and c.summary == REDACTED
    marks = [h for h in t.history(ref) if h.field == "redacted_on"]
    assert [(m.user, m.new) for m in marks] == [(user, TODAY.isoformat())]      # once, by who asked for it
    assert _state(t, ref) == "complete"
    return t


# --- killed at each step, finished by the next open ---------------------------------------------------------

@pytest.mark.parametrize("step", STEPS)
def test_a_redaction_killed_after_any_step_is_finished_by_the_next_open(rich_demo, step):
    t, ref, folder = rich_demo
    stats = t.lado_statistics("2017-18").to_dict()
    _stop_after(t.path, ref, step)
    assert _state(t, ref) == "pending"
    if step != "scrubbed":
        assert _hits(folder), "the interruption should have left values behind"
    again = _assert_redacted_everywhere(folder, ref)              # a plain open, by another user
    assert again.lado_statistics("2017-18").to_dict() == stats
    ledger = redaction_ledger.ledger_path(again.store)
    assert stat.S_IMODE(ledger.stat().st_mode) == 0o600


@pytest.mark.parametrize("step", ["intent", "compacted"])
def test_a_second_redact_after_an_interrupted_one_finishes_it_rather_than_refusing(rich_demo, step, capsys):
    t, ref, folder = rich_demo
    _stop_after(t.path, ref, step)
    assert main(["--db", t.store.location, "--user", "d.p.officer", "redact", ref]) == 0    # no --yes: nothing new to ask
    out, err = capsys.readouterr()
    assert f"finished the interrupted redaction of {ref}" in out and "already" not in out + err
    _assert_redacted_everywhere(folder, ref)
    assert main(["--db", t.store.location, "redact", ref, "--yes"]) == 2                   # now it is simply done
    assert "already redacted on 15/06/2018" in capsys.readouterr().err


def test_a_redaction_sigkilled_mid_scrub_is_finished_by_another_users_redaction(rich_demo):
    t, ref, folder = rich_demo                  # t has had the store open all along, as the TUI would
    other = next(c.reference for c in t.contacts() if c.closed_on and c.reference != ref)
    proc = _child(t.path, ref, "one-backup", "wait")
    _wait_until_reached(proc)
    proc.kill()
    proc.communicate(timeout=300)
    assert proc.returncode == -signal.SIGKILL
    assert _hits(folder), "a backup should still hold the values"
    result = t.redact_contact(other)
    assert result.finished_earlier == (ref,) and not result.resumed
    assert t.get_contact(other).redacted_on == TODAY
    _assert_redacted_everywhere(folder, ref)


def test_redacting_the_same_contact_again_in_a_tracker_opened_before_the_kill_reports_it_finished(rich_demo):
    t, ref, folder = rich_demo                  # opened before the kill, so no open finished it
    _stop_after(t.path, ref, "intent")
    result = t.redact_contact(ref, expected_rev=t.get_contact(ref).rev)
    assert result.resumed and result.finished_earlier == () and result.warnings == ()
    assert result.contact.redacted_on == TODAY and result.backups_scrubbed
    _assert_redacted_everywhere(folder, ref)
    with pytest.raises(RuleError, match="already redacted on 15/06/2018"):
        t.redact_contact(ref)


@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, -signal.SIGTERM), (signal.SIGINT, 130)])
def test_sigterm_or_sigint_during_redact_is_deferred_until_the_redaction_is_complete(rich_demo, sig, code):
    t, ref, folder = rich_demo
    proc = _child(t.path, ref, "compacted", "wait")
    _wait_until_reached(proc)
    proc.send_signal(sig)                       # delivered while the child is blocked: it must only be noted
    out, err = proc.communicate("go on\n", timeout=300)
    assert proc.returncode == code, (out, err)  # the signal took effect at the end (SIGINT: the CLI's 130)
    assert "Traceback" not in err
    assert _state(t, ref) == "complete" and _hits(folder) == []     # finished by the child itself, not by an open
    _assert_redacted_everywhere(folder, ref)


# --- restores never bring the values back -------------------------------------------------------------------

def test_a_backup_from_before_the_redaction_restored_does_not_bring_the_values_back(rich_demo):
    t, ref, folder = rich_demo
    kept = sorted(t.store.backups())[-1]        # the newest backup holding the values, kept as an offsite copy
    kept_bytes = kept.read_bytes()
    assert MARKERS["subject name"].encode() in kept_bytes
    t.redact_contact(ref)
    kept.write_bytes(kept_bytes)                # the unscrubbed copy put back, then restored with the tool
    assert main(["--db", t.store.location, "restore", "--from-backup", kept.name, "--yes"]) == 0
    assert _hits(folder) == [], "the restore itself must apply the ledger, before anyone opens the store"
    _assert_redacted_everywhere(folder, ref, user="a.lado")


def test_a_restore_stopped_before_it_applied_the_ledger_is_finished_by_the_next_open(rich_demo, monkeypatch):
    t, ref, folder = rich_demo
    kept = sorted(t.store.backups())[-1]
    kept_bytes = kept.read_bytes()
    t.redact_contact(ref)
    kept.write_bytes(kept_bytes)
    monkeypatch.setattr(file_store, "finish_outstanding", lambda store: None)   # as if killed once the files were replaced
    t.store.restore(kept)
    monkeypatch.undo()
    assert _hits(folder), "the restored file should hold the values until the store is next opened"
    _assert_redacted_everywhere(folder, ref, user="a.lado")


@pytest.mark.parametrize("step", ["record", "one-backup"])
def test_a_restore_killed_while_applying_the_ledger_again_is_finished_by_the_next_open(rich_demo, step):
    t, ref, folder = rich_demo
    first, second = sorted(t.store.backups())[-2:]     # both hold the values
    kept = {p: p.read_bytes() for p in (first, second)}
    t.redact_contact(ref)
    for p, raw in kept.items():
        p.write_bytes(raw)                      # unscrubbed copies put back
    _stop_after(t.path, ref, step, "restore", "--from-backup", second.name, "--yes")
    assert _state(t, ref) == "pending" and _hits(folder)
    _assert_redacted_everywhere(folder, ref, user="a.lado")


def test_a_deleted_ledger_is_rebuilt_from_the_redacted_records(rich_demo):
    t, ref, folder = rich_demo
    kept = sorted(t.store.backups())[-1]
    kept_bytes = kept.read_bytes()
    t.redact_contact(ref)
    redaction_ledger.ledger_path(t.store).unlink()
    again = st.open_tracker(t.store.location, user="auditor")
    assert _state(again, ref) == "complete"
    kept.write_bytes(kept_bytes)                # and so an unscrubbed copy restored later stays redacted
    assert main(["--db", t.store.location, "restore", "--from-backup", kept.name, "--yes"]) == 0
    _assert_redacted_everywhere(folder, ref, user="a.lado")


# --- the ledger's own faults --------------------------------------------------------------------------------

def test_a_damaged_ledger_line_is_refused_naming_the_file_and_line(rich_demo, capsys):
    t, ref, folder = rich_demo
    t.redact_contact(ref)
    ledger = redaction_ledger.ledger_path(t.store)
    raw = bytearray(ledger.read_bytes())
    raw[30] ^= 0x01
    ledger.write_bytes(bytes(raw))
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    with pytest.raises(StoreCorrupt, match=r"redaction ledger .*demo\.json\.redactions is damaged at line 1"):
        st.open_tracker(t.store.location)
    assert main(["--db", t.store.location, "check"]) == 1
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "redaction ledger" in out
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before


def test_a_torn_ledger_line_is_ignored_and_cut_off_by_the_next_append(rich_demo):
    t, ref, folder = rich_demo
    ledger = redaction_ledger.ledger_path(t.store)
    ledger.write_bytes(b'0badf00d {"table":"contacts","ref":"L-20')      # a kill mid-append: never acted on
    again = st.open_tracker(t.store.location, user="d.p.officer")
    assert redaction_ledger.read_ledger(again.store) == {}
    again.redact_contact(ref)
    assert b"0badf00d" not in ledger.read_bytes()
    _assert_redacted_everywhere(folder, ref)


def test_a_full_disk_during_the_compaction_leaves_it_pending_and_the_next_open_finishes_it(rich_demo, monkeypatch):
    t, ref, folder = rich_demo
    real = file_store.atomic_write

    def full_for_the_store(path, chunks):
        if Path(path) == t.path:
            raise StoreWriteError(f"the disk holding {path} is full; the previous version is intact")
        return real(path, chunks)
    monkeypatch.setattr(file_store, "atomic_write", full_for_the_store)
    result = t.redact_contact(ref)
    assert t.get_contact(ref).redacted_on == TODAY
    assert any("could not be compacted" in w and "retried" in w for w in result.warnings)
    assert _state(t, ref) == "pending"
    assert [w for w, p in _hits(folder) if p.endswith(".journal")]         # the journal still holds values
    monkeypatch.undo()
    _assert_redacted_everywhere(folder, ref, user="a.lado")


def test_a_read_only_store_with_an_unfinished_redaction_says_so_and_changes_nothing(rich_demo, monkeypatch):
    from test_faults_locks import _make_read_only
    t, ref, folder = rich_demo
    _stop_after(t.path, ref, "record")
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    try:
        _make_read_only(folder, monkeypatch)
        reader = st.open_tracker(t.store.location, user="reader")
        assert any(ref in w and "unfinished" in w for w in reader.store.warnings)
        assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before
    finally:
        monkeypatch.undo()
        os.chmod(folder, 0o700)
        for p in folder.iterdir():
            if p.is_file():
                os.chmod(p, 0o600)
    _assert_redacted_everywhere(folder, ref)


# --- deferring signals --------------------------------------------------------------------------------------

def test_sigint_in_a_deferred_section_arrives_when_it_ends():
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)   # as at a terminal
    reached_end = False
    try:
        with pytest.raises(KeyboardInterrupt):
            with deferred_signals() as held:
                with deferred_signals():
                    signal.raise_signal(signal.SIGINT)
                assert held
                reached_end = True
        assert reached_end
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, previous)


def test_sigterm_goes_to_the_handler_that_was_there_before_once_the_section_ends():
    seen = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: seen.append(signum))
    try:
        with deferred_signals():
            signal.raise_signal(signal.SIGTERM)
            signal.raise_signal(signal.SIGTERM)
            assert seen == []
        assert seen == [signal.SIGTERM]
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_off_the_main_thread_nothing_is_deferred_or_touched():
    handlers = (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM))
    seen = []

    def worker():
        with deferred_signals() as held:
            seen.append((held, signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)))
    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == [(False, *handlers)]


def test_ctrl_c_during_a_commit_lands_after_the_edit_is_durable(tracker, monkeypatch, store_kind):
    c = tracker.add_contact(received_on="05/01/2018", agency="Police", category="enquiry")
    if store_kind == "file":
        real = file_store.append_durably

        def interrupted(path, data):
            signal.raise_signal(signal.SIGINT)     # Ctrl+C just as the journal line is being written
            return real(path, data)
        monkeypatch.setattr(file_store, "append_durably", interrupted)
    else:
        from safeguard_tracker.store.postgres.store import PostgresStore
        real_write = PostgresStore._write

        def interrupted_write(self, conn, txn):
            signal.raise_signal(signal.SIGINT)     # Ctrl+C as the rows are being sent, before the commit
            return real_write(self, conn, txn)
        monkeypatch.setattr(PostgresStore, "_write", interrupted_write)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)   # as at a terminal
    try:
        with pytest.raises(KeyboardInterrupt):
            tracker.add_note(c.reference, "noted before the interrupt")
    finally:
        signal.signal(signal.SIGINT, previous)
    monkeypatch.undo()
    again = st.open_tracker(tracker.store.location)
    assert [n.text for n in again.get_contact(c.reference).notes] == ["noted before the interrupt"]
    assert again.check() == []
