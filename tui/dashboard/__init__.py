"""The dashboard: the first tab for a store holding reviews, beside the LADO's triage queue.

Importing this module registers the tab (its ``home_rank`` makes it the first screen when the
store holds reviews), a palette command and the help section.
"""

from __future__ import annotations

from safeguard_tracker import Tracker

HOME_RANK_WITH_REVIEWS = 20   # the triage queue is 10: a store with reviews opens on the dashboard


def home_rank(tracker: Tracker) -> int:
    return HOME_RANK_WITH_REVIEWS if tracker.review_docs() else 0


def _register() -> None:
    from ..registry import REGISTRY, Command, Workspace
    from .view import DashboardView

    REGISTRY.add_workspace(Workspace("dashboard", "Dashboard", lambda: DashboardView(id="dashboard"), order=40,
                                     home_rank=home_rank,
                                     help="open contacts, overdue items, contacts by month, actions by RAG"))
    REGISTRY.command_sources.append(lambda app: [Command("Dashboard", lambda a: a.show_workspace("dashboard"),
                                                         "the figures and contacts by month")])
    REGISTRY.add_help("Dashboard", DashboardView)


_register()
