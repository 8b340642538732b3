"""kill -9 at random moments during single edits, bulk imports and compaction.

After every kill: the store opens, ``check`` passes (the audit trail replayed
from the start rebuilds every record), every acknowledged write is present, and
no temp file is left behind.  Scaled down by default; ``--full`` makes it 201
kills (67 in each mode).
"""

import os
import random
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import safeguard_tracker as st
from safeguard_tracker.demo import demo_contacts

WRITER = str(Path(__file__).with_name("writer.py"))
MODES = ("add", "bulk", "compact")
ACK_WORDS = {"add": "ACK", "bulk": "ACKBULK", "compact": "ACK"}
# How long after its cue (READY, or its first acknowledgement) a writer is killed: long enough
# to cover many writes, compactions (a few ms each) and bulk transactions, short enough to stay
# cheap.  No assertion depends on where the kill lands: any moment must be safe.
MAX_DELAY = {"add": 0.25, "bulk": 0.4, "compact": 0.3}
CUE_TIMEOUT = 120.0   # a safety net for a stuck writer on a loaded machine, not a timing assertion


def _seed(path: Path) -> None:
    with st.open_tracker(path, user="seed") as t:
        t.add_contacts(demo_contacts(seed=3, contacts=300))   # enough that a compaction takes a moment


def _verify(path: Path, mode: str, acked: dict) -> None:
    with st.open_tracker(path, user="checker") as t:
        assert t.check() == [], f"check failed after a kill in {mode} mode"
        contacts = t.store.all("contacts")
        if mode == "add":
            missing = acked["refs"] - set(contacts)
            assert not missing, f"acknowledged but lost: {sorted(missing)[:5]}"
        elif mode == "bulk":
            for first, last, count in acked["batches"]:
                lo, hi = int(first.rsplit("-", 1)[1]), int(last.rsplit("-", 1)[1])
                refs = {f"L-2017-{n:04d}" for n in range(lo, hi + 1)}
                assert len(refs) == count and refs <= set(contacts), f"bulk import {first}..{last} lost"
        else:
            for ref, highest in acked["edits"].items():
                summary = t.get_contact(ref).summary
                assert int(summary.split()[-1]) >= highest, f"{ref}: acknowledged 'compact {highest}', found {summary!r}"
                trail = {c.new for c in t.history(ref) if c.field == "summary"}
                assert all(f"compact {i}" in trail for i in acked["all"][ref]), "an acknowledged edit left the trail"
    leftovers = [p.name for p in path.parent.rglob("*.tmp")]
    assert not leftovers, f"temp files left behind: {leftovers}"


def _read_until(proc: subprocess.Popen, word: str, seen: bytearray) -> None:
    """Read the writer's output (raw, so nothing is left in a buffer that ``communicate`` would
    skip) until a line starting with ``word`` has arrived; fail with its stderr if it exits first."""
    fd = proc.stdout.fileno()
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        deadline = time.monotonic() + CUE_TIMEOUT
        while not any(line.split()[:1] == [word.encode()] for line in seen.split(b"\n")[:-1]):
            assert sel.select(max(0.0, deadline - time.monotonic())), f"the writer never printed {word}"
            chunk = os.read(fd, 65536)
            assert chunk, f"the writer exited before {word}: {proc.stderr.read().decode()}"
            seen += chunk


def _run_and_kill(path: Path, mode: str, cue: str, delay: float) -> tuple[int, str]:
    """Start a writer, wait for its ``cue`` line, let it write for ``delay`` seconds more, kill -9
    it; its return code and everything it printed."""
    proc = subprocess.Popen([sys.executable, WRITER, str(path), "killed", "100000", mode],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen = bytearray()
    try:
        _read_until(proc, cue, seen)
        time.sleep(delay)                     # where the kill lands, at random: not a wait for anything
    finally:
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
    return proc.returncode, (bytes(seen) + out).decode()


@pytest.mark.parametrize("mode", MODES)
def test_kill_minus_nine_never_loses_an_acknowledged_write(tmp_path, mode, full):
    path = tmp_path / "store.json"
    _seed(path)
    rounds = 67 if full else 4
    rng = random.Random(f"kill-{mode}")
    acked: dict = {"refs": set(), "batches": [], "edits": {}, "all": {}}
    kills_mid_write = torn_files = 0
    for round_ in range(rounds):
        # Even rounds: the kill may land anywhere from the moment the store is open, the first
        # transaction (which cuts off a line the last kill tore) included.  Odd rounds: only after
        # the writer has acknowledged a write, so every run has acknowledged writes to check,
        # however slow the machine.
        cue = "READY" if round_ % 2 == 0 else ACK_WORDS[mode]
        returncode, out = _run_and_kill(path, mode, cue, rng.random() * MAX_DELAY[mode])
        kills_mid_write += returncode == -signal.SIGKILL
        torn_files += any(path.parent.rglob("*.tmp"))          # killed inside an atomic write
        for line in out.splitlines():
            parts = line.split()
            if not parts:
                continue
            if mode == "add" and parts[0] == "ACK":
                acked["refs"].add(parts[1])
            elif mode == "bulk" and parts[0] == "ACKBULK":
                acked["batches"].append((parts[1], parts[2], int(parts[3])))
            elif mode == "compact" and parts[0] == "ACK":
                i = int(parts[2])
                acked["edits"][parts[1]] = max(acked["edits"].get(parts[1], 0), i)
                acked["all"].setdefault(parts[1], set()).add(i)
        _verify(path, mode, acked)
    assert kills_mid_write == rounds, "every writer should have been killed while still writing"
    assert acked["refs"] or acked["batches"] or acked["edits"], "the writers never acknowledged anything"
    print(f"{mode}: {rounds} kills, {torn_files} inside an atomic write (snapshot, journal or backup)")
