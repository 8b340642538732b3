"""A writer subprocess for the crash and concurrency tests.

Usage: python tests/writer.py STORE USER N [edit]
Adds N contacts (or edits existing ones) and prints each acknowledged reference,
flushed, only after the tracker call returned (the write is durable by then).
"""

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import safeguard_tracker as st  # noqa: E402
from safeguard_tracker.errors import ConflictError  # noqa: E402


def main() -> None:
    path, user, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    mode = sys.argv[4] if len(sys.argv) > 4 else "add"
    with st.open_tracker(path, user=user, today=lambda: date(2018, 6, 15), lock_timeout=60) as t:
        for i in range(n):
            if mode == "add":
                c = t.add_contact(received_on=date(2018, 1, 1 + i % 28), agency="Police", category="enquiry",
                                  summary=f"{user} {i}")
                print(f"ACK {c.reference} {user} {i}", flush=True)
            else:
                refs = sorted(t.store.all("contacts"))
                ref = refs[i % len(refs)]
                try:
                    t.add_note(ref, f"{user} note {i}")
                    print(f"NOTE {ref} {user} {i}", flush=True)
                except ConflictError:
                    print(f"CONFLICT {ref}", flush=True)


if __name__ == "__main__":
    main()
