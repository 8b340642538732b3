"""Privacy (UK GDPR) in the TUI: the retention list, and what a redaction removes and keeps.

The redaction itself is one of the contact actions (``actions.ACTIONS``, key ``r``): a form that
says what goes and what stays, and asks for "yes".  It calls ``tracker.redact_contact``, which
removes the values from the record, its audit trail, the journal and the backups.

The retention list (``RetentionScreen``, from the command palette: "Retention review") is
``tracker.retention()``: closed contacts past their retention review date, and false or
malicious outcomes whose subject is still identified.  Enter opens a record; ``r`` redacts it.
"""

from __future__ import annotations

from typing import Any, Optional

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from safeguard_tracker.dates import fmt
from safeguard_tracker.model import Contact
from safeguard_tracker.model.personal_data import redact_doc

from ..widgets import PAGE_SIZE, Column, OpensHighlighted, PagedTable, StatusLine, TopBar, compute_later, plain

# How the removed values read in the confirmation: by where they sit in the stored document.
REMOVED_LABELS = {
    "subject.name": "staff name", "subject.date_of_birth": "date of birth", "subject.role": "role",
    "subject.employer": "employer", "referrer.name": "referrer's name", "referrer.role": "referrer's role",
    "referrer.organisation": "referrer's organisation", "summary": "summary", "case_manager": "case manager",
    "police_reference": "crime reference", "disciplinary": "disciplinary", "employer_outcome": "employer's outcome",
    "category_history": "decision rationales", "meetings": "meeting decisions and actions", "notes": "note texts",
    "suspension": "suspension reasoning", "reopenings": "reopening reasons",
    "regulator_referrals": "regulators' reference numbers",
}
KEPT = ("dates, agency, category and its history, harm, threshold, outcome, the children's count and ages, "
        "the meetings' kinds, dates and agencies present, regulator bodies")


def redaction_removes(doc: dict, on: Any) -> list[str]:
    """What redacting ``doc`` would remove, in words, from the library's own rule (``redact_doc``):
    only the fields that hold something now."""
    redacted = redact_doc(doc, on)
    out: list[str] = []
    for key, value in doc.items():
        if key in ("_rev", "redacted_on") or redacted.get(key) == value:
            continue
        if isinstance(value, dict):
            after = redacted.get(key) or {}
            out.extend(REMOVED_LABELS.get(f"{key}.{k}", f"{key} {k}".replace("_", " "))
                       for k, v in value.items() if after.get(k) != v)
        elif isinstance(value, list):
            n = sum(1 for a, b in zip(value, redacted.get(key) or []) if a != b)
            out.append(f"{REMOVED_LABELS.get(key, key.replace('_', ' '))} ({n})")
        else:
            out.append(REMOVED_LABELS.get(key, key.replace("_", " ")))
    return out


def redaction_intro(tracker: Any, c: Contact) -> str:
    """The confirmation's text: what goes, what stays, where, and that it cannot be undone."""
    doc = tracker.contact_docs().get(c.reference) or {}
    removes = redaction_removes(doc, tracker.today()) if doc else []
    outcome = c.outcome.value.replace("_", " ") if c.outcome else "closed"
    return (f"{c.category.value if c.category else 'uncategorised'} \u00b7 {c.agency} \u00b7 received "
            f"{fmt(c.received_on)} \u00b7 {outcome}, closed {fmt(c.closed_on)}\n"
            f"REMOVES for good, from the record, its history and the backups: {', '.join(removes) or 'nothing left'}.\n"
            f"KEEPS for the statistics: {KEPT}.\n"
            f"The history will record that {tracker.user} redacted it on {fmt(tracker.today())}. "
            f"This cannot be undone.")


