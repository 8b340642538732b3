"""The face's plans part: reviews, recommendations, actions, their CSV and the sub group's reports."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Iterable, Literal, Mapping, Optional, overload

from ..io.importing import ImportResult
from ..io.mapping import ImportMapping
from ..model import RAG, Action, ActionStatus, Recommendation, Review, ReviewKind, ReviewStatus
from ..plans import action_plan_report, chase_letters, plans_csv
from ..plans.plan_dates import PlanRules, ReviewDeadline, StatutoryDates
from ..io.import_plan import ImportPlan
from ..plans.plans_mapping import plan_plans_import
from ..plans.reviews import ImpactReview
from ..progress import NO_PROGRESS, Progress
from ..store.protocol import Doc
from .face import Face


class PlansFace(Face):
    """Everything the Learning Lessons sub group, or a script, does with reviews and action plans."""

    @property
    def plan_rules(self) -> PlanRules:
        """The statutory review timescales in force (notification, rapid review, publication, impact review).

        >>> rules = t.plan_rules
        >>> rules.notification, rules.publication, rules.impact_review
        ('5 working days', '6 months', '12 months')
        """
        return self._reviews.plan_rules

    def get_review(self, key: Review | str) -> Review:
        """A review by its reference (R-2018-002), its name ('Dawn') or its title ('SCR Dawn').

        >>> r = t.get_review("Dawn")
        >>> r.reference, r.title, r.status.value, r.published_on
        ('R-2017-001', 'SCR Dawn', 'published', datetime.date(2018, 3, 29))
        >>> t.get_review("SCR Dawn") == t.get_review("R-2017-001") == r
        True
        """
        return self._reviews.get(key)

    def review_docs(self) -> Mapping[str, Doc]:
        """The raw stored review documents, for quick questions (read-only: never mutate them).

        >>> sorted(d["name"] for d in t.review_docs().values() if d["kind"] == "scr")
        ['Dawn', 'Ellie', 'Jay', 'Skye']
        """
        return self._reviews.docs()

    def reviews(self, *, kind: ReviewKind | str | None = None, status: ReviewStatus | str | None = None,
                text: Optional[str] = None) -> list[Review]:
        """Reviews in reference order, narrowed by kind, status or words in the name, board, chair or themes.

        >>> [r.title for r in t.reviews(kind="serious case review", status="published")]
        ['SCR Ellie', 'SCR Dawn']
        """
        return self._reviews.find(kind=kind, status=status, text=text)

    def statutory_dates(self, review: Review | str) -> StatutoryDates:
        """When the review's notification, rapid review and publication are due under the plan rules.

        >>> t.statutory_dates("Dawn")
        StatutoryDates(notification_due=None, rapid_review_due=None, publication_due=datetime.date(2017, 10, 3))
        """
        return self._reviews.statutory_dates(review)

    def review_deadlines(self, review: Review | str) -> list[ReviewDeadline]:
        """The review's statutory steps, each with its rule, due date and done date, and whether it is outstanding.

        >>> [(d.what, d.due_on, d.outstanding) for d in t.review_deadlines("Jay")]
        [('Publication', datetime.date(2018, 4, 2), True)]
        """
        return self._reviews.review_deadlines(review)

    def add_review(self, *, name: str, kind: ReviewKind | str, reference: Optional[str] = None,
                   **fields: Any) -> Review:
        """Record a review: its name (a pseudonym), kind, lead board, chair, author, themes, status and dates.

        >>> r = t.add_review(name="Robin", kind="lcspr", known_on="2018-06-11", notified_on="2018-06-13")
        >>> r.reference, r.title, r.status.value
        ('R-2018-004', 'LCSPR Robin', 'notified')
        """
        return self._reviews.add(name=name, kind=kind, reference=reference, **fields)

    def update_review(self, review: Review | str, *, expected_rev: Optional[int] = None, **fields: Any) -> Review:
        """Change a review's details, status or dates.  Actions due relative to a date follow it.

        >>> t.due_text(t.get_action("A-000008"))
        '3 months after publication = 29/06/2018'
        >>> _ = t.update_review("Dawn", published_on="2018-04-30")
        >>> t.due_text(t.get_action("A-000008"))
        '3 months after publication = 30/07/2018'
        """
        return self._reviews.update(review, expected_rev=expected_rev, **fields)

    def save_review(self, review: Review) -> Review:
        """Store a review changed with ``attrs.evolve``; refuses if the stored copy moved on.

        >>> import attrs
        >>> r = t.get_review("Dawn")
        >>> t.save_review(attrs.evolve(r, chair="Independent chair")).chair
        'Independent chair'
        """
        return self._reviews.save(review)

    def add_recommendation(self, review: Review | str, *, text: str, owner_agencies: str | Iterable[str],
                           themes: str | Iterable[str] = (), number: Optional[int] = None,
                           expected_rev: Optional[int] = None) -> Recommendation:
        """Add a recommendation, numbered next within its review unless ``number`` is given.

        ``owner_agencies`` and ``themes`` are lists, or text separated by semicolons.

        >>> rec = t.add_recommendation("Dawn", text="Share the learning with GP practices",
        ...                            owner_agencies="Medway Clinical Commissioning Group (CCG); Medway Council")
        >>> rec.number, rec.owner_agencies
        (7, ('Medway Clinical Commissioning Group (CCG)', 'Medway Council'))
        """
        return self._reviews.add_recommendation(review, text=text, owner_agencies=owner_agencies, themes=themes, number=number, expected_rev=expected_rev)

    def update_recommendation(self, review: Review | str, number: int | str, *, text: Optional[str] = None,
                              owner_agencies: str | Iterable[str] | None = None,
                              themes: str | Iterable[str] | None = None,
                              expected_rev: Optional[int] = None) -> Recommendation:
        """Change a recommendation's text, owner agencies or themes (whatever is not None).

        >>> t.update_recommendation("Dawn", 2, themes="health; information sharing").themes
        ('health', 'information sharing')
        """
        return self._reviews.update_recommendation(review, number, text=text, owner_agencies=owner_agencies, themes=themes, expected_rev=expected_rev)

    def record_impact_finding(self, review: Review | str, number: int | str, text: str, *,
                              on: date | str | None = None, by: Optional[str] = None,
                              expected_rev: Optional[int] = None) -> Recommendation:
        """Close a recommendation's impact review: did it make a difference?  Only after every action is signed off.

        >>> rec = t.record_impact_finding("Ellie", 2, "The other board confirmed the service was re-inspected",
        ...                               on="2018-06-14", by="Chair, Learning Lessons sub group")
        >>> rec.impact_finding.on, rec.impact_finding.by
        (datetime.date(2018, 6, 14), 'Chair, Learning Lessons sub group')
        """
        return self._reviews.record_impact_finding(review, number, text, on=on, by=by, expected_rev=expected_rev)

    def impact_reviews(self, *, open_only: bool = True) -> list[ImpactReview]:
        """Recommendations whose actions are all signed off, with the impact review's due date.

        >>> [(i.title, i.number, i.due_on) for i in t.impact_reviews()]
        [('SCR Ellie', 2, datetime.date(2019, 3, 15)), ...]
        """
        return self._reviews.impact_reviews(open_only=open_only)

    def get_action(self, reference: Action | str) -> Action:
        """One action by its reference: 'A-000006', 'a-6' or '6'.

        >>> a = t.get_action("6")
        >>> a.reference, a.review, a.recommendation, a.status.value, a.due_on
        ('A-000006', 'R-2017-001', 1, 'in_progress', datetime.date(2018, 5, 31))
        """
        return self._actions.get(reference)

    def action_docs(self) -> Mapping[str, Doc]:
        """The raw stored action documents, for fast counting (read-only: never mutate them).

        >>> from collections import Counter
        >>> sorted(Counter(d["status"] for d in t.action_docs().values()).items())
        [('complete', 4), ('in_progress', 8), ('not_started', 4), ('signed_off', 4)]
        """
        return self._actions.docs()

    def actions(self, *, review: Review | str | None = None, recommendation: Optional[int] = None,
                agency: Optional[str] = None, officer: Optional[str] = None, text: Optional[str] = None,
                status: ActionStatus | str | None = None, rag: RAG | str | None = None, open_only: bool = False,
                as_of: date | str | None = None) -> list[Action]:
        """Actions in reference order, narrowed by any filter.

        ``status`` is an action status or 'open'; ``rag`` is red, amber, green or blue
        as of ``as_of`` (default today); ``officer`` and ``text`` match words.

        >>> [a.reference for a in t.actions(review="Dawn", rag="red")]
        ['A-000006', 'A-000009', 'A-000010']
        >>> len(t.actions(status="open")), len(t.actions(rag="red", as_of="2018-08-01"))
        (12, ...)
        """
        return self._actions.find(review=review, recommendation=recommendation, agency=agency, officer=officer, text=text, status=status, rag=rag, open_only=open_only, as_of=as_of)

    def follow_ups(self, reference: Action | str) -> list[Action]:
        """The follow-up actions created when this action was completed (``complete_action(follow_up=...)``).

        >>> [(a.reference, t.due_text(a)) for a in t.follow_ups("A-000004")]
        [('A-000005', '3 months after A-000004 is complete = 21/06/2018')]
        """
        return self._actions.follow_ups(reference)

    def rag(self, action: Action | str, as_of: date | str | None = None) -> RAG:
        """Blue, green, red or amber, derived as of ``as_of`` (default today).

        >>> t.rag("A-000002").value, t.rag("A-000002", as_of="2018-08-01").value
        ('amber', 'red')
        """
        return self._actions.rag(action, as_of)

    def days_overdue(self, action: Action | str, as_of: date | str | None = None) -> int:
        """How many days an open action is past its due date as of ``as_of`` (default today); 0 if it is not.

        >>> t.days_overdue("A-000006"), t.days_overdue("A-000006", as_of="2018-05-31")
        (15, 0)
        """
        return self._actions.days_overdue(action, as_of)

    def preview_due(self, review: Review | str, due: date | str | None) -> tuple[Optional[date], str]:
        """What a due date as typed resolves to now, and how it reads: for forms that show it as you type.

        >>> t.preview_due("Dawn", "3 months after publication")
        (datetime.date(2018, 6, 29), '3 months after publication: 29/06/2018')
        """
        return self._actions.preview_due(review, due)

    def add_action(self, review: Review | str, recommendation: int | str, *, description: str, lead_agency: str,
                   lead_officer: str = '', due: date | str | None = None, status: ActionStatus | str | None = None,
                   reference: Optional[str] = None) -> Action:
        """Add an action to a recommendation.

        ``due`` is a date, or a rule such as "3 months after publication" or
        "3 months after A-000002 is complete"; a rule's date follows its event.

        >>> a = t.add_action("Dawn", 1, description="Audit the flagging of complex health needs",
        ...                  lead_agency="Medway NHS Foundation Trust", due="6 months after publication")
        >>> a.reference, a.status.value, t.due_text(a)
        ('A-000021', 'not_started', '6 months after publication = 29/09/2018')
        """
        return self._actions.add(review, recommendation, description=description, lead_agency=lead_agency, lead_officer=lead_officer, due=due, status=status, reference=reference)

    def update_action(self, reference: Action | str, *, expected_rev: Optional[int] = None, **fields: Any) -> Action:
        """Change the description, lead agency, lead officer or (open) status.

        A due date can be set here only while the action has none; after that it
        changes through ``revise_due`` with a reason, so the original stays visible.

        >>> a = t.add_action("Dawn", 1, description="Brief every ward manager", lead_agency="Police")
        >>> t.due_text(a)
        'none'
        >>> a = t.update_action(a.reference, lead_agency="Medway NHS Foundation Trust", due="31/08/2018")
        >>> a.lead_agency, a.due_on
        ('Medway NHS Foundation Trust', datetime.date(2018, 8, 31))
        """
        return self._actions.update(reference, expected_rev=expected_rev, **fields)

    def add_update(self, reference: Action | str, text: str, *, on: date | str | None = None,
                   expected_rev: Optional[int] = None) -> Action:
        """A dated, attributed progress update.  The first update on a not-started action marks it in progress.

        >>> t.get_action("A-000009").status.value
        'not_started'
        >>> a = t.add_update("A-000009", "Training dates booked for July", on="2018-06-14")
        >>> a.status.value, a.updates[-1].by, a.updates[-1].text
        ('in_progress', 'a.lado', 'Training dates booked for July')
        """
        return self._actions.add_update(reference, text, on=on, expected_rev=expected_rev)

    def revise_due(self, reference: Action | str, to: date | str, reason: str, *,
                   expected_rev: Optional[int] = None) -> Action:
        """Move the due date, with a reason.  The original and every earlier revision stay visible.

        >>> a = t.revise_due("A-000006", "31/08/2018", "Service restructure")
        >>> a.current_due_on, a.due_on, a.revisions[-1].reason
        (datetime.date(2018, 8, 31), datetime.date(2018, 5, 31), 'Service restructure')
        """
        return self._actions.revise_due(reference, to, reason, expected_rev=expected_rev)

    def record_evidence(self, reference: Action | str, *, evidence: Optional[str] = None,
                        impact_measure: Optional[str] = None, expected_rev: Optional[int] = None) -> Action:
        """Evidence of completion and the measure that will show impact.

        >>> a = t.record_evidence("A-000006", evidence="Assurance report presented on 14/06/2018",
        ...                       impact_measure="Audit of ten records in six months")
        >>> a.evidence, a.status.value
        ('Assurance report presented on 14/06/2018', 'in_progress')
        """
        return self._actions.record_evidence(reference, evidence=evidence, impact_measure=impact_measure, expected_rev=expected_rev)

    def complete_action(self, reference: Action | str, *, on: date | str | None = None, evidence: Optional[str] = None,
                        impact_measure: Optional[str] = None, follow_up: Optional[str] = None,
                        follow_up_after: str = '3 months', follow_up_agency: Optional[str] = None,
                        follow_up_officer: Optional[str] = None, expected_rev: Optional[int] = None) -> Action:
        """Mark an action complete (clearing any off-track flag).

        With ``follow_up``, also creates a follow-up action due ``follow_up_after``
        the completion -- Ellie's "audit after 3 months" -- in the same transaction.
        Find it with ``follow_ups(reference)``.  Actions due relative to this
        completion get their dates.

        >>> a = t.complete_action("A-000006", on="2018-06-14", evidence="Assurance report presented",
        ...                       follow_up="Audit ten records against the report")
        >>> a.status.value, a.completed_on
        ('complete', datetime.date(2018, 6, 14))
        >>> [(f.reference, f.due_on) for f in t.follow_ups("A-000006")]
        [('A-000021', datetime.date(2018, 9, 14))]
        """
        return self._actions.complete(reference, on=on, evidence=evidence, impact_measure=impact_measure, follow_up=follow_up, follow_up_after=follow_up_after, follow_up_agency=follow_up_agency, follow_up_officer=follow_up_officer, expected_rev=expected_rev)

    def reopen_action(self, reference: Action | str, reason: str, *, expected_rev: Optional[int] = None) -> Action:
        """A complete action found not to be done after all goes back in progress, with the reason as an update.

        >>> a = t.reopen_action("A-000001", "The checklist is not in use at the second site")
        >>> a.status.value, a.updates[-1].text
        ('in_progress', '...The checklist is not in use at the second site...')
        """
        return self._actions.reopen(reference, reason, expected_rev=expected_rev)

    def sign_off(self, reference: Action | str, *, by: str, on: date | str | None = None,
                 expected_rev: Optional[int] = None) -> Action:
        """The sub group's assurance: records who signed it off and when.  Only a complete action with evidence.

        >>> a = t.sign_off("A-000004", by="Chair, Learning Lessons sub group")
        >>> a.status.value, a.signed_off_on, t.rag(a).value
        ('signed_off', datetime.date(2018, 6, 15), 'blue')
        """
        return self._actions.sign_off(reference, by=by, on=on, expected_rev=expected_rev)

    def flag_off_track(self, reference: Action | str, reason: str, *, expected_rev: Optional[int] = None) -> Action:
        """Mark an open action off track (Red whatever its dates), with the reason as an update too.

        >>> a = t.flag_off_track("A-000008", "The lead officer has left; no cover yet")
        >>> a.off_track_reason, t.rag(a).value
        ('The lead officer has left; no cover yet', 'red')
        """
        return self._actions.flag_off_track(reference, reason, expected_rev=expected_rev)

    def clear_off_track(self, reference: Action | str, note: str = '', *, expected_rev: Optional[int] = None) -> Action:
        """Take an action off track again; ``note`` (why it is back on track) is added as an update.

        >>> t.rag("A-000010").value
        'red'
        >>> a = t.clear_off_track("A-000010", "A new lead officer is in post")
        >>> a.off_track_reason, t.rag(a).value
        ('', 'amber')
        """
        return self._actions.clear_off_track(reference, note, expected_rev=expected_rev)

    def add_plan_records(self, reviews: Iterable[Review] = (), actions: Iterable[Action] = (), *,
                         upsert: bool = False) -> int:
        """Store many reviews and actions as one transaction and one durable write (imports, the demo).

        Each must already be valid; references must be new unless ``upsert``.
        Every action's review and recommendation must exist.  Returns how many records changed.

        >>> from safeguard_tracker import Action, Recommendation, Review, ReviewKind
        >>> review = Review(reference="R-2018-010", kind=ReviewKind.LLR, name="Ash", recommendations=(
        ...     Recommendation(number=1, text="Train staff on the escalation policy", owner_agencies=("Police",)),))
        >>> action = Action(reference="A-000100", review="R-2018-010", recommendation=1,
        ...                 description="Run two training sessions", lead_agency="Police")
        >>> t.add_plan_records([review], [action])
        2
        >>> [a.reference for a in t.actions(review="Ash")]
        ['A-000100']
        """
        return self._actions.add_plan_records(reviews, actions, upsert=upsert)

    def due_text(self, action: Action) -> str:
        """An action's due date as people read it: the rule and its date, or the date, or 'none'.

        >>> t.due_text(t.get_action("A-000005")), t.due_text(t.get_action("A-000015"))
        ('3 months after A-000004 is complete = 21/06/2018', '3 months after A-000014 is complete')
        """
        return self._actions.due_text(action)

    # --- import, export and reports ------------------------------------------------------------------
    def import_reviews(self, path: str | Path, *, dry_run: bool = False, overwrite: bool = False,
                       mapping: str | ImportMapping | None = None, sheet: Optional[str] = None,
                       progress: Progress = NO_PROGRESS) -> ImportResult:
        """Import reviews from a CSV, an Excel workbook or a JSON export: all or nothing, one transaction, idempotent.

        A row exported before someone else changed its review is refused; a row without a
        revision changes a stored review only with ``overwrite=True``.  Raises ImportFailed
        listing every bad row; returns an ImportResult.  ``mapping`` (a saved mapping's name, or an
        ImportMapping of kind "reviews") reads a board's own headings and words; ``sheet`` picks a
        workbook's sheet.  A reference not in the tracker's form is kept as the review's legacy reference.
        ``progress`` (see ``safeguard_tracker.progress``) counts the rows checked.

        >>> from pathlib import Path
        >>> _ = Path("reviews.csv").write_text("name,kind,notified\\nRobin,lcspr,13/06/2018\\n")
        >>> result = t.import_reviews("reviews.csv")
        >>> result.added, t.get_review("Robin").notified_on
        (('R-2018-004',), datetime.date(2018, 6, 13))
        >>> _ = Path("board.csv").write_text("Review ref,Learning review,Review type,Lead\\n"
        ...                                  "NB/17/3,Wren,LCSPR,Northshire Partnership\\n")
        >>> t.import_reviews("board.csv").added, t.get_review("Wren").legacy_reference
        (('R-2018-005',), 'NB/17/3')
        >>> t.import_reviews("board.csv").unchanged
        ('R-2018-005',)
        """
        return plans_csv.import_reviews(self._actions, path, dry_run=dry_run, overwrite=overwrite,
                                        mapping=self._mapping(mapping, "reviews"), sheet=sheet, progress=progress)

    def import_actions(self, path: str | Path, *, dry_run: bool = False, overwrite: bool = False,
                       mapping: str | ImportMapping | None = None, sheet: Optional[str] = None,
                       progress: Progress = NO_PROGRESS) -> ImportResult:
        """Import an action plan (one row per action) from a CSV, an Excel workbook or a JSON export: all or
        nothing, idempotent.

        Revisions are checked as for ``import_reviews``; updates and due-date revisions are never removed.
        ``mapping`` (a saved mapping's name, or an ImportMapping of kind "actions") and ``sheet`` as there;
        the usual plan headings ("Rec No", "Action to be taken", "Agency responsible", "Due by") need none.
        The council's RAG and progress columns are kept on each action as extra fields.  ``progress``
        (see ``safeguard_tracker.progress``) counts the rows read and checked.

        >>> from pathlib import Path
        >>> _ = Path("plan.csv").write_text("review,recommendation,action,agency,due\\n"
        ...                                 "SCR Dawn,1,Brief every ward manager,Police,31/07/2018\\n")
        >>> t.import_actions("plan.csv", dry_run=True).added
        ('A-000021',)
        >>> len(t.actions(review="Dawn"))
        10
        >>> t.import_actions("plan.csv").added, len(t.actions(review="Dawn"))
        (('A-000021',), 11)
        >>> _ = Path("theirs.csv").write_text("Action No,Case review,Rec No,Action to be taken,Agency responsible,RAG\\n"
        ...                                   "D/1.4,SCR Dawn,1,Audit ten care plans,Kent Police,Amber\\n")
        >>> a = t.get_action(t.import_actions("theirs.csv").added[0])
        >>> a.legacy_reference, a.lead_agency, a.extra
        ('D/1.4', 'Police', {'RAG': 'Amber'})
        """
        return plans_csv.import_actions(self._actions, path, dry_run=dry_run, overwrite=overwrite,
                                        mapping=self._mapping(mapping, "actions"), sheet=sheet, progress=progress)

    def plan_plans_import(self, table: str, path: str | Path, *, mapping: str | ImportMapping | None = None,
                          sheet: Optional[str] = None) -> ImportPlan:
        """A dry run of a reviews or actions file in the board's own words: each column and the field it fills,
        each word the tracker does not know with the entries it may mean, what would be added, and a
        proposed mapping (``plan.mapping``) to save with ``save_import_mapping``.  Nothing is written.

        >>> from pathlib import Path
        >>> _ = Path("theirs.csv").write_text("Case review,Rec No,Recommendation,Action,Owner agency,Progress,Notes\\n"
        ...                                   "SCR Dawn,1,,Audit ten care plans,Kent Police,Begun,ask the chair\\n")
        >>> plan = t.plan_plans_import("actions", "theirs.csv")
        >>> [(c.heading, c.target) for c in plan.columns]  # doctest: +NORMALIZE_WHITESPACE
        [('Case review', 'review'), ('Rec No', 'recommendation'), ('Recommendation', 'recommendation_text'),
         ('Action', 'action'), ('Owner agency', 'agency'), ('Progress', 'extra'), ('Notes', 'extra')]
        >>> plan.result.added
        ('A-000021',)
        >>> t.save_import_mapping("dawn plan", plan.mapping)
        >>> t.import_actions("theirs.csv", mapping="dawn plan").added
        ('A-000021',)
        """
        return plan_plans_import(self._actions, table, path, mapping=self._mapping(mapping, table), sheet=sheet)

    def export_plans(self, kind: str = "actions", fmt: str = "csv", *, progress: Progress = NO_PROGRESS) -> str:
        """Reviews or actions as CSV (defended against formula injection) or JSON (lossless).
        ``progress`` (see ``safeguard_tracker.progress``) counts the records written.

        >>> import csv, io
        >>> rows = list(csv.DictReader(io.StringIO(t.export_plans("actions"))))
        >>> len(rows), rows[0]["reference"], rows[0]["review"], rows[0]["rag"]
        (20, 'A-000001', 'SCR Ellie', 'green')
        """
        return plans_csv.export_plans(self._actions, kind, fmt, progress)

    def export_plans_xlsx(self, kind: str = "actions", *, progress: Progress = NO_PROGRESS) -> bytes:
        """Reviews or actions as an Excel workbook: the CSV's columns, dates as real dates, every text cell
        defended against formula injection; it re-imports without change.  Write it with ``write_output``.

        >>> data = t.export_plans_xlsx("actions")
        >>> data[:2]
        b'PK'
        >>> _ = t.write_output("plan.xlsx", data, what="export actions xlsx", personal=True, records=20)
        >>> t.import_actions("plan.xlsx").unchanged[:2]
        ('A-000001', 'A-000002')
        """
        return plans_csv.export_plans_xlsx(self._actions, kind, progress)

    def action_entry(self, action: Action, as_of: date) -> Doc:
        """One action as the action-plan report shows it (RAG, due dates, overdue days, review title).

        >>> entry = t.action_entry(t.get_action("A-000006"), t.today())
        >>> entry["review"], entry["rag"], entry["days_overdue"], entry["due"]
        ('SCR Dawn', 'red', 15, datetime.date(2018, 5, 31))
        """
        titles = {r.reference: r.title for r in self.reviews()}
        return action_plan_report.action_entry(self._actions, action, as_of, titles)

    def action_plan_data(self, *, review: Review | str | None = None, agency: Optional[str] = None,
                         as_of: date | str | None = None) -> Doc:
        """The action-plan report's figures and entries as data (what ``report_action_plan`` renders).

        >>> data = t.action_plan_data(review="Dawn")
        >>> data["summary"]["total_actions"], data["summary"]["by_rag"], data["summary"]["overdue"]
        (10, {'red': 3, 'amber': 6, 'green': 0, 'blue': 1}, 2)
        """
        return action_plan_report.action_plan_data(self._actions, review=review, agency=agency, as_of=as_of)

    def chase_letters_data(self, *, agency: Optional[str] = None, as_of: date | str | None = None,
                           within_days: int = chase_letters.DUE_SOON_DAYS) -> Doc:
        """The chase letters as data: one per lead agency with overdue or soon-due actions.

        >>> data = t.chase_letters_data()
        >>> data["reply_by"], [letter["agency"] for letter in data["letters"]]
        (datetime.date(2018, 6, 29), [...])
        """
        return chase_letters.chase_letters_data(self._actions, agency=agency, as_of=as_of, within_days=within_days)

    @overload
    def report_action_plan(self, fmt: Literal["docx"], *,  # type: ignore[overload-overlap]
                           review: Review | str | None = None, agency: Optional[str] = None,
                           as_of: date | str | None = None, templates: Optional[str | Path] = None,
                           progress: Progress = NO_PROGRESS) -> bytes: ...

    @overload
    def report_action_plan(self, fmt: str = "md", *, review: Review | str | None = None, agency: Optional[str] = None,
                           as_of: date | str | None = None, templates: Optional[str | Path] = None,
                           progress: Progress = NO_PROGRESS) -> str: ...

    def report_action_plan(self, fmt: str = "md", *, review: Review | str | None = None, agency: Optional[str] = None,
                           as_of: date | str | None = None, templates: Optional[str | Path] = None,
                           progress: Progress = NO_PROGRESS) -> str | bytes:
        """The action-plan report (md, html, csv or json text; or docx, a Word document as bytes), overdue
        first, with the RAG chart.  ``progress`` (see ``safeguard_tracker.progress``) counts the reviews
        reported on; ``templates`` do not apply to docx.

        >>> print("\\n".join(t.report_action_plan(review="Dawn").splitlines()[:3]))
        # Learning Lessons: action plan progress report
        <BLANKLINE>
        As of 15/06/2018; review: SCR Dawn.
        >>> t.report_action_plan("docx", review="Dawn")[:2]
        b'PK'
        """
        self._refuse_unseen("reviews", "actions")
        return action_plan_report.render_action_plan(self._actions, fmt, review=review, agency=agency, as_of=as_of,
                                                     templates=templates, progress=progress)

    def report_chase_letters(self, fmt: str = "md", *, agency: Optional[str] = None, as_of: date | str | None = None,
                             within_days: int = chase_letters.DUE_SOON_DAYS,
                             templates: Optional[str | Path] = None, progress: Progress = NO_PROGRESS) -> str:
        """One chase letter per lead agency with overdue or soon-due actions.  ``progress``
        (see ``safeguard_tracker.progress``) counts the open actions read.

        >>> letter = t.report_chase_letters(agency="Police")
        >>> [line for line in letter.splitlines() if line.startswith("#")][0]
        '# Action plan progress: Police'
        """
        self._refuse_unseen("actions")
        return chase_letters.render_chase_letters(self._actions, fmt, agency=agency, as_of=as_of,
                                                  within_days=within_days, templates=templates, progress=progress)
