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
from safeguard_tracker.validation.choices import match_choice
from safeguard_tracker.text import visible


@dataclass
class Field:
    """One form field.

    kind: ``text``; ``date`` (today, yesterday, dd/mm/yyyy); ``choice`` (one of ``choices``, typed:
    a beginning that names no other choice is enough, see ``resolve_choice``); ``agency`` (a name
    from the taxonomy, suggested as you type).
    ``aliases`` are the tracker's names for this field, so its ValidationError lands here.
    ``check`` is the library's own parser for the field (an agency list's ``canonical``, an enum's
    ``parse``): a value that names no choice gets the same message as from the API or an import.
    ``past``: a date field for a day before today (a date of birth): it never offers "today",
    and its note says when the day typed is not in the past (the library refuses it on saving, in
    its own words, as the API and the imports do).  A date field named as a date of birth
    (``DATE_OF_BIRTH_FIELDS``) is one without saying so.
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
    past: bool = False

    def __post_init__(self) -> None:
        if self.kind == "date" and self.name in DATE_OF_BIRTH_FIELDS:
            self.past = True


# Date fields that hold a date of birth: only days before today, and no "today" offered.
DATE_OF_BIRTH_FIELDS = frozenset({"subject_dob", "date_of_birth", "dob"})
PAST_DATE_PLACEHOLDER = "dd/mm/yyyy (a past date)"
PAST_DATE_HELP = "a date before today, such as 05/01/1980 (day first)"


class ChoiceSuggester(Suggester):
    """Suggests, greyed, the choice that what was typed names (dash and case blind), when it
    begins with it.  Nothing is suggested for a beginning that could name two choices ("subs":
    substantiated or unsubstantiated): a greyed word is what ctrl+s would save, so it is shown
    only when there is one."""

    def __init__(self, choices: Sequence[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.choices = list(choices)

    async def get_suggestion(self, value: str) -> Optional[str]:
        if not value:
            return None
        choice = resolve_choice(value, self.choices)
        # Keep what was typed and complete it with the rest of the choice's spelling.
        if choice is not None and choice.lower().startswith(value.lower()) and len(choice) > len(value):
            return value + visible(choice[len(value):])
        return None


def resolve_choice(value: str, choices: Sequence[str]) -> Optional[str]:
    """The choice ``value`` names, by the library's one rule (``validation.choices``, which the
    CLI's options and filters follow too): the exact name (case, spacing, dashes ignored); else the
    only choice with a word that begins with it or, from three characters, that holds it ("prim":
    School - Primary).  None when it names none or could name several ("subs": substantiated or
    unsubstantiated): a beginning is never taken as the first of two."""
    return match_choice(value, choices)


def matching_choices(value: str, choices: Sequence[str]) -> list[str]:
    key = fold(value)
    if not key:
        return list(choices)
    starts = [c for c in choices if fold(c).startswith(key)]
    return starts + [c for c in choices if key in fold(c) and c not in starts]


LABEL_WIDTH = 16       # the label column, its right padding included


def label_width(fields: Sequence[Field]) -> int:
    """The label column a form needs: the usual one, or wider for a longer label (and its *)."""
    longest = max((len(f.label) + (1 if f.required else 0) for f in fields), default=0)
    return max(LABEL_WIDTH, longest + 1)


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

    def __init__(self, spec: Field, today: date, label_width: int = LABEL_WIDTH) -> None:
        super().__init__(id=f"row-{spec.name}", classes="-required" if spec.required else "")
        self.spec = spec
        self.today = today
        self.label_width = label_width
        self.error_for: Optional[str] = None

    def compose(self) -> ComposeResult:
        spec = self.spec
        suggester = ChoiceSuggester(spec.choices) if spec.choices else None
        placeholder = spec.placeholder or {"date": PAST_DATE_PLACEHOLDER if spec.past else
                                           "today, yesterday or dd/mm/yyyy"}.get(spec.kind, "")
        label = Label(spec.label + ("*" if spec.required else ""))
        note, error = Static(classes="field-note"), Static(classes="field-error")
        if self.label_width != LABEL_WIDTH:
            # A label longer than the usual column widens it for the whole form, never wrapping
            # onto a hidden second line ("Employer outcome" was shown as a second "Employer").
            label.styles.width = self.label_width
            note.styles.padding = (0, 0, 0, self.label_width)
            error.styles.padding = (0, 0, 0, self.label_width)
        with Horizontal():
            yield label
            yield TextInput(value=spec.value, placeholder=placeholder, suggester=suggester, compact=True,
                        id=f"field-{spec.name}")
        yield note
        yield error

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
            help_text = PAST_DATE_HELP if spec.past else DATE_HELP
            if value:
                try:
                    day = parse_date(value, spec.name, today=self.today)
                except ValidationError:
                    return help_text
                if spec.past and day is not None and day >= self.today:
                    return f"{day:%d/%m/%Y} is not in the past: {help_text}"
                return f"= {day:%A %d/%m/%Y}"
            return spec.hint or help_text
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