class RetentionScreen(OpensHighlighted, Screen):
    """Records past their retention review date, and false or malicious outcomes to de-identify."""

    BINDINGS = [
        Binding("enter", "open", "Open", tooltip="open the highlighted record"),
        Binding("r", "redact", "Redact", tooltip="remove the highlighted record's personal data (asks first)"),
        Binding("escape", "back", "Back", tooltip="back to where you were"),
    ]

    COLUMNS = [
        Column("why", "Why", width=11, sortable=False),
        Column("reference", "Reference", width=11, sortable=False),
        Column("closed", "Closed", width=10, sortable=False),
        Column("review", "Review", width=10, sortable=False),
        Column("outcome", "Outcome", flex=1, min_width=9, sortable=False),
        Column("agency", "Agency", flex=2, min_width=8, sortable=False),
    ]

    DEFAULT_CSS = """
    RetentionScreen #retention-intro { height: auto; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__(id="retention")
        self.items: list[tuple[str, Any]] = []    # (REVIEW DUE | DE-IDENTIFY, RetentionItem)
        self.report: Any = None

    def compose(self) -> ComposeResult:
        yield TopBar()
        yield Static(Text("working out the retention review\u2026", style="dim"), id="retention-intro")
        yield PagedTable(self.COLUMNS, self.render_row, table_id="retention-table",
                         empty="Nothing to review: no closed record is past its retention date, and no false or "
                               "malicious outcome still names its subject.",
                         page_size=getattr(self.app, "page_size", PAGE_SIZE))
        yield Static(id="preview", classes="preview")
        yield StatusLine()
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.watch(self.app, "data_version", self._reload, init=True)
        self.query_one(PagedTable).focus_table()

    def _reload(self, _version: int = 0) -> None:
        app: Any = self.app
        from . import lado_data
        compute_later(self, app.tracker.retention, self._show, in_thread=lado_data(app).large, group="retention")

    def _show(self, report: Any) -> None:
        if report is None:
            return
        self.report = report
        self.items = ([("REVIEW DUE", i) for i in report.past_review]
                      + [("DE-IDENTIFY", i) for i in report.remove_identity])
        rules = self.app.tracker.deadline_rules()  # type: ignore[attr-defined]
        intro = Text(f"Retention review as of {fmt(report.as_of)}: ", style="bold")
        intro.append(f"{len(report.past_review)} closed record(s) past their review date (kept "
                     f"{rules.retention_minimum} from the allegation, or to age {rules.retirement_age} if later); "
                     f"{len(report.remove_identity)} false or malicious outcome(s) still naming the subject. ")
        intro.append("Enter opens, r redacts.", style="dim")
        self.query_one("#retention-intro", Static).update(intro)
        self.query_one(PagedTable).set_keys([str(n) for n in range(len(self.items))])
        self._preview()

    def render_row(self, key: str) -> list[Any]:
        why, item = self.items[int(key)]
        return [Text(why, style="bold"), item.reference, fmt(item.closed_on), fmt(item.review_on),
                item.outcome.replace("_", " ") or "\u2013", item.agency]

    def current_reference(self) -> Optional[str]:
        key = self.query_one(PagedTable).current_key
        return self.items[int(key)][1].reference if key is not None and int(key) < len(self.items) else None

    def on_data_table_row_highlighted(self, event) -> None:
        self._preview()

    def _preview(self) -> None:
        key = self.query_one(PagedTable).current_key
        text = Text(no_wrap=True, overflow="ellipsis")
        if key is not None and int(key) < len(self.items):
            why, item = self.items[int(key)]
            text.append(item.reference, style="bold")
            text.append(f" {item.why}")
            text.append(" (r redacts)", style="dim")
        self.query_one("#preview", Static).update(plain(text, multiline=False))

    def action_redact(self) -> None:
        from .actions import open_action
        ref = self.current_reference()
        if ref is None:
            self.app.say("Nothing highlighted: move to a row first", "error")  # type: ignore[attr-defined]
            return
        open_action(self.app, "redact", ref)

    def action_back(self) -> None:
        self.app.pop_screen()


def open_retention(app: Any) -> None:
    if not isinstance(app.screen, RetentionScreen):
        app.push_screen(RetentionScreen())
