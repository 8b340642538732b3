"""Starting on a large store: the first screen first, the deadlines after it, in the background.

"Large" is BACKGROUND_DUE_AT contacts (20,000); here it is lowered so the demo counts as large.
Nothing here measures time: it checks the order things happen in, and what the screens say
while the deadlines are being worked out.
"""

from __future__ import annotations

import pytest

from safeguard_tracker.demo import build_demo
from tui.app import TrackerApp
from tui.lado import lado_data
from tui.main import MainScreen
from tui.testing import run_coroutine_tests, screen_text


@pytest.fixture
def large_demo(tmp_path, monkeypatch):
    import tui.lado.data
    monkeypatch.setattr(tui.lado.data, "BACKGROUND_DUE_AT", 100)
    tracker = build_demo(tmp_path / "demo.json", user="a.lado")
    yield tracker
    tracker.close()


async def _until(pilot, test, what: str) -> None:
    for _ in range(400):        # a bound for a loaded machine, not a timing assertion
        if test():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"never: {what}")


async def test_the_deadlines_are_worked_out_after_the_first_screen_is_painted(large_demo, monkeypatch):
    calls = []
    real_due = large_demo.due

    def due(*args, **kwargs):
        calls.append(app.first_screen_shown)     # read in the worker thread, when it starts
        return real_due(*args, **kwargs)
    monkeypatch.setattr(large_demo, "due", due)
    app = TrackerApp(opener=lambda progress: large_demo, refresh_interval=None, cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, MainScreen) and app.first_screen_shown, "the first screen")
        await app.workers.wait_for_complete()
        await _until(pilot, lambda: lado_data(app).due_known, "the deadlines")
        assert calls and all(calls), calls            # never before the first screen was painted
        await pilot.pause()
        text = screen_text(app)
        assert "OVERDUE" in text and "working out" not in text
        expected = sum(1 for i in real_due() if i.overdue)
        assert f"OVERDUE {expected}" in text.splitlines()[0]


async def test_until_the_deadlines_arrive_the_screens_say_so(large_demo, monkeypatch):
    import threading
    release = threading.Event()
    real_due = large_demo.due

    def slow_due(*args, **kwargs):
        release.wait(30)
        return real_due(*args, **kwargs)
    monkeypatch.setattr(large_demo, "due", slow_due)
    app = TrackerApp(large_demo, refresh_interval=None, cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _until(pilot, lambda: app.first_screen_shown, "the first screen")
        await pilot.pause()
        text = screen_text(app)
        assert "working out the deadlines" in text.splitlines()[0]       # the top bar
        assert "OVERDUE items" in text and "OVERDUE 0" not in text        # the dashboard: no false zero
        app.show_workspace("chase")
        await pilot.pause()
        assert "Working out the deadlines" in screen_text(app)
        assert "Nothing overdue" not in screen_text(app)
        release.set()
        await app.workers.wait_for_complete()
        await _until(pilot, lambda: lado_data(app).due_known, "the deadlines")
        await pilot.pause()
        assert "OVERDUE" in screen_text(app).splitlines()[0]
        assert "Working out" not in screen_text(app)


run_coroutine_tests(globals())
