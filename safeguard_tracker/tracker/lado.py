"""The LADO's figures, deadline rules, and contacts in and out of CSV and JSON."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Iterable, Optional

from ..dates import normalise_financial_year


class LadoMixin:
    # --- deadline rules ------------------------------------------------------------------
    def deadline_rules(self):
        """The deadline rules in force: DOMAIN.md's defaults, changed by this store's settings."""
        from ..deadlines import rules_of
        return rules_of(self)

    def set_deadline_rules(self, **changes: Any):
        """Change deadline rules, e.g. ``set_deadline_rules(employer_report="15 working days")``.

        Validated before anything is written; audited like any settings change.
        """
        from ..deadlines import SETTINGS_KEY
        rules = self.deadline_rules().with_changes(**changes)
        self.update_settings(**{SETTINGS_KEY: rules.to_settings()})
        return rules

    def retention_review_on(self, reference: str) -> date:
        """When the contact comes up for retention review (see ``deadlines.retention_review_on``)."""
        from ..deadlines import retention_review_on
        return retention_review_on(self.get_contact(reference), self.deadline_rules())

    # --- pattern warnings for many ---------------------------------------------------------------
    def pattern_warnings_for(self, references: Iterable[str]) -> dict[str, list[str]]:
        """Pattern warnings for many contacts at once (after an import): {reference: warnings}.

        One index over the store instead of one pass per contact; an import does not work
        these out itself, so that loading 100,000 rows does not pay for them.
        """
        from ..patterns import PatternIndex
        return PatternIndex(self).warnings_for(references)

    # --- statistics ----------------------------------------------------------------------------
    def lado_statistics(self, year: str = "2017-18", compare_with: Optional[str] = None, *,
                        stated_totals: Optional[dict[str, int]] = None):
        """The annual LADO figures; ``.to_dict()`` gives the report's keys.  See ``safeguard_tracker.stats``."""
        from ..stats import lado_statistics
        return lado_statistics(self, year, compare_with, stated_totals=stated_totals)

    def set_stated_total(self, year: str, total: Optional[int]) -> None:
        """Record a headline total published elsewhere (the annual report's 494), to reconcile against."""
        stated = dict(self.settings.get("stated_totals") or {})
        key = normalise_financial_year(year)
        if total is None:
            stated.pop(key, None)
        else:
            stated[key] = int(total)
        self.update_settings(stated_totals=stated)

    # --- import and export -------------------------------------------------------------------------
    def import_contacts(self, path: str | Path, *, dry_run: bool = False, overwrite: bool = False):
        """Import a contacts CSV (or a JSON export): all or nothing, one transaction, upsert by reference.

        A row exported before someone else changed its contact is refused (the file's
        ``revision`` is older); a row without a revision changes a stored contact only with
        ``overwrite=True``.  Raises ImportFailed listing every bad row; returns an ImportResult.
        """
        from ..io.contacts_csv import import_contacts
        return import_contacts(self, path, dry_run=dry_run, overwrite=overwrite)

    def export_contacts(self, fmt: str = "csv", *, year: Optional[str] = None) -> str:
        """Contacts as CSV (defended against formula injection) or JSON (lossless).

        The text holds personal data: write it with ``outputs.write_output`` (which logs
        the export) or log it yourself with ``outputs.log_access``.
        """
        from ..io.contacts_csv import export_contacts
        return export_contacts(self, fmt, year=year)
