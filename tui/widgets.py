"""Widgets shared by every area: plain text from data, the top bar, the status line, the workspace base.

The paged table, which every long list uses, is in paged_table.py.
"""

from __future__ import annotations

from datetime import date
from itertools import groupby
from typing import Any, Callable, Iterable, Optional

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input, Static

from safeguard_tracker.text import escapes, printable, visible

from .registry import REGISTRY

# Colours carry meaning, and every coloured state also carries its word.
STATE_STYLES = {
    "OVERDUE": "bold red",
    "DUE TODAY": "bold dark_orange",
    "DUE SOON": "",
    "UNCATEGORISED": "bold",
    "ERROR": "bold red",
    "CONFLICT": "bold red",
    "WARNING": "bold dark_orange",
    "AS AT": "bold reverse dark_orange",
}


def plain(value: Any, style: str = "", *, multiline: bool = True) -> Text:
    """Stored text as it goes on screen: literally, and safely.

    A ``str`` becomes a ``Text`` (which Rich and Textual never read as markup, so "[bold]" or
    "[@click=app.quit]" in a summary is shown, not obeyed); in a ``Text`` (a line built with
    colours) only the characters change.  Either way control, format and bidi characters are
    shown as escapes (``safeguard_tracker.text.printable``), keeping the colours around them,
    and line breaks are kept only when ``multiline``.  Every place the TUI shows stored text
    passes it through here: cells (``PagedTable``), grids (``PlainTable``), tree labels, the
    status line, forms, previews and the detail screens.
    """
    if not isinstance(value, Text):
        return Text(printable(value, multiline=multiline), style=style)
    if style:
        value = value.copy()
        value.stylize_before(style)
    found = list(escapes(value.plain, multiline=multiline))
    if not found:
        return value
    out = value.blank_copy()
    pos = 0
    for start, end, shown in found:
        out.append_text(_unstyled(value[pos:start]))
        piece = Text(shown)
        for span in value[start:end].spans:     # the escape keeps the colour of what it replaces
            piece.stylize(span.style, 0, len(shown))
        out.append_text(piece)
        pos = end
    out.append_text(_unstyled(value[pos:]))
    return out


def _unstyled(piece: Text) -> Text:
    """A slice of a Text without the base style it inherits (the copy it joins has it already)."""
    piece.style = ""
    return piece


class PlainTable(Table):
    """A Rich table whose cells are stored text: each goes through ``plain`` (a ``str`` cell of a
    plain ``Table`` would be read as markup).  ``PlainTable.grid(...)`` for label/value grids."""

    def add_row(self, *renderables: Any, **kwargs: Any) -> None:
        super().add_row(*[cell if cell is None or not isinstance(cell, (str, Text)) else plain(cell)
                          for cell in renderables], **kwargs)


def state_text(label: str, rest: str = "") -> Text:
    """``label`` in its colour, then ``rest`` plain: the word is always there, colour or not."""
    text = Text(label, style=STATE_STYLES.get(label, ""))
    if rest:
        text.append_text(plain(" " + rest, multiline=False))
    return text


def history_timeline(changes: list, describe: Callable[[Any], Iterable[str]]) -> Group:
    """An audit trail as a timeline, oldest first: when and who, then each change in words
    (``describe(change)``: its lines), for any record: a contact, an action, a review."""
    if not changes:
        return Group(Text("No history recorded.", style="dim"))
    parts: list[Any] = [Text("Oldest first: every change, who made it, and the old and new values.\n",
                             style="dim")]
    for (at, user), group in groupby(changes, key=lambda ch: (ch.at, ch.user)):
        head = Text("\u25cf ", style="bold")
        head.append(f"{at:%d/%m/%Y %H:%M}", style="bold")
        head.append_text(plain(f"  {user}", multiline=False))
        parts.append(head)
        lines = PlainTable.grid(padding=(0, 1))
        lines.add_column(no_wrap=True, width=3)
        lines.add_column(ratio=1, overflow="fold")     # a long value is shown whole, not cut
        for ch in group:
            for line in describe(ch):
                lines.add_row("  \u2502", line)
        parts.append(lines)
    return Group(*parts)


class TextInput(Input):
    """An Input whose cursor blinks unless the app says not to (snapshot tests freeze it).

    A field opened on stored text (an edit form) shows each control or bidi character as one
    visible character (``visible``: ESC as U+241B), one for one, so the cursor still counts the
    real value's characters and what is saved is exactly what was stored unless it is edited.
    """

    def on_mount(self) -> None:
        if not getattr(self.app, "cursor_blink", True):
            self.cursor_blink = False

    @property
    def _value(self) -> Text:
        # Input renders its value through this property; the password case is Input's own.
        if self.password:
            return super()._value
        return Text(visible(self.value), no_wrap=True, overflow="ignore", end="")


