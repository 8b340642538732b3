"""The Learning Lessons workspace: the reviews tree, the actions board, an action's steps, and the
add review / recommendation / action forms.

Importing this module registers its tabs, reference openers (A-000123, R-2017-001), commands
("sign off A-000006", "dawn" -> SCR Dawn's actions on the board) and help sections with
``tui.registry.REGISTRY``.
"""

from __future__ import annotations

import re
from typing import Any

from .state import plans_data

ACTION_REF = re.compile(r"^A-?\d{1,9}$", re.IGNORECASE)
REVIEW_REF = re.compile(r"^R-\d{4}-\d+$", re.IGNORECASE)
_ACTION_IN_QUERY = re.compile(r"\bA-?\s*(\d{1,9})\b", re.IGNORECASE)
_REVIEW_IN_QUERY = re.compile(r"\bR-\d{4}-\d+\b", re.IGNORECASE)


def action_reference(text: str) -> str:
    """'a-6', 'A6', 'A-000006' -> 'A-000006'."""
    m = re.fullmatch(r"\s*A-?\s*(\d{1,9})\s*", text, re.IGNORECASE)
    return f"A-{int(m.group(1)):06d}" if m else text.strip().upper()


def show_board(app: Any, **filters: str) -> None:
    """The actions board, with these filters (review=, agency=, officer=, text=) and no others."""
    app.show_workspace("actions")
    main = app.main_screen()
    if main is not None:
        view = main.query_one("#actions")
        view.ensure_loaded()
        view.set_filters(**{"text": "", "review": "", "agency": "", "officer": "", **filters})
        view.focus_default()


def _register() -> None:
    from ..registry import REGISTRY, Command, Workspace
    from ..forms import FormScreen
    from .board import ActionsBoardView
    from .detail import ActionScreen, open_action_screen
    from .forms import add_action_form, add_recommendation_form, add_review_form
    from .steps import STEPS, open_step
    from .tree import ReviewScreen, ReviewsView, open_review

    REGISTRY.add_workspace(Workspace("reviews", "Reviews", lambda: ReviewsView(id="reviews"), order=50,
                                     help="review -> recommendation -> action, with statutory dates and RAG"))
    REGISTRY.add_workspace(Workspace("actions", "Actions", lambda: ActionsBoardView(id="actions"), order=60,
                                     help="every action not yet signed off, by RAG or lead agency"))

    REGISTRY.add_opener(lambda ref: bool(ACTION_REF.match(ref)), lambda app, ref, **kw: open_action_screen(
        app, action_reference(ref)), fetch=lambda app, ref: app.tracker.get_action(ref))
    REGISTRY.add_opener(lambda ref: bool(REVIEW_REF.match(ref)), lambda app, ref, **kw: open_review(app, ref),
                        fetch=lambda app, ref: app.tracker.get_review(ref))

    def step_commands(ref: str, verb: str = "") -> list[Command]:
        return [Command(f"{s.verb.capitalize()} {ref}", lambda a, n=s.name, r=ref: open_step(a, n, r), s.help)
                for s in STEPS if not verb or s.verb.startswith(verb) or s.label.lower().startswith(verb)]

    def review_commands(app: Any, ref: str, title: str) -> list[Command]:
        return [Command(f"Open {title} ({ref})", lambda a, r=ref: a.open_reference(r),
                        "its statutory dates, recommendations and actions"),
                Command(f"{title}: its actions on the board, overdue first", lambda a, t=title: show_board(a, review=t),
                        "every action not yet signed off, by RAG"),
                Command(f"Add recommendation to {title}", lambda a, r=ref: add_recommendation_form(a, r)),
                Command(f"Add action to {title}", lambda a, r=ref: add_action_form(a, r))]

    def fixed_commands(app: Any) -> list[Command]:
        out = [Command("New review", lambda a: add_review_form(a), "record an SCR, LCSPR, LLR, rapid review, audit..."),
               Command("Add action", lambda a: add_action_form(a), "add an action to a review's recommendation"),
               Command("Reviews tree", lambda a: a.show_workspace("reviews"), "review -> recommendation -> action"),
               Command("Actions board", lambda a: show_board(a), "every action not yet signed off, overdue first"),
               Command("Actions board: overdue and off track (RED)", lambda a: show_board(a),
                       "the RED group comes first")]
        ref = app.current_reference()
        if ref and ACTION_REF.match(ref):
            out.append(Command(f"Open {ref}", lambda a, r=ref: a.open_reference(r), "the highlighted action"))
            out.extend(step_commands(ref))
        elif ref and REVIEW_REF.match(ref):
            title = plans_data(app).title(ref)
            out.extend(review_commands(app, ref, title))
        return out

    def query_commands(app: Any, query: str) -> list[Command]:
        """'sign off A-6', 'A-000006', 'update a-6'; 'dawn' or 'R-2017-001' for a review."""
        data = plans_data(app)
        out: list[Command] = []
        m = _ACTION_IN_QUERY.search(query)
        if m:
            ref = f"A-{int(m.group(1)):06d}"
            if data.action(ref) is not None:
                verb = " ".join((query[:m.start()] + " " + query[m.end():]).lower().split())
                if not verb or "open".startswith(verb):
                    out.append(Command(f"Open {ref}", lambda a, r=ref: a.open_reference(r), "show the action"))
                out.extend(step_commands(ref, verb))
            return out
        words = query.casefold().split()
        if not words:
            return out
        m = _REVIEW_IN_QUERY.search(query)
        for r in data.reviews:
            hay = f"{r.reference} {r.title} {r.name}".casefold()
            if (m and m.group(0).upper() == r.reference) or (not m and all(w in hay for w in words)):
                out.extend(review_commands(app, r.reference, r.title))
        return out[:24]

    REGISTRY.command_sources.append(fixed_commands)
    REGISTRY.query_command_sources.append(query_commands)

    REGISTRY.add_help("Reviews tree", ReviewsView,
                      intro="Keys act on the highlighted line: the step keys on an action, the plan keys elsewhere.")
    REGISTRY.add_help("Actions board", ActionsBoardView,
                      intro="u, d, c and s show in the footer; e, f, k and o work too.")
    REGISTRY.add_help("A review", ReviewScreen)
    REGISTRY.add_help("An action", ActionScreen,
                      intro="The footer shows the steps that apply; another step's key says why it does not.")
    del FormScreen


_register()
