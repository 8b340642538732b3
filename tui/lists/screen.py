"""The Lists screen (V, or ctrl+p "Lists"): a council's agencies, partners and local labels.

One list at a time (left and right switch): each entry's name, sector group (agencies), aliases,
whether it is retired, and how many records hold it.  Keys on the highlighted entry add, rename,
merge, retire (or bring back), add and remove aliases, and set an agency's sector group, each by
the tracker's ``vocab_*`` methods.  Rename, merge and retire ask first, saying how many records
change.  The categories, outcomes and harms are fixed by the guidance: their keys for adding,
renaming and merging say so, and a council gives a value its own label as an alias (l).

After a change the status line says what it did, this table and every other view are told
(``app.data_changed`` with the records rewritten), and the filters that suggest agency names
as you type take in the new list.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Static

from safeguard_tracker.errors import SafeguardError, ValidationError
from safeguard_tracker.vocab.entries import KINDS, SECTOR_GROUPS

from ..fields import ChoiceSuggester, Field
from ..footer import KeysFooter
from ..forms import FormScreen
from ..paged_table import PAGE_SIZE, Column, PagedTable
from ..record_forms import ConfirmScreen, RecordFormScreen
from ..widgets import StatusLine, TopBar, plain
from .data import (TITLES, INTROS, ListRow, choice_lists, describe, is_fixed, merge_question, next_kind, records, refusal,
                   rename_question, retire_question, rows, sentence, split_aliases)

GROUP_LABELS = list(SECTOR_GROUPS.values())
ALIAS_HINT = "other names that mean it, separated by | (e.g. Kent Police | Constabulary)"


def columns(kind: str) -> list[Column]:
    out = [Column("name", "Name", flex=2, min_width=12, sortable=False)]
    if kind == "agencies":
        out.append(Column("group", "Sector group", flex=1, min_width=11, sortable=False))
    out += [Column("aliases", "Aliases", flex=2, min_width=8, sortable=False),
            Column("state", "State", width=7, sortable=False),
            Column("records", "Records", width=7, sortable=False)]
    return out


class ListConfirmScreen(ConfirmScreen):  # type: ignore[misc]
    """The question before a change made without a form (retiring an entry): y makes it."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", tooltip="make the change the question names"),
        Binding("n,escape", "answer(False)", "No", key_display="n/esc", tooltip="nothing is changed"),
    ]

    def on_mount(self) -> None:
        self.query_one("#confirm-keys", Static).update(Text("y yes \u00b7 n or esc: no, nothing is changed"))


