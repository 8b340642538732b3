"""safeguard-tracker: LADO allegations management and Learning Lessons action plans.

    import safeguard_tracker as st
    with st.open_tracker("store.json", user="a.lado") as t:
        c = t.add_contact(received_on=date(2018, 1, 5), agency="School - Primary",
                          category="consultation", summary="...")

This package never imports textual: the TUI lives in the separate ``tui`` package.
"""

from . import errors, model
from .errors import (ConflictError, ImportFailed, RuleError, SafeguardError, StoreCorrupt, StoreError, StoreLocked,
                     StoreTooNew, StoreWriteError, UnknownReference, ValidationError)
from .model import (RAG, Action, ActionStatus, Category, Contact, Harm, MeetingKind, Outcome, Recommendation, Review,
                    ReviewKind, ReviewStatus)
from .taxonomy import DEFAULT_AGENCIES, Taxonomy
from .tracker import Change, Tracker, open_tracker

__version__ = "0.1.0"

__all__ = [
    "RAG", "Action", "ActionStatus", "Category", "Change", "ConflictError", "Contact", "DEFAULT_AGENCIES", "Harm",
    "ImportFailed", "MeetingKind", "Outcome", "Recommendation", "Review", "ReviewKind", "ReviewStatus", "RuleError",
    "SafeguardError", "StoreCorrupt", "StoreError", "StoreLocked", "StoreTooNew", "StoreWriteError", "Taxonomy",
    "Tracker", "UnknownReference", "ValidationError", "errors", "model", "open_tracker",
]
