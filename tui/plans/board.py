"""The actions board: every action not yet signed off, grouped by RAG or by lead agency (``t``
toggles), overdue first in each group, filtered as you type by review, agency, officer and text.

A group's heading is a row of its own ("RED: 3 actions, 2 overdue: overdue or off track"); the
paged table keeps the board quick with thousands of actions.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Any, Optional

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Label, Static

from safeguard_tracker.model import RAG
from safeguard_tracker.short_names import short_name, short_names

from ..fields import ChoiceSuggester
from ..paged_table import Column, PagedTable
from ..widgets import TextInput, WorkspaceView, plain
from .state import plans_data
from .data import NO_AGENCY, RAG_MEANING, BoardCriteria, group_name, is_group, keys_of
from .forms import add_action_form
from .render import RAG_TEXT_STYLES, action_preview, due_text, rag_word
from .steps import BY_NAME, STEPS, open_step

COLUMNS = [
    Column("rag", "RAG", width=5, sortable=False),
    Column("reference", "Ref", width=8, sortable=False),
    Column("due", "Due", width=11, sortable=False),
    Column("late", "State", width=10, sortable=False),
    Column("review", "Review", flex=2, min_width=8, sortable=False),
    Column("agency", "Agency", flex=3, min_width=10, sortable=False),
    Column("description", "Action", flex=4, min_width=10, sortable=False),
]
_BY_KEY = {c.key: c for c in COLUMNS}
# How wide each column grows before the others have what they need (then each grows to its widest
# text): most reviews ("SCR Dawn", "Rapid Review Leo"), agencies ("Medway Community Health Care") and
# actions are shorter.
SOFT_WANTS = {"review": 16, "agency": 20, "description": 80}


@lru_cache(maxsize=32)
def _short_names(agencies: tuple[str, ...], width: int) -> dict[str, str]:
    return short_names(agencies, width)


def allocate(spare: int, mins: list[int], flexes: list[int], wants: list[int], soft: list[int]) -> list[int]:
    """Share ``spare`` cells among flexible columns: each its minimum, then in proportion to its
    flex up to what it wants (first up to ``soft``, then to ``wants``); what is left goes to the last.

    >>> allocate(111, [8, 10, 10], [2, 3, 4], [28, 41, 111], [16, 28, 80])
    [16, 28, 67]
    >>> allocate(131, [8, 10], [2, 4], [28, 111], [16, 80])
    [28, 103]
    """
    widths = list(mins)
    left = spare - sum(widths)
    for caps in (soft, wants):
        while left > 0:
            growing = [i for i, w in enumerate(widths) if w < caps[i]]
            if not growing:
                break
            total = sum(flexes[i] for i in growing) or 1
            shares = {i: (left * flexes[i]) // total for i in growing}
            if not any(shares.values()):            # a few cells: to a column they complete, else the last
                done = [i for i in growing if caps[i] - widths[i] <= left]
                shares[done[0] if done else growing[-1]] = left
            given = 0
            for i in growing:
                add = min(shares[i], caps[i] - widths[i], left - given)
                widths[i] += add
                given += add
            left -= given
            if not given:
                break
    if left > 0 and widths:
        widths[-1] += left
    return widths


class BoardTable(PagedTable):
    """The board's paged table: its columns follow the grouping and share the width by what the
    rows hold (the action's text gets the room a wide terminal gives), and its count line counts
    actions, not rows (a group's heading is a row but not an action)."""

    def __init__(self, view: "ActionsBoardView", **kwargs: Any) -> None:
        super().__init__(COLUMNS, view.render_row, **kwargs)
        self.view = view

    def _compute_widths(self) -> list[int]:
        """The widths of the columns to show, choosing them (``self.columns``) as it goes: by RAG,
        review, agency and action; by agency, the action (its line in a heading holds the agency's
        name whole) and the review when there is room for both."""
        width = self.size.width or self.app.size.width
        table = self.table if self.is_mounted else None
        pad = 2 * (table.cell_padding if table else 1)
        view = self.view
        fixed = [c for c in COLUMNS if c.width]
        base = width - 1 - sum(c.width + pad for c in fixed)
        by_agency = view.group_by == "agency"
        heading = max((len(n) for n in view.groups), default=0) if by_agency else 0
        if by_agency:
            review = _BY_KEY["review"]
            keys = ["review", "description"] if base - 2 * pad - review.min_width >= heading else ["description"]
        else:
            keys = ["review", "agency", "description"]
        self.columns = fixed + [self._agency_column() if k == "agency" else _BY_KEY[k] for k in keys]
        spare = base - pad * len(keys)
        mins = [_BY_KEY[k].min_width for k in keys]
        mins[-1] = max(mins[-1], min(heading, spare - sum(mins[:-1])))
        wants = [max(view.wants.get(k, 0), heading if k == "description" else 0, m) for k, m in zip(keys, mins)]
        soft = [min(w, SOFT_WANTS.get(k, w)) for k, w in zip(keys, wants)]
        flexes = [_BY_KEY[k].flex for k in keys]
        widths = allocate(spare, mins, flexes, wants, soft)
        if by_agency and len(keys) == 2:
            widths.reverse()               # the action first: a heading's name starts where the rows' text does
            self.columns = fixed + [_BY_KEY["description"], _BY_KEY["review"]]
        return [c.width for c in fixed] + widths

    def _agency_column(self) -> Column:
        """The agency column, whose names too long for it are shortened by meaning
        ("Medway Clinical Commissioning Group (CCG)" -> "CCG"), not cut."""
        agencies = tuple(self.app.tracker.plan_agencies.agencies)

        def short(name: str, width: int) -> str:
            return _short_names(agencies, width).get(name.strip()) or short_name(name, width, agencies)
        return replace(_BY_KEY["agency"], short=short)

    def pager_range(self) -> str:
        """Actions, not rows: the group headings are rows but not counted."""
        start = self.page * self.page_size
        before = sum(1 for k in self.keys[:start] if not is_group(k))
        here = sum(1 for k in self.page_keys if not is_group(k))
        count = self.view.count
        return (f"showing actions {before + 1:,}\u2013{before + here:,} of {count:,}" if here
                else f"{count:,} action(s)")


class ActionsBoardView(WorkspaceView):
    BINDINGS = [
        Binding("enter", "open", "Open", tooltip="open the highlighted action"),
        Binding("t", "toggle_group", "Group", tooltip="group by RAG or by lead agency (toggles)"),
        Binding("slash", "find", "Find", key_display="/",
                tooltip="filter by words; tab moves on to the review, agency and officer filters"),
        *[Binding(s.key, f"step('{s.name}')", s.label, show=s.footer and s.name in ("update", "revise", "complete",
                                                                                 "sign_off"), tooltip=s.help)
          for s in STEPS],
        Binding("a", "add_action", "Add action", show=False, tooltip="add an action (asks the review and recommendation)"),
        Binding("b", "signed_off", "Signed off too", show=False,
                tooltip="also list signed-off (BLUE) actions; again to hide them"),
        Binding("ctrl+l", "clear_filters", "Clear filters", show=False, tooltip="clear every filter"),
        Binding("escape", "leave_filter", "Back to list", show=False, tooltip="from a filter field: back to the list"),
    ]

    DEFAULT_CSS = """
    ActionsBoardView .filters { height: 1; }
    ActionsBoardView .filters Label { padding: 0 1; color: $text-muted; }
    ActionsBoardView .filters Input { width: 1fr; }
    ActionsBoardView #board-text { width: 2fr; }
    ActionsBoardView #board-preview { height: 3; padding: 0 1; background: $boost; }
    """

    def __init__(self, *, id: Optional[str] = None) -> None:
        super().__init__(id=id)
        self.group_by = "rag"
        self.signed_off = False
        self.groups: dict[str, list] = {}
        self.count = 0                         # actions listed (the group headings are rows, not actions)
        self.wants: dict[str, int] = {}        # the widest review, agency and action text listed

    def compose(self) -> ComposeResult:
        with Horizontal(classes="filters"):
            yield Label("Find")
            yield TextInput(placeholder="words", id="board-text", compact=True)
            yield Label("Review")
            yield TextInput(placeholder="any", id="board-review", compact=True, suggester=ChoiceSuggester([]))
            yield Label("Agency")
            yield TextInput(placeholder="any", id="board-agency", compact=True, suggester=ChoiceSuggester([]))
            yield Label("Officer")
            yield TextInput(placeholder="any", id="board-officer", compact=True)
        yield Static(classes="intro", id="board-intro")
        unseen = self.app.unseen("actions")  # type: ignore[attr-defined]       # a role without actions
        yield BoardTable(self, table_id="board-table",
                         empty=f"NOT FOR YOUR ROLE: {unseen}." if unseen else "No actions match: ctrl+l clears the filters.",
                         page_size=getattr(self.app, "page_size", 200))
        yield Static(id="board-preview")

    def on_mount(self) -> None:
        tracker = self.app.tracker
        self.query_one("#board-agency", Input).suggester = ChoiceSuggester(list(tracker.plan_agencies.agencies))

    @property
    def pager(self) -> PagedTable:
        return self.query_one(PagedTable)

    def criteria(self) -> BoardCriteria:
        def v(id_: str) -> str:
            return self.query_one(f"#{id_}", Input).value
        return BoardCriteria(review=v("board-review"), agency=v("board-agency"), officer=v("board-officer"),
                             text=v("board-text"), signed_off=self.signed_off)

    def set_filters(self, **values: str) -> None:
        """Fill the filter fields (the palette's "SCR Dawn: actions" does this) and apply them."""
        with self.prevent(Input.Changed):
            for name, value in values.items():
                self.query_one(f"#board-{name}", Input).value = value
        self.apply_filter()

    def reload(self) -> None:
        data = plans_data(self.app)
        self.query_one("#board-review", Input).suggester = ChoiceSuggester([r.title for r in data.reviews])
        self.apply_filter()

    def apply_filter(self) -> None:
        data = plans_data(self.app)
        crit = self.criteria()
        groups = data.board_groups(crit, self.group_by)
        self.groups = dict(groups)
        keys = keys_of(groups)
        acts = [a for _, group in groups for a in group]
        n = self.count = len(acts)
        late = sum(1 for a in acts if data.late(a) > 0)
        self.wants = {"review": max((len(data.title(r)) for r in {a.review for a in acts}), default=0),
                      "agency": max((len(a.lead_agency or NO_AGENCY) for a in acts), default=0),
                      "description": max((len(a.description) for a in acts), default=0)}
        what = "action(s) listed, signed off too" if self.signed_off else "action(s) not yet signed off"
        if not crit.empty:
            what += ", as filtered"
        intro = Text(f"{n:,} {what}: {late:,} OVERDUE \u00b7 by {'RAG' if self.group_by == 'rag' else 'agency'} "
                     f"(t toggles) \u00b7 overdue first \u00b7 * revised", style="dim", no_wrap=True,
                     overflow="ellipsis")
        unseen = self.app.unseen("actions")  # type: ignore[attr-defined]
        if unseen:                                   # never "0 action(s)": the role does not see them
            intro = Text(f"NOT FOR YOUR ROLE: {unseen}.", style="bold", no_wrap=True, overflow="ellipsis")
        self.query_one("#board-intro", Static).update(intro)
        note = ""
        if crit.review.strip() and not data.reviews_matching(crit.review):
            note = f"no review name contains '{crit.review.strip()}'"
        current = self.current_reference() if self.pager.page_keys else None
        first = next((k for k in keys if not is_group(k)), None)
        self.pager.set_keys(keys, keep=current if current in self.groups_refs() else first, note=note)
        self.update_preview()

    # --- rows -----------------------------------------------------------------------------------
    def render_row(self, key: str) -> list[Any]:
        """The row's cells for the columns the table shows now (they follow the grouping and width)."""
        cells = self._heading(key) if is_group(key) else self._action_cells(key)
        return [cells.get(c.key, "") for c in self.pager.columns]

    def _action_cells(self, key: str) -> dict[str, Any]:
        data = plans_data(self.app)
        a = data.action_by_ref.get(key)
        if a is None:
            return {"rag": key, "agency": "(deleted)", "description": "(deleted)"}
        late = data.late(a)
        due = due_text(a)
        due = due.replace(" (revised)", "*") if a.current_due_on else "no date yet"
        if late or (a.off_track_reason and a.is_open):
            late_cell = Text(f"{late}d late" if late else "off track", style="bold red")
        else:
            late_cell = Text("" if a.is_open else a.status.label)     # complete, signed off
        return {"rag": rag_word(data.rag(a)), "reference": Text(a.reference),
                "due": Text(due, style="bold" if late else ""), "late": late_cell,
                "review": plain(data.title(a.review)), "agency": plain(a.lead_agency or NO_AGENCY),
                "description": plain(a.description)}

    def _heading(self, key: str) -> dict[str, Any]:
        """A group's heading row: its count and lateness, and its name: a RAG with its meaning, or
        the agency's name whole on the action column's line (grouped by agency, the rows have no
        agency column: the heading says it once)."""
        data = plans_data(self.app)
        name = group_name(key)
        acts = self.groups.get(name, [])
        late = sum(1 for a in acts if data.late(a) > 0)
        style = "bold underline"
        cells: dict[str, Any] = {"rag": Text("\u25bc", style=style), "reference": Text(f"({len(acts)})", style=style),
                                 "late": Text(f"{late} late", style="bold red underline") if late else Text("")}
        if self.group_by == "rag":
            rag = RAG(name.lower())
            cells["rag"] = Text(name, style=RAG_TEXT_STYLES[rag] + " underline")
            cells["description"] = Text(RAG_MEANING[rag], style=style)
        else:
            cells["description"] = plain(name, style)
        return cells

    def groups_refs(self) -> set[str]:
        return {a.reference for acts in self.groups.values() for a in acts}

    # --- the highlighted row ----------------------------------------------------------------------
    def current_reference(self) -> Optional[str]:
        key = self.pager.current_key
        return None if key is None or is_group(key) else key

    def focus_default(self) -> None:
        self.pager.focus_table()

    def on_data_table_row_highlighted(self, event) -> None:
        self.update_preview()
        self.refresh_bindings()

    def update_preview(self) -> None:
        data = plans_data(self.app)
        ref = self.current_reference()
        a = data.action_by_ref.get(ref) if ref else None
        preview = self.query_one("#board-preview", Static)
        if a is None:
            key = self.pager.current_key
            text = Text("")
            if key is not None and is_group(key):       # a heading: its name whole, and its counts
                name = group_name(key)
                acts = self.groups.get(name, [])
                late = sum(1 for x in acts if data.late(x) > 0)
                text = plain(f"{name}: {len(acts)} action(s), {late} OVERDUE", "bold", multiline=False)
                text.append("\n")
            text.append("Move to an action: Enter opens it; u update, d due date, c complete, s sign off.",
                        style="dim")
            preview.update(text)
            return
        preview.update(plain(action_preview(data, a)))

    @on(PagedTable.Opened)
    def _opened(self, event: PagedTable.Opened) -> None:
        event.stop()
        self.action_open()

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self.apply_filter()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.pager.focus_table()

    # --- keys -----------------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple) -> Optional[bool]:
        if isinstance(self.app.focused, Input) and action in ("step", "toggle_group", "add_action", "signed_off",
                                                               "open"):
            return False     # letters typed in a filter are text
        if action == "step" and parameters:
            ref = self.current_reference()
            a = plans_data(self.app).action_by_ref.get(ref) if ref else None
            return a is not None and BY_NAME[parameters[0]].refuse(a) is None
        return True

    def action_open(self) -> None:
        ref = self.current_reference()
        if ref:
            self.app.open_reference(ref)

    def action_step(self, name: str) -> None:
        ref = self.current_reference()
        if ref is None:
            self.app.say("Move to an action first (not a heading)", "error")
            return
        open_step(self.app, name, ref)

    def action_toggle_group(self) -> None:
        self.group_by = "agency" if self.group_by == "rag" else "rag"
        self.apply_filter()
        self.app.say(f"Grouped by {'lead agency' if self.group_by == 'agency' else 'RAG'}; t toggles")

    def action_signed_off(self) -> None:
        self.signed_off = not self.signed_off
        self.apply_filter()
        self.app.say("Signed-off (BLUE) actions shown" if self.signed_off else "Signed-off actions hidden")

    def action_find(self) -> None:
        self.query_one("#board-text", Input).focus()

    def action_add_action(self) -> None:
        add_action_form(self.app)

    def action_clear_filters(self) -> None:
        self.set_filters(text="", review="", agency="", officer="")
        self.app.say("Filters cleared")

    def action_leave_filter(self) -> None:
        if isinstance(self.app.focused, Input):
            self.pager.focus_table()
        else:
            self.screen.action_back()  # type: ignore[attr-defined]
