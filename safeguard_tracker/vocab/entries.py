"""A council's vocabularies as data: entries with aliases, sector groups and retirement.

Two kinds of list:

* **open lists** (``agencies``, the referring or employing organisations, and ``partners``, who may
  own or lead an action-plan action): the council's own names.  Each entry may carry aliases (other
  spellings and abbreviations that mean it) and, for agencies, a sector group.  A renamed or merged
  entry keeps its old name as an alias, so old spreadsheets still import.
* **fixed lists** (``categories``, ``outcomes``, ``harms``): the values the guidance fixes (three
  categories, five allegation outcomes and the two ways a contact that never became an allegation
  closes, five kinds of harm).  A council cannot add a value; it maps its own labels onto one
  ("Founded" -> substantiated) as aliases, so every council's statistics mean the same.

A retired entry stays valid on the records that hold it but is not offered for new ones.
"""

from __future__ import annotations

from typing import Iterable, Optional

import attrs

from ..folding import fold

# Sector groups for agencies, in the order reports list them: key -> label.
SECTOR_GROUPS: dict[str, str] = {
    "education": "Education",
    "early_years": "Early years",
    "health": "Health",
    "police": "Police and justice",
    "social_care": "Social care",
    "residential_care": "Residential care",
    "foster_care": "Foster care",
    "faith": "Faith",
    "sport_leisure": "Sport and leisure",
    "transport": "Transport",
    "voluntary": "Voluntary and charity",
    "other": "Other",
}

OPEN_KINDS = ("agencies", "partners")
FIXED_KINDS = ("categories", "outcomes", "harms")
KINDS = OPEN_KINDS + FIXED_KINDS


@attrs.frozen(kw_only=True)
class Entry:
    """One name in a vocabulary.

    ``group`` is an agency's sector group (a key of ``SECTOR_GROUPS``; blank for other kinds).
    ``aliases`` are other names that mean this entry: typed, imported or suggested, they resolve to
    ``name``.  ``retired`` entries are accepted where they are already recorded, never offered.
    """
    name: str
    group: str = ""
    aliases: tuple[str, ...] = ()
    retired: bool = False

    def to_doc(self) -> dict[str, object]:
        doc: dict[str, object] = {"name": self.name}
        if self.group:
            doc["group"] = self.group
        if self.aliases:
            doc["aliases"] = list(self.aliases)
        if self.retired:
            doc["retired"] = True
        return doc

    @classmethod
    def from_doc(cls, doc: object) -> "Entry":
        if isinstance(doc, str):
            return cls(name=doc)
        if not isinstance(doc, dict) or not isinstance(doc.get("name"), str):
            raise ValueError(f"a vocabulary entry must be a name or {{'name': ...}}, not {doc!r}")
        aliases = doc.get("aliases") or ()
        return cls(name=doc["name"], group=str(doc.get("group") or ""),
                   aliases=tuple(str(a) for a in aliases), retired=bool(doc.get("retired", False)))


class Vocabulary:
    """An ordered list of entries of one kind: look names and aliases up in any case, spacing and dash style."""

    def __init__(self, kind: str, entries: Iterable[Entry]):
        self.kind = kind
        self.entries: tuple[Entry, ...] = tuple(entries)
        self._by_key: dict[str, str] = {}
        for e in self.entries:                       # names win over aliases
            self._by_key.setdefault(fold(e.name), e.name)
        for e in self.entries:
            for a in e.aliases:
                self._by_key.setdefault(fold(a), e.name)
        self._by_name = {e.name: e for e in self.entries}

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def names(self) -> tuple[str, ...]:
        """Every entry's name, retired ones included (old records hold them)."""
        return tuple(e.name for e in self.entries)

    @property
    def offered(self) -> tuple[str, ...]:
        """The names offered for a new record: the entries not retired."""
        return tuple(e.name for e in self.entries if not e.retired)

    def lookup(self, text: str) -> Optional[str]:
        """The entry ``text`` names (its name or an alias, in any case, spacing and dash style), or None."""
        return self._by_key.get(fold(text)) if isinstance(text, str) else None

    def entry(self, name: str) -> Optional[Entry]:
        found = self.lookup(name)
        return self._by_name.get(found) if found is not None else None

    def group_of(self, name: str) -> str:
        e = self.entry(name)
        return (e.group or "other") if e is not None else ""

    def aliases(self) -> dict[str, str]:
        """alias -> name, for every alias."""
        return {a: e.name for e in self.entries for a in e.aliases}


__all__ = ["Entry", "FIXED_KINDS", "KINDS", "OPEN_KINDS", "SECTOR_GROUPS", "Vocabulary"]
