"""What the analyst role reads of a contact on the server store: the facts the statistics count, and no
personal data.

The server keeps, beside each contact, this "figures" document, made by the login that saves the contact
(a LADO, or the owner) and shown to the analyst through the ``st_contact_figures`` view.  It holds the
record's dates, categories, kinds and outcomes as they are; lists (category decisions, meetings,
suspensions, regulator referrals, reopenings) with their dates and kinds but none of their free text;
and, under ``figures``, what the annual report reads from free text, already read:

- ``person`` and ``employer``: the subject (name and date of birth, as ``patterns.match_key`` compares
  them) and the employer as keyed pseudonyms (HMAC-SHA256 with the store's own key, which the analyst
  role cannot read), so repeats count as they do for the LADO and no name can be tried against them;
- ``source``: the referrer's organisation as the council's list names it (``listed``, matched again
  against the list when the report runs), else the sector its words name, or ``blank``;
- ``disciplinary`` and ``criminal``: the classes ``annual_measures`` reads from the disciplinary and
  employer's outcome text.

A meeting keeps its kind, its date and its actions' due and done dates (their words blanked), so the
analyst's deadlines are the LADO's too.

Nothing else of the record reaches the analyst: an allow-list, so a field added to the record later
stays out until it is added here.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any, Optional

from ..documents import Doc
from ..taxonomy import Taxonomy
from .annual_measures import criminal_class, disciplinary_class, sector_named
from .patterns import match_key

KEPT = ("reference", "received_on", "agency", "category", "harm", "threshold", "responded_on", "police_involved",
        "s47_strategy_on", "outcome", "closed_on", "redacted_on", "historic", "children_count",
        "employer_report_requested_on", "employer_report_received_on")
# each list: the keys kept of each item, and the text keys the model needs, given blank
ITEMS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "category_history": (("on", "kind", "to", "from"), {"user": "", "rationale": ""}),
    "meetings": (("kind", "held_on"), {}),
    "suspension": (("decision", "on"), {"rationale": ""}),
    "regulator_referrals": (("body", "on"), {}),
    "reopenings": (("on", "previous_outcome", "previous_closed_on"), {"user": "", "reason": ""}),
}


def pseudonym(key: bytes, text: str) -> str:
    """A keyed pseudonym of ``text``: the same text gives the same word, and without the key none can be
    tried against it."""
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:24]


def listed_source(organisation: str, taxonomy: Taxonomy) -> Optional[str]:
    """The council's list's name for a referrer's organisation ('the Police' -> 'Police'), or None."""
    text = organisation.strip()
    if not text:
        return None
    return taxonomy.lookup(text) or taxonomy.lookup(re.sub(r"^the\s+", "", text, flags=re.IGNORECASE))


def figures_doc(doc: Doc, key: bytes, taxonomy: Taxonomy) -> Doc:
    """The figures document of a contact document (see the module's docstring)."""
    out: Doc = {k: doc[k] for k in KEPT if k in doc}
    for field, (kept, blanks) in ITEMS.items():
        out[field] = [{**{k: item[k] for k in kept if k in item}, **blanks} for item in doc.get(field) or ()]
    for meeting, whole in zip(out["meetings"], doc.get("meetings") or ()):   # its actions' dates: deadlines
        meeting["actions"] = [{"description": "", "owner": "", "due_on": a.get("due_on"), "done_on": a.get("done_on")}
                              for a in whole.get("actions") or ()]
    subject = doc.get("subject") or {}
    name, dob = match_key(subject.get("name")), subject.get("date_of_birth")
    employer = match_key(subject.get("employer"))
    organisation = str((doc.get("referrer") or {}).get("organisation") or "")
    written = str(doc.get("disciplinary") or "").strip() or str(doc.get("employer_outcome") or "")
    text = " ; ".join(str(doc.get(k) or "") for k in ("disciplinary", "employer_outcome"))
    out["figures"] = {
        "person": pseudonym(key, f"{name}\x1f{dob}") if name and dob else "",
        "employer": pseudonym(key, employer) if employer else "",
        "source": {"blank": not organisation.strip(), "listed": listed_source(organisation, taxonomy),
                   "sector": sector_named(organisation.strip()) if organisation.strip() else None},
        "disciplinary": disciplinary_class(written),
        "criminal": criminal_class(text),
    }
    return out
