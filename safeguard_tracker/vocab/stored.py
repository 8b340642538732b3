"""A store's vocabularies as its settings hold them, and the defaults a store without its own starts from.

The settings key ``vocabularies`` maps each kind to a list of entry objects (``Entry.to_doc``).  A
store made before vocabularies were editable has none: its agencies are its ``agencies`` setting if
it has one (a list of names), else the board's; its partners its ``plan_agencies`` setting, else the
board itself; and each list takes the board preset's sector groups and aliases for the names they
share, so an old store gains the suggestions and local labels without anything being written.
"""

from __future__ import annotations

from typing import Any, Mapping

from .entries import KINDS, Entry

DEFAULT_PRESET = "board"


def stored_entries(settings: Mapping[str, Any], kind: str) -> tuple[Entry, ...]:
    """The entries of ``kind`` the store's settings give (its own list, else the defaults)."""
    if kind not in KINDS:
        raise KeyError(kind)
    own = (settings.get("vocabularies") or {}).get(kind)
    if own is not None:
        return tuple(Entry.from_doc(d) for d in own)
    base = preset_entries(DEFAULT_PRESET, kind)
    names = settings.get("agencies") if kind == "agencies" else settings.get("plan_agencies") \
        if kind == "partners" else None
    if not names:
        return tuple(base)
    known = {e.name: e for e in base}                # the preset's groups and aliases for the names it shares
    return tuple(known.get(n, Entry(name=n)) for n in names)


def preset_entries(name: str, kind: str) -> tuple[Entry, ...]:
    """A preset's list of ``kind``.  Partners are the plan-only owners: a preset's agencies are
    partners already, so its partner list is kept to the names not among them."""
    from .presets import preset
    lists = preset(name)
    if kind != "partners":
        return tuple(lists[kind])
    agencies = {e.name for e in lists["agencies"]}
    return tuple(e for e in lists["partners"] if e.name not in agencies)


def entries_doc(entries: tuple[Entry, ...] | list[Entry]) -> list[dict[str, object]]:
    return [e.to_doc() for e in entries]


__all__ = ["DEFAULT_PRESET", "entries_doc", "preset_entries", "stored_entries"]
