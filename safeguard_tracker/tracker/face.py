"""The face's shared part: the services of one open store, and what belongs to the store as a whole."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Optional, Self

import attrs

from ..chase import DUE_SOON_DAYS, chase_list
from ..context import Context
from ..lado.casework import Casework
from ..lado.contacts import ContactService
from ..lado.figures import read_figures
from ..model import Change
from ..model.due import DueItem
from ..outputs import log_access, write_output
from ..plans.actions import ActionService
from ..plans.reviews import ReviewService
from ..progress import NO_PROGRESS, Progress
from ..references import normalise_reference
from ..errors import StoreError, UnknownReference, ValidationError
from ..io.mapping import ImportMapping
from ..store.past import PastStore
from ..store.protocol import Doc, Store
from ..model.on_the_day import as_it_stood
from ..dates import parse_date
from ..taxonomy import Taxonomy
from ..vocab.entries import Entry


class Face:
    """What every part of ``Tracker`` holds: the store, its context and one service per area."""

    def __init__(self, store: Store, today: Optional[Callable[[], date]] = None):
        self.store: Store = store
        self._ctx = Context(store, today)
        self._contacts = ContactService(self._ctx)
        self._casework = Casework(self._ctx, self._contacts)
        self._reviews = ReviewService(self._ctx)
        self._actions = ActionService(self._ctx, self._reviews)
        if hasattr(store, "figures_maker"):     # the server store keeps the analyst's figures of each contact
            ctx = self._ctx
            setattr(store, "figures_maker", lambda doc, key: read_figures(doc, key, ctx.taxonomy))

    # --- the open store -------------------------------------------------------------------------
    @property
    def context(self) -> Context:
        """What the services share (the store, the working date, settings and vocabularies): for calling
        an area's functions directly, such as ``lado.deadlines.retention_items(t.context, ...)``.

        >>> from safeguard_tracker.lado import statistics
        >>> statistics.lado_statistics(t.context, "2017-18").total_contacts
        495
        """
        return self._ctx

    @property
    def user(self) -> str:
        """Who is making changes: the name every change is attributed to in the audit trail.

        >>> t.user
        'a.lado'
        """
        return self.store.user

    @property
    def location(self) -> str:
        """Where the store is: its file, or its database.

        >>> t.location
        '.../demo.json'
        """
        return self.store.location

    @property
    def path(self) -> Optional[Path]:
        """The store's file, for a file store.

        >>> t.path.name
        'demo.json'
        """
        files = self.store.files
        return files.data if files is not None else None

    def today(self) -> date:
        """The working date: a store can be frozen at a date (the demo is), else the clock.

        >>> t.today()
        datetime.date(2018, 6, 15)
        """
        return self._ctx.today()

    def now(self) -> datetime:
        """The clock's time, to the second, in the local time zone (what the audit trail records).

        >>> now = t.now()
        >>> now.microsecond, now.tzinfo is not None
        (0, True)
        """
        return self._ctx.now()

    def as_of(self, day: date | str, *, progress: Progress = NO_PROGRESS) -> Self:
        """The store as it stood at the end of ``day``, rebuilt from the audit trail: a read-only tracker
        whose working date is that day.  Every query, report and export works on it; a change is refused.

        A record entered after the day (an imported log) is shown as its own dates say it stood:
        closed only if it was closed by then, without the meetings and notes dated later.  What is
        shown is logged in the live store's access log.  ``progress`` counts the audit entries replayed.

        >>> t.close_contact("L-2018-0192", outcome="unfounded", closed_on="15/06/2018").status
        'closed'
        >>> before = t.as_of("14/06/2018")
        >>> before.get_contact("L-2018-0192").status, before.today()
        ('open', datetime.date(2018, 6, 14))
        >>> before.add_note("L-2018-0192", "too late")
        Traceback (most recent call last):
        safeguard_tracker.errors.StoreWriteError: this is the store as it stood at the end of 14/06/2018, ...
        """
        when = parse_date(day, "as_of", today=self.today())
        assert when is not None
        return type(self)(PastStore(self.store, when, as_it_stood, progress=progress), today=lambda: when)

    @property
    def as_of_day(self) -> Optional[date]:
        """The past day this tracker shows (``as_of``), or None for the store as it is now.

        >>> t.as_of_day is None, t.as_of("31/03/2018").as_of_day
        (True, datetime.date(2018, 3, 31))
        """
        return self.store.day if isinstance(self.store, PastStore) else None

    def close(self) -> None:
        """Close the store.  ``with open_tracker(...) as t:`` closes it when the block ends.

        >>> import safeguard_tracker as st
        >>> other = st.open_tracker("demo.json", user="an.analyst")
        >>> len(other.contacts(year="2017-18"))
        495
        >>> other.close()
        """
        self.store.close()

    def refresh(self) -> list[tuple[str, str]]:
        """Pick up other users' changes.  Returns what changed.

        >>> import safeguard_tracker as st
        >>> with st.open_tracker("demo.json", user="b.lado") as colleague:
        ...     _ = colleague.add_note("L-2018-0202", "Called the designated officer")
        >>> t.refresh()
        [('contacts', 'L-2018-0202')]
        >>> t.get_contact("L-2018-0202").notes[-1].user
        'b.lado'
        """
        return self._ctx.refresh()

    def unseen(self, table: str) -> Optional[str]:
        """Why this login may see none of ``table`` ("contacts", "reviews", "actions", or "audit" for the
        trail), for a screen to say instead of "nothing matches"; None when it sees them.  Only a PostgreSQL
        store's roles hide a table: a file store shows everything to whoever can open it.

        >>> t.unseen("contacts") is None
        True
        """
        return self._ctx.unseen(table)

    def withheld(self, table: str) -> Optional[str]:
        """What this login is not shown of the ``table`` records it sees, in words for a screen to put where
        a name or a text would be (never "not recorded", which would read as nothing being there); None when
        it is shown all.  Only the analyst role of a PostgreSQL store is kept from personal data.

        >>> t.withheld("contacts") is None
        True
        """
        words = getattr(self.store, "withheld", None)
        return words(table) if words is not None else None

    def _refuse_withheld(self, table: str, what: str) -> None:
        """A StoreError when this login is kept from the personal data that ``what`` is worked out from: an
        answer without it would be a wrong answer, not a shorter one."""
        why = self.withheld(table)
        if why is not None:
            raise StoreError(f"{self.location}: {what}: personal data {why}; the LADO or the database's owner can")

    def _refuse_unseen(self, *tables: str) -> None:
        """A StoreError when this login's role sees none of one of ``tables``: a report of them would be a
        report of nothing, which reads as a report that nothing is there."""
        for table in tables:
            why = self.unseen(table)
            if why:
                from ..errors import StoreError
                raise StoreError(f"{self.location}: {why}, so this report cannot be made here")

    def check(self, *, progress: Progress = NO_PROGRESS) -> list[str]:
        """Integrity problems; an empty list means the store is sound.  ``progress`` (see
        ``safeguard_tracker.progress``) counts the audit entries replayed and the records compared.

        >>> t.check()
        []
        """
        return self.store.check(progress)

    # --- settings --------------------------------------------------------------------------------
    @property
    def settings(self) -> Doc:
        """The store-wide settings as stored (agency list, deadline rules, stated totals...).

        >>> t.settings["fixed_today"]
        '2018-06-15'
        """
        return self._ctx.settings

    def update_settings(self, **values: Any) -> Doc:
        """Change store-wide settings (agency list, deadline rules); audited like any record.

        >>> t.update_settings(stated_totals={"2017-18": 494})["stated_totals"]
        {'2017-18': 494}
        """
        return self._ctx.update_settings(**values)

    @property
    def taxonomy(self) -> Taxonomy:
        """The employing agencies: the store's own list, else the board's.

        >>> len(t.taxonomy)
        30
        >>> t.taxonomy.canonical("school-primary")
        'School - Primary'
        """
        return self._ctx.taxonomy

    def set_agencies(self, agencies: list[str]) -> None:
        """Replace the store's agency list (blank names dropped, order kept); audited like any setting.
        Sector groups and aliases of names kept are kept; a name still recorded that the new list lacks
        stays as a retired entry (valid on its records, not offered).  ``vocab_import`` does the same
        from a file, with groups and aliases.

        >>> t.set_agencies(["School - Primary", "Police", "Other"])
        >>> t.taxonomy.offered
        ('School - Primary', 'Police', 'Other')
        """
        from ..local_lists import LocalLists
        current = self._ctx.vocabulary("agencies")
        entries = []
        for name in (a.strip() for a in agencies):
            if name:
                kept = current.entry(name)
                entries.append(attrs.evolve(kept, retired=False) if kept is not None and kept.name == name
                               else Entry(name=name))
        LocalLists(self._ctx).replace("agencies", entries)

    # --- import mappings ---------------------------------------------------------------------------
    def import_mappings(self) -> dict[str, ImportMapping]:
        """The import mappings saved in the store, by name.

        >>> from safeguard_tracker.io.mapping import ImportMapping
        >>> t.save_import_mapping("northshire", ImportMapping(columns={"Date of referral": "received"}))
        >>> list(t.import_mappings())
        ['northshire']
        """
        stored = self._ctx.settings.get("import_mappings") or {}
        return {name: ImportMapping.from_doc(doc, f"import_mappings.{name}") for name, doc in sorted(stored.items())}

    def import_mapping(self, name: str) -> ImportMapping:
        """One saved mapping, by name (any case), or a ValidationError naming those there are.

        >>> from safeguard_tracker.io.mapping import ImportMapping
        >>> t.save_import_mapping("Northshire", ImportMapping(values={"outcome": {"Founded": "substantiated"}}))
        >>> t.import_mapping("northshire").values
        {'outcome': {'Founded': 'substantiated'}}
        """
        saved = self.import_mappings()
        for key, mapping in saved.items():
            if key.casefold() == str(name).strip().casefold():
                return mapping
        raise ValidationError("mapping", name, ("one of the saved mappings: " + ", ".join(saved)) if saved else
                              "a saved mapping; there are none yet: save one from a dry run (--save-mapping NAME)")

    def save_import_mapping(self, name: str, mapping: ImportMapping) -> None:
        """Save (or replace) a mapping under ``name``; audited like any setting.

        >>> from safeguard_tracker.io.mapping import ImportMapping
        >>> t.save_import_mapping("eastbridge", ImportMapping(sheet="LADO log"))
        >>> t.import_mapping("eastbridge").sheet
        'LADO log'
        """
        name = str(name).strip()
        if not name or len(name) > 80 or "\n" in name:
            raise ValidationError("mapping", name, "a name of 1 to 80 characters on one line")
        stored = dict(self._ctx.settings.get("import_mappings") or {})
        for key in [k for k in stored if k.casefold() == name.casefold()]:
            del stored[key]
        stored[name] = mapping.to_doc()
        self.update_settings(import_mappings=stored)

    def delete_import_mapping(self, name: str) -> None:
        """Remove a saved mapping.

        >>> from safeguard_tracker.io.mapping import ImportMapping
        >>> t.save_import_mapping("old", ImportMapping())
        >>> t.delete_import_mapping("OLD")
        >>> t.import_mappings()
        {}
        """
        self.import_mapping(name)
        stored = {k: v for k, v in (self._ctx.settings.get("import_mappings") or {}).items()
                  if k.casefold() != str(name).strip().casefold()}
        self.update_settings(import_mappings=stored)

    def _mapping(self, mapping: "str | ImportMapping | None", kind: str) -> Optional[ImportMapping]:
        if mapping is None or isinstance(mapping, ImportMapping):
            return mapping
        found = self.import_mapping(mapping)
        if found.kind != kind:
            raise ValidationError("mapping", mapping, f"a mapping for {kind} (this one reads {found.kind})")
        return found

    @property
    def plan_agencies(self) -> Taxonomy:
        """The agency list plus the plan-only owners (the board itself): who can own or lead.

        >>> "Safeguarding Children Board" in t.plan_agencies, "Safeguarding Children Board" in t.taxonomy
        (True, False)
        """
        return self._ctx.plan_agencies

    # --- across the areas --------------------------------------------------------------------------
    def history(self, reference: str) -> list[Change]:
        """Every change to a record, oldest first, with who, when, field, old and new values.

        >>> _ = t.record_response("L-2018-0202", on="2018-06-15")
        >>> last = t.history("L-2018-0202")[-1]
        >>> last.user, last.field, last.old, last.new
        ('a.lado', 'responded_on', None, '2018-06-15')
        """
        reference = normalise_reference(reference)
        entries = self.store.history(reference)
        if not entries and not any(self.store.get(t, reference) for t in ("contacts", "reviews", "actions")):
            table = {"L": "contacts", "R": "reviews", "A": "actions"}.get(reference[:1])
            raise UnknownReference(reference, why=self.unseen(table) if table else None)
        return [Change.from_entry(a) for a in entries]

    def due(self, as_of: date | str | None = None, within_days: int = DUE_SOON_DAYS,
            areas: tuple[str, ...] = ("lado", "action", "review")) -> list[DueItem]:
        """What is overdue, and what falls due within ``within_days``, most urgent first.

        >>> items = t.due()
        >>> len(items), items[0].reference, items[0].days_overdue
        (82, 'L-2016-0022', 752)
        >>> [(i.reference, i.due_on, i.overdue) for i in t.due(areas=("action",))]
        [('A-000009', datetime.date(2018, 4, 30), True), ('A-000006', datetime.date(2018, 5, 31), True),
         ('A-000005', datetime.date(2018, 6, 21), False)]
        """
        return chase_list(self._ctx, as_of, within_days, areas)

    def write_output(self, path: str | Path, content: str | bytes, *, what: str, personal: bool, records: int = 0,
                     detail: str = "") -> Path:
        """Write a report or export to a file (or '-', a FIFO, a terminal): atomically where it is a regular
        file, never over the store's own files, and logged when it holds personal data.

        >>> text = t.export_contacts("csv", year="2017-18")
        >>> t.write_output("contacts-2017-18.csv", text, what="contacts export", personal=True, records=495).name
        'contacts-2017-18.csv'
        >>> entry = t.access_log()[-1]
        >>> entry.user, entry.records, entry.target
        ('a.lado', 495, '.../contacts-2017-18.csv')
        """
        return write_output(self.store, path, content, what=what, personal=personal, records=records,
                            detail=detail)

    def log_access(self, what: str, *, target: str = "", records: int = 0, detail: str = "") -> None:
        """Record that personal data was shown or exported (who, when, what, where to).

        >>> t.log_access("open referrals shown at the team meeting", records=9)
        >>> t.access_log()[-1].what
        'open referrals shown at the team meeting'
        """
        log_access(self.store, what, target=target, records=records, detail=detail)