class ListsScreen(Screen[None]):
    """A council's lists, one at a time, and the keys that change them."""

    BINDINGS = [
        Binding("a", "change('add')", "Add", tooltip="add an agency (with its sector group) or a partner"),
        Binding("r", "change('rename')", "Rename",
                tooltip="rename the entry: every record holding it shows the new name (asks first)"),
        Binding("m", "change('merge')", "Merge",
                tooltip="merge the entry into another, typed by name: its records move (asks first)"),
        Binding("x", "change('retire')", "Retire",
                tooltip="stop offering the entry for new records, kept where recorded (asks first); "
                        "on a retired one, bring it back"),
        Binding("l", "change('alias')", "Alias",
                tooltip="add an alias: another name that means the entry (a local label for a fixed value)"),
        Binding("u", "change('unalias')", "Unalias", tooltip="remove one of the entry's aliases"),
        Binding("s", "change('group')", "Group", tooltip="set an agency's sector group"),
        Binding("right", "kind(1)", "Another list", priority=True, show=False, key_display="\u2190 \u2192",
                tooltip="right: the next list (agencies, partners, categories, outcomes, harms); left: the previous"),
        Binding("left", "kind(-1)", priority=True, show=False),
        Binding("enter", "details", "Details", priority=True, show=False,
                tooltip="the highlighted entry in full: every alias (the table cuts long ones)"),
        Binding("escape", "close", "Close", tooltip="back to where you were"),
    ]

    DEFAULT_CSS = """
    ListsScreen #lists-kinds { height: 1; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    # Keys that do not apply to some lists: they stay out of the footer there and say why.
    REFUSED = {"a": "add", "r": "rename", "m": "merge", "s": "group"}

    def __init__(self, kind: str = "agencies") -> None:
        super().__init__(id="lists")
        self.kind = kind if kind in KINDS else "agencies"
        self.rows: dict[str, ListRow] = {}
        self._shown_kind = ""
        self._keep: Optional[str] = None

    def compose(self) -> ComposeResult:
        yield TopBar()
        yield Static(id="lists-kinds")
        yield Static(id="lists-intro", classes="intro")
        yield PagedTable(columns(self.kind), self.render_row, table_id="lists-table",
                         empty="This list is empty: a adds an entry.",
                         page_size=getattr(self.app, "page_size", PAGE_SIZE))
        yield Static(id="lists-preview", classes="preview")
        yield StatusLine()
        yield KeysFooter()

    def on_mount(self) -> None:
        self.watch(self.app, "data_version", self._reload, init=True)
        self.query_one(PagedTable).focus_table()

    # --- showing ---------------------------------------------------------------------------------
    @property
    def pager(self) -> PagedTable:
        return self.query_one(PagedTable)

    def _reload(self, _version: int = 0) -> None:
        tracker = self.app.tracker  # type: ignore[attr-defined]
        try:
            found = rows(tracker, self.kind)
        except SafeguardError as exc:
            self.app.say(f"Could not read the {self.kind}: {exc}", "error")  # type: ignore[attr-defined]
            return
        self.rows = {r.name: r for r in found}
        pager = self.pager
        if self._shown_kind != self.kind:
            pager.columns = columns(self.kind)
            pager.table.clear(columns=True)       # the columns are built again for this list
            self._shown_kind = self.kind
        self._show_kinds()
        self.query_one("#lists-intro", Static).update(plain(INTROS[self.kind], multiline=False))
        keep, self._keep = self._keep, None
        pager.set_keys(list(self.rows), keep=keep)
        self.refresh_bindings()
        self._preview()

    def _show_kinds(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        for n, kind in enumerate(KINDS):
            if n:
                text.append(" ")
            title = f" {TITLES[kind]}{' (fixed)' if is_fixed(kind) and kind == self.kind else ''} "
            text.append(title, style="bold reverse" if kind == self.kind else "dim")
        text.append("  \u2190 \u2192 another list", style="dim")
        self.query_one("#lists-kinds", Static).update(text)

    def render_row(self, key: str) -> list[Any]:
        row = self.rows[key]
        style = "dim" if row.retired else ""
        cells: list[Any] = [Text(row.name, style=style)]
        if self.kind == "agencies":
            cells.append(Text(row.group, style=style))
        cells += [Text(", ".join(row.aliases), style=style or "italic"),
                  Text("RETIRED" if row.retired else "", style="bold"),
                  Text(f"{row.records:,}", style=style, justify="right")]
        return cells

    def current_row(self) -> Optional[ListRow]:
        key = self.pager.current_key
        return self.rows.get(key) if key is not None else None

    def on_data_table_row_highlighted(self, _event: Any) -> None:
        self._preview()

    def action_details(self) -> None:
        row = self.current_row()
        if row is not None:
            self.app.notify(plain(describe(self.kind, row)).plain, title=TITLES[self.kind])

    def _preview(self) -> None:
        row = self.current_row()
        text = describe(self.kind, row) if row is not None else ""
        self.query_one("#lists-preview", Static).update(plain(text, multiline=False))

    # --- keys -------------------------------------------------------------------------------------
    def why_not(self, verb: str) -> Optional[str]:
        """Why ``verb`` does not apply to this list (None when it does)."""
        if verb in ("add", "rename", "merge") and is_fixed(self.kind):
            return refusal(self.kind, verb)
        if verb == "group" and self.kind != "agencies":
            return f"Only agencies have a sector group; the {self.kind} do not"
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> Optional[bool]:
        # The footer shows the keys that apply to this list; the others still answer (on_key), saying why.
        if action == "change" and parameters:
            return self.why_not(str(parameters[0])) is None
        return True

    def on_key(self, event: events.Key) -> None:
        verb = self.REFUSED.get(event.key)
        if verb is not None and self.why_not(verb) is not None:
            event.stop()
            self.action_change(verb)

    def action_kind(self, step: int) -> None:
        self.show_kind(next_kind(self.kind, step))

    def show_kind(self, kind: str) -> None:
        self.kind = kind
        self._reload()

    def action_close(self) -> None:
        self.app.pop_screen()

    def action_change(self, verb: str) -> None:
        app: Any = self.app
        why = self.why_not(verb)
        if why is not None:
            app.say(why, "warning")
            return
        read_only = app.read_only()
        if read_only:
            app.say(f"READ-ONLY store: the lists cannot be changed ({read_only})", "error")
            return
        app.catch_up()                      # another user's change first: the counts asked about are current
        self._reload()
        if verb == "add":
            self._add()
            return
        row = self.current_row()
        if row is None:
            app.say(f"Nothing highlighted: the {self.kind} list is empty", "warning")
            return
        getattr(self, f"_{verb}")(row)

    # --- the changes --------------------------------------------------------------------------------
    def _form(self, title: str, fields: list[Field], change: Callable[[dict[str, str]], Any], *,
              keep: Callable[[dict[str, str]], str], form_id: str, intro: str = "",
              question: Optional[Callable[[dict[str, str]], Optional[str]]] = None) -> None:
        """A form whose save makes ``change(values)`` (a ListChange), asking ``question`` first when
        given; then the cursor goes to the entry ``keep(values)`` names."""
        app: Any = self.app
        made: dict[str, Any] = {}

        def submit(values: dict[str, str]) -> str:
            before = choice_lists(app.tracker)
            result = change(values)
            made.update(change=result, before=before, keep=keep(values))
            return str(result.message)

        def done(message: Optional[str]) -> None:
            if message and "change" in made:
                self._changed(made["change"], made["before"], made["keep"])

        screen: FormScreen
        if question is not None:
            screen = RecordFormScreen(title, fields, submit, today=app.tracker.today(), intro=intro, id=form_id,
                                      question=question)
        else:
            screen = FormScreen(title, fields, submit, today=app.tracker.today(), intro=intro, id=form_id)
        app.push_screen(screen, done)

    def _changed(self, change: Any, before: dict[str, list[str]], keep: Optional[str]) -> None:
        """After a change: say it, keep the cursor on the entry, tell every view, renew the suggestions."""
        app: Any = self.app
        self._keep = keep
        app.say("\u2713 " + sentence(change.message))
        app.data_changed(change.records)
        if self._keep is not None:          # the watcher has not run yet: show the change now
            self._reload()
        renew_suggestions(app, before)

    def _now(self, call: Callable[[], Any], keep: Optional[str]) -> None:
        """A change made without a form: the tracker's refusal goes to the status line."""
        app: Any = self.app
        before = choice_lists(app.tracker)
        try:
            change = call()
        except SafeguardError as exc:
            app.say(f"NOT CHANGED: {exc}", "error")
            return
        self._changed(change, before, keep)

    def _add(self) -> None:
        tracker = self.app.tracker  # type: ignore[attr-defined]
        kind = self.kind
        fields = [Field("name", "Name", required=True, aliases=("names",))]
        if kind == "agencies":
            fields.append(Field("group", "Sector group", "choice", choices=GROUP_LABELS,
                                hint="blank: Other; type any part: 'edu' finds Education"))
        fields.append(Field("aliases", "Aliases", hint=ALIAS_HINT, aliases=("alias",)))

        def change(v: dict[str, str]) -> Any:
            return tracker.vocab_add(kind, v["name"], group=v.get("group", ""),
                                     aliases=split_aliases(v.get("aliases", "")))
        what = "an agency" if kind == "agencies" else "a partner"
        self._form(f"Add {what}", fields, change, keep=lambda v: v["name"], form_id="form-list-add",
                   intro="It is offered for new records at once; aliases are names that mean it in imports and forms.")

    def _rename(self, row: ListRow) -> None:
        tracker = self.app.tracker  # type: ignore[attr-defined]
        kind = self.kind

        def question(v: dict[str, str]) -> Optional[str]:
            taken = tracker.vocabulary(kind).lookup(v["new"])
            if v["new"] == row.name or taken not in (None, row.name):
                return None                 # nothing to ask: the save says why not, beside the field
            return rename_question(kind, row, v["new"])

        def change(v: dict[str, str]) -> Any:
            if v["new"] == row.name:
                raise ValidationError("new", v["new"], "a new name: this is its name now")
            return tracker.vocab_rename(kind, row.name, v["new"])
        self._form(f"Rename '{row.name}'", [Field("new", "New name", value=row.name, required=True,
                                                  aliases=("name",))],
                   change, keep=lambda v: v["new"], question=question, form_id="form-list-rename",
                   intro=(f"Its {records(row.records)} will show the new name" if row.records else "No record holds it")
                         + "; the old name stays as an alias.")

    def _merge(self, row: ListRow) -> None:
        tracker = self.app.tracker  # type: ignore[attr-defined]
        kind = self.kind
        others = [n for n in self.rows if n != row.name]
        if not others:
            self.app.say(f"There is no other entry in the {kind} to merge '{row.name}' into", "warning")  # type: ignore[attr-defined]
            return

        self._form(f"Merge '{row.name}' into another entry",
                   [Field("into", "Into", "choice", choices=others, required=True, aliases=("name",),
                          hint="type any part of the name: 'second' finds School - Secondary")],
                   lambda v: tracker.vocab_merge(kind, row.name, v["into"]), keep=lambda v: v["into"],
                   question=lambda v: merge_question(kind, row, v["into"]),
                   form_id="form-list-merge",
                   intro=(f"Its {records(row.records)} will show the other name" if row.records else "No record holds it")
                         + f"; '{row.name}' becomes its alias.")

    def _retire(self, row: ListRow) -> None:
        tracker = self.app.tracker  # type: ignore[attr-defined]
        kind = self.kind
        if row.retired:
            self._now(lambda: tracker.vocab_retire(kind, row.name, retired=False), row.name)
            return

        def answered(yes: Optional[bool]) -> None:
            if yes:
                self._now(lambda: tracker.vocab_retire(kind, row.name), row.name)
            else:
                self.app.say(f"'{row.name}' not retired: nothing was changed")  # type: ignore[attr-defined]
        self.app.push_screen(ListConfirmScreen(retire_question(kind, row), id="confirm-retire"), answered)

    def _alias(self, row: ListRow) -> None:
        tracker = self.app.tracker  # type: ignore[attr-defined]
        kind = self.kind
        title = (f"A local label for '{row.name}'" if is_fixed(kind) else f"Add an alias of '{row.name}'")
        self._form(title, [Field("aliases", "Alias", required=True, hint=ALIAS_HINT, aliases=("alias",))],
                   lambda v: tracker.vocab_alias(kind, row.name, split_aliases(v["aliases"])), keep=lambda v: row.name,
                   form_id="form-list-alias",
                   intro="Typed in a form or found in an imported spreadsheet, it will mean "
                         f"'{row.name}'.")

    def _unalias(self, row: ListRow) -> None:
        tracker = self.app.tracker  # type: ignore[attr-defined]
        kind = self.kind
        if not row.aliases:
            self.app.say(f"'{row.name}' has no aliases to remove", "warning")  # type: ignore[attr-defined]
            return
        only = row.aliases[0] if len(row.aliases) == 1 else ""
        self._form(f"Remove an alias of '{row.name}'",
                   [Field("alias", "Alias", "choice", choices=list(row.aliases), value=only, required=True)],
                   lambda v: tracker.vocab_unalias(kind, v["alias"]), keep=lambda v: row.name, form_id="form-list-unalias",
                   intro="It will no longer mean this entry in forms and imports.")

    def _group(self, row: ListRow) -> None:
        tracker = self.app.tracker  # type: ignore[attr-defined]
        self._form(f"Sector group of '{row.name}'",
                   [Field("group", "Sector group", "choice", choices=GROUP_LABELS, value=row.group, required=True,
                          hint="type any part: 'edu' finds Education")],
                   lambda v: tracker.vocab_group(row.name, v["group"]), keep=lambda v: row.name, form_id="form-list-group",
                   intro="Reports group the agencies by sector.")


