"""The employer-agency taxonomy: data, not code.

The default is the board's list from its annual report, in its order, with its
mix of hyphens and en dashes kept exactly.  An area supplies its own list as a
text file (one agency a line) through ``Taxonomy.from_file`` or the store's
settings.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Iterator

from .errors import choice_error

DEFAULT_AGENCIES: tuple[str, ...] = (
    "Medway Children's Services",
    "Medway Adult Services",
    "Other Local Authority",
    "Police",
    "Probation",
    "Medway NHS Foundation Trust",
    "Medway Community Health Care",
    "Medway Clinical Commissioning Group (CCG)",
    "Medway Council",
    "Faith Groups",
    "Foster Carers - Independent",
    "Foster Carers \u2013 Local Authority",
    "Early Years (Childminders, nursery, Children's Centre, Pre-School)",
    "School - Primary",
    "School - Secondary",
    "School - Private",
    "School - Special",
    "School - PRU",
    "School \u2013 Alternative (e.g. NOVUS)",
    "College",
    "Secure Estates (Medway Secure Training Centre)",
    "Secure Estates (Youth Offending Institution)",
    "Transport Provider",
    "Residential \u2013 Private",
    "Residential \u2013 Local Authority",
    "Voluntary/Charity",
    "Recruitment Agency",
    "Sports & Leisure",
    "Unknown",
    "Other",
)

_DASHES = re.compile(r"\s*[-\u2010\u2011\u2012\u2013\u2014\u2212]\s*")
_SPACES = re.compile(r"\s+")


def fold(name: str) -> str:
    """The key two spellings of one agency share: case, spacing and dash style ignored."""
    name = name.replace("\u2019", "'")
    name = _DASHES.sub(" - ", name.strip())
    return _SPACES.sub(" ", name).casefold()


class Taxonomy:
    """An ordered list of agency names that tolerates spreadsheet spellings."""

    def __init__(self, agencies: Iterable[str] = DEFAULT_AGENCIES):
        self.agencies: tuple[str, ...] = tuple(a for a in (x.strip() for x in agencies) if a)
        self._by_key = {fold(a): a for a in self.agencies}

    def __iter__(self) -> Iterator[str]:
        return iter(self.agencies)

    def __len__(self) -> int:
        return len(self.agencies)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and fold(name) in self._by_key

    def canonical(self, name: str, field: str = "agency", row: int | None = None) -> str:
        """The taxonomy's spelling of ``name``, or a ValidationError suggesting the nearest.

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
        raise choice_error(field, name, self.agencies, row=row)

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
