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
from collections import deque
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Iterable, Optional

from textual import events, work
from textual.app import App, ComposeResult
from textual._dispatch_key import dispatch_key
from textual.binding import Binding
from textual.containers import Center, Middle
from textual.lazy import Lazy
from textual.message import Message
from textual.reactive import reactive, var
from textual.screen import ModalScreen, Screen
from textual.widgets import LoadingIndicator, Static

from safeguard_tracker import Tracker, open_tracker
from safeguard_tracker.demo import build_demo
from safeguard_tracker.errors import SafeguardError
from safeguard_tracker.store.postgres import is_server_url, redacted_url

from .commands import TrackerCommands
from .lists import open_lists          # (registers the Lists screen's palette command and help)
from .registry import AREAS, REGISTRY
from .paged_table import PAGE_SIZE, forget_message_unless_about

DEFAULT_REFRESH_SECONDS = 5.0
HEARD_CHECK_SECONDS = 0.25     # how often a server store's announcements of others' commits are looked at
# After a catch-up that failed (the server down, say), the quiet catch-ups wait this long before the next try,
# longer each time it fails again: a try that cannot connect holds the screen while it waits for the server.
CATCH_UP_RETRY_SECONDS = (5.0, 15.0, 30.0, 60.0)
CATCH_UP_FAILED = "Could not read other users' changes"
CONNECTION_WAIT_SECONDS = 3.0  # a screen waits this long for a server connection (a command or script: 30 s)
WARNING_SECONDS = 30.0   # how long the store's warnings stay in the corner at start
DEMO_NOTICE_SECONDS = 8.0   # the demo store's whereabouts (the status line keeps its path)
EXIT_WAIT_SECONDS = 10.0  # the longest a quit waits for screens still mounting (then it goes anyway)
SETTLE_POLL_SECONDS = 0.02
PASS_KEYS = ("ctrl+q", "ctrl+c")   # still quit while the store is opening; every other key waits for it


