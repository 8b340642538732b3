"""The domain model: frozen attrs classes, pure, with no I/O."""

from .change import Change
from .contact import (CategoryDecision, Contact, Meeting, MeetingAction, Note, RegulatorReferral,
                      Reopening, Referrer, Subject, Suspension)
from .enums import (ALLEGATION_OUTCOMES, RAG, ActionStatus, Category, CategoryChange, Harm, MeetingKind,
                    Outcome, ReviewKind, ReviewStatus, SuspensionDecision, Threshold)
from .review import Action, DueRule, ImpactFinding, Recommendation, Review, Revision, Update

__all__ = [
    "ALLEGATION_OUTCOMES", "RAG", "Action", "ActionStatus", "Category", "CategoryChange", "CategoryDecision", "Change",
    "Contact", "DueRule", "Harm", "ImpactFinding", "Meeting", "MeetingAction", "MeetingKind", "Note",
    "Outcome", "Recommendation", "Referrer", "RegulatorReferral", "Reopening", "Review", "ReviewKind",
    "ReviewStatus", "Revision", "Subject", "Suspension", "SuspensionDecision", "Threshold", "Update",
]
