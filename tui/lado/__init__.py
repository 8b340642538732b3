"""The LADO's workspace: triage queue, all contacts, chase list, contact detail and forms.

Importing this module registers its tabs, commands, reference opener, header counts and help
sections with ``tui.registry.REGISTRY``.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Optional

from safeguard_tracker import Tracker

from .data import LadoData
from .state import lado_data

CONTACT_REF = re.compile(r"^L-\d{4}-\d+$", re.IGNORECASE)
# A contact's reference in a palette query: L-2018-0042, or a bare 2018-42; never the number
# inside another kind of reference (R-2018-002 is a review, not L-2018-0002).
_REF_IN_QUERY = re.compile(r"(?<![\w-])(L-?\s*\d{4}-?\s*\d+|\d{4}-\d+)\b", re.IGNORECASE)


def after_first_screen(app: Any) -> None:
    """Once the first screen is painted: the deadlines of a large store, in the background."""
    data = lado_data(app)
    data.due_items            # on a large store: pending, so lado_data starts the worker
    lado_data(app)


def warm_up(app: Any, tracker: Tracker, progress) -> None:
    """In the opening thread, on a small store: the deadlines, the queue and the search text,
    before the first screen.  A large store's deadlines are worked out after the first screen is
    painted (in the background), and its search text on the first filter."""
    data = LadoData(tracker)
    data.sync(0)
    if not data.large:
        progress("working out the deadlines")
        data.queue()
        data.hay
        data.order()
    app.area_data["lado"] = data


def normalise_reference(text: str) -> str:
    """'l-2018-42', '2018-42', 'L 2018 0042' -> 'L-2018-0042'."""
    m = re.match(r"^\s*(?:L\s*-?\s*)?(\d{4})\s*-?\s*(\d+)\s*$", text, re.IGNORECASE)
    if not m:
        return text.strip().upper()
    return f"L-{m.group(1)}-{int(m.group(2)):04d}"


def _register() -> None:
    from ..registry import REGISTRY, Command, Workspace
    from .add_contact import quick_add
    from .steps import STEPS, BY_VERB, open_step
    from .detail import ContactScreen
    from .privacy import RetentionScreen, open_retention
    from .views import ChaseView, ContactListView, ContactsView, QueueView

    REGISTRY.add_workspace(Workspace("queue", "Queue", lambda: QueueView(id="queue"), order=10,
                                     home_rank=lambda t: 10,
                                     help="uncategorised, overdue and due-soon contacts"))
    REGISTRY.add_workspace(Workspace("contacts", "Contacts", lambda: ContactsView(id="contacts"), order=20,
                                     help="every contact, filtered as you type"))
    REGISTRY.add_workspace(Workspace("chase", "Chase", lambda: ChaseView(id="chase"), order=30,
                                     help="what is overdue and due within 7 days"))

    def open_contact(app: Any, ref: str, warnings: Iterable[str] = ()) -> None:
        app.push_screen(ContactScreen(ref.upper(), warnings=warnings))

    REGISTRY.normalisers.append(normalise_reference)
    REGISTRY.add_opener(lambda ref: bool(CONTACT_REF.match(ref)), open_contact,
                        fetch=lambda app, ref: app.tracker.get_contact(ref))

    def counts(app: Any) -> list[tuple[str, Optional[int], str]]:
        data = lado_data(app)
        open_, overdue, week = data.counts()
        if not data.due_known:
            return [("open", open_, ""), ("working out the deadlines\u2026", None, "")]
        out: list[tuple[str, Optional[int], str]] = [("open", open_, ""), ("OVERDUE", overdue, "OVERDUE"),
                                                     ("due this week", week, "")]
        if data.due_pending:
            out[-1] = ("due this week (updating)", week, "")
        return out

    REGISTRY.header_counts.append(counts)
    REGISTRY.warmups.append(warm_up)
    REGISTRY.after_first_screen.append(after_first_screen)

    def fixed_commands(app: Any) -> list[Command]:
        out = [Command("Add contact (quick add)", quick_add, "log a new contact"),
               Command("Triage queue", lambda a: a.show_workspace("queue"), "uncategorised, overdue, due soon"),
               Command("All contacts: find and filter", lambda a: a.show_workspace("contacts", focus="#contacts-filter"),
                       "filter by year, category, agency, status, harm and text"),
               Command("Chase list", lambda a: a.show_workspace("chase"), "what is overdue and due this week"),
               Command("Retention review: records to redact", open_retention,
                       "closed contacts past their retention date; false or malicious outcomes to de-identify")]
        ref = app.current_reference()
        if ref and CONTACT_REF.match(ref):
            out.append(Command(f"Open {ref}", lambda a, r=ref: a.open_reference(r), "the highlighted contact"))
            for action in STEPS:
                out.append(Command(f"{action.verb.capitalize()} {ref}",
                                   lambda a, v=action.verb, r=ref: open_step(a, v, r), action.help))
        return out

    def query_commands(app: Any, query: str) -> list[Command]:
        """'escalate L-2018-0042', 'note 2018-42', 'L-2018-0042' (opens it)."""
        m = _REF_IN_QUERY.search(query)
        if not m:
            return []
        ref = normalise_reference(m.group(1))
        if ref not in lado_data(app).docs:
            return []
        words = (query[:m.start()] + " " + query[m.end():]).strip().lower().split()
        verb_word = words[0] if words else ""
        out = []
        for action in STEPS:
            if not verb_word or action.verb.startswith(verb_word) or action.label.lower().startswith(verb_word):
                out.append(Command(f"{action.verb.capitalize()} {ref}",
                                   lambda a, v=action.verb, r=ref: open_step(a, v, r), action.help))
        if not verb_word or "open".startswith(verb_word):
            out.insert(0, Command(f"Open {ref}", lambda a, r=ref: a.open_reference(r), "show the record"))
        return out

    REGISTRY.command_sources.append(fixed_commands)
    REGISTRY.query_command_sources.append(query_commands)

    REGISTRY.add_help("Triage queue and all contacts", QueueView, ContactsView, ContactListView,
                      intro="Keys work on the highlighted row.")
    REGISTRY.add_help("Chase list", ChaseView)
    REGISTRY.add_help("A contact", ContactScreen,
                      intro="Each change is confirmed in the status line at the bottom. The footer shows the "
                            "steps that apply to this contact now, as many as fit; every key below works, and "
                            "one that does not apply says why.")
    REGISTRY.add_help("Retention review (ctrl+p: retention)", RetentionScreen,
                      intro="Closed contacts past their retention review date, and false or malicious outcomes "
                            "whose subject is still named. r on a closed contact redacts it too.")
    from ..forms import FormScreen
    REGISTRY.add_help("Forms", FormScreen,
                      intro="Type a choice's first letters ('r' for referral); the choices show under the field. "
                            "Dates: today, yesterday, 05/01/2018 (day first).")
    del BY_VERB


_register()
