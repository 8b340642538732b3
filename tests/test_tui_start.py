"""Starting the app: the first screen first, the deadlines after it, in the background; and a
quit at any moment of start-up is a clean exit.

"Large" is BACKGROUND_DUE_AT contacts (20,000); here it is lowered so the demo counts as large.
Nothing here measures time: it checks the order things happen in, what the screens say while the
deadlines are being worked out, and what happens when the app is stopped at a given step.
"""

from __future__ import annotations

import asyncio
from typing import Any, Callable

import pytest
from textual.lazy import Lazy

from tui.app import LoadingScreen, TrackerApp
from tui.lado import lado_data
from tui.main import MainScreen
from tui.testing import run_coroutine_tests, screen_text, wait_until



async def test_the_deadlines_are_worked_out_after_the_first_screen_is_painted(large_demo, monkeypatch):
    calls = []
    real_due = large_demo.due

    def due(*args, **kwargs):
        calls.append(app.first_screen_shown)     # read in the worker thread, when it starts
        return real_due(*args, **kwargs)
    monkeypatch.setattr(large_demo, "due", due)
    app = TrackerApp(opener=lambda progress: large_demo, refresh_interval=None, cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen) and app.first_screen_shown, "the first screen")
        await app.workers.wait_for_complete()
        await wait_until(pilot, lambda: lado_data(app).due_known, "the deadlines")
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
        await wait_until(pilot, lambda: app.first_screen_shown, "the first screen")
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
        await wait_until(pilot, lambda: lado_data(app).due_known, "the deadlines")
        await pilot.pause()
        assert "OVERDUE" in screen_text(app).splitlines()[0]
        assert "Working out" not in screen_text(app)


# --- stopping at any moment of start-up -------------------------------------------------------------
# The moments are counted in messages the app handles after the main screen is pushed: the first
# ones catch it half-mounted, the later ones its hidden tabs mounting.  Counting messages, not
# seconds, puts the stop at the same step however loaded the machine is.
MOMENTS = (0, 2, 5, 10, 30, 100, 300)


def _stop_at(app: TrackerApp, moment: int, stop: Callable[[], Any]) -> Callable[[Any], None]:
    """A message hook that calls ``stop()`` once, at the ``moment``-th message after the main
    screen exists."""
    count = 0

    def hook(_message) -> None:
        nonlocal count
        if app.main_screen() is None or count > moment:
            return
        count += 1
        if count > moment:
            stop()
    return hook


@pytest.mark.parametrize("opened_by_the_app", [True, False], ids=["opener", "tracker"])
async def test_a_quit_at_any_moment_of_start_up_is_a_clean_exit(demo, opened_by_the_app):
    for moment in MOMENTS:
        app = TrackerApp(demo if not opened_by_the_app else None, refresh_interval=None,
                         opener=(lambda progress: demo) if opened_by_the_app else None)
        async with app.run_test(size=(80, 24), message_hook=_stop_at(app, moment, app.exit)) as pilot:
            await wait_until(pilot, lambda: app.return_code is not None, f"the quit at message {moment}")
        assert app.return_code == 0, f"a quit at message {moment} of start-up failed"


async def test_a_test_that_ends_at_any_moment_of_start_up_ends_cleanly(demo):
    """Leaving ``run_test`` shuts the app down as a quit does; the suite's pilot tests rely on it."""
    for moment in MOMENTS:
        reached = asyncio.Event()
        app = TrackerApp(opener=lambda progress: demo, refresh_interval=None)
        async with app.run_test(size=(80, 24), message_hook=_stop_at(app, moment, reached.set)):
            await asyncio.wait_for(reached.wait(), 120)      # a safety net, not a timing assertion
        assert app.return_code in (None, 0), f"ending at message {moment} of start-up failed"


@pytest.mark.parametrize("what", ["contact", "help", "form"])
async def test_a_quit_just_after_opening_a_screen_is_a_clean_exit(demo, what):
    """q typed straight after Enter (a record), ? (help) or g (the go-to form), before that screen
    has mounted: the quit waits for it, and the exit is clean."""
    ref = demo.contacts(status="open")[0].reference
    app = TrackerApp(demo, refresh_interval=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.first_screen_shown and not app.screen.query(Lazy),
                         "the first screen, its hidden tabs mounted")
        {"contact": lambda: app.open_reference(ref), "help": app.action_help,
         "form": app.action_goto}[what]()
        app.exit()
        await wait_until(pilot, lambda: app.return_code is not None, "the quit")
    assert app.return_code == 0


async def test_progress_reported_before_the_loading_screen_is_mounted_is_shown():
    """The opening thread can report before the loading screen has mounted its text."""
    from textual.app import App
    screen = LoadingScreen()
    screen.show("reading demo.json")

    class Host(App):
        def on_mount(self) -> None:
            self.push_screen(screen)
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: screen.is_mounted, "the loading screen")
        await pilot.pause()
        assert "reading demo.json" in screen_text(app)


run_coroutine_tests(globals())
