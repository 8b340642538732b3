"""Peak RSS of one fresh process: ``python rss_probe.py store|orjson PATH``.

Both modes import the library first, so the two figures differ only by the
data: the store opened through the API, or the same tables parsed by
``orjson.loads`` (every table but the audit trail, which an open keeps as
bytes: equal work).  Prints {"maxrss_kb": ..., "records": ...} as JSON.
"""

from __future__ import annotations

import gc
import json
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(mode: str, path: str) -> None:
    import orjson
    import safeguard_tracker.tracker  # noqa: F401  the same imports in both modes

    if mode == "store":
        from safeguard_tracker.tracker import open_tracker
        t = open_tracker(path, user="bench.rss")
        docs = t.contact_docs()
        if docs:
            t.get_contact(next(reversed(docs)))
        records = len(docs)
    elif mode == "orjson":
        gc.disable()  # as fast as orjson can go; the peak does not depend on it
        with open(path, "rb") as fh:
            raw = fh.read()
        newline = raw.index(b"\n")
        body = memoryview(raw)[newline + 1:]
        sections = orjson.loads(raw[:newline])["sections"]
        data = {name: orjson.loads(body[a:b]) for name, (a, b) in sections.items() if name != "audit"}
        del body
        records = len(data["contacts"])
    else:
        raise SystemExit(f"unknown mode {mode!r}: store or orjson")
    print(json.dumps({"maxrss_kb": peak_rss_kb(), "records": records}))


def peak_rss_kb() -> int:
    """This process's peak RSS.  VmHWM belongs to the process's own memory map, which exec starts afresh;
    ru_maxrss is carried over from the parent's fork, so a child of a big benchmark process would report
    at least the parent's size."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