def renew_suggestions(app: Any, before: dict[str, list[str]]) -> None:
    """The inputs that suggest agency names as they are typed (the contacts' and the board's
    filters) take in the new list: each one that offered a list as it was before the change."""
    after = choice_lists(app.tracker)
    swaps = [(before[k], after[k]) for k in before if before[k] != after.get(k)]
    if not swaps:
        return
    for screen in app.screen_stack:
        for field in screen.query(Input):
            suggester = field.suggester
            if not isinstance(suggester, ChoiceSuggester):
                continue
            for old, new in swaps:
                if suggester.choices == old:
                    suggester.choices = list(new)
                    break


def open_lists(app: Any, kind: str = "agencies") -> None:
    """Show the Lists screen: from a form, say to close it first; from a screen above it, go back to it."""
    stack = list(app.screen_stack)
    if any(isinstance(s, ModalScreen) for s in stack):
        app.say("A form is open: save it (ctrl+s) or close it (esc), then V shows the lists", "warning")
        return
    shown = next((s for s in stack if isinstance(s, ListsScreen)), None)
    if shown is None:
        app.push_screen(ListsScreen(kind))
        return
    while app.screen is not shown:          # a record or the help opened from it closes
        app.pop_screen()
    if kind != shown.kind:
        shown.show_kind(kind)
