"""LADO contacts as records: reading and filtering them, references, intake, editing details.

The steps of a contact's case (categorising, escalating, meetings, closing...)
are in ``casework.py``; both change a contact only through ``ContactService.change``,
one revision-checked transaction.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Callable, Iterable, Mapping, Optional

import attrs

from ..context import Context
from ..convert import to_doc
from ..dates import parse_date
from ..errors import ConflictError, UnknownReference, ValidationError
from ..model import Category, CategoryChange, CategoryDecision, Contact
from ..store.protocol import Doc, Transaction
from ..validation.contact import ContactValidator
from ..validation.fields import date_value
from .search import ContactFilter

TABLE = "contacts"
_REF = re.compile(r"^L-(\d{4})-(\d+)$")


class ContactReferences:
    """Hands out L-YYYY-NNNN references: the next number of the year, never one issued before.

    The highest number per year is kept beside the store (``Context.highest_issued``, moved on by
    each change), so neither a single contact at 100,000 nor an import of thousands of rows scans
    the table.  Numbers handed out in a transaction but not yet staged (an import stages its rows
    at the end) are remembered for that transaction only.
    """

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self._handed: Optional[tuple[Transaction, dict[int, int]]] = None   # (the transaction, year -> n)

    def next(self, txn: Transaction, received_on: date) -> str:
        """A new reference for a contact received on ``received_on``, staged nowhere yet."""
        year = received_on.year
        if self._handed is None or self._handed[0] is not txn:
            self._handed = (txn, {})
        handed = self._handed[1]
        # A reference once issued stays issued, even if its record is no longer here (a restore).
        n = max(self.ctx.highest_issued(f"L-{year}-"), handed.get(year, 0)) + 1
        while txn.exists(TABLE, f"L-{year}-{n:04d}"):
            n += 1
        handed[year] = n
        return f"L-{year}-{n:04d}"

    def committed(self) -> None:
        """The numbers handed out were committed: the store's changes now carry them."""
        self._handed = None

    def abandoned(self) -> None:
        """The numbers handed out were never used (a failed import): hand them out again next time."""
        self._handed = None


class ContactService:
    """Contacts in the store: read, filter, add and edit, each change validated and audited."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.references = ContactReferences(ctx)

    def validator(self) -> ContactValidator:
        """The field rules as of today, with this store's agency list."""
        return ContactValidator(self.ctx.today(), self.ctx.taxonomy, harms=self.ctx.vocabulary("harms").lookup)

    # --- reading ---------------------------------------------------------------------
    def get(self, reference: str) -> Contact:
        return self.ctx.load(Contact, TABLE, reference.strip().upper(), "contact")

    def docs(self) -> Mapping[str, Doc]:
        """The raw stored documents, for fast filtering (read-only: never mutate them)."""
        return self.ctx.store.all(TABLE)

    def find(self, *, year: Optional[str] = None, category: Any = None, agency: Optional[str] = None,
             status: Optional[str] = None, harm: Any = None, text: Optional[str] = None) -> list[Contact]:
        """Contacts, oldest first, narrowed by any of the keyword filters."""
        flt = ContactFilter.build(self.ctx.taxonomy, year=year, category=category, agency=agency, status=status,
                                  harm=harm, text=text)
        docs = self.docs()
        return [self.ctx.structure(Contact, TABLE, key, docs[key]) for key in flt.keys(docs)]

    # --- intake ----------------------------------------------------------------------------
    def add(self, *, received_on: Any, agency: str, category: Any = None, rationale: str = "",
            reference: Optional[str] = None, **fields: Any) -> Contact:
        """Log a new contact.  Its pattern warnings come from ``patterns.pattern_warnings``."""
        received = parse_date(date_value(received_on, "received_on"), "received_on", today=self.ctx.today())
        assert received is not None                       # required: parse_date raises on a blank
        canonical = self.ctx.taxonomy.canonical(agency)
        cat = None if category in (None, "") else self.ctx.parse_choice(Category, "categories", category, "category")
        base = Contact(reference="", received_on=received, agency=canonical)
        contact = self.validator().clean_fields(fields, base)
        if cat is not None:
            contact = attrs.evolve(contact, category=cat, category_history=(CategoryDecision(
                on=received, user=self.ctx.user, kind=CategoryChange.CATEGORISED, to=cat,
                rationale=(rationale or "").strip() or "categorised at intake"),))
        with self.ctx.store.transaction() as txn:
            if reference:
                ref = reference.strip().upper()
                if not _REF.match(ref):
                    raise ValidationError("reference", reference, "a reference like L-2018-0042")
                if txn.exists(TABLE, ref):
                    raise ValidationError("reference", reference, "a reference not already in use")
            else:
                ref = self.references.next(txn, received)
            contact = attrs.evolve(contact, reference=ref)
            self.ctx.put(txn, TABLE, contact, expected_rev=0)
        self.references.committed()
        return self.get(ref)

    def add_many(self, contacts: Iterable[Contact], *, upsert: bool = False) -> int:
        """Store many contacts as one transaction and one durable write (imports, the demo).

        Each must already be valid; references must be new unless ``upsert``.
        Returns how many records changed.
        """
        changed = 0
        with self.ctx.store.transaction() as txn:
            for c in contacts:
                existing = txn.get(TABLE, c.reference)
                if existing is not None and not upsert:
                    raise ValidationError("reference", c.reference, "a reference not already in use")
                before = existing.get("_rev", 0) if existing else 0
                doc = txn.put(TABLE, c.reference, to_doc(c))
                changed += doc.get("_rev", 0) != before
        self.references.committed()
        return changed

    # --- editing ------------------------------------------------------------------------------
    def update(self, reference: str, *, expected_rev: Optional[int] = None, **fields: Any) -> Contact:
        """Edit a contact's details.  With ``expected_rev``, refuses if someone else changed it first."""
        return self.change(reference, lambda c: self.validator().clean_fields(fields, c), expected_rev)

    def save(self, contact: Contact) -> Contact:
        """Store a contact changed with ``attrs.evolve``; refuses if the stored copy moved on."""
        cleaned = self.validator().clean_fields({}, contact)
        self.ctx.taxonomy.canonical(cleaned.agency)
        with self.ctx.store.transaction() as txn:
            if not txn.exists(TABLE, contact.reference):
                raise ValidationError("reference", contact.reference, "the reference of a contact in the store")
            self.ctx.put(txn, TABLE, cleaned, expected_rev=contact.rev)
        self.references.committed()
        return self.get(contact.reference)

    def change(self, reference: str, change: Callable[[Contact], Contact],
               expected_rev: Optional[int] = None) -> Contact:
        """Read, check the revision, change and write one contact in one transaction."""
        ref = reference.strip().upper()
        with self.ctx.store.transaction() as txn:
            doc = txn.get(TABLE, ref)
            if doc is None:
                raise UnknownReference(ref, "contact")
            current = self.ctx.structure(Contact, TABLE, ref, doc)
            if expected_rev is not None and expected_rev != current.rev:
                raise ConflictError(ref, expected_rev, current.rev, by=self.ctx.store.last_editor(ref))
            updated = change(current)
            self.ctx.put(txn, TABLE, updated, expected_rev=current.rev)
        self.references.committed()
        return self.get(ref)