class KeyHandled(Message):
    """Posted behind a key to the widget the key went to: it bubbles up the same way, behind the
    key, and reaches the app once every handler of that key has run."""

    def __init__(self, key: events.Key) -> None:
        super().__init__()
        self.key = key


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
        Binding("V", "lists", "Lists", show=False,
                tooltip="the council's lists: agencies, partners and local labels (add, rename, merge, retire)"),
        Binding("T", "as_of", "As of a date", show=False,
                tooltip="the store as it stood at the end of a past day, rebuilt from its audit trail, read-only; "
                        "T again returns to today"),
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
                 startup_messages: Iterable[str] = (), cursor_blink: bool = True,
                 demo_keep: Optional[bool] = None) -> None:
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
        self.demo_keep = demo_keep        # None: not the --demo store; else whether it is kept on leaving
        self.first_screen_shown = False   # background work waits for it (REGISTRY.after_first_screen)
        self.exiting = False              # a quit was asked for: start nothing new
        self._exit_asked_at: Optional[float] = None
        self._exit_request: tuple[Any, int, Any] = (None, 0, None)
        self._held_keys: deque[events.Key] = deque()     # keys waiting, in the order typed
        self._releasing: Optional[events.Key] = None     # the waiting key handed on, not yet read
        self._in_flight: Optional[tuple[events.Key, weakref.ref, float]] = None   # the key being handled
        self._release_waiting = False
        self._blocked_since = 0.0
        self._key_screen: Optional[weakref.ref] = None   # the screen the last key went to
        self.live_tracker: Optional[Tracker] = None      # while a past day is shown: the store as it is now
        self._as_of_wanted = 0                           # the latest past day asked for (an older build is dropped)
        self.clock: Callable[[], float] = time.monotonic
        self._catch_up_failures = 0                      # catch-ups failed in a row
        self._catch_up_paused_until = 0.0                # (self.clock) no quiet catch-up before this
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
        if self.tracker is not None and hasattr(self.tracker.store, "connection_wait"):
            self.tracker.store.connection_wait = CONNECTION_WAIT_SECONDS
        if self.refresh_interval:
            self.set_interval(self.refresh_interval, self.catch_up_quietly)
            if self.tracker is not None and getattr(self.tracker.store, "changes_waiting", None) is not None:
                # A server store announces each commit (NOTIFY): asking costs no query, so ask often,
                # and another user's change shows within a second.
                self.set_interval(HEARD_CHECK_SECONDS, self.catch_up_when_announced)

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
    # Textual hands a key to the focused widget through that widget's own queue, so the app may
    # read the next keys before the first has been handled.  Typed fast after a key that opens a
    # screen (e on a record, then the reason), those keys were handed to the old screen too: they
    # ran its commands (the same form opened twice, and the app crashed), and a key typed on the
    # loading screen went nowhere.  So the app hands on one key at a time: the next waits until
    # the last has been handled (a KeyHandled posted behind it comes back up the same way), until
    # the screen it opened has mounted (and the focus it asked for has moved: one turn of the
    # app's queue), and while the store is still opening.  Waiting keys keep their order.
    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            if self._hold_key(event):
                return
            target = self.focused or self.screen
            self._in_flight = (event, weakref.ref(target), time.monotonic())
            await super().on_event(event)
            if not (self._takes_messages(target) and target.post_message(KeyHandled(event))):
                self._key_handled(event)          # a binding of the app took it, or its screen went
            return
        await super().on_event(event)

    def _screen_ready(self) -> bool:
        """Whether the top screen can take keys: mounted, and not the loading screen."""
        if not self.screen_stack:
            return True
        screen = self.screen
        return screen.is_mounted and not isinstance(screen, LoadingScreen)

    def _hold_key(self, key: events.Key) -> bool:
        """Whether ``key`` must wait; if so it is kept, in order with the keys already waiting."""
        if not self.screen_stack or (key.key in PASS_KEYS and isinstance(self.screen, LoadingScreen)):
            return False
        released = key is self._releasing
        if released:
            self._releasing = None
        elif self._held_keys or self._in_flight is not None or self._releasing is not None:
            self._held_keys.append(key)
            self._schedule_release()
            return True
        screen = self.screen
        known = self._key_screen() if self._key_screen is not None else None
        if self._screen_ready() and (released or screen is known):
            self._key_screen = weakref.ref(screen)
            return False
        if released:
            self._held_keys.appendleft(key)
        else:
            self._held_keys.append(key)
        self._schedule_release()
        return True

    def on_key_handled(self, message: "KeyHandled") -> None:
        self._key_handled(message.key)

    def _key_handled(self, key: events.Key) -> None:
        if self._in_flight is not None and self._in_flight[0] is key:
            self._in_flight = None
            self._release_held_keys()

    def _schedule_release(self) -> None:
        if not self._release_waiting:
            self._release_waiting = True
            self._blocked_since = time.monotonic()
            self.call_later(self._release_held_keys)

    def _release_held_keys(self) -> None:
        """Hand on the first waiting key once the last one has been handled and the top screen can
        take it (the others follow it, one at a time)."""
        self._release_waiting = False
        if not self._held_keys:
            return
        if self._releasing is not None:          # on its way to the app: look again just after
            self._poll_release()
            return
        waited = time.monotonic() - self._blocked_since
        if self._in_flight is not None:
            target = self._in_flight[1]()
            if target is not None and self._takes_messages(target) and \
                    time.monotonic() - self._in_flight[2] < EXIT_WAIT_SECONDS:
                self._poll_release()             # its KeyHandled is on its way
                return
            self._in_flight = None               # its widget went before handling it: go on
        loading = bool(self.screen_stack) and isinstance(self.screen, LoadingScreen)
        if not self._screen_ready() and (loading or waited < EXIT_WAIT_SECONDS):
            self._poll_release()
            return
        key = self._held_keys.popleft()
        self._releasing = key
        self.post_message(key)                   # one turn of the queue: the focus asked for goes first
        if self._held_keys:
            self._poll_release()                 # its KeyHandled can be lost with its screen (a form saved)

    def _takes_messages(self, widget: Any) -> bool:
        """Whether ``widget`` will still handle what is posted to it: on a screen still shown or
        stacked, and not closing (a form just saved and closed does not)."""
        if not widget.is_attached or widget._closing or widget._closed:
            return False
        screen = widget if isinstance(widget, Screen) else getattr(widget, "_parent", None)
        while screen is not None and not isinstance(screen, Screen):
            screen = screen._parent
        return screen is not None and screen in self.screen_stack and not (screen._closing or screen._closed)

    def _poll_release(self) -> None:
        if not self._release_waiting:
            self._release_waiting = True
            self.set_timer(SETTLE_POLL_SECONDS, self._release_held_keys)

    def _unbound_key(self, key: events.Key) -> None:
        """A key that nothing on this screen takes: say so, and do not run the keys typed after it
        (they were meant for a form that never opened, and would run as commands)."""
        dropped = len(self._held_keys)
        self._held_keys.clear()
        after = f"; the {dropped} key{'s' if dropped > 1 else ''} typed after it {'were' if dropped > 1 else 'was'} " \
                f"not run" if dropped else ""
        self.say(f"'{key.character}' is not a key here{after}: the footer shows the keys that work here, "
                 f"? lists them all", "warning")

    async def _on_key(self, event: events.Key) -> None:
        # Textual's App._on_key (the app's bindings, then key_ methods), and then: nothing took it.
        event.prevent_default()
        if await self._check_bindings(event.key) or await dispatch_key(self, event):
            return
        if event.is_printable and event.character not in (None, " "):
            self._unbound_key(event)

    def show_store_warnings(self) -> None:
        """What the store said on opening (readable by others, read-only, migrated from an older
        schema), each in full as a notice, and the first in the status line."""
        warnings = list(getattr(self.tracker.store, "warnings", [])) + self.startup_messages
        for w in warnings:
            self.notify(w, title="READ-ONLY" if w == self.read_only() else "WARNING", severity="warning",
                        timeout=WARNING_SECONDS)
        read_only = self.read_only()
        if read_only:
            self.say(f"READ-ONLY: {self.store_name()} can be read, not changed ({read_only})", "warning")
        elif warnings:
            more = f" (+{len(warnings) - 1} more, in the notices)" if len(warnings) > 1 else ""
            self.say(f"WARNING: {warnings[0]}{more}", "warning")
        elif self.demo_keep is not None:
            notice = demo_notice(self.tracker.path, self.demo_keep)
            self.notify(notice, title="DEMO", timeout=DEMO_NOTICE_SECONDS)
            self.say(notice.splitlines()[0] + " \u00b7 ? lists every key")
        else:
            self.say(f"{self.store_name()}: ? lists every key, ctrl+p finds any action")

    def store_name(self) -> str:
        """The store as the status line names it: its file's name, or its database (without a password)."""
        path = self.tracker.path if self.tracker else None
        return path.name if path is not None else (self.tracker.location if self.tracker else "")

    def unseen(self, table: str) -> Optional[str]:
        """Why this login's role sees none of ``table`` (a screen says so, never a 0 that reads as none)."""
        return self.tracker.unseen(table) if self.tracker is not None else None

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
        """Take in other users' changes now.  True if there were any.  While a past day is shown the
        past does not change, but a record redacted since is rebuilt without what the redaction
        removed (the past store's ``refresh``), so no screen goes on showing it."""
        if self.tracker is None:
            return False
        try:
            changed = self.tracker.refresh()
        except SafeguardError as exc:
            self._catch_up_failures += 1
            wait = CATCH_UP_RETRY_SECONDS[min(self._catch_up_failures, len(CATCH_UP_RETRY_SECONDS)) - 1]
            self._catch_up_paused_until = self.clock() + wait
            self.say(f"{CATCH_UP_FAILED} (trying again in {wait:.0f} s; what is on screen stays): {exc}", "error")
            return False
        if self._catch_up_failures:
            self._catch_up_failures, self._catch_up_paused_until = 0, 0.0
            if self.status_message[0].startswith(CATCH_UP_FAILED):
                self.say("Other users' changes are coming in again")
        if changed:
            keys = {key for table, key in changed}
            self.data_changed(None if "*" in keys else keys)
        return bool(changed)

    def catch_up_paused(self) -> bool:
        """Whether the quiet catch-ups are waiting after a failed one (the server could not be reached)."""
        return self.clock() < self._catch_up_paused_until

    def catch_up_when_announced(self) -> None:
        if self.catch_up_paused():
            return
        live = self.live_tracker or self.tracker         # a past day shown: the store as it is now hears them
        waiting = getattr(live.store, "changes_waiting", None) if live is not None else None
        if waiting is not None and waiting():
            self.catch_up_quietly()

    def catch_up_quietly(self) -> None:
        if self.catch_up_paused():
            return
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
        forget_message_unless_about(self, ref)      # by a list, `g` or the palette: a message about another record goes
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

    def action_lists(self) -> None:
        open_lists(self)

    def action_workspace(self, number: int) -> None:
        """A numbered tab, from any screen: a record or the help closes to show it; a form stays
        open (what was typed in it is kept), saying so."""
        main = self.main_screen()
        if main is None:
            return
        above = self.screen_stack[self.screen_stack.index(main) + 1:]
        if any(isinstance(screen, ModalScreen) for screen in above):
            self.say(f"A form is open: save it (ctrl+s) or close it (esc), then {number} shows tab {number}", "warning")
            return
        if not 1 <= number <= len(main.workspaces):
            self.say(f"There is no tab {number}: the tabs are 1-{len(main.workspaces)}", "warning")
            return
        while self.screen is not main:
            self.pop_screen()
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

    # --- the store as of a past day -------------------------------------------------------------
    # T asks for a day; the store as it stood at the end of it (``Tracker.as_of``: replayed from
    # the audit trail, read-only) is built in a thread and then takes the live tracker's place in
    # ``self.tracker``, so every view, record and form reads it; the top bar says AS AT.  The live
    # tracker is kept in ``live_tracker`` (never closed here) and comes back with T, or 'today'.
    def action_as_of(self) -> None:
        """T: ask for a past day; while one is shown, back to the store as it is now."""
        if self._form_open():
            self.say("A form is open: save it (ctrl+s) or close it (esc), then T shows the store as of a date",
                     "warning")
            return
        if self.live_tracker is not None:
            self.leave_past()
        else:
            self.ask_as_of()

    def _form_open(self) -> bool:
        return any(isinstance(screen, ModalScreen) for screen in self.screen_stack)

    def ask_as_of(self) -> None:
        """The prompt for the day (day first; 'today' is the store as it is now)."""
        from safeguard_tracker.dates import fmt, parse_date
        from safeguard_tracker.errors import ValidationError
        from .fields import Field
        from .forms import FormScreen
        if self.tracker is None or self._form_open():
            return
        live = self.live_tracker or self.tracker
        today = live.today()

        def submit(values: dict[str, str]) -> str:
            typed = values["as_of"]
            day = parse_date(typed, "as_of", today=today)
            assert day is not None
            if day > today:
                raise ValidationError("as_of", typed, f"a day up to today ({fmt(today)}): the store cannot be shown "
                                                      f"as it will stand; 'today' is the store as it is now")
            if day == today:
                self.leave_past()
                return "the store as it is now"
            self.enter_past(day)
            return f"the store as at {fmt(day)}"

        shown = self.tracker.as_of_day
        self.push_screen(FormScreen(
            "The store as of a date (read-only)",
            [Field("as_of", "As at end of", kind="date", required=True,
                   value=fmt(shown) if shown is not None else "",
                   placeholder="dd/mm/yyyy (day first), or today", hint=f"a past day, or today ({fmt(today)})")],
            submit, today=today, id="form-as-of", writes=False, done_word="SHOWN", verb="show",
            intro="Every record as it stood at the end of that day, rebuilt from its audit trail. Nothing can "
                  "be changed in it; T again (or 'today' here) returns to the store as it is now."))

    def enter_past(self, day: date) -> None:
        """Show the store as it stood at the end of ``day``: built in a thread (the audit trail is
        replayed: a few seconds at 100,000 contacts), saying so meanwhile."""
        from safeguard_tracker.dates import fmt
        live = self.live_tracker or self.tracker
        if live is None:
            return
        self._as_of_wanted += 1
        wanted = self._as_of_wanted
        self.say(f"Rebuilding the store as at {fmt(day)} from its audit trail\u2026")
        app = self

        class Said:
            """The rebuild's progress, in the status line (every tenth of the way)."""
            def __init__(self) -> None:
                self.label, self.total, self.done_n, self.shown = "", 0, 0, -1

            def start(self, label: str, total: Optional[int]) -> None:
                self.label, self.total, self.done_n, self.shown = label, total or 0, 0, -1

            def advance(self, n: int = 1) -> None:
                self.done_n += n
                tenth = self.done_n * 10 // self.total if self.total else 0
                if tenth != self.shown and not app._stopping():
                    self.shown = tenth
                    app.call_from_thread(app._as_of_progress, wanted, f"{self.label}\u2026 {tenth * 10}%")

            def done(self) -> None:
                pass

        def build() -> None:
            try:
                past = live.as_of(day, progress=Said())
            except SafeguardError as exc:
                answer: tuple[Any, ...] = (self._as_of_failed, wanted, str(exc))
            except OSError as exc:
                answer = (self._as_of_failed, wanted, f"{exc.filename or 'the store'}: {exc.strerror}")
            else:
                answer = (self._past_ready, wanted, live, past)
            if not self._stopping():                 # the app may have quit meanwhile
                self.call_from_thread(*answer)

        self.run_worker(build, thread=True, group="as-of", name=f"as at {fmt(day)}")

    def _as_of_progress(self, wanted: int, message: str) -> None:
        if wanted == self._as_of_wanted:
            self.say(message)

    def _as_of_failed(self, wanted: int, message: str) -> None:
        if wanted == self._as_of_wanted:
            self.say(f"Could not rebuild the store as of that day: {message}", "error")

    def _past_ready(self, wanted: int, live: Tracker, past: Tracker) -> None:
        """The past built: it takes the live tracker's place (once no form is open: a form opened
        on the store as it is now saves there, and its banner would not say AS AT)."""
        from safeguard_tracker.dates import fmt
        if wanted != self._as_of_wanted or self._stopping():
            return                                   # another day (or today) was asked for since
        if self._form_open():
            self.set_timer(0.1, lambda: self._past_ready(wanted, live, past))
            return
        self.live_tracker = live
        self._show_tracker(past)
        self.say(f"AS AT {fmt(past.today())}: the store as it stood at the end of that day, rebuilt from its "
                 f"audit trail; read-only. T returns to today", "warning")

    def leave_past(self) -> None:
        """Back to the store as it is now, taking in the changes made meanwhile."""
        self._as_of_wanted += 1                      # a past day still being built is dropped
        live = self.live_tracker
        if live is None:
            self.say("This is the store as it is now: T shows it as of a past date")
            return
        self.live_tracker = None
        try:
            live.refresh()
        except SafeguardError as exc:
            self.say(f"Could not read other users' changes: {exc}", "error")
        self._show_tracker(live)
        read_only = self.read_only()
        self.say(f"Back to today ({live.today():%d/%m/%Y}): the store as it is now"
                 + (f"; READ-ONLY ({read_only})" if read_only else ""), "warning" if read_only else "ok")

    def _show_tracker(self, tracker: Tracker) -> None:
        """Every screen reads ``tracker`` from now on: the views, the open record and the top bar
        recompute (the areas' caches are rebuilt for a tracker that is not theirs)."""
        self.tracker = tracker
        main = self.main_screen()
        if main is not None:
            main.tracker = tracker
        self.data_changed(None)

    def app_commands(self) -> list[Any]:
        """The app's own commands for the palette (after the areas')."""
        from .registry import Command
        if self.live_tracker is not None and self.tracker is not None:
            return [Command(f"Back to today: leave the store as at {self.tracker.today():%d/%m/%Y} (T)",
                            lambda app: app.leave_past(), "the store as it is now, with every change since"),
                    Command("As of another date: the store as it stood (read-only)", lambda app: app.ask_as_of(),
                            "rebuilt from the audit trail; T returns to today")]
        return [Command("As of a date: the store as it stood (read-only) (T)", lambda app: app.ask_as_of(),
                        "every record as it stood at the end of a past day, rebuilt from the audit trail")]


