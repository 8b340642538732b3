"""Form fields: the spec (``Field``), and the row that shows it (label, input, and its hint or message).

Choice fields are typed, not picked from a menu: the first letters are enough ("r" for referral),
the full word is suggested as you type, and the choices are listed beside the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable, Optional, Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.suggester import Suggester
from textual.widgets import Input, Label, Static

from .widgets import TextInput, plain

from safeguard_tracker.dates import DATE_HELP, parse_date
from safeguard_tracker.errors import ValidationError
from safeguard_tracker.taxonomy import fold
from safeguard_tracker.text import visible


@dataclass
class Field:
    """One form field.

    kind: ``text``; ``date`` (today, yesterday, dd/mm/yyyy); ``choice`` (one of ``choices``, typed:
    a unique beginning is enough); ``agency`` (a name from the taxonomy, suggested as you type).
    ``aliases`` are the tracker's names for this field, so its ValidationError lands here.
    ``check`` is the library's own parser for the field (an agency list's ``canonical``, an enum's
    ``parse``): a value that names no choice gets the same message as from the API or an import.
    """
    name: str
    label: str
    kind: str = "text"
    value: str = ""
    placeholder: str = ""
    hint: str = ""
    required: bool = False
    choices: Sequence[str] = ()
    aliases: Sequence[str] = ()
    check: Optional[Callable[[str], object]] = None


class ChoiceSuggester(Suggester):
    """Suggests the first choice that starts with what was typed (dash and case blind)."""

    def __init__(self, choices: Sequence[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.choices = list(choices)

    async def get_suggestion(self, value: str) -> Optional[str]:
        if not value:
            return None
        lowered = value.lower()
        for choice in self.choices:
            # Keep what was typed and complete it with the rest of the choice's spelling.
            if choice.lower().startswith(lowered) and len(choice) > len(value):
                return value + visible(choice[len(value):])
        return None


def resolve_choice(value: str, choices: Sequence[str]) -> Optional[str]:
    """The choice ``value`` names: exact (dash and case blind), else the only one it begins, else
    the only one containing it.  None when it names none or several."""
    key = fold(value)
    if not key:
        return None
    exact = [c for c in choices if fold(c) == key]
    if exact:
        return exact[0]
    starts = [c for c in choices if fold(c).startswith(key)]
    if len(starts) == 1:
        return starts[0]
    if starts:
        return None
    inside = [c for c in choices if key in fold(c)]
    return inside[0] if len(inside) == 1 else None


def matching_choices(value: str, choices: Sequence[str]) -> list[str]:
    key = fold(value)
    if not key:
        return list(choices)
    starts = [c for c in choices if fold(c).startswith(key)]
    return starts + [c for c in choices if key in fold(c) and c not in starts]


class FieldRow(Vertical):
    """A label, an input, and under them the field's hint or its message."""

    DEFAULT_CSS = """
    FieldRow { height: auto; }
    FieldRow > Horizontal { height: 1; }
    FieldRow Label { width: 16; padding: 0 1 0 0; text-align: right; color: $text-muted; }
    FieldRow.-required Label { color: $text; }
    FieldRow Input { width: 1fr; }
    FieldRow > .field-note { height: auto; padding: 0 0 0 16; color: $text-muted; display: none; }
    FieldRow > .field-note.-shown { display: block; }
    FieldRow > .field-error { height: auto; padding: 0 0 0 16; color: $error; text-style: bold; display: none; }
    FieldRow > .field-error.-shown { display: block; }
    """

    def __init__(self, spec: Field, today: date) -> None:
        super().__init__(id=f"row-{spec.name}", classes="-required" if spec.required else "")
        self.spec = spec
        self.today = today
        self.error_for: Optional[str] = None

    def compose(self) -> ComposeResult:
        spec = self.spec
        suggester = ChoiceSuggester(spec.choices) if spec.choices else None
        placeholder = spec.placeholder or {"date": "today, yesterday or dd/mm/yyyy"}.get(spec.kind, "")
        with Horizontal():
            yield Label(spec.label + ("*" if spec.required else ""))
            yield TextInput(value=spec.value, placeholder=placeholder, suggester=suggester, compact=True,
                        id=f"field-{spec.name}")
        yield Static(classes="field-note")
        yield Static(classes="field-error")

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    @property
    def value(self) -> str:
        return self.input.value.strip()

    def set_error(self, message: str) -> None:
        # The value the message is about: it stays until the value changes from this one.
        self.error_for = self.input.value if message else None
        error = self.query_one(".field-error", Static)
        error.update(plain("\u2717 " + message) if message else "")
        error.set_class(bool(message), "-shown")

    def note_text(self) -> str:
        spec = self.spec
        value = self.value
        if spec.kind == "date":
            if value:
                try:
                    day = parse_date(value, spec.name, today=self.today)
                    return f"= {day:%A %d/%m/%Y}"
                except ValidationError:
                    return DATE_HELP
            return spec.hint or DATE_HELP
        if spec.choices:
            chosen = resolve_choice(value, spec.choices) if value else None
            if chosen is not None:
                return f"= {chosen}" + ("   (Enter takes it)" if chosen != value else "")
            shown = matching_choices(value, spec.choices) if value else list(spec.choices)
            if not shown:
                return f"no match: {spec.hint or 'one of the listed choices'}"
            text = " \u00b7 ".join(shown[:6])
            if len(shown) > 6:
                text += f" \u2026 (+{len(shown) - 6} more: type more of the name)"
            return (spec.hint + ": " if spec.hint and not value else "") + text
        return spec.hint

    def show_note(self, shown: bool) -> None:
        note = self.query_one(".field-note", Static)
        text = self.note_text() if shown else ""
        note.update(plain(text))
        note.set_class(bool(shown and text), "-shown")
