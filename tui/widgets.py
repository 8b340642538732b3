"""Widgets shared by every area: the top bar, the status line, the paged table, the workspace base.

The paged table is how the TUI stays fast at 100,000 records: it never holds more than one
page (``PAGE_SIZE`` rows) in Textual's DataTable, whatever the size of the list behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import Any, Callable, Iterable, Optional, Sequence

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import DataTable, Input, Static

from safeguard_tracker.text import escapes, printable, visible

from .registry import REGISTRY

PAGE_SIZE = 100

# Colours carry meaning, and every coloured state also carries its word.
STATE_STYLES = {
    "OVERDUE": "bold red",
    "DUE TODAY": "bold dark_orange",
    "DUE SOON": "",
    "UNCATEGORISED": "bold",
    "ERROR": "bold red",
    "CONFLICT": "bold red",
    "WARNING": "bold dark_orange",
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


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int = 0            # fixed width; 0 = share the spare width by ``flex``
    flex: int = 0
    min_width: int = 6
    sortable: bool = True


def _fit(cells: Sequence[Any], widths: Sequence[int]) -> list[Any]:
    """Cut each cell to its column with an ellipsis, so a cut is visible as a cut."""
    out = []
    for cell, width in zip(cells, widths):
        text = plain(cell, multiline=False)
        if text.cell_len > width:
            text = text.copy()
            text.truncate(width, overflow="ellipsis")
        out.append(text)
    return out


class WindowTable(DataTable):
    """A DataTable that asks its PagedTable for the next page when the cursor runs off an end."""

    BINDINGS = [Binding("enter", "select_cursor", "Open", tooltip="open the highlighted row")]

    def action_cursor_down(self) -> None:
        pager = self.parent
        if isinstance(pager, PagedTable) and self.cursor_row >= self.row_count - 1 and pager.has_next:
            pager.next_page(cursor="first")
            return
        super().action_cursor_down()

    def action_cursor_up(self) -> None:
        pager = self.parent
        if isinstance(pager, PagedTable) and self.cursor_row <= 0 and pager.page > 0:
            pager.previous_page(cursor="last")
            return
        super().action_cursor_up()


class PagedTable(Vertical):
    """One page of a long list of keys in a DataTable, with a "showing N of M" line.

    The list is any sequence of keys; ``render(key)`` builds that row's cells.  Only the rows of
    the current page are ever rendered, so a list of 100,000 costs as much as a list of 200.
    """

    BINDINGS = [
        Binding("right_square_bracket", "next_page", "Next page", show=False, key_display="]",
                tooltip="show the next page of rows"),
        Binding("left_square_bracket", "previous_page", "Prev page", show=False, key_display="[",
                tooltip="show the previous page of rows"),
    ]

    DEFAULT_CSS = """
    PagedTable { height: 1fr; }
    PagedTable > WindowTable { height: 1fr; scrollbar-size-vertical: 1; }
    PagedTable > .pager { height: 1; padding: 0 1; color: $text-muted; }
    """

    class Opened(Message):
        """Enter on a row."""

        def __init__(self, pager: "PagedTable", key: str) -> None:
            super().__init__()
            self.pager = pager
            self.key = key

        @property
        def control(self) -> "PagedTable":
            return self.pager

    class SortRequested(Message):
        def __init__(self, pager: "PagedTable", column: str) -> None:
            super().__init__()
            self.pager = pager
            self.column = column

        @property
        def control(self) -> "PagedTable":
            return self.pager

    page = reactive(0, init=False)

    def __init__(self, columns: Sequence[Column], render: Callable[[str], Sequence[Any]], *,
                 empty: str = "Nothing to show.", page_size: int = PAGE_SIZE, id: Optional[str] = None,
                 table_id: Optional[str] = None) -> None:
        super().__init__(id=id)
        self.columns = list(columns)
        self.render_row = render
        self.empty_text = empty
        self.page_size = page_size
        self.keys: Sequence[str] = ()
        self.page_keys: list[str] = []
        self.sort_column = ""
        self.sort_reverse = False
        self.note = ""
        self._table_id = table_id
        self._widths: list[int] = []

    def compose(self) -> ComposeResult:
        table = WindowTable(cursor_type="row", zebra_stripes=False, id=self._table_id)
        yield table
        yield Static(classes="pager")

    @property
    def table(self) -> WindowTable:
        return self.query_one(WindowTable)

    @property
    def has_next(self) -> bool:
        return (self.page + 1) * self.page_size < len(self.keys)

    @property
    def current_key(self) -> Optional[str]:
        table = self.table
        if not self.page_keys or table.cursor_row < 0 or table.cursor_row >= len(self.page_keys):
            return None
        return self.page_keys[table.cursor_row]

    def set_keys(self, keys: Sequence[str], *, keep: Optional[str] = None, note: str = "") -> None:
        """Show ``keys``; stay on the row of ``keep`` (default: the current row) if it is still listed."""
        keep = keep if keep is not None else self.current_key
        self.keys = keys
        self.note = note
        page = 0
        index = -1
        if keep is not None:
            # Only look near the current page: finding a key in 100,000 should not cost a scan.
            lo = max(0, (self.page - 1) * self.page_size)
            window = keys[lo: lo + 3 * self.page_size]
            try:
                index = lo + list(window).index(keep)
            except ValueError:
                index = -1
            if index >= 0:
                page = index // self.page_size
        self._show_page(page, cursor_index=index - page * self.page_size if index >= 0 else 0)

    def refresh_rows(self) -> None:
        """Render the current page again (after an edit) without moving."""
        self._show_page(self.page, cursor_index=max(self.table.cursor_row, 0))

    def _compute_widths(self) -> list[int]:
        width = self.size.width or self.app.size.width
        table = self.table if self.is_mounted else None
        padding = 2 * (table.cell_padding if table else 1)
        spare = width - 1 - padding * len(self.columns) - sum(c.width for c in self.columns)
        flex_total = sum(c.flex for c in self.columns if not c.width) or 1
        widths = []
        for c in self.columns:
            if c.width:
                widths.append(c.width)
            else:
                widths.append(max(c.min_width, spare * c.flex // flex_total))
        return widths

    def _build_columns(self) -> None:
        table = self.table
        table.clear(columns=True)
        self._widths = self._compute_widths()
        for c, w in zip(self.columns, self._widths):
            label = c.label
            if c.key == self.sort_column:
                label += " \u25bc" if self.sort_reverse else " \u25b2"
            table.add_column(label, width=w, key=c.key)

    def _show_page(self, page: int, cursor_index: int = 0) -> None:
        if not self.is_mounted:
            return
        last_page = max(0, (len(self.keys) - 1) // self.page_size)
        page = min(max(page, 0), last_page)
        self.set_reactive(PagedTable.page, page)
        table = self.table
        if not table.columns or self._widths != self._compute_widths():
            self._build_columns()
        else:
            table.clear()
        start = page * self.page_size
        self.page_keys = list(self.keys[start: start + self.page_size])
        render = self.render_row
        widths = self._widths
        table.add_rows(_fit(render(k), widths) for k in self.page_keys)
        if self.page_keys:
            table.move_cursor(row=min(max(cursor_index, 0), len(self.page_keys) - 1), animate=False)
        self._update_pager()

    def _update_pager(self) -> None:
        total = len(self.keys)
        if not total:
            text = self.empty_text
        else:
            start = self.page * self.page_size
            end = start + len(self.page_keys)
            text = f"showing {start + 1:,}\u2013{end:,} of {total:,}"
            if total > self.page_size:
                text += "  [ ] page"
        if self.note:
            text += f"  \u00b7 {self.note}"
        self.query_one(".pager", Static).update(Text.assemble(plain(text, multiline=False), no_wrap=True,
                                                              overflow="ellipsis"))

    def next_page(self, cursor: str = "first") -> None:
        if self.has_next:
            self._show_page(self.page + 1, 0 if cursor == "first" else self.page_size)

    def previous_page(self, cursor: str = "last") -> None:
        if self.page > 0:
            self._show_page(self.page - 1, self.page_size - 1 if cursor == "last" else 0)

    def action_next_page(self) -> None:
        self.next_page()

    def action_previous_page(self) -> None:
        self.previous_page(cursor="first")

    def on_resize(self) -> None:
        if self.columns and self._widths != self._compute_widths():
            self._show_page(self.page, cursor_index=max(self.table.cursor_row, 0))

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = self.current_key
        if key is not None:
            self.post_message(self.Opened(self, key))

    @on(DataTable.HeaderSelected)
    def _header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        column = str(event.column_key.value)
        if any(c.key == column and c.sortable for c in self.columns):
            self.post_message(self.SortRequested(self, column))

    def focus_table(self) -> None:
        self.table.focus()


class OpensHighlighted:
    """Mixin for a screen or view listing records in a ``PagedTable``: Enter on a row (or the
    ``open`` action) opens the record ``current_reference()`` names."""

    def on_paged_table_opened(self, event: PagedTable.Opened) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        ref = self.current_reference()  # type: ignore[attr-defined]
        if ref:
            self.app.open_reference(ref)  # type: ignore[attr-defined]


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
