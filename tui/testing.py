"""Helpers for tests and benchmarks of the TUI (no effect on the running app).

Pilot tests in tests/test_tui_*.py share these: start an app on a tracker, go to a tab, type into
a form field, read the screen as text, read the store back as another user would.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import io
import time
from typing import TYPE_CHECKING, Any, Callable

from rich.console import Console

from safeguard_tracker import Tracker, open_tracker

if TYPE_CHECKING:
    from .app import TrackerApp


def screen_text(app: Any) -> str:
    """The current screen as plain text, as a user would read it (no colour)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False, safe_box=False)
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    console.print(update)
    return console.export_text()


def record_paints(app: Any) -> list[float]:
    """From now on, the ``time.perf_counter()`` of every screen update the app makes (headless or
    not, ``App._display`` receives each compositor update): for benchmarks that stop the clock
    at a repaint rather than when Pilot thinks the whole process has gone idle."""
    import time
    painted: list[float] = []
    real_display = app._display

    def display(screen: Any, renderable: Any) -> Any:
        if renderable is not None:
            painted.append(time.perf_counter())
        return real_display(screen, renderable)
    app._display = display
    return painted


def app_for(tracker: Tracker, **kwargs: Any) -> "TrackerApp":
    """A TrackerApp for tests: no background refresh timer, no cursor blink."""
    from .app import TrackerApp
    return TrackerApp(tracker, refresh_interval=None, cursor_blink=False, **kwargs)


def reread(tracker: Tracker) -> Tracker:
    """A second tracker on the same file: what another user would see."""
    return open_tracker(tracker.location, user="checker")


def status(app: Any) -> str:
    """The status line's text."""
    return app.status_message[0]


async def show(pilot: Any, workspace: str = "queue") -> None:
    """Go to a main-screen tab by its id (another area's tab may be the first screen)."""
    await pilot.pause()
    pilot.app.show_workspace(workspace)
    await pilot.pause()


async def wait_until(pilot: Any, condition: Callable[[], Any], what: str, timeout: float = 60.0) -> None:
    """Let the app run until ``condition()`` is true.  What an app does after a pause (a worker
    thread, a timer, a screen mounting) can take any time on a loaded machine, so a test waits
    for the state it needs; ``timeout`` is only a safety net for an app that is stuck."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened within {timeout:.0f} s: {what}")
        await pilot.pause(0.02)


async def palette_pick(pilot: Any, query: str, expect: str) -> None:
    """Open the command palette (ctrl+p), type ``query``, and once the first command offered
    contains ``expect`` (the palette searches in the background), choose it with Enter."""
    from textual.command import CommandList, CommandPalette
    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), "the command palette opens")
    await type_in(pilot, query)

    def first_offered() -> str:
        """The first command offered once the palette has finished searching ('' until then)."""
        palette = app.screen
        if not isinstance(palette, CommandPalette) or any(w.node is palette and not w.is_finished
                                                          for w in app.workers):
            return ""
        found = palette.query(CommandList)
        commands = found.first() if found else None
        if commands is None or not commands.option_count:
            return ""
        return str(commands.get_option_at_index(0).prompt)
    await wait_until(pilot, lambda: expect in first_offered(), f"the palette offers {expect!r} first for {query!r}")
    await pilot.press("enter")
    await wait_until(pilot, lambda: not isinstance(app.screen, CommandPalette), "the palette closes")


def _quiet(app: Any) -> bool:
    """No message waiting for the app or any widget of its top screen, no callback due next, and
    no key held back by the app."""
    if getattr(app, "_held_keys", None):
        return False
    try:
        nodes = [app, *app.screen.walk_children(with_self=True)]
    except Exception:  # no screen yet, or one being replaced
        return False
    return all(not node.message_queue_size and not node._next_callbacks for node in nodes)


async def wait_until_settled(pilot: Any, what: str = "the keys handled", timeout: float = 60.0) -> None:
    """Let the app run until what it was sent has been handled: a condition on the app's queues,
    not Pilot's CPU-idle guess (which sleeps 20 ms at least, up to a second while anything renders,
    however quick the app is).  Each round waits until every widget of the top screen (and the
    app) has handled what was queued for it when the round began, after any message it was in
    the middle of; two quiet rounds in a row mean nothing was left, nor handed on meanwhile."""
    deadline = time.monotonic() + timeout
    quiet_rounds = 0
    while quiet_rounds < 2:
        await pilot._wait_for_screen()
        await pilot.app._animator.wait_until_complete()
        quiet_rounds = quiet_rounds + 1 if _quiet(pilot.app) else 0
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened within {timeout:.0f} s: {what}")


async def type_in(pilot: Any, text: str) -> None:
    """Type ``text`` key by key into whatever has focus, the keys ``pilot.press`` would send ("space"
    for a space), each posted to the app as the driver posts it, the next once the app has handled it."""
    from textual import events
    from textual.app import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key
    import unicodedata
    app = pilot.app
    for ch in text:
        key = "space" if ch == " " else ch
        if len(key) == 1 and not key.isalnum():
            key = _character_to_key(key)
        original = REPLACED_KEYS.get(key, key)
        try:
            char: "str | None" = unicodedata.lookup(_get_unicode_name_from_key(original))
        except KeyError:
            char = key if len(key) == 1 else None
        event = events.Key(key, char)
        event.set_sender(app)
        app.post_message(event)     # what the driver does, from its thread, for a key Pilot sends
        await wait_until_settled(pilot, f"the key {key!r} handled")


async def fill(pilot: Any, name: str, text: str, typed: bool = False) -> None:
    """Put ``text`` in form field ``name``: typed key by key, or (quicker) inserted as a paste is."""
    from .forms import FormScreen
    screen = pilot.app.screen
    assert isinstance(screen, FormScreen), screen
    field = screen.query_one(f"#field-{name}")
    field.focus()
    field.value = ""
    await pilot.pause()
    if typed:
        await type_in(pilot, text)
    else:
        field.insert_text_at_cursor(text)
        await pilot.pause()


def field_error(screen: Any, name: str) -> str:
    """The message shown beside form field ``name`` ('' when none)."""
    return str(screen.row(name).query_one(".field-error").render())


def field_note(screen: Any, name: str) -> str:
    """The hint or resolved value shown under form field ``name`` while it has focus."""
    return str(screen.row(name).query_one(".field-note").render())


def run_coroutine_tests(namespace: dict) -> None:
    """Without an async pytest plugin: wrap each ``async def test_*`` in ``namespace`` so that it
    runs in its own event loop.  Call at the end of a test module: ``run_coroutine_tests(globals())``."""
    def sync(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            return asyncio.run(fn(*args, **kwargs))
        return run

    for name, fn in list(namespace.items()):
        if name.startswith("test_") and inspect.iscoroutinefunction(fn):
            namespace[name] = sync(fn)
