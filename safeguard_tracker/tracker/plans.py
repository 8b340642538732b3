"""The face's plans part: reviews, recommendations, actions, their CSV and the sub group's reports."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Iterable, Optional

from ..io.importing import ImportResult
from ..model import RAG, Action, Recommendation, Review
from ..plans import action_plan_report, chase_letters, plans_csv
from ..plans.plan_dates import PlanRules, ReviewDeadline, StatutoryDates
from ..plans.reviews import ImpactReview
from .face import Face


class PlansFace(Face):
    """Everything the Learning Lessons sub group, or a script, does with reviews and action plans."""

    @property
    def plan_rules(self) -> PlanRules:
        return self._reviews.plan_rules

    def get_review(self, key: Any) -> Review:
        """A review by its reference (R-2018-002), its name ('Dawn') or its title ('SCR Dawn')."""
        return self._reviews.get(key)

    def review_docs(self) -> dict[str, dict]:
        """The raw stored review documents, for quick questions (read-only: never mutate them)."""
        return self._reviews.docs()

    def reviews(self, *, kind: Any = None, status: Any = None, text: Optional[str] = None) -> list[Review]:
        """Reviews in reference order, narrowed by kind, status or words in the name, board, chair or themes."""
        return self._reviews.find(kind=kind, status=status, text=text)

    def statutory_dates(self, review: Any) -> StatutoryDates:
        return self._reviews.statutory_dates(review)

    def review_deadlines(self, review: Any) -> list[ReviewDeadline]:
        return self._reviews.review_deadlines(review)

    def add_review(self, *, name: str, kind: Any, reference: Optional[str] = None, **fields: Any) -> Review:
        """Record a review: its name (a pseudonym), kind, lead board, chair, author, themes, status and dates."""
        return self._reviews.add(name=name, kind=kind, reference=reference, **fields)

    def update_review(self, review: Any, *, expected_rev: Optional[int] = None, **fields: Any) -> Review:
        """Change a review's details, status or dates.  Actions due relative to a date follow it."""
        return self._reviews.update(review, expected_rev=expected_rev, **fields)

    def save_review(self, review: Review) -> Review:
        """Store a review changed with ``attrs.evolve``; refuses if the stored copy moved on."""
        return self._reviews.save(review)

    def add_recommendation(self, review: Any, *, text: str, owner_agencies: Any, themes: Any = (), number: Optional[int] = None, expected_rev: Optional[int] = None) -> Recommendation:
        """Add a recommendation, numbered next within its review unless ``number`` is given."""
        return self._reviews.add_recommendation(review, text=text, owner_agencies=owner_agencies, themes=themes, number=number, expected_rev=expected_rev)

    def update_recommendation(self, review: Any, number: Any, *, text: Optional[str] = None, owner_agencies: Any = None, themes: Any = None, expected_rev: Optional[int] = None) -> Recommendation:
        return self._reviews.update_recommendation(review, number, text=text, owner_agencies=owner_agencies, themes=themes, expected_rev=expected_rev)

    def record_impact_finding(self, review: Any, number: Any, text: str, *, on: Any = None, by: Optional[str] = None, expected_rev: Optional[int] = None) -> Recommendation:
        """Close a recommendation's impact review: did it make a difference?  Only after every action is signed off."""
        return self._reviews.record_impact_finding(review, number, text, on=on, by=by, expected_rev=expected_rev)

    def impact_reviews(self, *, open_only: bool = True) -> list[ImpactReview]:
        """Recommendations whose actions are all signed off, with the impact review's due date."""
        return self._reviews.impact_reviews(open_only=open_only)

    def get_action(self, reference: Any) -> Action:
        return self._actions.get(reference)

    def action_docs(self) -> dict[str, dict]:
        """The raw stored action documents, for fast counting (read-only: never mutate them)."""
        return self._actions.docs()

    def actions(self, *, review: Any = None, recommendation: Optional[int] = None, agency: Optional[str] = None, officer: Optional[str] = None, text: Optional[str] = None, status: Any = None, rag: Any = None, open_only: bool = False, as_of: Any = None) -> list[Action]:
        """Actions in reference order, narrowed by any filter.

        ``status`` is an action status or 'open'; ``rag`` is red, amber, green or blue
        as of ``as_of`` (default today); ``officer`` and ``text`` match words.
        """
        return self._actions.find(review=review, recommendation=recommendation, agency=agency, officer=officer, text=text, status=status, rag=rag, open_only=open_only, as_of=as_of)

    def follow_ups(self, reference: Any) -> list[Action]:
        return self._actions.follow_ups(reference)

    def rag(self, action: Any, as_of: Any = None) -> RAG:
        """Blue, green, red or amber, derived as of ``as_of`` (default today)."""
        return self._actions.rag(action, as_of)

    def days_overdue(self, action: Any, as_of: Any = None) -> int:
        return self._actions.days_overdue(action, as_of)

    def preview_due(self, review: Any, due: Any) -> tuple[Optional[date], str]:
        """What a due date as typed resolves to now, and how it reads: for forms that show it as you type."""
        return self._actions.preview_due(review, due)

    def add_action(self, review: Any, recommendation: Any, *, description: str, lead_agency: str, lead_officer: str = '', due: Any = None, status: Any = None, reference: Optional[str] = None) -> Action:
        """Add an action to a recommendation.

        ``due`` is a date, or a rule such as "3 months after publication" or
        "3 months after A-000002 is complete"; a rule's date follows its event.
        """
        return self._actions.add(review, recommendation, description=description, lead_agency=lead_agency, lead_officer=lead_officer, due=due, status=status, reference=reference)

    def update_action(self, reference: Any, *, expected_rev: Optional[int] = None, **fields: Any) -> Action:
        """Change the description, lead agency, lead officer or (open) status.

        A due date can be set here only while the action has none; after that it
        changes through ``revise_due`` with a reason, so the original stays visible.
        """
        return self._actions.update(reference, expected_rev=expected_rev, **fields)

    def add_update(self, reference: Any, text: str, *, on: Any = None, expected_rev: Optional[int] = None) -> Action:
        """A dated, attributed progress update.  The first update on a not-started action marks it in progress."""
        return self._actions.add_update(reference, text, on=on, expected_rev=expected_rev)

    def revise_due(self, reference: Any, to: Any, reason: str, *, expected_rev: Optional[int] = None) -> Action:
        """Move the due date, with a reason.  The original and every earlier revision stay visible."""
        return self._actions.revise_due(reference, to, reason, expected_rev=expected_rev)

    def record_evidence(self, reference: Any, *, evidence: Optional[str] = None, impact_measure: Optional[str] = None, expected_rev: Optional[int] = None) -> Action:
        """Evidence of completion and the measure that will show impact."""
        return self._actions.record_evidence(reference, evidence=evidence, impact_measure=impact_measure, expected_rev=expected_rev)

    def complete_action(self, reference: Any, *, on: Any = None, evidence: Optional[str] = None, impact_measure: Optional[str] = None, follow_up: Optional[str] = None, follow_up_after: str = '3 months', follow_up_agency: Optional[str] = None, follow_up_officer: Optional[str] = None, expected_rev: Optional[int] = None) -> Action:
        """Mark an action complete (clearing any off-track flag).

        With ``follow_up``, also creates a follow-up action due ``follow_up_after``
        the completion -- Ellie's "audit after 3 months" -- in the same transaction.
        Find it with ``follow_ups(reference)``.  Actions due relative to this
        completion get their dates.
        """
        return self._actions.complete(reference, on=on, evidence=evidence, impact_measure=impact_measure, follow_up=follow_up, follow_up_after=follow_up_after, follow_up_agency=follow_up_agency, follow_up_officer=follow_up_officer, expected_rev=expected_rev)

    def reopen_action(self, reference: Any, reason: str, *, expected_rev: Optional[int] = None) -> Action:
        """A complete action found not to be done after all goes back in progress, with the reason as an update."""
        return self._actions.reopen(reference, reason, expected_rev=expected_rev)

    def sign_off(self, reference: Any, *, by: str, on: Any = None, expected_rev: Optional[int] = None) -> Action:
        """The sub group's assurance: records who signed it off and when.  Only a complete action with evidence."""
        return self._actions.sign_off(reference, by=by, on=on, expected_rev=expected_rev)

    def flag_off_track(self, reference: Any, reason: str, *, expected_rev: Optional[int] = None) -> Action:
        """Mark an open action off track (Red whatever its dates), with the reason as an update too."""
        return self._actions.flag_off_track(reference, reason, expected_rev=expected_rev)

    def clear_off_track(self, reference: Any, note: str = '', *, expected_rev: Optional[int] = None) -> Action:
        return self._actions.clear_off_track(reference, note, expected_rev=expected_rev)

    def add_plan_records(self, reviews: Iterable[Review] = (), actions: Iterable[Action] = (), *, upsert: bool = False) -> int:
        """Store many reviews and actions as one transaction and one durable write (imports, the demo).

        Each must already be valid; references must be new unless ``upsert``.
        Every action's review and recommendation must exist.  Returns how many records changed.
        """
        return self._actions.add_plan_records(reviews, actions, upsert=upsert)

    def due_text(self, action: Action) -> str:
        """An action's due date as people read it: the rule and its date, or the date, or 'none'."""
        return self._actions.due_text(action)

    # --- import, export and reports ------------------------------------------------------------------
    def import_reviews(self, path: Any, *, dry_run: bool = False, overwrite: bool = False) -> ImportResult:
        """Import reviews from a CSV (or a JSON export): all or nothing, one transaction, idempotent.

        A row exported before someone else changed its review is refused; a row without a
        revision changes a stored review only with ``overwrite=True``.  Raises ImportFailed
        listing every bad row; returns an ImportResult.
        """
        return plans_csv.import_reviews(self._actions, path, dry_run=dry_run, overwrite=overwrite)

    def import_actions(self, path: Any, *, dry_run: bool = False, overwrite: bool = False) -> ImportResult:
        """Import an action plan (one row per action) from a CSV or a JSON export: all or nothing, idempotent.

        Revisions are checked as for ``import_reviews``; updates and due-date revisions are never removed.
        """
        return plans_csv.import_actions(self._actions, path, dry_run=dry_run, overwrite=overwrite)

    def export_plans(self, kind: str = "actions", fmt: str = "csv") -> str:
        """Reviews or actions as CSV (defended against formula injection) or JSON (lossless)."""
        return plans_csv.export_plans(self._actions, kind, fmt)

    def action_entry(self, action: Action, as_of: date) -> dict:
        """One action as the action-plan report shows it (RAG, due dates, overdue days, review title)."""
        titles = {r.reference: r.title for r in self.reviews()}
        return action_plan_report.action_entry(self._actions, action, as_of, titles)

    def action_plan_data(self, *, review: Any = None, agency: Optional[str] = None, as_of: Any = None) -> dict:
        """The action-plan report's figures and entries as data (what ``report_action_plan`` renders)."""
        return action_plan_report.action_plan_data(self._actions, review=review, agency=agency, as_of=as_of)

    def chase_letters_data(self, *, agency: Optional[str] = None, as_of: Any = None,
                           within_days: int = chase_letters.DUE_SOON_DAYS) -> dict:
        """The chase letters as data: one per lead agency with overdue or soon-due actions."""
        return chase_letters.chase_letters_data(self._actions, agency=agency, as_of=as_of, within_days=within_days)

    def report_action_plan(self, fmt: str = "md", *, review: Any = None, agency: Optional[str] = None,
                           as_of: Any = None, templates: Optional[str | Path] = None) -> str:
        """The action-plan report (md, html, csv or json), overdue first, with the RAG chart."""
        return action_plan_report.render_action_plan(self._actions, fmt, review=review, agency=agency, as_of=as_of,
                                                     templates=templates)

    def report_chase_letters(self, fmt: str = "md", *, agency: Optional[str] = None, as_of: Any = None,
                             within_days: int = chase_letters.DUE_SOON_DAYS, templates: Optional[str | Path] = None) -> str:
        """One chase letter per lead agency with overdue or soon-due actions."""
        return chase_letters.render_chase_letters(self._actions, fmt, agency=agency, as_of=as_of,
                                                  within_days=within_days, templates=templates)
