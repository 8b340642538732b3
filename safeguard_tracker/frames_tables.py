"""The analysis frames' tables: which columns each has, and its rows (see ``safeguard_tracker.frames``).

``as_of`` is applied first, to the documents (``contacts_as_of``, ``reviews_as_of``,
``actions_as_of``), so every column sees the record as it stood; the columns
themselves look at the date only for RAG and overdue.
"""

from __future__ import annotations

from .frames_columns import Column, Env
from .frames_contacts import CONTACT_COLUMNS, contacts_as_of
from .frames_plans import ACTION_COLUMNS, REVIEW_COLUMNS, actions_as_of, reviews_as_of
from .store.protocol import Doc

TABLES = ("contacts", "actions", "reviews")

COLUMNS: dict[str, dict[str, Column]] = {"contacts": CONTACT_COLUMNS, "actions": ACTION_COLUMNS,
                                         "reviews": REVIEW_COLUMNS}


def rows_of(table: str, env: Env, as_of: bool) -> list[Doc]:
    """The table's documents in reference order, as they stood on ``env.as_of`` when ``as_of``.

    The reviews' and actions' rows are kept in ``env.cache`` (the reviews frame counts actions)."""
    store = env.ctx.store
    if table == "contacts":
        docs = store.all("contacts")
        ordered = [docs[k] for k in sorted(docs)]
        return contacts_as_of(ordered, env.as_of_iso) if as_of else ordered
    reviews = store.all("reviews")
    review_rows = [reviews[k] for k in sorted(reviews)]
    gone: list[str] = []
    if as_of:
        kept = reviews_as_of(review_rows, env.as_of_iso)
        names = {d["reference"] for d in kept}
        gone = [k for k in reviews if k not in names]
        review_rows = kept
    actions = store.all("actions")
    action_rows = [actions[k] for k in sorted(actions)]
    if as_of:
        action_rows = actions_as_of(action_rows, env.as_of_iso, gone)
    env.cache["actions_rows"] = action_rows
    return review_rows if table == "reviews" else action_rows


__all__ = ["COLUMNS", "TABLES", "rows_of"]