class TopBar(Horizontal):
    """Title, store, user and working date on the left; the registered counts on the right."""

    DEFAULT_CSS = """
    TopBar { height: 1; dock: top; background: $panel; }
    TopBar > #topbar-title { width: 1fr; padding: 0 1; text-style: bold; }
    TopBar > #topbar-counts { width: auto; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="topbar-title")
        yield Static(id="topbar-counts")

    def on_mount(self) -> None:
        self.watch(self.app, "data_version", self._update, init=True)
        self.watch(self.app, "view_version", self._update, init=False)

    def _update(self, _version: int = 0) -> None:
        app: Any = self.app
        tracker = app.tracker
        if tracker is None:
            return
        wide = self.size.width == 0 or self.size.width >= 100
        as_of = getattr(tracker, "as_of_day", None)
        if isinstance(as_of, date):
            self._show_bar(self._as_of_title(tracker, as_of, wide))
            return
        read_only = getattr(app, "read_only", lambda: None)()
        # A read-only store says so first; at 80 columns in place of the app's name.
        title = Text(style="bold", no_wrap=True, overflow="ellipsis")
        if read_only:
            title.append("READ-ONLY store", style=STATE_STYLES["WARNING"])
        if wide or not read_only:
            title.append((" " if read_only else "") + "safeguard-tracker")
        title.append(f" {tracker.today():%d/%m/%Y}")
        if wide:
            title.append_text(plain(f"  {tracker.user}", "dim", multiline=False))
        self._show_bar(title)

    @staticmethod
    def _as_of_title(tracker: Any, day: date, wide: bool) -> Text:
        """A past day shown (``Tracker.as_of``): the day first, and that nothing can be changed;
        at 80 columns in place of the app's name (the working date is that day)."""
        title = Text(style="bold", no_wrap=True, overflow="ellipsis")
        title.append(f"AS AT {day:%d/%m/%Y} \u00b7 read-only", style=STATE_STYLES["AS AT"])
        if wide:
            title.append(" safeguard-tracker")
            title.append_text(plain(f"  {tracker.user}", "dim", multiline=False))
        return title

    def _show_bar(self, title: Text) -> None:
        app: Any = self.app
        self.query_one("#topbar-title", Static).update(title)
        counts = Text()
        for source in REGISTRY.header_counts:
            for label, value, state in source(app):
                if counts:
                    counts.append(" \u00b7 ")
                style = STATE_STYLES.get(state, "") if value else ""
                counts.append(label if value is None else f"{label} {value:,}", style=style)
        self.query_one("#topbar-counts", Static).update(counts)

    def on_resize(self) -> None:
        self._update()


class StatusLine(Static):
    """The last confirmation or failure, in words: "Saved", "NOT SAVED", "CONFLICT"."""

    DEFAULT_CSS = """
    StatusLine { height: 1; padding: 0 1; background: $boost; }
    StatusLine.-error { background: $error 30%; text-style: bold; }
    StatusLine.-warning { background: $warning 20%; }
    """

    def on_mount(self) -> None:
        self.watch(self.app, "status_message", self._show, init=True)

    def _show(self, message: tuple[str, str]) -> None:
        text, kind = message
        self.set_class(kind == "error", "-error")
        self.set_class(kind == "warning", "-warning")
        self.update(Text.assemble(plain(text, multiline=False), no_wrap=True, overflow="ellipsis"))

def compute_later(node: Widget, compute: Callable[[], Any], deliver: Callable[[Any], None], *, in_thread: bool,
                  group: str, failed: Any = None) -> None:
    """Run ``compute`` and hand its result to ``deliver`` on the main thread: at once when
    ``in_thread`` is false (a small store), else in a worker thread, so that work which scans
    every record (pattern checks, the audit trail, retention) never holds up the keyboard.

    A store that takes in another process's change while it is read raises RuntimeError: read
    again (five tries).  A SafeguardError delivers ``failed``.
    """
    from safeguard_tracker.errors import SafeguardError

    if not in_thread:
        try:
            result = compute()
        except SafeguardError:
            result = failed
        deliver(result)
        return

    def work() -> None:
        for _attempt in range(5):
            try:
                result = compute()
                break
            except RuntimeError:      # the store took in a change while we read it
                continue
            except SafeguardError:
                result = failed
                break
        else:
            return
        node.app.call_from_thread(deliver, result)

    node.run_worker(work, thread=True, group=group)


class WorkspaceView(Vertical):
    """Base of a main-screen tab.  The app calls ``reload()`` when the store changed and the tab
    is shown (or when it is next shown), and ``current_reference()`` for the command palette."""

    DEFAULT_CSS = "WorkspaceView { height: 1fr; }"

    def __init__(self, *, id: Optional[str] = None) -> None:
        super().__init__(id=id)
        self.loaded_version: Any = None

    def on_mount(self) -> None:
        self.watch(self.app, "data_version", self._data_changed, init=False)
        self.watch(self.app, "view_version", self._data_changed, init=False)

    def _data_changed(self, _version: int) -> None:
        if self.is_shown():
            self.ensure_loaded()

    def is_shown(self) -> bool:
        return self.display and self.parent is not None and getattr(self.parent, "display", True) and \
            self.screen is self.app.screen

    def ensure_loaded(self) -> None:
        version = (getattr(self.app, "data_version", 0), getattr(self.app, "view_version", 0))
        if self.loaded_version != version:
            self.loaded_version = version
            self.reload()

    def reload(self) -> None:  # pragma: no cover - every view overrides it
        pass

    def current_reference(self) -> Optional[str]:
        return None

    def focus_default(self) -> None:
        self.focus()
