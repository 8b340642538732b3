"""Forms: fields with their messages beside them, and saves that never lose the input.

Every form in the TUI (quick add, categorise, escalate, JEM...) is a ``FormScreen`` built from
``Field`` specs.  Each field is one line (label and input); under it, its hint while it has
focus and its validation message whenever there is one.  ``submit(values)`` calls the tracker;
whatever it raises is shown in the form, which stays open with the user's input:

* ``ValidationError`` -> the message beside the field it names;
* ``ConflictError`` (another user saved first) -> a CONFLICT banner; ``ctrl+r`` reloads the record
  and keeps the input, so the user checks it and saves again;
* ``StoreError`` (locked, disk full, read-only) -> a NOT SAVED banner; ``ctrl+s`` tries again.

Escape closes a form at once only when nothing in it was typed or changed; otherwise it asks
"Discard what you typed? y/n" first (``DiscardScreen``: y discards, n or esc goes back to the form
with the input kept).  A form that changes nothing in the store (Go to) closes at once.

The fields and their rows are in fields.py; opening a form on one record (fresh copy, reload
after a conflict, confirmation) in record_forms.py.
"""

from __future__ import annotations

from datetime import date
from typing import Callable, Optional, Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from .fields import Field, FieldRow, label_width, matching_choices, resolve_choice
from .footer import KeysFooter
from .widgets import plain

from safeguard_tracker.dates import parse_date
from safeguard_tracker.errors import (ConflictError, RuleError, SafeguardError, StoreError, StoreLocked,
                                      UnknownReference, ValidationError)


class DiscardScreen(ModalScreen[bool]):
    """Escape on a form with something typed in it: "Discard what you typed? y/n".  Dismisses
    with True (y: discard) or False (n or esc: back to the form, the input kept)."""

    BINDINGS = [
        Binding("y", "answer(True)", "Discard", tooltip="discard what you typed and close the form"),
        Binding("n", "answer(False)", "Keep editing", tooltip="back to the form, your input kept"),
        Binding("escape", "answer(False)", "Keep editing", show=False),
        Binding("q", "answer(False)", show=False),     # never quits the app from here
    ]

    DEFAULT_CSS = """
    DiscardScreen { align: center middle; }
    DiscardScreen > #discard { width: 66; max-width: 100%; height: auto; border: round $warning;
                               background: $surface; padding: 0 1; }
    DiscardScreen > #discard > #discard-question { text-style: bold; }
    DiscardScreen > #discard > #discard-keys { color: $text-muted; }
    """

    def __init__(self, what: str = "") -> None:
        super().__init__(id="form-discard")
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical(id="discard"):
            yield Static(plain("Discard what you typed? y/n"), id="discard-question")
            yield Static(plain(self.what), id="discard-what")
            yield Static(plain("y discards it (nothing is saved) \u00b7 n or esc: back to the form"),
                         id="discard-keys")
        yield KeysFooter()

    def action_answer(self, discard: bool) -> None:
        self.dismiss(discard)


