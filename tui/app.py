"""The Textual application: entry point, store opening with progress, app-wide keys.

``TrackerApp(tracker)`` runs on an open tracker (tests, benchmarks); ``TrackerApp(opener=f)``
opens the store itself, in a worker thread, showing progress meanwhile (a 100,000-contact store
takes a few seconds to read).  ``run(args)`` is what ``safeguard-tracker`` calls.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import tempfile
import time
import weakref
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Iterable, Optional

from textual import events, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Center, Middle
from textual.lazy import Lazy
from textual.reactive import reactive, var
from textual.screen import Screen
from textual.widgets import LoadingIndicator, Static

from safeguard_tracker import Tracker, open_tracker
from safeguard_tracker.demo import build_demo
from safeguard_tracker.errors import SafeguardError

from .commands import TrackerCommands
from .registry import AREAS, REGISTRY
from .paged_table import PAGE_SIZE

DEFAULT_REFRESH_SECONDS = 5.0
WARNING_SECONDS = 30.0   # how long the store's warnings stay in the corner at start
EXIT_WAIT_SECONDS = 10.0  # the longest a quit waits for screens still mounting (then it goes anyway)
SETTLE_POLL_SECONDS = 0.02


class LoadingScreen(Screen):
    """Shown while the store opens: what is happening, and for how long so far."""

    DEFAULT_CSS = """
    LoadingScreen { align: center middle; }
    LoadingScreen #loading-box { width: 60; height: 7; border: round $accent; padding: 1 2; }
    LoadingScreen LoadingIndicator { height: 1; }
    LoadingScreen #loading-text { text-align: center; }
    """

    def __init__(self) -> None:
        super().__init__(id="loading")
        self.started = time.monotonic()
        self.message = "opening the store"

    def compose(self) -> ComposeResult:
        with Middle(), Center(id="loading-box"):
            yield Static("safeguard-tracker", id="loading-title")
            yield LoadingIndicator()
            yield Static(self.message, id="loading-text")

    def on_mount(self) -> None:
        self._tick()
        self.set_interval(0.25, self._tick)

    def show(self, message: str) -> None:
        """Say what is happening now (the opening thread may report before the screen is mounted:
        the message then appears as it mounts)."""
        self.message = message
        self._tick()

    def _tick(self) -> None:
        elapsed = time.monotonic() - self.started
        for text in self.query("#loading-text").results(Static):
            text.update(f"{self.message}\u2026 {elapsed:.0f} s")


class TrackerApp(App):
    """The LADO's (and later the sub group's) workspace, on the tracker API only."""

    TITLE = "safeguard-tracker"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {TrackerCommands}
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("question_mark,f1", "help", "Help", key_display="?", tooltip="this list of every key"),
        Binding("q", "quit", "Quit", tooltip="leave the app (everything is already saved)"),
        Binding("g", "goto", "Go to", show=False, tooltip="open a record by its reference (L-2018-0042, or just 2018-42)"),
        Binding("1", "workspace(1)", "Tabs", show=False, key_display="1-9",
                tooltip="switch to the numbered tab of the main screen"),
        *[Binding(str(n), f"workspace({n})", show=False) for n in range(2, 10)],
    ]

    data_version: reactive[int] = reactive(0, init=False)
    view_version: reactive[int] = reactive(0, init=False)
    status_message: var[tuple[str, str]] = var(("", ""))

    def __init__(self, tracker: Optional[Tracker] = None, *,
                 opener: Optional[Callable[[Callable[[str], None]], Tracker]] = None,
                 refresh_interval: Optional[float] = DEFAULT_REFRESH_SECONDS, page_size: int = PAGE_SIZE,
                 startup_messages: Iterable[str] = (), cursor_blink: bool = True) -> None:
        super().__init__()
        if tracker is None and opener is None:
            raise ValueError("TrackerApp needs a tracker or an opener")
        self.tracker = tracker
        self.opener = opener
        self.refresh_interval = refresh_interval
        self.page_size = page_size
        self.area_data: dict[str, Any] = {}
        self._changes: list[tuple[int, Optional[set[str]]]] = []
        self.startup_messages = list(startup_messages)
        self.open_error: Optional[str] = None
        self.cursor_blink = cursor_blink
        self.first_screen_shown = False   # background work waits for it (REGISTRY.after_first_screen)
        self.exiting = False              # a quit was asked for: start nothing new
        self._exit_asked_at: Optional[float] = None
        self._exit_request: tuple[Any, int, Any] = (None, 0, None)
        self._held_keys: list[events.Key] = []
        self._held_since = 0.0
        self._waited: set[int] = set()     # id() of keys held once already
        self._key_screen: Optional[weakref.ref] = None   # the screen the last key went to
        for area in AREAS:
            importlib.import_module(area)

    # --- starting ----------------------------------------------------------------------
    def on_mount(self) -> None:
        if self.tracker is not None:
            self._start()
        else:
            self.push_screen(LoadingScreen())
            self._open_store()

    @work(thread=True, exclusive=True, group="open")
    def _open_store(self) -> None:
        def progress(message: str) -> None:
            self.call_from_thread(self._loading_progress, message)
        # The store keeps the cyclic collector out of its snapshot's parse and then freezes it,
        # but the records its journal replay makes are left young: the next collections walk
        # them all (0.2 s at 100,000 contacts, while the first screen is being built).  The
        # session keeps every one of them, so the collector stays out of the whole opening and
        # they are frozen with the rest.  (A garbage cycle that exists at that instant is never
        # collected: the same trade the store makes.)
        collecting = gc.isenabled()
        gc.disable()
        try:
            tracker = self.opener(progress)
            for warm_up in REGISTRY.warmups:
                warm_up(self, tracker, progress)
            gc.freeze()
        except SafeguardError as exc:
            self.call_from_thread(self._open_failed, str(exc))
            return
        except OSError as exc:
            self.call_from_thread(self._open_failed, f"{exc.filename or 'the store'}: {exc.strerror}")
            return
        finally:
            if collecting:
                gc.enable()
        self.call_from_thread(self._opened, tracker)

    def _loading_progress(self, message: str) -> None:
        screen = self.screen
        if isinstance(screen, LoadingScreen):
            screen.show(message)

    def _open_failed(self, message: str) -> None:
        self.open_error = message
        self.exit(return_code=1, message=f"safeguard-tracker: {message}")

    def _opened(self, tracker: Tracker) -> None:
        self.tracker = tracker
        if isinstance(self.screen, LoadingScreen):
            self.screen.show("preparing the first screen")
        self.call_after_refresh(self._start, replace=True)

    def _start(self, replace: bool = False) -> None:
        from .main import MainScreen
        if self._stopping():
            return
        main = MainScreen(self.tracker)
        if replace:
            self.switch_screen(main)
        else:
            self.push_screen(main)
        self.show_store_warnings()
        self.call_after_refresh(self._check_first_screen)
        if self.refresh_interval:
            self.set_interval(self.refresh_interval, self.catch_up_quietly)

    def _check_first_screen(self) -> None:
        """Once the first tab has loaded and been painted: the work that waited for it."""
        if self._stopping():
            return
        main = self.main_screen()
        view = main.active_view() if main is not None else None
        if main is not None and self.screen is main and (view is None or view.loaded_version is None):
            self.set_timer(0.02, self._check_first_screen)
            return
        self.call_after_refresh(self._first_screen_painted)

    def _first_screen_painted(self) -> None:
        if self.first_screen_shown or self._stopping():
            return
        self.first_screen_shown = True
        for hook in REGISTRY.after_first_screen:
            hook(self)

    # --- stopping -----------------------------------------------------------------------------
    # Textual mounts no children once the app has begun to shut down, yet still runs the mount
    # handlers of a widget caught half-mounted; those that look for their children (Textual's own
    # tab strip among them) then fail, and the user gets a traceback and exit code 1 instead of a
    # clean exit.  So a quit waits until every screen has finished mounting: the first screen
    # while it appears, its hidden tabs just after, a record opened just before q.
    def screens_settled(self) -> bool:
        """Whether every screen on the stack has finished mounting: no widget still mounting and
        no lazily mounted tab still waiting for its turn."""
        for screen in self.screen_stack:
            for widget in screen.walk_children(with_self=True):
                if not widget.is_mounted or isinstance(widget, Lazy):
                    return False
        return True

    def exit(self, result: Any = None, return_code: int = 0, message: Any = None) -> None:
        """Leave the app once the screens have settled (at most EXIT_WAIT_SECONDS later)."""
        self.exiting = True
        self._exit_request = (result, return_code, message)   # a later request replaces a waiting one
        if self._exit_asked_at is None:
            self._exit_asked_at = time.monotonic()
            self._exit_when_settled()

    def _exit_when_settled(self) -> None:
        waited = time.monotonic() - (self._exit_asked_at or 0.0)
        if not self.is_running or self.screens_settled() or waited > EXIT_WAIT_SECONDS:
            self._exit_asked_at = None                         # a later exit() goes straight through
            super().exit(*self._exit_request)
        else:
            self.set_timer(SETTLE_POLL_SECONDS, self._exit_when_settled)

    def _stopping(self) -> bool:
        """A quit was asked for, or the app is shutting down: start nothing new."""
        return self.exiting or not self.is_running

    async def wait_until_settled(self, timeout: float = 60.0) -> None:
        """Wait (at most ``timeout`` seconds) until ``screens_settled()`` and a quit asked for
        meanwhile has gone through, or the app has stopped."""
        deadline = time.monotonic() + timeout
        while self.is_running and time.monotonic() < deadline:
            if self._exit_asked_at is None and (self.return_code is not None or self.screens_settled()):
                return
            await asyncio.sleep(SETTLE_POLL_SECONDS)

    @asynccontextmanager
    async def run_test(self, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        """Textual's test harness.  Leaving it shuts the app down, which, like a quit, must not
        catch a screen half-mounted: it waits until the screens have settled first."""
        async with super().run_test(*args, **kwargs) as pilot:
            try:
                yield pilot
            finally:
                await self.wait_until_settled()

    # --- keys typed ahead ---------------------------------------------------------------------
    # A key goes to whatever has focus when the app reads it.  A key typed just after one that
    # opens a screen (n for a note, then the note's first letter) can be read before that screen
    # has mounted, or before the focus it asked for as it mounted has moved: it would then reach
    # no field and run an app-wide key instead (q quits).  Such keys wait, in order, until the
    # screen has mounted; the first key for a newly shown screen also lets the focus it asked for
    # go first (one turn of the app's queue).
    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded and self._hold_key(event):
            return
        await super().on_event(event)

    def _hold_key(self, key: events.Key) -> bool:
        """Whether ``key`` must wait; if so it is kept, behind any key already waiting."""
        if not self.screen_stack:
            return False
        screen = self.screen
        known = self._key_screen() if self._key_screen is not None else None
        if not self._held_keys and screen.is_mounted and (id(key) in self._waited or screen is known):
            self._waited.discard(id(key))
            self._key_screen = weakref.ref(screen)
            return False
        self._held_keys.append(key)
        self._waited.add(id(key))
        if len(self._held_keys) == 1:
            self._held_since = time.monotonic()
            self.call_later(self._release_held_keys)
        return True

    def _release_held_keys(self) -> None:
        """Once the top screen has mounted (behind the focus it asked for): the waiting keys, in order."""
        mounting = bool(self.screen_stack) and not self.screen.is_mounted
        if mounting and time.monotonic() - self._held_since < EXIT_WAIT_SECONDS:
            self.set_timer(SETTLE_POLL_SECONDS, self._release_held_keys)
            return
        held, self._held_keys = self._held_keys, []
        for key in held:
            self.post_message(key)

    def show_store_warnings(self) -> None:
        """What the store said on opening (readable by others, read-only, migrated from an older
        schema), each in full as a notice, and the first in the status line."""
        warnings = list(getattr(self.tracker.store, "warnings", [])) + self.startup_messages
        for w in warnings:
            self.notify(w, title="READ-ONLY" if w == self.read_only() else "WARNING", severity="warning",
                        timeout=WARNING_SECONDS)
        read_only = self.read_only()
        if read_only:
            self.say(f"READ-ONLY: {self.tracker.path.name} can be read, not changed ({read_only})", "warning")
        elif warnings:
            more = f" (+{len(warnings) - 1} more, in the notices)" if len(warnings) > 1 else ""
            self.say(f"WARNING: {warnings[0]}{more}", "warning")
        else:
            self.say(f"{self.tracker.path.name}: ? lists every key, ctrl+p finds any action")

    def read_only(self) -> Optional[str]:
        """Why the store cannot be changed (a read-only folder or disk), or None."""
        return getattr(getattr(self.tracker, "store", None), "read_only", None) if self.tracker else None

    # --- shared services for the screens -------------------------------------------------------
    def say(self, message: str, kind: str = "ok") -> None:
        """Show ``message`` in every screen's status line (kind: ok, warning, error)."""
        self.status_message = (message, kind)

    def data_changed(self, references: Optional[Iterable[str]] = None) -> None:
        """The store changed (``references``: which records, if known): views recompute."""
        self._changes.append((self.data_version + 1, set(references) if references is not None else None))
        del self._changes[:-200]
        self.data_version += 1

    def changed_since(self, version: int) -> Optional[set[str]]:
        """The references changed after ``version`` (None when unknown: recompute everything)."""
        out: set[str] = set()
        for v, refs in self._changes:
            if v > version:
                if refs is None:
                    return None
                out |= refs
        if self._changes and self._changes[0][0] > version + 1:
            return None
        return out

    def views_changed(self) -> None:
        """Derived figures (deadlines worked out in the background) arrived: repaint."""
        self.view_version += 1

    def catch_up(self) -> bool:
        """Take in other users' changes now.  True if there were any."""
        if self.tracker is None:
            return False
        try:
            changed = self.tracker.refresh()
        except SafeguardError as exc:
            self.say(f"Could not read other users' changes: {exc}", "error")
            return False
        if changed:
            keys = {key for table, key in changed}
            self.data_changed(None if "*" in keys else keys)
        return bool(changed)

    def catch_up_quietly(self) -> None:
        if isinstance(self.screen, Screen) and not getattr(self.screen, "is_modal", False):
            self.catch_up()

    def current_reference(self) -> Optional[str]:
        """The record the user is on: the open record, or the highlighted row."""
        for screen in reversed(self.screen_stack):
            finder = getattr(screen, "current_reference", None)
            if finder is not None:
                return finder()
        return None

    def open_reference(self, reference: str, **kwargs: Any) -> bool:
        ref = REGISTRY.normalise(reference)
        opener = REGISTRY.opener_for(ref)
        if opener is None:
            self.say(f"'{reference}' is not a reference this app opens (e.g. L-2018-0042)", "error")
            return False
        opener(self, ref, **kwargs)
        return True

    def main_screen(self) -> Any:
        from .main import MainScreen
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        return None

    def show_workspace(self, ws_id: str, focus: Optional[str] = None) -> None:
        main = self.main_screen()
        if main is None:
            return
        while self.screen is not main:
            self.pop_screen()
        main.show_workspace(ws_id, focus=focus)

    # --- app-wide actions -----------------------------------------------------------------------
    def action_help(self) -> None:
        from .help import HelpScreen
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_workspace(self, number: int) -> None:
        main = self.main_screen()
        if main is not None and self.screen is main:
            main.show_workspace_number(number)

    def action_goto(self) -> None:
        from safeguard_tracker.errors import UnknownReference, ValidationError
        from .fields import Field
        from .forms import FormScreen
        examples = "a reference such as L-2018-0042 (or 2018-42), A-6 or R-2017-001"

        def submit(values: dict[str, str]) -> str:
            typed = values["reference"]
            ref = REGISTRY.normalise(typed)     # first: 'A-6' is A-000006, '2018-42' is L-2018-0042
            opener = REGISTRY.find_opener(ref)
            if opener is None:
                raise ValidationError("reference", typed, examples)
            if opener.fetch is not None:
                try:
                    opener.fetch(self, ref)
                except UnknownReference as exc:
                    raise ValidationError("reference", typed, f"{exc}; {examples}") from None
            submit.ref = ref  # type: ignore[attr-defined]
            return f"Opened {ref}"

        def done(message: Optional[str]) -> None:
            if message:
                self.open_reference(submit.ref)  # type: ignore[attr-defined]

        self.push_screen(FormScreen("Go to a record", [Field("reference", "Reference", required=True,
                                                              placeholder="L-2018-0042, 2018-42, A-6, R-2017-001")],
                                    submit, today=self.tracker.today(), id="form-goto", writes=False,
                                    done_word="OPENED"), done)


def open_store_at(path: Optional[str], *, user: Optional[str] = None, today: Optional[date] = None,
                  demo: bool = False, progress: Optional[Callable[[str], None]] = None) -> Tracker:
    """Open the store at ``path`` (or build the demo in a new folder), reporting progress."""
    if demo:
        if progress:
            progress("building the demo store (about 1,000 invented contacts)")
        folder = Path(tempfile.mkdtemp(prefix="safeguard-demo-"))
        return build_demo(folder / "demo.json", user=user or "demo.lado")
    if progress:
        progress(f"opening {path or 'the store'}")
    return open_tracker(path, user=user, today=(lambda: today) if today else None, progress=progress,
                        on_wait=progress)


def run(path: Optional[str] = None, *, user: Optional[str] = None, today: Optional[date] = None,
        demo: bool = False) -> int:
    """Open the TUI on the store at ``path`` (None: $SAFEGUARD_TRACKER_DB, else the user data folder)."""
    app = TrackerApp(opener=lambda progress: open_store_at(path, user=user, today=today, demo=demo,
                                                           progress=progress))
    app.run()
    if app.tracker is not None:
        app.tracker.close()
    return app.return_code or 0
