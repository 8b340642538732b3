"""The actions board: every action not yet signed off, grouped by RAG or by lead agency (``t``
toggles), overdue first in each group, filtered as you type by review, agency, officer and text.

A group's heading is a row of its own ("RED: 3 actions, 2 overdue: overdue or off track"); the
paged table keeps the board quick with thousands of actions.
"""

from __future__ import annotations

from typing import Any, Optional

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Label, Static

from safeguard_tracker.model import RAG

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


def spread(text: str, widths: list[int]) -> list[str]:
    """Lay ``text`` word by word across adjacent columns, so a long heading (an agency's name) is
    read whole on a narrow screen instead of being cut to one column."""
    words = text.split()
    cells: list[str] = []
    for i, width in enumerate(widths):
        if i == len(widths) - 1:
            cells.append(" ".join(words))
            break
        line = ""
        while words and len(line) + bool(line) + len(words[0]) <= width:
            line += (" " if line else "") + words.pop(0)
        cells.append(line)
    return cells


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
        yield PagedTable(COLUMNS, self.render_row, table_id="board-table",
                         empty="No actions match: ctrl+l clears the filters.",
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
        n = sum(1 for k in keys if not is_group(k))
        late = sum(1 for k in keys if not is_group(k) and data.late(data.action_by_ref[k]) > 0)
        what = "on the board (signed off too)" if self.signed_off else "on the board"
        intro = Text(f"{n} {what}, {late} OVERDUE \u00b7 by {'RAG' if self.group_by == 'rag' else 'agency'} "
                     f"(t toggles) \u00b7 overdue first \u00b7 * revised", style="dim", no_wrap=True,
                     overflow="ellipsis")
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
        data = plans_data(self.app)
        if is_group(key):
            return self._heading(key)
        a = data.action_by_ref.get(key)
        if a is None:
            return [key, "", "", "", "", "(deleted)", ""]
        late = data.late(a)
        due = due_text(a)
        due = due.replace(" (revised)", "*") if a.current_due_on else "no date yet"
        if late or (a.off_track_reason and a.is_open):
            late_cell = Text(f"{late}d late" if late else "off track", style="bold red")
        else:
            late_cell = Text("" if a.is_open else a.status.label)     # complete, signed off
        return [rag_word(data.rag(a)), Text(a.reference), Text(due, style="bold" if late else ""), late_cell,
                plain(data.title(a.review)), plain(a.lead_agency or NO_AGENCY), plain(a.description)]

    def _heading(self, key: str) -> list[Any]:
        """A group's heading row: its name in the column it groups by, its count and lateness."""
        data = plans_data(self.app)
        name = group_name(key)
        acts = self.groups.get(name, [])
        late = sum(1 for a in acts if data.late(a) > 0)
        style = "bold underline"
        cells = [Text("\u25bc", style=style), Text(f"({len(acts)})", style=style), Text(""),
                 Text(f"{late} late", style="bold red underline") if late else Text(""), Text(""), Text(""), Text("")]
        if self.group_by == "rag":
            rag = RAG(name.lower())
            cells[0] = Text(name, style=RAG_TEXT_STYLES[rag] + " underline")
            cells[6] = Text(RAG_MEANING[rag], style=style)
        else:
            widths = list(getattr(self.pager, "_widths", []))[4:] or [0, len(name)]
            if len(name) <= widths[1]:
                cells[5] = plain(name, style)       # in its own column when it fits
            else:
                for i, part in enumerate(spread(name, widths)):
                    cells[4 + i] = plain(part, style)
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
            preview.update(Text("Move to an action: Enter opens it; u update, d due date, c complete, s sign off.",
                                style="dim"))
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