class FormScreen(ModalScreen[Optional[str]]):
    """A form over the screen.  Dismisses with the confirmation message once saved.

    ``submit(values) -> str`` saves and returns the message for the status line; ``reload()``
    (optional) takes in another user's newer copy after a conflict, keeping the input.
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True, tooltip="save the form (Enter in the last field too)"),
        Binding("escape", "cancel", "Cancel",
                tooltip="close the form without saving (asks first when something was typed)"),
        Binding("ctrl+r", "reload", "Reload", show=False,
                tooltip="after a CONFLICT: take in the other user's change, keeping your input"),
        Binding("q", "noop", show=False),
        # Enter is taken before the key reaches the field (priority), so the keys typed right
        # after it already land in the next field, however fast they come.
        Binding("enter", "enter", "Next field", show=False, priority=True,
                tooltip="Enter in the last field saves; a choice takes what you typed"),
        Binding("down", "move(1)", "Next field", show=False, tooltip="the field below (tab too)"),
        Binding("up", "move(-1)", "Previous field", show=False, tooltip="the field above (shift+tab too)"),
    ]

    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    FormScreen > #form { width: 78; max-width: 100%; height: auto; max-height: 100%;
                         border: round $accent; background: $surface; padding: 0 1; }
    FormScreen > #form > #form-title { height: auto; text-style: bold; padding: 0 0 1 0; }
    FormScreen > #form > #form-banner { height: auto; display: none; padding: 0 1; margin: 0 0 1 0; }
    FormScreen > #form > #form-banner.-shown { display: block; }
    FormScreen > #form > #form-banner.-error { background: $error 30%; text-style: bold; }
    FormScreen > #form > #form-banner.-info { background: $primary 25%; }
    FormScreen > #form > #form-fields { height: auto; max-height: 100%; }
    FormScreen > #form > #form-keys { height: 1; color: $text-muted; padding: 1 0 0 0; height: 2; }
    """

    def __init__(self, title: str, fields: Sequence[Field], submit: Callable[[dict[str, str]], str], *,
                 today: date, reload: Optional[Callable[[], str]] = None, intro: str = "",
                 id: Optional[str] = None, writes: bool = True, done_word: str = "SAVED",
                 verb: Optional[str] = None, table: Optional[str] = None, adds: bool = False) -> None:
        super().__init__(id=id)
        self.table = table            # what the form changes ("contacts"...): a role that may not is told at once
        self.adds = adds              # it adds a new record to ``table`` (which a region's whole view cannot)
        self.writes = writes          # False for a form that does not change the store (Go to, a board report)
        self.done_word = done_word    # "NOT SAVED: ..." on a failure; Go to says NOT OPENED
        # What ctrl+s (and Enter in the last field) does here, in the hint line and the footer:
        # "save", or "open" for Go to (its done_word OPENED says so when verb is not given).
        self.verb = verb or {"OPENED": "open"}.get(done_word, "save")
        if self.verb != "save":
            self._bindings.key_to_bindings["ctrl+s"] = [
                Binding("ctrl+s", "save", self.verb.capitalize(), priority=True,
                        tooltip=f"{self.verb} (Enter in the last field too)")]
        self.form_title = title
        self.fields = list(fields)
        self.submit = submit
        self.reload_fn = reload
        self.intro = intro
        self.today = today
        self.saving = False
        self.initial: Optional[dict[str, str]] = None    # the values as opened: Escape asks only once changed

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            title = plain(self.form_title, "bold")
            if self.intro:
                title.append_text(plain("\n" + self.intro, "not bold"))
            yield Static(title, id="form-title")
            yield Static(id="form-banner")
            with VerticalScroll(id="form-fields"):
                width = label_width(self.fields)
                for spec in self.fields:
                    yield FieldRow(spec, self.today, width)
            yield Static(Text(f"ctrl+s {self.verb} \u00b7 enter/\u2193 next \u00b7 \u2192 takes suggestion \u00b7 "
                              f"esc cancel \u00b7 * required"),
                         id="form-keys")
        # The form's own keys, over the footer of the screen behind it (whose keys do not work
        # while the form is open).
        yield KeysFooter()

    def read_only(self) -> Optional[str]:
        """Why the store cannot be changed, when this form would change it (else None): a read-only store,
        or a role that may not change what this form changes."""
        if not self.writes:
            return None
        why = getattr(self.app, "read_only", lambda: None)()
        tracker = getattr(self.app, "tracker", None)
        if why is None and self.table is not None and tracker is not None:
            why = tracker.may_add(self.table) if self.adds else tracker.may_change(self.table)
        return why

    def on_mount(self) -> None:
        read_only = self.read_only()
        if read_only and "several authorities" in read_only:
            self.show_banner(f"NOT IN THIS VIEW: this form cannot be saved ({read_only}).")
        elif read_only and getattr(self.app, "read_only", lambda: None)() is None:
            self.show_banner(f"NOT FOR YOUR ROLE: this form cannot be saved ({read_only}).")
        elif read_only:
            self.show_banner(f"READ-ONLY store: this form cannot be saved ({read_only}).")
        self.call_after_refresh(self.fit)
        self.initial = self.values()
        # Start where there is something to type: the first required field still empty.
        rows = list(self.query(FieldRow))
        empty = [r for r in rows if r.spec.required and not r.value]
        if empty or rows:
            (empty or rows)[0].input.focus()

    def on_resize(self) -> None:
        self.call_after_refresh(self.fit)

    def fit(self) -> None:
        """Keep the whole form on the screen: the fields scroll (the focused one in view) between
        the title and the keys line, so a long form (Edit) shows its last fields at 80x24 too."""
        if not self.is_mounted or not self.size.height or not self.query("#form") or not self.query("#form-fields"):
            return      # closed before this call came round (a quick Enter): nothing left to fit
        form = self.query_one("#form")
        fields = self.query_one("#form-fields")
        others = sum(w.outer_size.height for w in form.children if w is not fields and w.display)
        footer = sum(w.outer_size.height for w in self.query(KeysFooter))
        room = self.size.height - footer - form.styles.gutter.height - others
        if fields.styles.max_height is None or fields.styles.max_height.value != max(room, 3):
            fields.styles.max_height = max(room, 3)
        if self.focused is not None:
            self.focused.scroll_visible(animate=False)

    # --- field helpers ------------------------------------------------------------------
    def row(self, name: str) -> FieldRow:
        return self.query_one(f"#row-{name}", FieldRow)

    def values(self) -> dict[str, str]:
        return {row.spec.name: row.value for row in self.query(FieldRow)}

    def _row_for(self, field_name: str) -> Optional[FieldRow]:
        for row in self.query(FieldRow):
            if field_name == row.spec.name or field_name in row.spec.aliases:
                return row
        return None

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        row = event.input.parent.parent if event.input.parent else None
        if isinstance(row, FieldRow):
            row.show_note(True)
            # Changed messages can arrive after the message was set (the keys typed before an
            # Enter are applied after it is taken): only a value other than the one judged clears it.
            if row.query_one(".field-error").has_class("-shown") and row.input.value != row.error_for:
                row.set_error("")

    def on_descendant_focus(self, event) -> None:
        for row in self.query(FieldRow):
            row.show_note(row.input.has_focus)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.advance(event.input)

    def action_enter(self) -> None:
        focused = self.focused
        if isinstance(focused, Input):
            self.advance(focused)

    def advance(self, field: Input) -> None:
        """Enter in a field: the next field at once, then this one's value judged (its choice
        taken, or back to it with the message); in the last field, save.

        Keys reach a field through its own queue, and Enter (a priority binding) is handled
        before the keys typed just ahead of it have been applied.  So focus moves at once
        (``set_focus``: the keys typed after the Enter land in the next field) and the field is
        judged from a callback queued behind those keys (``call_later`` on the field).
        """
        rows = list(self.query(FieldRow))
        inputs = [r.input for r in rows]
        if field not in inputs:
            self.action_save()
            return
        i = inputs.index(field)
        if i == len(inputs) - 1:
            self.action_save()
            return
        self.set_focus(inputs[i + 1])
        field.call_later(self._entered, rows[i])

    def action_move(self, step: int) -> None:
        inputs = [r.input for r in self.query(FieldRow)]
        focused = self.focused
        if focused in inputs:
            i = inputs.index(focused) + step
            if 0 <= i < len(inputs):
                self.set_focus(inputs[i])

    def _entered(self, row: FieldRow) -> None:
        message = self.field_problem(row)
        if message:
            row.set_error(message)           # back to the field until it makes sense
            self.set_focus(row.input)
            return
        if row.spec.choices and row.value:
            row.input.value = resolve_choice(row.value, row.spec.choices) or row.value

    # --- banner -----------------------------------------------------------------------------
    def show_banner(self, text: str, kind: str = "error") -> None:
        banner = self.query_one("#form-banner", Static)
        banner.update(plain(text))
        banner.set_class(bool(text), "-shown")
        banner.set_class(kind == "error", "-error")
        banner.set_class(kind == "info", "-info")
        self.call_after_refresh(self.fit)       # the banner takes room from the fields

    def clear_errors(self) -> None:
        for row in self.query(FieldRow):
            row.set_error("")
        self.show_banner("")

    # --- validation -------------------------------------------------------------------------
    def field_problem(self, row: FieldRow, *, required: bool = False) -> str:
        """What is wrong with one field's value, in words ('' when nothing is)."""
        spec, value = row.spec, row.value
        if not value:
            if required and spec.required:
                return f"{spec.label} is required" + (f": {spec.hint}" if spec.hint and spec.kind != "date" else "")
            return ""
        if spec.kind == "date":
            try:
                parse_date(value, spec.name, today=self.today)
            except ValidationError as exc:
                return exc.beside           # the library's own words, as the API and the imports say them
        elif spec.choices and resolve_choice(value, spec.choices) is None:
            near = matching_choices(value, spec.choices)
            if near:
                return f"'{value}' could be {', '.join(near[:4])}{' ...' if len(near) > 4 else ''}: type more of it"
            if spec.check is not None:
                try:
                    spec.check(value)
                except ValidationError as exc:
                    return exc.beside       # the library's own words, as the API and the imports say them
            return (f"'{value}' is not one of: " + ", ".join(spec.choices[:8])
                    + (" \u2026" if len(spec.choices) > 8 else ""))
        return ""

    def check(self) -> Optional[dict[str, str]]:
        """Field-level checks before calling the tracker: required, dates, choices."""
        values = self.values()
        ok = True
        first_bad: Optional[FieldRow] = None
        for row in self.query(FieldRow):
            spec, value = row.spec, row.value
            message = self.field_problem(row, required=True)
            if not message and value and spec.choices:
                chosen = resolve_choice(value, spec.choices)
                values[spec.name] = chosen
                row.input.value = chosen
            row.set_error(message)
            if message:
                ok = False
                first_bad = first_bad or row
        if first_bad is not None:
            self.set_focus(first_bad.input)
            self.show_banner(f"NOT {self.done_word}: check the fields marked \u2717 (your input is kept).")
        return values if ok else None

    # --- actions ----------------------------------------------------------------------------
    def action_noop(self) -> None:
        pass

    def touched(self) -> bool:
        """Whether anything in the form was typed or changed since it opened."""
        return self.initial is not None and self.values() != self.initial

    def action_cancel(self) -> None:
        """Escape: close at once when nothing was typed (or the form changes nothing in the
        store); else ask first, and keep the form and its input unless the answer is y."""
        if not self.writes or not self.touched():
            self.dismiss(None)
            return

        def answered(discard: Optional[bool]) -> None:
            if discard:
                self.dismiss(None)
                say = getattr(self.app, "say", None)
                if say is not None:
                    say(f"{self.form_title} discarded: nothing was saved")
        self.app.push_screen(DiscardScreen(self.form_title), answered)

    def action_save(self) -> None:
        """ctrl+s, or Enter in the last field: saved once the keys typed before it are in the field."""
        focused = self.focused
        if isinstance(focused, Input):
            focused.call_later(self.save)
        else:
            self.save()

    def save(self) -> None:
        if self.saving:
            return
        self.clear_errors()
        values = self.check()
        if values is None:
            return
        self.saving = True
        try:
            message = self.submit(values)
        except ValidationError as exc:
            row = self._row_for(exc.field)
            if row is not None:
                # Beside the field its name goes without saying (the library's may be 'actions[1].owner').
                row.set_error(str(exc) if exc.row is not None else
                              exc.beside if exc.value not in ("", None) else
                              f"{row.spec.label} is needed: {exc.accepted}")
                self.set_focus(row.input)
                self.show_banner(f"NOT {self.done_word}: check the field marked \u2717 (your input is kept).")
            else:
                self.show_banner(f"NOT {self.done_word}: {exc}")
            return
        except ConflictError as exc:
            hint = " Press ctrl+r to take in their change (your input is kept), then ctrl+s to save." \
                if self.reload_fn else " Your input is kept."
            self.show_banner(f"CONFLICT, NOT SAVED: {exc}.{hint}")
            return
        except StoreLocked as exc:
            self.show_banner(f"NOT SAVED, the store is busy: {exc}. Your input is kept: press ctrl+s to try again.")
            return
        except StoreError as exc:
            if self.read_only() and getattr(self.app, "read_only", lambda: None)() is None:
                self.show_banner(f"NOT SAVED: {exc}. Your input is kept, but it cannot be saved here: copy "
                                 f"what you need, then esc.")
            elif "the server refused" in str(exc) or "several authorities" in str(exc):
                self.show_banner(f"NOT SAVED: {exc}. Your input is kept, but the server will not take it as it is: "
                                 f"change what it names, or copy what you need, then esc.")
            elif self.read_only():
                self.show_banner(f"NOT SAVED, the store is READ-ONLY: {exc}. Your input is kept, but it cannot be "
                                 f"saved here: copy what you need, then esc.")
            else:
                self.show_banner(f"NOT SAVED: {exc}. Your input is kept: press ctrl+s to try again.")
            return
        except (RuleError, UnknownReference, SafeguardError) as exc:
            self.show_banner(f"NOT {self.done_word}: {exc}")
            return
        except OSError as exc:  # anything the store did not wrap: still never lose the form
            self.show_banner(f"NOT SAVED: {exc}. Your input is kept: press ctrl+s to try again.")
            return
        finally:
            self.saving = False
        self.dismiss(message)

    def action_reload(self) -> None:
        if self.reload_fn is None:
            return
        try:
            message = self.reload_fn()
        except SafeguardError as exc:
            self.show_banner(f"Could not reload: {exc}")
            return
        self.show_banner(message or "Reloaded; your input is kept.", kind="info")
