"""Exceptions raised by the library.

Every message names the field (or row, or key), what was given, and what
would be accepted, so a person can act on it without reading code.  Anything
raised from here means nothing was written.
"""

from __future__ import annotations

import difflib
from typing import Iterable, Optional, Sequence


class SafeguardError(Exception):
    """Base class: every error the library raises on purpose."""


class ValidationError(SafeguardError, ValueError):
    """Input that breaks a rule.  Nothing was written."""

    def __init__(self, field: str, value: object, accepted: str, row: int | None = None):
        self.field = field
        self.value = value
        self.accepted = accepted
        self.row = row
        where = f"row {row}: " if row is not None else ""
        super().__init__(f"{where}{field} {self.beside}")

    @property
    def beside(self) -> str:
        """The message as a form shows it beside the field, where the field's name goes without saying."""
        shown = repr(self.value) if not isinstance(self.value, str) else f"'{self.value}'"
        return f"{shown} is not valid: {self.accepted}"


class RuleError(SafeguardError, ValueError):
    """A workflow rule forbids this step (for example closing a referral without an outcome)."""


class UnknownReference(SafeguardError, KeyError):
    def __init__(self, reference: str, kind: str = "record", why: Optional[str] = None):
        """``why``: the login may not see records of this kind at all (a role of a PostgreSQL store), said
        after the reference, so that "no such contact" is not read as the contact's absence."""
        self.reference = reference
        super().__init__(f"no {kind} with reference '{reference}'" + (f" that you can see: {why}" if why else ""))

    def __str__(self) -> str:  # KeyError would add quotes around the message
        message: str = self.args[0]
        return message


class ConflictError(SafeguardError):
    """Another user changed the record after this copy was read.  Nothing was overwritten."""

    def __init__(self, reference: str, expected_rev: int, actual_rev: int, by: str | None = None):
        self.reference = reference
        self.expected_rev = expected_rev
        self.actual_rev = actual_rev
        who = f" by {by}" if by else ""
        super().__init__(
            f"{reference} was changed{who} since you opened it (your copy is revision "
            f"{expected_rev}, the store has {actual_rev}); reload it and make your change again"
        )


class StoreError(SafeguardError):
    """The store file cannot be used.  It has not been touched."""


class StoreCorrupt(StoreError):
    pass


class StoreTooNew(StoreError):
    pass


class StoreLocked(StoreError):
    pass


class StoreWriteError(StoreError):
    """A write failed (disk full, read-only folder).  The previous state is intact."""


class ImportFailed(SafeguardError):
    """A CSV or JSON import had bad rows.  Nothing was written."""

    def __init__(self, problems: Sequence[str], source: str = "import"):
        self.problems = list(problems)
        head = f"{source}: {len(self.problems)} problem(s), nothing was imported"
        super().__init__(head + "\n" + "\n".join(f"  {p}" for p in self.problems))


def nearest(value: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The closest names to a misspelling, for 'did you mean' hints."""
    choices = list(choices)
    lowered = {c.lower(): c for c in choices}
    hits = difflib.get_close_matches(value.lower(), list(lowered), n=n, cutoff=0.5)
    return [lowered[h] for h in hits]


def choice_error(field: str, value: object, choices: Iterable[str], row: int | None = None,
                 hints: Optional[list[str]] = None) -> ValidationError:
    """A ValidationError for a value outside a fixed list, with 'did you mean' hints (``hints``, else the
    nearest spellings)."""
    choices = list(choices)
    hint = hints if hints is not None else nearest(str(value), choices) if value is not None else []
    accepted = "one of: " + ", ".join(choices) if len(choices) <= 12 else f"one of the {len(choices)} listed names"
    if hint:
        accepted += " (did you mean " + " or ".join(f"'{h}'" for h in hint) + "?)"
    return ValidationError(field, value, accepted, row=row)
