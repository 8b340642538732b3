"""One fresh process: ``python tui_probe.py tui|open PATH`` prints {"seconds": ..., "at": ..., "home": ...} as JSON;
``python tui_probe.py tab PATH [N]`` prints the time a tab switch takes (key N, default 2: Contacts), see ``_tab``.

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


async def _tab(path: str, number: str = "2") -> dict:
    """``tab``: once the first screen is painted, the key ``number`` (2: Contacts) until the tab's
    view has loaded and the screen was repainted after it: ``first`` as soon as the hidden tabs
    are mounted (the deadlines still being worked out in the background), ``settled`` once more
    when the background work is done (from tab 1), and ``changed`` after a new contact came in
    (``_cpu``: the app thread's CPU seconds).  Figures in seconds.  ``changed`` adds a contact
    to the store: use a copy."""
    from textual import events
    from safeguard_tracker.tracker import open_tracker
    from tui.app import TrackerApp
    from tui.main import MainScreen
    from tui.testing import record_paints

    app = TrackerApp(opener=lambda progress: open_tracker(path, user="bench.tui", progress=progress),
                     refresh_interval=None, cursor_blink=False)
    out: dict = {}
    async with app.run_test(size=(120, 40)) as pilot:
        painted = record_paints(app)
        t0 = time.perf_counter()
        while not (isinstance(app.screen, MainScreen) and app.screen.is_mounted and app.screen.active_view()
                   is not None and app.screen.active_view().loaded_version not in (None, -1)):
            if app.open_error or time.perf_counter() - t0 > 300:
                raise RuntimeError(app.open_error or "no first screen within 5 minutes")
            await asyncio.sleep(0.002)

        main = app.screen
        target = main.workspaces[int(number) - 1].id
        while not main.query(f"#{target}"):   # the hidden tabs mount just after the first screen
            await asyncio.sleep(0.002)

        shown = asyncio.Event()
        real_display = app._display

        def display(screen, renderable):
            out = real_display(screen, renderable)
            if renderable is not None:
                shown.set()
            return out
        app._display = display

        async def press(key: str) -> tuple[float, float]:
            """(seconds to the repaint, CPU seconds the app's thread spent meanwhile: on a loaded
            machine the second says what the switch costs, the first what a user waited)."""
            # The view is looked up once, and the loop wakes only on a repaint: the probe must
            # not cost the app's thread anything while it is timed.
            view = main.query_one(f"#{target}")
            t, cpu = time.perf_counter(), time.thread_time()
            event = events.Key(key, key)
            event.set_sender(app)
            app._driver.send_message(event)
            while True:
                shown.clear()
                await asyncio.wait_for(shown.wait(), 120)
                if view.is_shown() and view.loaded_version not in (None, -1):
                    return painted[-1] - t, time.thread_time() - cpu

        out["first"], out["first_cpu"] = await press(number)
        await pilot.press("1")
        await pilot.pause()
        lado = app.area_data.get("lado")
        while lado is not None and (lado.due_pending or lado.due_running or getattr(lado, "sorting", ())):
            await pilot.pause(0.05)
        await pilot.pause()
        out["settled"], out["settled_cpu"] = await press(number)
        # Another user's new contact arrives while tab 1 is shown, then the same key again.
        await pilot.press("1")
        await pilot.pause()
        tracker = app.tracker
        added = tracker.add_contact(received_on=tracker.today(), agency=tracker.taxonomy.agencies[0])
        app.data_changed([added.reference])
        await pilot.pause()
        while lado is not None and (lado.due_pending or lado.due_running or getattr(lado, "sorting", ())):
            await pilot.pause(0.05)
        await pilot.pause()
        out["changed"], out["changed_cpu"] = await press(number)
        await pilot.press("q")
    app.tracker.close()
    return out


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
    elif mode == "tab":
        print(json.dumps(asyncio.run(_tab(path, *sys.argv[3:4]))))
        return
    elif mode == "open":
        (seconds, at), home = _open(path), ""
    else:
        raise SystemExit(f"unknown mode {mode!r}: tui, tab or open")
    print(json.dumps({"seconds": seconds, "at": at, "home": home}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
