"""A writer subprocess for the crash and concurrency tests.

Usage: python tests/writer.py STORE USER N MODE [ARGS...]

Every line it prints is flushed only after the tracker call returned, so a
printed ACK is a write the store has made durable.  Modes:

  add              add N contacts                         ACK <ref> <user> <i>
  edit             add N notes to existing contacts         NOTE <ref> <user> <i> | CONFLICT <ref>
  bulk             N bulk imports of 40 contacts each       ACKBULK <first-ref> <last-ref> <count>
  compact          N edits, compacting after each one       ACK <ref> <summary>
  race SHARED OWN  N edits with revision checks (comma-separated refs); waits for STORE.go first
                                                            OK <ref> <old> <new> | CONFLICT <ref> <expected> <actual>
  hold             hold the store's lock for N seconds      HELD <pid>

``READY`` is printed once the store is open, so a test can time a kill from
the moment writing starts rather than from interpreter start-up; a test that
needs acknowledged writes before a kill waits for the first ACK line instead
(on a loaded machine the first write can take longer than any fixed delay).
"""

import os
import random
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import safeguard_tracker as st  # noqa: E402
from safeguard_tracker.errors import ConflictError  # noqa: E402

TODAY = date(2018, 6, 15)


def _bulk(t, user: str, n: int) -> None:
    from safeguard_tracker.demo import make_contact
    rng = random.Random(user)
    for _ in range(n):
        highest = max((int(k.rsplit("-", 1)[1]) for k in t.store.all("contacts") if k.startswith("L-2017-")),
                      default=0)
        refs = [f"L-2017-{highest + j:04d}" for j in range(1, 41)]
        batch = [make_contact(rng, ref, date(2017, 1 + j % 12, 1 + j % 28), "School - Primary", TODAY)
                 for j, ref in enumerate(refs)]
        t.add_contacts(batch)
        print(f"ACKBULK {refs[0]} {refs[-1]} {len(refs)}", flush=True)


def _compact(t, n: int) -> None:
    ref = sorted(t.store.all("contacts"))[0]
    start = int(t.get_contact(ref).summary.split()[-1]) if t.get_contact(ref).summary.startswith("compact ") else 0
    for i in range(start + 1, start + n + 1):
        t.update_contact(ref, summary=f"compact {i}")
        print(f"ACK {ref} {i}", flush=True)
        t.store.compact()


def _race(t, user: str, n: int, shared: list[str], own: list[str], go: Path) -> None:
    while not go.exists():
        time.sleep(0.005)
    rng = random.Random(user)
    stale = t.get_contact(shared[0])
    for i in range(n):
        if i % 2:
            copy = t.get_contact(own[i % len(own)])        # only this process edits it: never a conflict
        else:
            copy = stale                                   # read one edit ago: others may have moved on
        new = f"{user}:{i}"
        try:
            t.update_contact(copy.reference, expected_rev=copy.rev, summary=new)
            print(f"OK {copy.reference} {copy.summary} {new}", flush=True)
        except ConflictError as exc:
            print(f"CONFLICT {copy.reference} {exc.expected_rev} {exc.actual_rev}", flush=True)
        if not i % 2:
            stale = t.get_contact(shared[(i // 2 + 1) % len(shared)])  # used after the next (own) edit
        time.sleep(rng.random() * 0.003)   # a moment between edits, as people have: others get the lock


def main() -> None:
    path, user, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    mode = sys.argv[4] if len(sys.argv) > 4 else "add"
    with st.open_tracker(path, user=user, today=lambda: TODAY, lock_timeout=60) as t:
        print("READY", flush=True)
        if mode == "add":
            for i in range(n):
                c = t.add_contact(received_on=date(2018, 1, 1 + i % 28), agency="Police", category="enquiry",
                                  summary=f"{user} {i}")
                print(f"ACK {c.reference} {user} {i}", flush=True)
        elif mode == "edit":
            for i in range(n):
                refs = sorted(t.store.all("contacts"))
                ref = refs[i % len(refs)]
                try:
                    t.add_note(ref, f"{user} note {i}")
                    print(f"NOTE {ref} {user} {i}", flush=True)
                except ConflictError:
                    print(f"CONFLICT {ref}", flush=True)
        elif mode == "bulk":
            _bulk(t, user, n)
        elif mode == "compact":
            _compact(t, n)
        elif mode == "race":
            _race(t, user, n, sys.argv[5].split(","), sys.argv[6].split(","), Path(path + ".go"))
        elif mode == "hold":
            with t.store.locked():
                print(f"HELD {os.getpid()}", flush=True)
                time.sleep(n)
        else:
            raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