def open_store_at(path: Optional[str], *, user: Optional[str] = None, today: Optional[date] = None,
                  demo: bool = False, progress: Optional[Callable[[str], None]] = None,
                  authority: Optional[str] = None) -> Tracker:
    """Open the store at ``path`` (or, with ``demo``, build the demo there: a new folder when
    ``path`` is None), reporting progress."""
    if demo:
        if progress:
            progress("building the demo store (about 1,000 invented contacts)")
        target = Path(path) if path else Path(tempfile.mkdtemp(prefix="safeguard-demo-")) / "demo.json"
        return build_demo(target, user=user or "demo.lado")
    if progress:
        progress(f"opening {(redacted_url(path) if is_server_url(path) else path) or 'the store'}")
    return open_tracker(path, user=user, today=(lambda: today) if today else None, progress=progress,
                        on_wait=progress, authority=authority)


def demo_notice(path: Path, keep: bool) -> str:
    """Where the demo store is, and what becomes of it on leaving (the status line, the notice)."""
    after = "Kept when you quit." if keep else "Deleted when you quit (--demo --keep keeps it)."
    return f"Demo store: {path}\n{after} The CLI works on it meanwhile with --db and this path."


def run(path: Optional[str] = None, *, user: Optional[str] = None, today: Optional[date] = None,
        demo: bool = False, keep: bool = False, authority: Optional[str] = None) -> int:
    """Open the TUI on the store at ``path`` (None: $SAFEGUARD_TRACKER_DB, else the user data folder).

    With ``demo``: on a new demo store in a new temporary folder, whose path the app shows and
    which is printed on leaving; the folder is deleted on leaving unless ``keep``."""
    import shutil
    import sys
    folder = Path(tempfile.mkdtemp(prefix="safeguard-demo-")) if demo else None
    store = str(folder / "demo.json") if folder is not None else path
    app = TrackerApp(opener=lambda progress: open_store_at(store, user=user, today=today, demo=demo,
                                                           progress=progress, authority=authority),
                     demo_keep=keep if demo else None)
    try:
        app.run()
    finally:
        live = app.live_tracker or app.tracker       # a past day shown: the store as it is now is closed
        if live is not None:
            live.close()
        if folder is not None:
            if keep:
                print(f"safeguard-tracker: the demo store is kept at {store}\n"
                      f"  e.g. safeguard-tracker --db {store} due", file=sys.stderr)
            else:
                shutil.rmtree(folder, ignore_errors=True)
                print(f"safeguard-tracker: the demo store at {store} was deleted "
                      f"(safeguard-tracker --demo --keep keeps it)", file=sys.stderr)
    return app.return_code or 0
