"""The face's vocabulary part: a council's agencies, partners and local labels, managed as data."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Iterable

from ..local_lists import ListChange, LocalLists
from ..vocab.entries import Vocabulary
from .face import Face


class ListsFace(Face):
    """Agencies (with sector groups), partners, and local labels for categories, outcomes and harms."""

    @property
    def _lists(self) -> LocalLists:
        return LocalLists(self._ctx)

    def vocabulary(self, kind: str) -> Vocabulary:
        """One of the store's lists: "agencies", "partners", "categories", "outcomes" or "harms".

        >>> agencies = t.vocabulary("agencies")
        >>> agencies.lookup("kent police"), agencies.group_of("School - PRU")
        ('Police', 'education')
        >>> t.vocabulary("outcomes").lookup("Founded")
        'substantiated'
        """
        return self._lists.vocabulary(kind)

    def vocabulary_usage(self, kind: str) -> Counter[str]:
        """How many records hold each name of a list.

        >>> t.vocabulary_usage("agencies")["Police"] > 0
        True
        """
        return self._lists.usage(kind)

    def vocab_add(self, kind: str, name: str, *, group: str = "", aliases: Iterable[str] = ()) -> ListChange:
        """Add an agency (in a sector group) or a partner, with any aliases; audited.

        >>> print(t.vocab_add("agencies", "Northgate Academy Trust", group="education", aliases=["NAT"]).message)
        added 'Northgate Academy Trust' to the agencies
        >>> t.taxonomy.canonical("nat")
        'Northgate Academy Trust'
        """
        return self._lists.add(kind, name, group=group, aliases=aliases)

    def vocab_rename(self, kind: str, old: str, new: str) -> ListChange:
        """Rename an agency or partner: every record holding the old name shows the new one (each change
        audited), and the old name stays as an alias.

        >>> change = t.vocab_rename("agencies", "Medway Council", "Medway Council (corporate)")
        >>> len(change.records) > 0, t.taxonomy.canonical("Medway Council")
        (True, 'Medway Council (corporate)')
        """
        return self._lists.rename(kind, old, new)

    def vocab_merge(self, kind: str, source: str, into: str) -> ListChange:
        """Merge one agency or partner into another: its records move, its names become aliases.

        >>> change = t.vocab_merge("agencies", "Recruitment Agency", "Other")
        >>> t.taxonomy.canonical("Recruitment Agency"), "Recruitment Agency" in t.vocabulary("agencies").names
        ('Other', False)
        """
        return self._lists.merge(kind, source, into)

    def vocab_retire(self, kind: str, name: str, retired: bool = True) -> ListChange:
        """Stop offering an entry for new records (``retired=False`` brings it back); it stays valid where
        it is recorded.

        >>> _ = t.vocab_retire("agencies", "Transport Provider")
        >>> "Transport Provider" in t.taxonomy.offered, t.taxonomy.canonical("transport provider")
        (False, 'Transport Provider')
        """
        return self._lists.retire(kind, name, retired)

    def vocab_alias(self, kind: str, name: str, aliases: Iterable[str]) -> ListChange:
        """Give an entry other names: for a fixed list (categories, outcomes, harms) this is how a local
        label comes to mean one of the guidance's values.

        >>> _ = t.vocab_alias("harms", "suitability", ["Conduct outside work"])
        >>> t.vocabulary("harms").lookup("conduct outside work")
        'suitability'
        """
        return self._lists.alias(kind, name, aliases)

    def vocab_unalias(self, kind: str, alias: str) -> ListChange:
        """Remove an alias.

        >>> _ = t.vocab_alias("agencies", "Police", ["Constabulary"])
        >>> _ = t.vocab_unalias("agencies", "Constabulary")
        >>> t.vocabulary("agencies").lookup("Constabulary") is None
        True
        """
        return self._lists.unalias(kind, alias)

    def vocab_group(self, name: str, group: str) -> ListChange:
        """Put an agency in a sector group (a key or label of ``vocab.SECTOR_GROUPS``).

        >>> _ = t.vocab_group("Recruitment Agency", "Education")
        >>> t.taxonomy.group_of("Recruitment Agency")
        'education'
        """
        return self._lists.set_group(name, group)

    def vocab_export(self, kind: str) -> str:
        """A list as CSV text (name, group, aliases separated by " | ", retired), to edit and import back.

        >>> print(t.vocab_export("agencies").splitlines()[0])
        name,group,aliases,retired
        """
        return self._lists.export_csv(kind)

    def vocab_import(self, kind: str, path: str | Path) -> ListChange:
        """Replace a list from a CSV file shaped as ``vocab_export`` writes it.  Names still recorded that
        the file neither names nor aliases are kept as retired entries (``change.kept``).

        >>> from pathlib import Path
        >>> _ = Path("ours.csv").write_text("name,group,aliases\\nSchools,education,School - Primary | School - Secondary\\n")
        >>> change = t.vocab_import("agencies", "ours.csv")
        >>> t.taxonomy.offered, t.taxonomy.canonical("School - Primary"), len(change.kept) > 0
        (('Schools',), 'Schools', True)
        """
        return self._lists.import_csv(kind, path)

    def apply_preset(self, name: str) -> list[ListChange]:
        """Set every list from a preset: "board" (the demo's, the board's 2017-18 list) or "england" (a
        generic list for a new council).  Names still recorded are kept as retired entries.

        >>> _ = t.apply_preset("england")
        >>> t.taxonomy.group_of("Police") or "absent"
        'police'
        """
        return self._lists.apply_preset(name)


__all__ = ["ListsFace"]
