"""Extension points of the TUI: each area (LADO today, Learning Lessons next) registers here.

The app itself knows no area.  An area module (``tui.lado``) registers:

* **workspaces**: the tabs of the main screen (triage queue, all contacts, chase list...);
* **commands**: what the command palette (Ctrl+P) offers, fixed ones and ones read from the
  query ("escalate L-2018-0042");
* **reference openers**: which screen opens a reference (L-2018-0042, A-000123...);
* **header counts**: the figures in the top bar (open, overdue, due this week);
* **help sections**: the classes whose bindings the help screen lists.

``tui.app`` imports the areas listed in ``AREAS``; a new area adds its module there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Optional

if TYPE_CHECKING:  # pragma: no cover
    from textual.widget import Widget

# Area modules imported (in order) when the app starts; each registers itself on import.
AREAS: list[str] = ["tui.lado", "tui.dashboard", "tui.plans", "tui.reports"]


@dataclass(frozen=True)
class Workspace:
    """A tab of the main screen.

    ``factory`` builds the widget (a ``tui.widgets.WorkspaceView``).  ``home_rank(tracker)``
    picks the first tab shown: the highest rank wins (the triage queue is 10; a dashboard can
    return more when the store holds reviews).  ``available(tracker)`` hides a tab.
    """
    id: str
    title: str
    factory: Callable[[], "Widget"]
    order: int = 100
    home_rank: Callable[[Any], int] = lambda tracker: 0
    available: Callable[[Any], bool] = lambda tracker: True
    help: str = ""


@dataclass(frozen=True)
class Command:
    """One command-palette entry.  ``run(app)`` does it (usually pushes a screen)."""
    title: str
    run: Callable[[Any], Any]
    help: str = ""


@dataclass(frozen=True)
class Opener:
    """Which screen opens a reference.  ``fetch(app, ref)`` reads the record (raising
    UnknownReference when there is none), so Go to can say so beside the field."""
    accepts: Callable[[str], bool]
    open: Callable[..., Any]
    fetch: Optional[Callable[[Any, str], Any]] = None


@dataclass(frozen=True)
class HelpSection:
    title: str
    classes: tuple[type, ...]
    intro: str = ""


@dataclass
class Registry:
    workspaces: list[Workspace] = field(default_factory=list)
    # Fixed commands for discovery: (app) -> commands.  Query commands: (app, query) -> commands.
    command_sources: list[Callable[[Any], Iterable[Command]]] = field(default_factory=list)
    query_command_sources: list[Callable[[Any, str], Iterable[Command]]] = field(default_factory=list)
    # The first opener whose predicate accepts the (normalised) reference wins.
    openers: list[Opener] = field(default_factory=list)
    # How people type references -> the stored form ('2018-42' -> 'L-2018-0042'); applied in
    # order, then the library's own rule ('a-6' -> 'A-000006').
    normalisers: list[Callable[[str], str]] = field(default_factory=list)
    # (app) -> [(label, value, state)]: state is "" or a word such as "OVERDUE" that styles it;
    # a value of None shows the label alone ("working out the deadlines...").
    header_counts: list[Callable[[Any], list[tuple[str, int, str]]]] = field(default_factory=list)
    help_sections: list[HelpSection] = field(default_factory=list)
    # (app, tracker, progress) -> None, run in the thread that opens the store, before the first
    # screen: work out what the first screen needs while the loading screen shows progress.
    warmups: list[Callable[[Any, Any, Callable[[str], None]], None]] = field(default_factory=list)
    # (app) -> None, once the first screen is painted: start background work that would
    # otherwise compete with building it (the deadlines of a large store).
    after_first_screen: list[Callable[[Any], None]] = field(default_factory=list)

    def add_workspace(self, ws: Workspace) -> None:
        self.workspaces = [w for w in self.workspaces if w.id != ws.id] + [ws]
        self.workspaces.sort(key=lambda w: w.order)

    def add_opener(self, accepts: Callable[[str], bool], opener: Callable[..., Any],
                   fetch: Optional[Callable[[Any, str], Any]] = None) -> None:
        self.openers.append(Opener(accepts, opener, fetch))

    def find_opener(self, reference: str) -> Optional[Opener]:
        for opener in self.openers:
            if opener.accepts(reference):
                return opener
        return None

    def opener_for(self, reference: str) -> Optional[Callable[..., Any]]:
        found = self.find_opener(reference)
        return found.open if found is not None else None

    def normalise(self, text: str) -> str:
        """A reference as typed ('2018-42', 'a-6', 'l-2018-0042') in its stored form."""
        from safeguard_tracker.references import normalise_reference
        ref = text.strip()
        for normalise in self.normalisers:
            ref = normalise(ref)
        return normalise_reference(ref).upper()

    def add_help(self, title: str, *classes: type, intro: str = "") -> None:
        self.help_sections.append(HelpSection(title, classes, intro))


REGISTRY = Registry()
