"""What the Lists screen shows and asks, computed from the tracker without Textual.

One row per entry of a vocabulary (``Tracker.vocabulary(kind)``): its name, its sector group (the
agencies), its aliases, whether it is retired, and how many records hold it
(``Tracker.vocabulary_usage(kind)``).  The questions a change asks before it is made name the
records it will change, in words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from safeguard_tracker.vocab.entries import FIXED_KINDS, KINDS, SECTOR_GROUPS

ALIAS_SEPARATOR = "|"      # names may hold commas ("Early Years (Childminders, nursery, ...)")

TITLES: dict[str, str] = {
    "agencies": "Agencies",
    "partners": "Partners",
    "categories": "Categories",
    "outcomes": "Outcomes",
    "harms": "Harms",
}

# One line above the table: what the list is, and what a council can do with it.
INTROS: dict[str, str] = {
    "agencies": "The agencies that refer or employ, each in a sector group. A renamed or merged name stays "
                "as an alias, so old spreadsheets still import.",
    "partners": "Who else may own or lead an action-plan action (the board itself). A renamed or merged "
                "name stays as an alias.",
    "categories": "Fixed by the guidance: l gives one your own label ('Advice request' for consultation).",
    "outcomes": "Fixed by the guidance: l gives one your own label ('Founded' for substantiated); "
                "x stops offering one you never use.",
    "harms": "Fixed by the guidance: l gives one your own label ('Conduct outside work' for suitability).",
}

VERBS = {"add": "added to", "rename": "renamed", "merge": "merged"}


@dataclass(frozen=True)
class ListRow:
    """One entry as the table shows it."""
    name: str
    group: str            # the sector group's label ('' for a list without groups)
    aliases: tuple[str, ...]
    retired: bool
    records: int


def is_fixed(kind: str) -> bool:
    return kind in FIXED_KINDS


def next_kind(kind: str, step: int) -> str:
    """The list ``step`` places after ``kind`` (round the end)."""
    return KINDS[(KINDS.index(kind) + step) % len(KINDS)]


def group_label(kind: str, group: str) -> str:
    if kind != "agencies":
        return ""
    return SECTOR_GROUPS.get(group or "other", group)


def rows(tracker: Any, kind: str) -> list[ListRow]:
    """Every entry of ``kind``, in the list's order, retired ones included."""
    usage = tracker.vocabulary_usage(kind)
    return [ListRow(name=e.name, group=group_label(kind, e.group), aliases=tuple(e.aliases), retired=e.retired,
                    records=usage.get(e.name, 0))
            for e in tracker.vocabulary(kind)]


def records(n: int) -> str:
    return f"{n:,} record{'' if n == 1 else 's'}"


def refusal(kind: str, verb: str) -> str:
    """Why a fixed list cannot be added to, renamed or merged, and what to do instead (one short line)."""
    return f"{kind.capitalize()} are fixed by the guidance, not {VERBS.get(verb, verb)}: l gives one your own label"


def split_aliases(text: str) -> list[str]:
    """Names typed in one field, separated by '|' (a comma can be part of a name)."""
    return [a.strip() for a in (text or "").split(ALIAS_SEPARATOR) if a.strip()]


def rename_question(kind: str, row: ListRow, new: str) -> str:
    held = (f"{records(row.records)} will show '{new}'" if row.records else "No record holds it")
    return f"Rename '{row.name}' to '{new}' in the {kind}? {held}; '{row.name}' stays as an alias. y/n"


def merge_question(kind: str, row: ListRow, into: str) -> str:
    held = (f"{records(row.records)} will show '{into}'" if row.records else "No record holds it")
    return f"Merge '{row.name}' into '{into}'? {held}; '{row.name}' stays as an alias of it. y/n"


def retire_question(kind: str, row: ListRow) -> str:
    held = (f"It stays on the {records(row.records)} that hold it" if row.records else "No record holds it")
    return f"Retire '{row.name}' from the {kind}? {held}, but it is no longer offered for new ones. y/n"


def describe(kind: str, row: ListRow) -> str:
    """The highlighted entry in full, for the line under the table."""
    parts = [row.name]
    if row.retired:
        parts.append("RETIRED: not offered for new records, x brings it back")
    if row.group:
        parts.append(row.group)
    parts.append(records(row.records))
    parts.append("also: " + ", ".join(row.aliases) if row.aliases else "no aliases")
    return " \u00b7 ".join(parts)


def sentence(message: str) -> str:
    """A library message ('renamed ... in the agencies') as the status line says it."""
    return message[:1].upper() + message[1:] if message else message


def choice_lists(tracker: Any) -> dict[str, list[str]]:
    """The name lists other screens type agencies from (their filters' suggestions)."""
    return {"agencies": list(tracker.taxonomy.agencies), "plan": list(tracker.plan_agencies.agencies)}


def names_of(items: Iterable[ListRow]) -> list[str]:
    return [r.name for r in items]


__all__ = ["ALIAS_SEPARATOR", "INTROS", "ListRow", "TITLES", "choice_lists", "describe", "group_label",
           "is_fixed", "merge_question", "names_of", "next_kind", "records", "refusal", "rename_question",
           "retire_question", "rows", "sentence", "split_aliases"]
