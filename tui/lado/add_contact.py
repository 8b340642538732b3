"""Adding a contact in the TUI: the quick-add form, then the new record opens with its pattern warnings."""

from __future__ import annotations

from typing import Any, Callable, Optional

from safeguard_tracker import Tracker
from safeguard_tracker.dates import parse_date
from safeguard_tracker.model import Category, Harm
from safeguard_tracker.validation.contact import intake_category

from ..fields import Field
from ..forms import FormScreen
from .data import HARM_CHOICES


def add_fields(tracker: Tracker) -> list[Field]:
    agencies = list(tracker.taxonomy.offered)      # a retired agency is not offered for a new contact
    return [
        Field("received_on", "Received", "date", value="today", required=True),
        Field("agency", "Agency", "choice", required=True, choices=agencies, check=tracker.taxonomy.canonical,
              hint="type any part of the name: 'prim' finds School - Primary"),
        Field("category", "Category", "choice", choices=[c.value for c in Category],
              check=lambda v: Category.parse(v, "category"),
              hint="leave blank to decide later (it waits at the top of the queue)"),
        Field("rationale", "Rationale", hint="why this category (needed when you choose one)"),
        Field("summary", "Summary", hint="what is alleged, in a sentence"),
        Field("subject_name", "Staff name", hint="may be blank for an enquiry or consultation"),
        Field("subject_role", "Role"),
        Field("employer", "Employer", hint="the setting: earlier contacts there are flagged after saving"),
        Field("subject_dob", "Date of birth", "date", placeholder="dd/mm/yyyy", hint="optional: dd/mm/yyyy"),
        Field("harm", "Harm", "choice", choices=HARM_CHOICES, check=lambda v: Harm.parse(v, "harm")),
        Field("referrer_name", "Referrer"),
        Field("referrer_role", "Referrer role"),
        Field("referrer_organisation", "Referrer org"),
        Field("children_count", "Children", hint="how many children (never their names)"),
        Field("children_ages", "Ages", hint="ages in years, separated by commas"),
    ]


def add_contact_form(app: Any, *, on_added: Optional[Callable[[str, list[str]], None]] = None) -> FormScreen:
    tracker = app.tracker

    def submit(values: dict[str, str]) -> str:
        fields = {k: v for k, v in values.items() if v != ""}
        # The library's one rule, as the CLI's `contact add`: a category at intake carries its rationale.
        category, rationale = intake_category(fields.pop("category", None), fields.pop("rationale", ""))
        parse_date(fields.get("received_on"), "received_on", today=tracker.today())
        contact = tracker.add_contact(category=category, rationale=rationale, **fields)
        warnings = tracker.pattern_warnings(contact)
        submit.added = (contact.reference, warnings)  # type: ignore[attr-defined]
        warn = f"; {len(warnings)} PATTERN WARNING(S), see the record" if warnings else ""
        return f"Added {contact.reference} ({contact.category.value if contact.category else 'uncategorised'}){warn}"

    screen = FormScreen("New contact", add_fields(tracker), submit, today=tracker.today(),
                        intro="Fill in what you have; only the date and the agency are needed now.",
                        id="form-add", table="contacts", adds=True)

    def done(message: Optional[str]) -> None:
        if message:
            app.say("\u2713 " + message, "warning" if "PATTERN" in message else "ok")
            ref, warnings = submit.added  # type: ignore[attr-defined]
            app.data_changed([ref])
            if on_added is not None:
                on_added(ref, warnings)

    app.push_screen(screen, done)
    return screen


def quick_add(app: Any) -> FormScreen:
    """Quick add, then the new record opens, its pattern warnings at the top (every 'add contact'
    key and command)."""
    return add_contact_form(app, on_added=lambda ref, warnings: app.open_reference(ref, warnings=warnings))
