"""Privacy (UK GDPR) in the TUI: the retention list, and what a redaction removes and keeps.

The redaction itself is one of the contact's steps (``steps.STEPS``, key ``r``): a form that
says what goes and what stays (``redaction.py``), and asks for "yes".  It calls ``tracker.redact_contact``, which
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
from textual.widgets import Static

from safeguard_tracker.dates import fmt

from .steps import open_step
from .redaction import redaction_removes  # noqa: F401  re-exported beside the retention list
from ..footer import KeysFooter
from ..paged_table import PAGE_SIZE, Column, OpensHighlighted, PagedTable
from ..widgets import StatusLine, TopBar, compute_later, plain

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
        self.not_for_role: Optional[str] = None

    def compose(self) -> ComposeResult:
        tracker = getattr(self.app, "tracker", None)
        withheld = tracker.withheld("contacts") if tracker is not None else None
        self.not_for_role = (f"retention dates count from the subject's date of birth, which is {withheld}"
                             if withheld else None)
        yield TopBar()
        yield Static(Text("working out the retention review\u2026", style="dim"), id="retention-intro")
        yield PagedTable(self.COLUMNS, self.render_row, table_id="retention-table",
                         empty=(f"NOT FOR YOUR ROLE: {self.not_for_role}." if self.not_for_role else
                                "Nothing to review: no closed record is past its retention date, and no false or "
                                "malicious outcome still names its subject."),
                         page_size=getattr(self.app, "page_size", PAGE_SIZE))
        yield Static(id="preview", classes="preview")
        yield StatusLine()
        yield KeysFooter()

    def on_mount(self) -> None:
        self.watch(self.app, "data_version", self._reload, init=True)
        self.query_one(PagedTable).focus_table()

    def _reload(self, _version: int = 0) -> None:
        app: Any = self.app
        if self.not_for_role:       # (an answer without dates of birth would be a wrong one, not a short one)
            self.query_one("#retention-intro", Static).update(
                Text(f"NOT FOR YOUR ROLE: {self.not_for_role}.", style="bold"))
            return
        from .state import lado_data
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
        ref = self.current_reference()
        if ref is None:
            self.app.say("Nothing highlighted: move to a row first", "error")  # type: ignore[attr-defined]
            return
        open_step(self.app, "redact", ref)

    def action_back(self) -> None:
        self.app.pop_screen()


def open_retention(app: Any) -> None:
    if not isinstance(app.screen, RetentionScreen):
        app.push_screen(RetentionScreen())
