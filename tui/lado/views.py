"""The LADO's tabs on the main screen: the triage queue, all contacts, the chase list.

Each shows at most one page of rows (``PagedTable``); filtering and sorting run over plain
dicts in ``data.py``, so typing in the filter stays quick on 100,000 contacts.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from functools import lru_cache
from typing import Any, Callable, Iterable, Optional

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Label, Select, Static

from safeguard_tracker.dates import fmt
from safeguard_tracker.short_names import short_name, short_names

from ..fields import ChoiceSuggester
from ..paged_table import PAGE_SIZE, Column, OpensHighlighted, PagedTable, forget_message_unless_about
from ..widgets import STATE_STYLES, TextInput, WorkspaceView, plain, state_text
from .state import lado_data, order_in_background
from .add_contact import quick_add
from .steps import STEPS, open_step
from .data import (CATEGORY_CHOICES, HARM_CHOICES, SORT_COLUMNS, STATUS_CHOICES, Criteria, contact_row_cells,
                   filter_contacts)

CONTACT_COLUMNS = [
    Column("reference", "Reference", width=11),
    Column("received", "Received", width=10),
    Column("agency", "Agency", flex=1, min_width=13),
    Column("category", "Category", width=13),
    Column("status", "Status", width=6),
    Column("due", "Next due", flex=1, min_width=13),
]


@lru_cache(maxsize=32)
def _short_names(agencies: tuple[str, ...], width: int) -> dict[str, str]:
    return short_names(agencies, width)


def agency_shortener(app: Any) -> Callable[[str, int], str]:
    """An agency column's short form: the agency's short name for the column's width, from the
    store's own list of agencies (safeguard_tracker.short_names), so that "School - Primary",
    "School - Private" and "School - PRU" stay apart in a narrow column."""
    def short(name: str, width: int) -> str:
        if not name.strip():
            return name
        agencies = tuple(app.tracker.taxonomy.agencies)
        return _short_names(agencies, width).get(name.strip()) or short_name(name, width, agencies)
    return short


def with_short_agency(app: Any, columns: list[Column]) -> list[Column]:
    return [replace(c, short=agency_shortener(app)) if c.key == "agency" else c for c in columns]


def _labelled(name: str, values: Iterable[str]) -> list[tuple[str, str]]:
    """A filter's choices, each shown with the filter's name: once set, "year: any" reads
    "year: 2018-19", not a bare "2018-19" whose meaning the user must guess."""
    return [(f"{name}: {v}", v) for v in values]


def _list_bindings() -> list[Binding]:
    return [Binding(a.key, f"contact('{a.verb}')", a.label, tooltip=a.help) for a in STEPS if a.in_lists]


class ForgetsOtherRecordsMessages:
    """A list whose status messages about a record ("Categorised L-2018-0042") do not outlive it:
    cleared when the list changes under the user (another user's change, a filter or a sort) and
    the highlighted record is not the one the message names.  The list's own reload after the
    user's save keeps its confirmation."""

    _said_at = -1

    def on_mount(self) -> None:  # Textual calls each class's on_mount: WorkspaceView's too
        self.watch(self.app, "status_message", self._message_said, init=False)  # type: ignore[attr-defined]

    def _message_said(self, _message: tuple[str, str]) -> None:
        self._said_at = self.app.data_version  # type: ignore[attr-defined]

    def list_changed(self, *, by_user: bool) -> None:
        """After the rows changed: by the user (filter, sort), or by new data (a reload)."""
        # A save says its confirmation, then bumps the data version once: that reload keeps it.
        if by_user or self.app.data_version > self._said_at + 1:  # type: ignore[attr-defined]
            forget_message_unless_about(self.app, self.current_reference())  # type: ignore[attr-defined]


class ContactListView(ForgetsOtherRecordsMessages, WorkspaceView):
    """Shared by the queue and All contacts: a paged table of contacts with the list keys."""

    BINDINGS = [
        Binding("enter", "open", "Open", tooltip="open the highlighted contact"),
        Binding("a", "add", "Add", tooltip="log a new contact (quick add)"),
        *_list_bindings(),
    ]

    table_id = "contacts-table"
    empty = "No contacts."

    def make_pager(self) -> PagedTable:
        unseen = self.app.unseen("contacts")  # type: ignore[attr-defined]     # a role without contacts
        empty = f"NOT FOR YOUR ROLE: {unseen}." if unseen else self.empty
        return PagedTable(with_short_agency(self.app, CONTACT_COLUMNS), self.render_row, empty=empty, table_id=self.table_id,
                          page_size=getattr(self.app, "page_size", PAGE_SIZE))

    @property
    def pager(self) -> PagedTable:
        return self.query_one(PagedTable)

    def render_row(self, ref: str) -> list[Any]:
        data = lado_data(self.app)
        d = data.docs.get(ref)
        if d is None:
            return [ref, "", "(deleted)", "", "", ""]
        state, cells, due = contact_row_cells(d, data.due_by_ref.get(ref) if d.get("closed_on") is None else None)
        style = STATE_STYLES[state] if state in ("OVERDUE", "DUE TODAY") else ""
        row: list[Any] = [Text(c, style=style) for c in cells]
        if state == "UNCATEGORISED":
            row[3] = Text("UNCATEGORISED", style="bold")
        if state in ("OVERDUE", "DUE TODAY"):
            row.append(state_text(state, due))
        else:
            row.append(Text(due))
        return row

    def current_reference(self) -> Optional[str]:
        return self.pager.current_key

    def focus_default(self) -> None:
        self.pager.focus_table()

    @on(PagedTable.Opened)
    def _opened(self, event: PagedTable.Opened) -> None:
        event.stop()
        self.app.open_reference(event.key)

    def on_data_table_row_highlighted(self, event) -> None:
        self.update_preview()

    def update_preview(self) -> None:
        preview = self.query("#preview")
        if not preview:
            return
        ref = self.current_reference()
        text = Text(no_wrap=True, overflow="ellipsis")
        if ref is not None:
            data = lado_data(self.app)
            d = data.docs.get(ref) or {}
            item = data.due_by_ref.get(ref) if d.get("closed_on") is None else None
            text.append(ref, style="bold")
            s = d.get("subject") or {}
            who = ", ".join(x for x in (s.get("role", ""), s.get("employer", "")) if x)
            if item is not None:
                word = item.state
                text.append(" ")
                text.append(word, style=STATE_STYLES.get(word, ""))
                late = f", {item.days_overdue} day(s) late" if item.overdue else ""
                text.append(f" {item.what} {fmt(item.due_on)}{late}")
            elif who:
                text.append(f" {who}")
            if d.get("summary"):
                text.append(f" \u2013 {d['summary']}", style="dim")
        preview.first(Static).update(plain(text, multiline=False))

    def action_open(self) -> None:
        ref = self.current_reference()
        if ref:
            self.app.open_reference(ref)

    def action_contact(self, verb: str) -> None:
        ref = self.current_reference()
        if ref is None:
            self.app.say("No contact highlighted: move to a row first", "error")
            return
        open_step(self.app, verb, ref)

    def action_add(self) -> None:
        quick_add(self.app)


class QueueView(ContactListView):
    """Home: what needs a decision or an action, most urgent first."""

    table_id = "queue-table"
    empty = "Nothing waiting: no uncategorised contacts, nothing overdue or due this week."

    def compose(self) -> ComposeResult:
        yield Static(Text("Needs you: UNCATEGORISED first, then OVERDUE, then due soon. Enter opens.",
                          style="dim", no_wrap=True, overflow="ellipsis"), classes="intro")
        yield self.make_pager()
        yield Static(id="preview", classes="preview")

    def reload(self) -> None:
        data = lado_data(self.app)
        note = "" if data.due_known else "working out the deadlines: overdue contacts follow"
        self.pager.set_keys(data.queue(), note=note)
        self.update_preview()
        self.list_changed(by_user=False)


class ContactsView(ContactListView):
    """Every contact, filtered as you type and sorted by any column."""

    BINDINGS = [
        Binding("slash", "find", "Find", key_display="/", tooltip="type in the filter (free text)"),
        Binding("greater_than_sign", "sort(1)", "Sort", key_display=">",
                tooltip="sort by the next column (< the previous one); Enter on a header sorts by it too"),
        Binding("less_than_sign", "sort(-1)", "Sort back", show=False, key_display="<",
                tooltip="sort by the previous column"),
        Binding("r", "reverse", "Reverse", show=False, tooltip="reverse the sort order"),
        Binding("ctrl+l", "clear_filters", "Clear filters", show=False, tooltip="clear every filter"),
        Binding("escape", "leave_filter", "Back to list", show=False,
                tooltip="from a filter field: back to the list"),
        Binding("down", "to_list", "To the list", show=False, tooltip="from the text filters: down into the list"),
    ]

    table_id = "contacts-table"
    empty = "No contacts match the filter."

    DEFAULT_CSS = """
    ContactsView .filters { height: 1; }
    ContactsView .filters Label { padding: 0 1; color: $text-muted; }
    ContactsView #contacts-filter { width: 2fr; }
    ContactsView #filter-agency { width: 1fr; }
    ContactsView Select { width: 1fr; }
    """

    def __init__(self, *, id: Optional[str] = None) -> None:
        super().__init__(id=id)
        self.sort = "received"
        self.reverse = True
        self._applied: Any = None

    def compose(self) -> ComposeResult:
        with Horizontal(classes="filters"):
            yield Label("Find")
            yield TextInput(placeholder="reference, employer, role, summary", id="contacts-filter", compact=True)
            yield Label("Agency")
            yield TextInput(placeholder="any", id="filter-agency", compact=True,
                            suggester=ChoiceSuggester(list(self.app.tracker.taxonomy.agencies)))
        with Horizontal(classes="filters"):
            yield Select([], prompt="year: any", id="filter-year", compact=True)
            yield Select(_labelled("category", CATEGORY_CHOICES), prompt="category: any", id="filter-category",
                         compact=True)
            yield Select(_labelled("status", STATUS_CHOICES), prompt="status: any", id="filter-status", compact=True)
            yield Select(_labelled("harm", HARM_CHOICES), prompt="harm: any", id="filter-harm", compact=True)
        yield self.make_pager()
        yield Static(id="preview", classes="preview")

    def criteria(self) -> Criteria:
        def sel(id_: str) -> str:
            value = self.query_one(f"#{id_}", Select).value
            return value if isinstance(value, str) else ""
        return Criteria(year=sel("filter-year"), category=sel("filter-category"),
                        agency=self.query_one("#filter-agency", Input).value,
                        status=sel("filter-status"), harm=sel("filter-harm"),
                        text=self.query_one("#contacts-filter", Input).value)

    def reload(self) -> None:
        data = lado_data(self.app)
        year = self.query_one("#filter-year", Select)
        if data.years_known():
            years = data.years()
            if [str(o) for o in getattr(year, "_years", [])] != years:
                current = year.value
                year.set_options(_labelled("year", years))
                year._years = years  # type: ignore[attr-defined]
                if isinstance(current, str) and current in years:
                    year.value = current
        else:   # a large store just opened: the years come with the received order (a worker)
            order_in_background(self.app, data, "received", True)
        self.apply_filter()
        self.list_changed(by_user=False)

    def apply_filter(self, *, force: bool = True) -> bool:
        """Show the contacts the filter matches, sorted; False if nothing needed doing."""
        data = lado_data(self.app)
        crit = self.criteria()
        state = (crit, self.sort, self.reverse, data.version, self.app.view_version)
        if not force and state == self._applied:
            return False  # a keystroke whose change an earlier update already showed
        self._applied = state
        note = ""
        keys = data.provisional(self.sort, self.reverse) if crit.empty else None
        if keys is not None:
            # A large store whose order is not known yet: every contact at once, in the order
            # they were logged, and the sort worked out in the background (it then replaces this).
            order_in_background(self.app, data, self.sort, self.reverse)
            note = f"sorting {len(keys):,} by {self.sort}\u2026 shown as logged meanwhile"
        else:
            keys = filter_contacts(data, crit, self.sort, self.reverse)
        if crit.agency.strip() and not data.agencies_matching(crit.agency):
            note = f"no agency name contains '{crit.agency.strip()}'"
        pager = self.pager
        pager.sort_column, pager.sort_reverse = self.sort, self.reverse
        pager.set_keys(keys, note=note)
        self.update_preview()
        return True

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if self.apply_filter(force=False):
            self.list_changed(by_user=True)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.pager.focus_table()

    @on(Select.Changed)
    def _selected(self, event: Select.Changed) -> None:
        event.stop()
        if self.is_mounted and self.loaded_version is not None:
            self.apply_filter()
            self.list_changed(by_user=True)

    @on(PagedTable.SortRequested)
    def _sort_requested(self, event: PagedTable.SortRequested) -> None:
        event.stop()
        if event.column == self.sort:
            self.reverse = not self.reverse
        else:
            self.sort, self.reverse = event.column, event.column in ("received",)
        self.apply_filter()
        self.app.say(f"Sorted by {event.column}{' (newest/highest first)' if self.reverse else ''}")

    def action_find(self) -> None:
        self.query_one("#contacts-filter", Input).focus()

    def action_sort(self, step: int) -> None:
        i = (SORT_COLUMNS.index(self.sort) + step) % len(SORT_COLUMNS)
        self.sort, self.reverse = SORT_COLUMNS[i], SORT_COLUMNS[i] == "received"
        self.apply_filter()
        self.app.say(f"Sorted by {self.sort}{' (reversed)' if self.reverse else ''}; > next column, r reverses")

    def action_reverse(self) -> None:
        self.reverse = not self.reverse
        self.apply_filter()
        self.app.say(f"Sorted by {self.sort}{' (reversed)' if self.reverse else ''}")

    def action_clear_filters(self) -> None:
        with self.prevent(Input.Changed, Select.Changed):
            for id_ in ("contacts-filter", "filter-agency"):
                self.query_one(f"#{id_}", Input).value = ""
            for select in self.query(Select):
                select.clear()
        self.apply_filter()
        self.app.say("Filters cleared")

    def action_to_list(self) -> None:
        self.pager.focus_table()

    def action_leave_filter(self) -> None:
        focused = self.app.focused
        if isinstance(focused, (Input, Select)):
            self.pager.focus_table()
        else:
            self.screen.action_back()  # type: ignore[attr-defined]

    def check_action(self, action: str, parameters: tuple) -> Optional[bool]:
        # While typing in a filter, letters are text: the list keys must not fire.
        if action in ("contact", "add", "reverse") and isinstance(self.app.focused, Input):
            return False
        return True


NOTHING_DUE = "Nothing overdue and nothing due in the next 7 days."


class ChaseView(ForgetsOtherRecordsMessages, OpensHighlighted, WorkspaceView):
    """The due items: overdue first, then due today and soon.  Enter opens the record."""

    BINDINGS = [
        Binding("enter", "open", "Open", tooltip="open the record the item is about"),
    ]

    COLUMNS = [
        Column("state", "State", width=9),
        Column("due", "Due", width=10),
        Column("reference", "Reference", width=11),
        Column("what", "What is due", flex=3, min_width=12),
        Column("agency", "Agency", flex=2, min_width=8),
    ]

    def compose(self) -> ComposeResult:
        yield Static(classes="intro", id="chase-intro")
        yield PagedTable(with_short_agency(self.app, self.COLUMNS), self.render_row, table_id="chase-table",
                         empty=NOTHING_DUE,
                         page_size=getattr(self.app, "page_size", PAGE_SIZE))
        yield Static(id="preview", classes="preview")

    def on_data_table_row_highlighted(self, event) -> None:
        key = self.pager.current_key
        items = lado_data(self.app).due_items
        text = Text(no_wrap=True, overflow="ellipsis")
        if key is not None and int(key) < len(items):
            item = items[int(key)]
            text.append(item.reference, style="bold")
            text.append(" ")
            text.append(item.state, style=STATE_STYLES.get(item.state, ""))
            late = f", {item.days_overdue} day(s) late" if item.overdue else ""
            text.append(f" {item.what}: due {fmt(item.due_on)}{late}")
            if item.detail:
                text.append(f" \u00b7 {item.detail}", style="dim")
        self.query_one("#preview", Static).update(plain(text, multiline=False))

    @property
    def pager(self) -> PagedTable:
        return self.query_one(PagedTable)

    def reload(self) -> None:
        data = lado_data(self.app)
        items = data.due_items
        self.query_one("#chase-intro", Static).update(Text(
            f"Overdue, and due by {fmt(self.app.tracker.today() + timedelta(days=7))}: most urgent first; "
            f"Enter opens the record.", style="dim", no_wrap=True, overflow="ellipsis"))
        self.pager.empty_text = (NOTHING_DUE if data.due_known else
                                 "Working out the deadlines (a few seconds on a large store)\u2026")
        self.pager.set_keys([str(i) for i in range(len(items))])
        self.list_changed(by_user=False)

    def render_row(self, key: str) -> list[Any]:
        item = lado_data(self.app).due_items[int(key)]
        word = item.state
        style = STATE_STYLES.get(word, "") if word != "DUE SOON" else ""
        return [Text(word, style=style), Text(fmt(item.due_on), style=style), Text(item.reference, style=style),
                Text(item.what, style=style), Text(item.agency, style=style)]

    def current_reference(self) -> Optional[str]:
        key = self.pager.current_key
        if key is None:
            return None
        items = lado_data(self.app).due_items
        return items[int(key)].reference if int(key) < len(items) else None

    def focus_default(self) -> None:
        self.pager.focus_table()
