"""What the analyst role reads of a contact on the server store that the record cannot give it as it is:
what the annual report reads from free text and from people's names, already read.

The server's view for the analyst (``st_contact_figures``, migration 0005) gives each contact's dates,
kinds and outcomes, and its lists by date and kind without their words, straight from the record by an
allow-list of its own.  Beside each contact it keeps this "figures" document, made by the login that
saves the contact (a LADO, or the owner):

- ``person`` and ``employer``: the subject (name and date of birth, as ``patterns.match_key`` compares
  them) and the employer as keyed pseudonyms (HMAC-SHA256 with the store's own key, which the analyst
  role cannot read), so repeats count as they do for the LADO and no name can be tried against them;
- ``source``: the referrer's organisation as the council's list names it (``listed``, matched again
  against the list when the report runs), else the sector its words name, and whether it is ``blank``;
- ``disciplinary`` and ``criminal``: the classes ``annual_measures`` reads from the disciplinary and
  employer's outcome text.

The view passes on only values of those shapes, and only while the figures were made from the record as
it is now.  Pseudonyms are still personal data in law (pseudonymised, not anonymous): they let the
analyst count repeats, never name anyone.
"""

from __future__ import annotations

import hashlib
import hmac

from ..documents import Doc
from ..taxonomy import Taxonomy
from .annual_measures import outcome_classes, source_facts
from .patterns import match_key


def pseudonym(key: bytes, text: str) -> str:
    """A keyed pseudonym of ``text``: the same text gives the same word, and without the key none can be
    tried against it."""
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:24]


def read_figures(doc: Doc, key: bytes, taxonomy: Taxonomy) -> Doc:
    """The figures document of a contact document (see the module's docstring).

    >>> from safeguard_tracker.lado.figures import read_figures
    >>> from safeguard_tracker.taxonomy import Taxonomy
    >>> f = read_figures({"subject": {"name": "Sam  O\u2019Neill", "date_of_birth": "1980-01-02",
    ...                               "employer": "Gull Rock School"},
    ...                   "referrer": {"organisation": "the Police"}, "disciplinary": "Final written warning"},
    ...                  b"key", Taxonomy())
    >>> sorted(f), f["source"], f["disciplinary"], len(f["person"])
    (['criminal', 'disciplinary', 'employer', 'person', 'source'], {'blank': False, 'listed': 'Police', 'sector': 'police'}, 'warning', 24)
    >>> f["person"] == read_figures({"subject": {"name": "sam o'neill", "date_of_birth": "1980-01-02"}}, b"key",
    ...                             Taxonomy())["person"]
    True
    """
    subject = doc.get("subject") or {}
    name, dob = match_key(subject.get("name")), subject.get("date_of_birth")
    employer = match_key(subject.get("employer"))
    organisation = str((doc.get("referrer") or {}).get("organisation") or "")
    criminal, disciplinary = outcome_classes(doc)
    return {
        "person": pseudonym(key, f"{name}\x1f{dob}") if name and dob else "",
        "employer": pseudonym(key, employer) if employer else "",
        "source": source_facts(organisation, taxonomy),
        "disciplinary": disciplinary,
        "criminal": criminal,
    }
