"""The contact detail screen: every field, the decisions, meetings, notes, outcome, and the
audit history as a timeline.  Its keys are the LADO actions (``steps.STEPS``)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Callable, Iterable, Optional

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static, TabbedContent, TabPane

from safeguard_tracker.dates import fmt
from safeguard_tracker.model.due import DueItem
from safeguard_tracker.errors import SafeguardError
from safeguard_tracker.model import Contact

from ..footer import KeysFooter
from ..widgets import (STATE_STYLES, PlainTable, StatusLine, TopBar, compute_later, history_timeline, plain,
                       state_text)
from .steps import STEPS, BY_VERB, open_step


DASH = "\u2013"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ARROW = " \u2192 "


def _grid() -> Table:
    table = PlainTable.grid(padding=(0, 1))
    table.add_column(style="dim", no_wrap=True, min_width=14)
    table.add_column(ratio=1, overflow="fold")     # a long value is shown whole, not cut
    return table


def _blank(value: Any, empty: str = "\u2013") -> str:
    if value is None or value == "" or value == ():
        return empty
    return str(value)


def _section(title: str, body: Any) -> Group:
    return Group(Text(title, style="bold underline"), body, Text(""))


def _item_text(item: DueItem) -> Text:
    if item.overdue:
        return state_text("OVERDUE", f"{item.what}: due {fmt(item.due_on)}, {item.days_overdue} day(s) late")
    if item.days_overdue == 0:
        return state_text("DUE TODAY", f"{item.what}")
    return state_text("DUE SOON", f"{item.what}: due {fmt(item.due_on)}")


def contact_renderable(c: Contact, due: Iterable[DueItem] = (), patterns: Iterable[str] = (),
                       withheld: Optional[str] = None) -> Group:
    """Everything recorded about a contact, in the order a LADO reads it.  ``withheld``: what the login's role
    is not shown (the analyst's personal data), said where those fields would be."""
    parts: list[Any] = []
    g = _grid()
    status = "open" if c.is_open else f"CLOSED on {fmt(c.closed_on)}"
    g.add_row("Received", fmt(c.received_on))
    g.add_row("Agency", c.agency)
    if c.legacy_reference:
        g.add_row("Their ref", plain(c.legacy_reference))
    if c.historic:
        g.add_row("Historic", Text("imported from the old log: steps it never recorded show as not recorded",
                                   style="dim"))
    g.add_row("Category", c.category.value if c.category else Text("not recorded (historic)" if c.historic else
                                                                   "UNCATEGORISED: decide (c)", style="bold"))
    g.add_row("Status", status)
    if c.redacted_on:
        g.add_row("Redacted", f"{fmt(c.redacted_on)}: names, date of birth, free text and referrer details removed")
    g.add_row("Outcome", c.outcome.value.replace("_", " ") if c.outcome else "\u2013")
    g.add_row("Harm", _blank(c.harm.value if c.harm else None))
    g.add_row("Threshold", ", ".join(t.value for t in c.threshold) or "\u2013")
    g.add_row("Responded", fmt(c.responded_on) or "not yet")
    g.add_row("Summary", Text(withheld, style="dim") if withheld else _blank(c.summary))
    parts.append(_section("Contact", g))

    due = list(due)
    if due:
        parts.append(_section("Next due", Group(*[_item_text(i) for i in due])))
    patterns = list(patterns)
    if patterns:
        parts.append(_section("Earlier contacts (pattern warnings)",
                              Group(*[plain(f"\u2022 {w}") for w in patterns])))

    said = Text(withheld, style="dim") if withheld else None     # (what the role is not shown, said in place)
    if said is not None:
        g = _grid()
        g.add_row("Staff member", said)
        g.add_row("Referrer", said)
        g.add_row("Children", _blank(c.children_count))
        parts.append(_section("People", g))
    else:
        g = _grid()
        g.add_row("Name", _blank(c.subject.name, "not recorded"))
        g.add_row("Role", _blank(c.subject.role))
        g.add_row("Employer", _blank(c.subject.employer))
        g.add_row("Date of birth", fmt(c.subject.date_of_birth) or "\u2013")
        g.add_row("Case manager", _blank(c.case_manager))
        parts.append(_section("Staff member", g))

        g = _grid()
        g.add_row("Name", _blank(c.referrer.name))
        g.add_row("Role", _blank(c.referrer.role))
        g.add_row("Organisation", _blank(c.referrer.organisation))
        ages = ", ".join(map(str, c.children_ages)) or DASH
        g.add_row("Children", f"{_blank(c.children_count)} (ages {ages})")
        parts.append(_section("Referrer and children", g))

    if c.extra:
        g = _grid()
        for heading, value in c.extra.items():
            g.add_row(plain(heading), plain(value))
        parts.append(_section("From the old log", g))

    lines = []
    for d in c.category_history:
        line = Text(f"{fmt(d.on)}  ")
        line.append(d.kind.value.replace("_", " ").upper(), style="bold")
        line.append_text(plain(f" {d.from_.value + ARROW if d.from_ else ''}{d.to.value}"))
        if said is None:
            line.append_text(plain(f"  by {d.user}"))
            line.append_text(plain(f"\n            {d.rationale}", "italic"))
        lines.append(line)
    parts.append(_section("Category history", Group(*lines) if lines else Text("none yet", style="dim")))

    lines = []
    for m in c.meetings:
        line = Text(f"{fmt(m.held_on)}  ")
        line.append(m.kind.value.replace("_", " ").upper(), style="bold")
        if m.recorded_by:
            line.append_text(plain(f"  recorded by {m.recorded_by}", "dim"))
        if m.agencies_present:
            line.append_text(plain(f"\n            present: {', '.join(m.agencies_present)}"))
        if m.decisions:
            line.append_text(plain(f"\n            decisions: {m.decisions}"))
        for a in m.actions if said is None else ():
            bits = [a.description]
            if a.owner:
                bits.append(f"owner {a.owner}")
            if a.due_on:
                bits.append(f"due {fmt(a.due_on)}")
            if a.done_on:
                bits.append(f"done {fmt(a.done_on)}")
            line.append_text(plain(f"\n            action: {'; '.join(bits)}"))
        lines.append(line)
    parts.append(_section("Meetings", Group(*lines) if lines else Text("none yet", style="dim")))

    g = _grid()
    g.add_row("Police", ("involved" + (f", ref {c.police_reference}" if c.police_reference else ""))
              if c.police_involved else "not involved")
    g.add_row("s47 strategy", fmt(c.s47_strategy_on) or "\u2013")
    for s in c.suspension:
        g.add_row("Suspension", f"{fmt(s.on)} {s.decision.value.replace('_', ' ')}"
                                + (f": {s.rationale}" if said is None else ""))
    for r in c.regulator_referrals:
        g.add_row("Referred to", f"{r.body} on {fmt(r.on)}" + (f" (ref {r.reference})" if r.reference else ""))
    if not c.regulator_referrals:
        g.add_row("DBS/regulator", "no referral recorded")
    g.add_row("Disciplinary", said or _blank(c.disciplinary))
    g.add_row("Report asked", fmt(c.employer_report_requested_on) or "\u2013")
    g.add_row("Report in", fmt(c.employer_report_received_on) or "\u2013")
    if said is None:
        g.add_row("Employer said", _blank(c.employer_outcome))
    parts.append(_section("Consequences and the employer", g))

    g = _grid()
    g.add_row("Outcome", c.outcome.value.replace("_", " ") if c.outcome else "open: no outcome yet")
    g.add_row("Closed on", fmt(c.closed_on) or "\u2013")
    for r in c.reopenings:
        was = r.previous_outcome.value if r.previous_outcome else "closed"
        g.add_row("Reopened", fmt(r.on) if said is not None else
                  f"{fmt(r.on)} by {r.user} (was {was}, {fmt(r.previous_closed_on)}): {r.reason}")
    parts.append(_section("Outcome", g))

    lines = []
    for n in c.notes:
        line = Text(f"{n.at:%d/%m/%Y %H:%M}  ", style="dim")
        line.append_text(plain(n.user, "bold"))
        line.append_text(plain(f"  {n.text}"))
        lines.append(line)
    parts.append(_section("Notes", said or (Group(*lines) if lines else Text("none yet", style="dim"))))
    return Group(*parts)


def _value(value: Any) -> str:
    """An audited value as a person reads it: dates dd/mm/yyyy, blanks as (blank)."""
    if value is None or value == "" or value == [] or value == {}:
        return "(blank)"
    if isinstance(value, str) and ISO_DATE.match(value):
        return fmt(date.fromisoformat(value))
    if isinstance(value, str):
        return value.replace("_", " ") if value.islower() and " " not in value else value
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    return str(value)


def _added_item(field: str, item: dict) -> str:
    """One entry appended to a list field (a decision, a meeting, a note...)."""
    if field == "category_history":
        was = item.get("from")   # stored as "from" (see safeguard_tracker.convert)
        start = f"{_value(was)} \u2192 " if was else ""
        return f"{_value(item.get('kind'))}: {start}{item.get('to')}, because: {item.get('rationale', '')}"
    if field == "meetings":
        present = item.get("agencies_present") or []
        return (f"{_value(item.get('kind')).upper()} held {_value(item.get('held_on'))}"
                + (f" with {', '.join(present)}" if present else "")
                + (f"; decisions: {item['decisions']}" if item.get("decisions") else ""))
    if field == "notes":
        return f"note: {item.get('text', '')}"
    if field == "regulator_referrals":
        return f"referred to {item.get('body')} on {_value(item.get('on'))}"
    if field == "suspension":
        return f"suspension: {_value(item.get('decision'))} on {_value(item.get('on'))}: {item.get('rationale', '')}"
    if field == "reopenings":
        return f"reopened (was {_value(item.get('previous_outcome'))}): {item.get('reason', '')}"
    return f"{field.replace('_', ' ')}: {item}"


def describe_change(ch: Any) -> list[str]:
    """The lines the timeline shows for one audited field change."""
    old, new, field = ch.old, ch.new, ch.field
    if ch.op:                                   # one item of a list field: added, removed or changed inside
        if ch.added_item and isinstance(new, dict):
            return [_added_item(field, new)]
        return [ch.description]
    if field == "*":
        doc = new if isinstance(new, dict) else {}
        what = doc.get("category") or "uncategorised"
        return [f"created: {what}, {doc.get('agency', '')}, received {_value(doc.get('received_on'))}"]
    if isinstance(new, list) and isinstance(old, (list, type(None))) and len(new) > len(old or []) \
            and all(isinstance(i, dict) for i in new):
        return [_added_item(field, item) for item in new[len(old or []):]]
    if isinstance(new, dict) or isinstance(old, dict):
        o, n = old or {}, new or {}
        return [f"{field}.{k.replace('_', ' ')}: {_value(o.get(k))} \u2192 {_value(n.get(k))}"
                for k in sorted(set(o) | set(n)) if o.get(k) != n.get(k)] or [f"{field} changed"]
    return [f"{field.replace('_', ' ')}: {_value(old)} \u2192 {_value(new)}"]


def history_renderable(changes: list) -> Group:
    """A contact's audit trail as a timeline: when, who, then what changed, old and new values."""
    return history_timeline(changes, describe_change)


def _contact_bindings() -> list[Binding]:
    return [Binding(a.key, f"contact('{a.verb}')", a.label, show=a.footer, tooltip=a.help) for a in STEPS]


class ContactScreen(Screen):
    """One contact: ``Record`` and ``History`` tabs; keys for every LADO action."""

    BINDINGS = [
        *_contact_bindings(),
        Binding("h", "toggle_history", "History", show=False, tooltip="switch between the record and its audit history"),
        Binding("escape", "back", "Back", tooltip="back to the list"),
    ]

    DEFAULT_CSS = """
    ContactScreen #detail-head { height: auto; padding: 0 1; background: $boost; }
    ContactScreen #warnings { height: auto; max-height: 3; padding: 0 1; background: $warning 25%; display: none; }
    ContactScreen #warnings.-shown { display: block; }
    ContactScreen TabbedContent { height: 1fr; }
    ContactScreen TabPane { padding: 0; }
    ContactScreen VerticalScroll { padding: 0 1; }
    """

    def __init__(self, reference: str, warnings: Iterable[str] = ()) -> None:
        super().__init__(id=f"contact-{reference}")
        self.reference = reference
        self.warnings = list(warnings)
        self.contact: Optional[Contact] = None
        self._patterns: Optional[tuple[int, list[str]]] = None
        self._due: list[DueItem] = []
        self._history_rev = -1

    def compose(self) -> ComposeResult:
        yield TopBar()
        yield Static(id="detail-head")
        yield Static(id="warnings")
        with TabbedContent(id="detail-tabs"):
            with TabPane("Record (h)", id="tab-record"):
                with VerticalScroll(id="record-scroll"):
                    yield Static(id="record")
            with TabPane("History (h)", id="tab-history"):
                with VerticalScroll(id="history-scroll"):
                    yield Static(id="history")
        yield StatusLine()
        # No "^p palette" here: at 80 columns the contact's own keys need the room (the main
        # screen's footer shows it, and ctrl+p works everywhere).
        yield KeysFooter(show_command_palette=False)

    def on_mount(self) -> None:
        self.watch(self.app, "data_version", self._reload, init=True)
        self.watch(self.app, "view_version", self._reload, init=False)
        self.query_one("#record-scroll").focus()

    def current_reference(self) -> Optional[str]:
        return self.reference

    def _reload(self, _version: int = 0) -> None:
        app: Any = self.app
        try:
            c = app.tracker.get_contact(self.reference)
        except SafeguardError as exc:
            self.query_one("#detail-head", Static).update(plain(str(exc), "bold"))
            return
        self.contact = c
        from .state import lado_data
        due = [i for i in lado_data(app).due_items if i.reference == c.reference]
        head = plain(c.reference, "bold", multiline=False)
        head.append(f"  {c.category.value.upper() if c.category else 'UNCATEGORISED'}", style="bold")
        head.append(f"  {'open' if c.is_open else 'CLOSED ' + fmt(c.closed_on)}")
        if c.outcome:
            head.append(f"  {c.outcome.value.replace('_', ' ')}")
        if c.redacted_on:
            head.append(f"  REDACTED {fmt(c.redacted_on)}", style="bold")
        if due and c.is_open:
            first = due[0]
            word = "OVERDUE" if first.overdue else ("DUE TODAY" if first.days_overdue == 0 else "")
            if word:
                head.append("  ")
                head.append(word, style=STATE_STYLES[word])
                head.append_text(plain(f" {first.what.split(' (')[0]}", multiline=False))
        head.append_text(plain(f"\n{c.agency}", "dim"))
        self.query_one("#detail-head", Static).update(head)
        if self.warnings:
            # Just saved: say so at the top, one line each; the full lists are in the record.
            lines = [Text.assemble(plain(f"PATTERN WARNING: {w}", multiline=False), no_wrap=True, overflow="ellipsis")
                     for w in self.warnings]
            warnings = self.query_one("#warnings", Static)
            warnings.update(Group(*lines))
            warnings.add_class("-shown")
        self._due = due
        known = self._patterns is not None and self._patterns[0] == c.rev
        patterns = self._patterns[1] if known else [  # type: ignore[index]
            "checking for earlier contacts about this person or setting\u2026"]
        self.query_one("#record", Static).update(contact_renderable(c, due, patterns, app.tracker.withheld("contacts")))
        if not known:
            self._later(lambda: app.tracker.pattern_warnings(c), self._patterns_ready, c.rev)
        self._history_rev = -1
        if self.query_one("#detail-tabs", TabbedContent).active == "tab-history":
            self._load_history()
        self.refresh_bindings()

    def _later(self, compute: Callable[[], Any], deliver: Callable[[int, Any], None], rev: int) -> None:
        """Run ``compute`` now on a small store; in a thread on a large one (it scans every
        contact), delivering on the main thread.  Either way the record is already on screen."""
        from .state import lado_data
        compute_later(self, compute, lambda result: deliver(rev, result), in_thread=lado_data(self.app).large,
                      group=f"detail-{id(deliver)}", failed=[])

    def _patterns_ready(self, rev: int, patterns: list[str]) -> None:
        self._patterns = (rev, patterns)
        if self.contact is not None and self.contact.rev == rev:
            self.query_one("#record", Static).update(contact_renderable(self.contact, self._due, patterns,
                                                                        self.app.tracker.withheld("contacts")))

    def _load_history(self) -> None:
        c = self.contact
        if c is None or self._history_rev == c.rev:
            return
        self._history_rev = c.rev
        self.query_one("#history", Static).update(Text("reading the audit trail\u2026", style="dim"))
        app: Any = self.app
        self._later(lambda: app.tracker.history(c.reference), self._history_ready, c.rev)

    def _history_ready(self, rev: int, changes: list) -> None:
        if self.contact is not None and self.contact.rev == rev:
            self.query_one("#history", Static).update(history_renderable(changes))

    def check_action(self, action: str, parameters: tuple) -> Optional[bool]:
        # The footer shows the actions that apply to this contact now (Close on an open one,
        # Reopen and Redact on a closed one, Action done while a meeting's action waits...); the
        # others still answer their key, through on_key, saying why they do not apply.
        # A step that applies but is seldom the next one (``shown``: Category once decided, Report
        # in before the report was asked for) also leaves the footer to the ones that are.
        if action == "contact" and parameters and self.contact is not None:
            step = BY_VERB[parameters[0]]
            return step.refuse(self.contact) is None and step.shown(self.contact)
        return True

    def on_key(self, event) -> None:
        if self.contact is None:
            return
        for action in STEPS:
            if event.key == action.key:
                event.stop()
                open_step(self.app, action.verb, self.reference)
                return

    def action_contact(self, verb: str) -> None:
        open_step(self.app, verb, self.reference)

    def action_toggle_history(self) -> None:
        tabs = self.query_one("#detail-tabs", TabbedContent)
        tabs.active = "tab-record" if tabs.active == "tab-history" else "tab-history"
        if tabs.active == "tab-history":
            self._load_history()
        scroll = "#history-scroll" if tabs.active == "tab-history" else "#record-scroll"
        self.query_one(scroll).focus()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "tab-history":
            self._load_history()

    def action_back(self) -> None:
        self.app.pop_screen()
