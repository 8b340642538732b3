"""Opening a form on one record, and what every such form shares: the record read fresh, the
CONFLICT reload (ctrl+r) that takes in another user's copy and keeps the input, and the
confirmation once saved.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence, TypeVar

from safeguard_tracker import Tracker
from safeguard_tracker.errors import SafeguardError

from .fields import Field
from .forms import FormScreen

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
                  **extra(record))
    app.push_screen(form, confirm(app, on_saved, [reference]))
    return form
