"""The employer-agency taxonomy: data, not code.

The default is the board's list from its annual report, in its order, with its
mix of hyphens and en dashes kept exactly.  An area supplies its own list as a
text file (one agency a line) through ``Taxonomy.from_file`` or the store's
settings.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from .errors import choice_error
from .folding import fold as fold   # re-exported: the key two spellings of one name share
from .vocab.presets import BOARD_AGENCY_NAMES

if TYPE_CHECKING:
    from .vocab.entries import Entry

# The board's list from its annual report, in its order, with its mix of hyphens and en dashes kept
# exactly: the board preset's names (``vocab.presets``).
DEFAULT_AGENCIES: tuple[str, ...] = BOARD_AGENCY_NAMES

class Taxonomy:
    """An ordered list of agency names that tolerates spreadsheet spellings, aliases and abbreviations.

    Built from names, or from vocabulary entries (``safeguard_tracker.vocab.Entry``: a name with its
    sector group, aliases and whether it is retired).  Every name, retired ones included, stays valid:
    old records hold them; ``offered`` lists the names to offer for a new record.
    """

    def __init__(self, agencies: Iterable[str] = DEFAULT_AGENCIES, *, entries: "Iterable[Entry] | None" = None):
        from .vocab.entries import Entry
        if entries is None:
            entries = [Entry(name=a) for a in (x.strip() for x in agencies) if a]
        self.entries: tuple[Entry, ...] = tuple(e for e in entries if e.name.strip())
        self.agencies: tuple[str, ...] = tuple(e.name for e in self.entries)
        self._by_key = {fold(a): a for a in self.agencies}
        for e in self.entries:
            for alias in e.aliases:
                self._by_key.setdefault(fold(alias), e.name)
        self._group = {e.name: e.group for e in self.entries}

    def __iter__(self) -> Iterator[str]:
        return iter(self.agencies)

    def __len__(self) -> int:
        return len(self.agencies)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and fold(name) in self._by_key

    @property
    def offered(self) -> tuple[str, ...]:
        """The names to offer for a new record: every entry not retired.

        >>> from safeguard_tracker import Taxonomy
        >>> from safeguard_tracker.vocab import Entry
        >>> Taxonomy(entries=[Entry(name="Police"), Entry(name="Old Trust", retired=True)]).offered
        ('Police',)
        """
        return tuple(e.name for e in self.entries if not e.retired)

    def group_of(self, name: str) -> str:
        """The sector group of an agency (any spelling or alias): a key of ``vocab.SECTOR_GROUPS``,
        'other' for one with none, '' for a name not in the list.

        >>> from safeguard_tracker import Taxonomy
        >>> from safeguard_tracker.vocab import Entry
        >>> Taxonomy(entries=[Entry(name="Police", group="police", aliases=("Kent Police",))]).group_of("kent police")
        'police'
        """
        found = self._by_key.get(fold(name)) if isinstance(name, str) else None
        return (self._group.get(found) or "other") if found is not None else ""

    def lookup(self, name: object) -> "str | None":
        """The list's name for ``name`` (its spelling or an alias), or None.

        >>> from safeguard_tracker import Taxonomy
        >>> from safeguard_tracker.vocab import Entry
        >>> agencies = Taxonomy(entries=[Entry(name="Medway Clinical Commissioning Group (CCG)", aliases=("Medway CCG",))])
        >>> agencies.lookup("medway ccg"), agencies.lookup("Kent Police")
        ('Medway Clinical Commissioning Group (CCG)', None)
        """
        return self._by_key.get(fold(name)) if isinstance(name, str) else None

    def suggestions(self, name: str, n: int = 3) -> list[str]:
        """The names ``name`` most likely means (words, abbreviations, sector, spelling), best first.

        >>> from safeguard_tracker import Taxonomy
        >>> Taxonomy().suggestions("Medway CCG")[0]
        'Medway Clinical Commissioning Group (CCG)'
        """
        from .vocab.suggest import suggest
        return suggest(str(name), self.entries, n=n)

    def canonical(self, name: str, field: str = "agency", row: int | None = None) -> str:
        """The taxonomy's spelling of ``name`` (or of the entry it is an alias of), or a ValidationError
        suggesting the likeliest.

        >>> from safeguard_tracker import Taxonomy
        >>> agencies = Taxonomy(["School - Primary", "Foster Carers \u2013 Local Authority", "Police"])
        >>> agencies.canonical("foster carers - local authority")
        'Foster Carers \u2013 Local Authority'
        >>> agencies.canonical("Polce")
        Traceback (most recent call last):
        ...
        safeguard_tracker.errors.ValidationError: agency 'Polce' is not valid: one of: ... (did you mean 'Police'?)
        """
        if isinstance(name, str):
            found = self._by_key.get(fold(name))
            if found is not None:
                return found
        raise choice_error(field, name, self.offered, row=row,
                           hints=self.suggestions(name) if isinstance(name, str) else [])

    def index(self, name: str) -> int:
        """Where ``name`` (any spelling) stands in the list, counting from 0: the order reports sort by.

        >>> from safeguard_tracker import Taxonomy
        >>> Taxonomy().index("school - primary"), Taxonomy(["Police", "School - Primary"]).index("police")
        (13, 0)
        """
        return self.agencies.index(self.canonical(name))

    @classmethod
    def from_file(cls, path: str | Path) -> "Taxonomy":
        """An area's own list from a text file: one agency a line; blank lines and '#' comments skipped.

        >>> from pathlib import Path
        >>> from safeguard_tracker import Taxonomy
        >>> _ = Path("agencies.txt").write_text("# our list\\nSchool - Primary\\nPolice\\n\\nOther\\n")
        >>> list(Taxonomy.from_file("agencies.txt"))
        ['School - Primary', 'Police', 'Other']
        """
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
        return cls(line for line in lines if line.strip() and not line.lstrip().startswith("#"))


DEFAULT_TAXONOMY = Taxonomy()
