"""One fresh process: ``python tui_probe.py tui|open PATH`` prints {"seconds": ..., "at": ..., "home": ...} as JSON.

``at`` is the clock (``time.perf_counter``, the system's monotonic clock on Linux, which every
process shares) when the first screen was painted or the store was open: the caller, which read
the same clock before starting this process, gets the time from process start, Python's start-up
and every import included.  ``seconds`` counts from creating the app (or opening the store).

``tui``: from creating the app (which opens the store itself, in a worker thread, behind its
loading screen) to its first screen painted: the main screen's home tab loaded and the
first screen update after that (the refresh that shows it).  ``open``: the store opened through the API and a record touched,
as measurement #1 does.  Both modes import the same modules before the clock starts, so the
two figures differ only by what the app does beyond opening the store.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


async def _tui(path: str) -> tuple[float, float, str]:
    from safeguard_tracker.tracker import open_tracker
    from tui.app import TrackerApp
    from tui.main import MainScreen
    from tui.testing import record_paints, screen_text

    t0 = time.perf_counter()
    app = TrackerApp(opener=lambda progress: open_tracker(path, user="bench.tui", progress=progress),
                     refresh_interval=None, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        # The clock stops at the first screen update after the home tab has loaded, as #10's does.
        # Pilot's pause() would wait for the whole process to go idle, background threads included.
        painted = record_paints(app)
        while True:
            if app.open_error:
                raise RuntimeError(app.open_error)
            if not app.is_running or time.perf_counter() - t0 > 300:
                raise RuntimeError("the app stopped (or took over 5 minutes) before showing its first screen")
            if isinstance(app.screen, MainScreen):
                view = app.screen.active_view() if app.screen.is_mounted else None
                if view is not None and view.loaded_version not in (None, -1):
                    break
            await asyncio.sleep(0.002)
        loaded = time.perf_counter()
        while not painted or painted[-1] <= loaded:   # the refresh that paints the loaded tab
            if time.perf_counter() - loaded > 60:
                raise RuntimeError("the loaded home tab was not painted within a minute")
            await asyncio.sleep(0)
        at = next(t for t in painted if t > loaded)
        elapsed = at - t0
        await pilot.pause()  # (untimed) for the check below
        home = type(view).__name__
        if len(screen_text(app).split()) < 20:
            raise RuntimeError("nothing is painted")
        await pilot.press("q")
    app.tracker.close()
    return elapsed, at, home


def _open(path: str) -> tuple[float, float]:
    from safeguard_tracker.tracker import open_tracker
    t0 = time.perf_counter()
    t = open_tracker(path, user="bench.tui")
    docs = t.contact_docs()
    t.get_contact(next(reversed(docs)))
    at = time.perf_counter()
    return at - t0, at


def main(mode: str, path: str) -> None:
    # Only what each mode needs is imported (the TUI's imports are part of its start); both
    # import it after the process started, so the caller's clock counts it.
    if mode == "tui":
        seconds, at, home = asyncio.run(_tui(path))
    elif mode == "open":
        (seconds, at), home = _open(path), ""
    else:
        raise SystemExit(f"unknown mode {mode!r}: tui or open")
    print(json.dumps({"seconds": seconds, "at": at, "home": home}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
