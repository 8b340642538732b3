"""The paged table: how the TUI stays fast at 100,000 records.

It never holds more than one page (``PAGE_SIZE`` rows) in Textual's DataTable, whatever the
size of the list behind it; only the current page's rows are ever rendered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

from rich.text import Text
from textual.geometry import Size
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable, Static

from .widgets import plain

PAGE_SIZE = 100

# A record's reference in a status message: a contact, an action or a review.
_RECORD_REF = re.compile(r"(?<![\w-])(?:L-\d{4}-\d+|A-\d+|R-\d{4}-\d+)(?![\w-])", re.IGNORECASE)


def message_references(message: str) -> set[str]:
    """The references a status message names ('' names none)."""
    return {m.upper() for m in _RECORD_REF.findall(message)}


def forget_message_unless_about(app: Any, reference: Optional[str]) -> None:
    """Clear the status line if its message is about a record other than ``reference`` (the
    record the user is now on): "Categorised L-2018-0042" must not stand under L-2018-0043.
    A message about no record in particular ("Sorted by agency", a key's help) stays."""
    text, _kind = getattr(app, "status_message", ("", ""))
    refs = message_references(text)
    if refs and (reference or "").upper() not in refs:
        app.say("")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int = 0            # fixed width; 0 = share the spare width by ``flex``
    flex: int = 0
    min_width: int = 6
    sortable: bool = True
    # ``short(text, width)``: the form of a cell for a column ``width`` wide, by meaning (an
    # agency's short name) rather than a cut; whatever is still too long is then cut.
    short: Optional[Callable[[str, int], str]] = field(default=None, compare=False)


def _fit(cells: Sequence[Any], widths: Sequence[int],
         shorts: Sequence[Optional[Callable[[str, int], str]]] = ()) -> list[Any]:
    """Fit each cell to its column: the column's own form of it if it has one (an agency's
    short name: "School - PRU" reads "Sch PRU" beside "Sch Primary"), then anything still too
    long cut with an ellipsis, so a cut is visible as a cut."""
    out = []
    for i, (cell, width) in enumerate(zip(cells, widths)):
        text = plain(cell, multiline=False)
        short = shorts[i] if i < len(shorts) else None
        if short is not None:
            shown = short(text.plain, width)
            if shown != text.plain:
                text = Text(shown, style=text.style)
        if text.cell_len > width:
            text = text.copy()
            text.truncate(width, overflow="ellipsis")
        out.append(text)
    return out


class WindowTable(DataTable):
    """A DataTable that asks its PagedTable for the next page when the cursor runs off an end."""

    BINDINGS = [Binding("enter", "select_cursor", "Open", tooltip="open the highlighted row")]

    def _update_dimensions(self, new_rows: Any) -> None:
        # The PagedTable sets every column's width and adds rows one line high: there is nothing
        # to measure.  Textual would measure every cell of every new row (a third of the cost of
        # showing a page); only the scrollable size is needed.
        if any(c.auto_width for c in self.columns.values()):
            super()._update_dimensions(new_rows)
            return
        width = sum(c.get_render_width(self) for c in self.columns.values()) + self._row_label_column_width
        self.virtual_size = Size(width, self._total_row_height + (self.header_height if self.show_header else 0))

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
        self._headed: tuple[str, bool] = ("", False)   # the sort the headers' arrow shows

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
        self._headed = (self.sort_column, self.sort_reverse)
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
        if (not table.columns or self._widths != self._compute_widths()
                or self._headed != (self.sort_column, self.sort_reverse)):
            self._build_columns()   # the arrow moves to the sorted column, pointing the sort's way
        else:
            table.clear()
        start = page * self.page_size
        self.page_keys = list(self.keys[start: start + self.page_size])
        render = self.render_row
        widths = self._widths
        shorts = [c.short for c in self.columns]
        table.add_rows(_fit(render(k), widths, shorts) for k in self.page_keys)
        if self.page_keys:
            table.move_cursor(row=min(max(cursor_index, 0), len(self.page_keys) - 1), animate=False)
        self._update_pager()

    def pager_range(self) -> str:
        """What the pager line says the page shows ("showing 21–40 of 95"): a table whose rows are
        not all records (group headings) says what it counts instead."""
        start = self.page * self.page_size
        return f"showing {start + 1:,}\u2013{start + len(self.page_keys):,} of {len(self.keys):,}"

    def _update_pager(self) -> None:
        total = len(self.keys)
        if not total:
            text = self.empty_text
        else:
            text = self.pager_range()
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
