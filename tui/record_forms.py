"""Opening a form on one record, and what every such form shares: the record read fresh, the
CONFLICT reload (ctrl+r) that takes in another user's copy and keeps the input, and the
confirmation once saved.

``RecordFormScreen`` adds the question a step may ask before a decision that is hard to take back
is saved ("Close L-2018-0042 as UNSUBSTANTIATED on 15/06/2018? y/n"), naming it in words.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from safeguard_tracker import Tracker
from safeguard_tracker.errors import SafeguardError

from .fields import Field
from .footer import KeysFooter
from .forms import FormScreen
from .widgets import plain

T = TypeVar("T")


def fetch_or_say(app: Any, fetch: Callable[[], T]) -> Optional[T]:
    """The record a form is about, fresh (other users' changes taken in); None, said, if it is gone."""
    try:
        app.catch_up()
        return fetch()
    except SafeguardError as exc:
        app.say(str(exc), "error")
        return None


def last_editor(tracker: Tracker, reference: str) -> str:
    """' (changed by b.lado at 10:42)': who made the record's latest change, for a conflict's reload."""
    try:
        changes = tracker.history(reference)
    except SafeguardError:
        return ""
    if not changes:
        return ""
    last = changes[-1]
    return f" (changed by {last.user} at {last.at:%H:%M})"


def reloader(app: Any, state: dict, key: str, fetch: Callable[[], Any], reference: str,
             what: str = "") -> Callable[[], str]:
    """After a CONFLICT: take in the other user's copy (ctrl+r), keeping what was typed."""
    def reload() -> str:
        app.catch_up()         # which also tells the views what changed
        state[key] = fetch()
        return (f"Took in the latest copy of {what or reference}{last_editor(app.tracker, reference)}. Your input "
                f"is kept: check the record behind this form, then press ctrl+s to save.")
    return reload


def confirm(app: Any, then: Optional[Callable[[], None]] = None,
            references: Optional[Sequence[str]] = None) -> Callable[[Optional[str]], None]:
    """Once saved: the confirmation in the status line, the views recomputed (only for
    ``references`` when given), then ``then``."""
    def done(message: Optional[str]) -> None:
        if message:
            app.say("\u2713 " + message)
            app.data_changed(references)
            if then is not None:
                then()
    return done


class ConfirmScreen(ModalScreen[bool]):
    """A question over the form: y saves, n or esc goes back to the form with its input kept."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes, save", tooltip="save what the question names"),
        Binding("n,escape", "answer(False)", "No, back to the form", key_display="n/esc",
                tooltip="back to the form, your input kept"),
    ]

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > #confirm { width: 76; max-width: 100%; height: auto; border: thick $warning;
                               background: $surface; padding: 1 1; }
    ConfirmScreen #confirm-keys { color: $text-muted; padding: 1 0 0 0; }
    """

    def __init__(self, question: str, *, id: Optional[str] = "confirm") -> None:
        super().__init__(id=id)
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Static(plain(self.question, "bold"), id="confirm-question")
            yield Static(Text("y yes, save · n or esc: no, back to the form"), id="confirm-keys")
        yield KeysFooter()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


def table_of(reference: str) -> Optional[str]:
    """The table a record of this reference is kept in: L- contacts, R- reviews, A- actions."""
    return {"L": "contacts", "R": "reviews", "A": "actions"}.get(reference[:1].upper())


class RecordFormScreen(FormScreen):
    """A record's form that asks ``question(values)`` (a sentence ending "y/n", or None for no
    question) before saving: the decision named in words, answered y (save) or n (back to the form)."""

    def __init__(self, *args: Any, question: Optional[Callable[[dict[str, str]], Optional[str]]] = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.question = question
        self._confirmed: Optional[dict[str, str]] = None

    def save(self) -> None:
        if self.saving or self.question is None or self._confirmed is not None or self.read_only():
            super().save()          # (a read-only store: nothing to ask, the form says why it cannot save)
            return
        self.clear_errors()
        values = self.check()
        if values is None:
            return
        question = self.question(values)
        if not question:
            super().save()
            return

        def answered(yes: Optional[bool]) -> None:
            if not yes:
                self.show_banner("Not saved: nothing was changed. Change the form and press ctrl+s, "
                                 "or esc to leave it.", kind="info")
                return
            self._confirmed = values
            try:
                super(RecordFormScreen, self).save()
            finally:
                self._confirmed = None     # a save refused by the tracker asks again next time
        self.app.push_screen(ConfirmScreen(question), answered)


def open_record_form(app: Any, reference: str, *, fetch: Callable[[], T], refuse: Callable[[T], Optional[str]],
                     fields: Callable[[T], list[Field]], save: Callable[[T, dict[str, str]], str],
                     title: Callable[[T], str], intro: Callable[[T], str], form_id: str,
                     screen: Callable[..., FormScreen] = FormScreen, on_saved: Optional[Callable[[], None]] = None,
                     extra: Callable[[T], dict[str, Any]] = lambda record: {}) -> Optional[FormScreen]:
    """The form for one step on one record (escalate a contact, sign off an action...).

    The record is read fresh; a step that does not apply says why in the status line instead.
    The save passes the copy the form was opened with (its ``rev``), so another user's change
    in between is a CONFLICT in the form, and ctrl+r takes in their copy (``reload``).  Once
    saved, the status line confirms and the views recompute for this record.  ``extra(record)``:
    more keyword arguments for ``screen`` (a PlanFormScreen's notes).
    """
    record = fetch_or_say(app, fetch)
    if record is None:
        return None
    why_not = refuse(record)
    if why_not:
        app.say(why_not, "error")
        return None
    state = {"record": record}

    def submit(values: dict[str, str]) -> str:
        return save(state["record"], values)

    form = screen(title(record), fields(record), submit, today=app.tracker.today(),
                  reload=reloader(app, state, "record", fetch, reference), intro=intro(record), id=form_id,
                  table=table_of(reference), **extra(record))
    app.push_screen(form, confirm(app, on_saved, [reference]))
    return form
