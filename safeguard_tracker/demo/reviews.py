"""The demo's reviews and action plans: the board's 2017-18 reviews, paraphrased, with invented people.

As of the demo's frozen date (15/06/2018) the plans hold actions in every RAG
state: SCR Dawn has overdue and off-track actions to chase, SCR Ellie has
Ellie's GP-registration audit following its protocol review by 3 months, one
in-progress SCR is past its publication date, a rapid review is due within
days (counted around the Spring bank holiday), and a themed audit's signed-off
recommendation is overdue its 12-month impact review.

``scale`` > 1 adds generated reviews until there are about 20 reviews and 200
actions per unit of scale (the benchmarks use 100: 2,000 reviews and 20,000
actions), all written in one transaction.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any, Optional

import attrs

from ..model import (Action, ActionStatus, Recommendation, Review, ReviewKind, ReviewStatus, Revision,
                    Update)
from ..plans.plan_dates import parse_due, resolve_rule
from ..progress import NO_PROGRESS, Progress, counted
from ..tracker import Tracker

BOARD = "Medway Safeguarding Children Board"
OTHER_BOARD = "Thurrock LSCB"
THIS_BOARD = "Safeguarding Children Board"     # the plan-only owner (the board preset's partner)
NHS = "Medway NHS Foundation Trust"
MCH = "Medway Community Health Care"
CCG = "Medway Clinical Commissioning Group (CCG)"
CSC = "Medway Children's Services"
COUNCIL = "Medway Council"
POLICE = "Police"
STC = "Secure Estates (Medway Secure Training Centre)"
SUB_GROUP = "sub.group"

FIRST = ("Avery", "Blake", "Carys", "Dana", "Elliot", "Fern", "Glen", "Harper", "Isla", "Jude", "Kai", "Lou",
         "Mika", "Nell", "Oren", "Pip", "Rae", "Sol", "Tam", "Vic", "Wren", "Zan")
LAST = ("Abbotsley", "Birchall", "Cawthorne", "Denholme", "Elstow", "Fennimore", "Glaisdale", "Holbeck",
        "Ibbotson", "Keswick", "Langdale", "Milsom", "Nettleton", "Ormesby", "Pendleton", "Rosedale", "Sedbergh",
        "Tarrant", "Upton", "Wharfedale")


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0)).astimezone()


class _Plan:
    """Builds reviews and actions as models, resolving relative due dates as the tracker would."""

    def __init__(self, rng: random.Random, today: date):
        self.rng = rng
        self.today = today
        self.reviews: list[Review] = []
        self._index: dict[str, int] = {}
        self.actions: list[Action] = []
        self.by_ref: dict[str, Action] = {}
        self._counts: dict[int, int] = {}

    def officer(self) -> str:
        return f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"

    def review(self, name: str, kind: ReviewKind, status: ReviewStatus, **fields: Any) -> Review:
        dates = [v for k, v in fields.items() if k.endswith("_on") and v is not None]
        year = min(dates).year if dates else self.today.year
        self._counts[year] = self._counts.get(year, 0) + 1
        review = Review(reference=f"R-{year}-{self._counts[year]:03d}", kind=kind, name=name, status=status,
                        lead_board=fields.pop("lead_board", BOARD), **fields)
        self._index[review.reference] = len(self.reviews)
        self.reviews.append(review)
        return review

    def recommend(self, review: Review, text: str, owners: tuple[str, ...], themes: tuple[str, ...] = ()) -> int:
        i = self._index[review.reference]
        review = self.reviews[i]
        number = len(review.recommendations) + 1
        rec = Recommendation(number=number, text=text, owner_agencies=owners, themes=themes)
        self.reviews[i] = attrs.evolve(review, recommendations=review.recommendations + (rec,))
        return number

    def current(self, review: Review) -> Review:
        return self.reviews[self._index[review.reference]]

    def act(self, review: Review, number: int, description: str, agency: str, due: Any, *,
            status: ActionStatus = ActionStatus.NOT_STARTED, completed: Optional[date] = None, evidence: str = "",
            impact: str = "", signed_off: Optional[date] = None, updates: tuple[tuple[date, str], ...] = (),
            revised: Optional[tuple[date, date, str]] = None, off_track: str = "", follow_up_of: str = "",
            officer: Optional[str] = None) -> Action:
        ref = f"A-{len(self.actions) + 1:06d}"
        due_on, rule = parse_due(due, "due")
        if rule is not None:
            due_on = resolve_rule(rule, self.current(review), self._completed_on)
        who = officer or self.officer()
        revisions: tuple[Revision, ...] = ()
        if revised is not None:
            on, to, reason = revised
            revisions = (Revision(on=on, by=SUB_GROUP, from_=due_on, to=to, reason=reason),)
        ups = tuple(Update(at=_at(d), by=who.lower().replace(" ", "."), text=t, on=d) for d, t in updates)
        if off_track:
            ups += (Update(at=_at(self.today - timedelta(days=9)), by=SUB_GROUP, text=f"Flagged off track: {off_track}",
                           on=self.today - timedelta(days=9)),)
        if signed_off is not None:
            status = ActionStatus.SIGNED_OFF
        elif completed is not None:
            status = ActionStatus.COMPLETE
        elif updates and status is ActionStatus.NOT_STARTED:
            status = ActionStatus.IN_PROGRESS
        action = Action(reference=ref, review=review.reference, recommendation=number, description=description,
                        lead_agency=agency, lead_officer=who, due_on=due_on, due_rule=rule, revisions=revisions,
                        status=status, updates=ups, evidence=evidence, impact_measure=impact, completed_on=completed,
                        signed_off_by="Learning Lessons sub group (chair)" if signed_off else "",
                        signed_off_on=signed_off, off_track_reason=off_track, follow_up_of=follow_up_of)
        self.actions.append(action)
        self.by_ref[ref] = action
        return action

    def _completed_on(self, ref: str) -> Optional[date]:
        a = self.by_ref.get(ref)
        return a.completed_on if a else None


def _board_reviews(p: _Plan) -> None:
    d = date
    # SCR Ellie: a young person seeking asylum, placed locally by an accommodation contract.
    ellie = p.review("Ellie", ReviewKind.SCR, ReviewStatus.PUBLISHED, incident_on=d(2016, 9, 26),
                     known_on=d(2016, 9, 28), notified_on=d(2016, 10, 4), decision_on=d(2016, 10, 31),
                     initiated_on=d(2016, 11, 14), published_on=d(2018, 1, 24), author="Rae Glaisdale",
                     chair="Oren Milsom", themes=("young people seeking asylum", "registration with a GP",
                                                  "induction to local support"))
    n = p.recommend(ellie, "Whoever holds the asylum accommodation contract should make sure each young person "
                    "placed here is introduced to local support services when they arrive.", (COUNCIL,),
                    ("induction to local support",))
    p.act(ellie, n, "Agree an arrival checklist with the accommodation provider: GP, school or college, and "
          "voluntary sector support", COUNCIL, d(2018, 4, 30), completed=d(2018, 4, 20),
          evidence="Checklist agreed with the provider on 20/04/2018 and in use for every new arrival",
          impact="Share of new arrivals registered with a GP within 2 weeks",
          updates=((d(2018, 3, 2), "First draft shared with the provider"),))
    p.act(ellie, n, "Ask young people placed since April whether the induction happened, and report back",
          COUNCIL, d(2018, 7, 31), updates=((d(2018, 6, 4), "Questions agreed with the leaving care team"),))
    n = p.recommend(ellie, "The board should alert the other area's safeguarding board to the concerns found "
                    "about its asylum support service.", (THIS_BOARD,), ("young people seeking asylum",))
    p.act(ellie, n, "Board chair to write to the other board and report its reply to the sub group", THIS_BOARD,
          d(2018, 2, 28), completed=d(2018, 2, 12), signed_off=d(2018, 3, 15),
          evidence="Letter sent 12/02/2018; reply received 02/03/2018 and tabled at the sub group")
    n = p.recommend(ellie, "The CCG should review how practices register children with a GP, and audit the "
                    "result 3 months later.", (CCG,), ("registration with a GP",))
    protocol = p.act(ellie, n, "Review and reissue the GP registration protocol to every practice", CCG,
                     d(2018, 3, 31), completed=d(2018, 3, 21),
                     evidence="Revised protocol issued to all practices on 21/03/2018",
                     impact="Audit of registrations of newly arrived children")
    p.act(ellie, n, "Audit GP registrations of newly arrived children under the revised protocol", CCG,
          f"3 months after {protocol.reference} is complete", follow_up_of=protocol.reference,
          officer=protocol.lead_officer, updates=((d(2018, 6, 11), "Sample of 20 registrations drawn"),))

    # SCR Dawn: an adolescent with complex health needs known to several health agencies.
    dawn = p.review("Dawn", ReviewKind.SCR, ReviewStatus.PUBLISHED, incident_on=d(2017, 2, 13),
                    known_on=d(2017, 2, 20), notified_on=d(2017, 2, 24), decision_on=d(2017, 3, 20),
                    initiated_on=d(2017, 4, 3), published_on=d(2018, 3, 29), author="Harper Denholme",
                    chair="Oren Milsom", themes=("complex health needs", "adolescents",
                                                 "information sharing between health agencies", "domestic abuse"))
    n = p.recommend(dawn, "Health providers should assure the board that they identify and meet children's "
                    "complex health needs.", (NHS, MCH), ("complex health needs",))
    p.act(dawn, n, "Present the trust's assurance report on complex health needs to the sub group", NHS,
          d(2018, 5, 31), updates=((d(2018, 5, 21), "Draft report with the trust's safeguarding committee"),))
    p.act(dawn, n, "Present community health's assurance report on complex health needs", MCH, d(2018, 5, 31),
          revised=(d(2018, 5, 24), d(2018, 7, 31), "Service restructure; the new named nurse starts in July"),
          updates=((d(2018, 5, 24), "Asked the sub group to move the date"),))
    n = p.recommend(dawn, "When several health agencies are involved with one child, one should be named as the "
                    "lead.", (CCG,), ("information sharing between health agencies",))
    p.act(dawn, n, "Agree and publish a protocol naming the lead health agency", CCG, "3 months after publication",
          updates=((d(2018, 6, 1), "Protocol out for consultation with providers"),))
    n = p.recommend(dawn, "Agencies should review their flagging systems so that a child's needs are visible "
                    "to everyone working with them.", (CSC, POLICE, NHS), ("information sharing",))
    p.act(dawn, n, "Map how each agency flags children with complex needs and close the gaps", CSC, d(2018, 4, 30))
    p.act(dawn, n, "Add a flag for children with complex health needs to the police records system", POLICE,
          d(2018, 7, 31), off_track="The supplier has delayed the system change to the autumn",
          updates=((d(2018, 5, 2), "Change request raised with the supplier"),))
    n = p.recommend(dawn, "Children's services should agree how they liaise with other areas' children's services "
                    "when a family moves.", (CSC,), ("families moving between areas",))
    liaison = p.act(dawn, n, "Write a protocol for contacting the other area's children's services when a family "
                    "moves", CSC, d(2018, 4, 30), completed=d(2018, 4, 27),
                    updates=((d(2018, 4, 27), "Protocol written; evidence of use to follow"),))
    p.act(dawn, n, "Test the protocol through a case file audit", CSC, f"3 months after {liaison.reference} is complete")
    n = p.recommend(dawn, "Police should record every child present at a domestic abuse incident.", (POLICE,),
                    ("domestic abuse",))
    p.act(dawn, n, "Change the incident form so that every child present is recorded", POLICE, d(2018, 3, 31),
          completed=d(2018, 3, 26), signed_off=d(2018, 5, 10),
          evidence="New form live from 26/03/2018; a dip sample of 50 incidents found every child recorded",
          impact="Repeat dip sample each quarter")
    n = p.recommend(dawn, "The board should hold a multi-agency event on adolescents with complex health needs.",
                    (THIS_BOARD,), ("adolescents", "complex health needs"))
    event = p.act(dawn, n, "Hold a multi-agency learning event on adolescents with complex health needs", THIS_BOARD,
                  d(2018, 6, 30), updates=((d(2018, 6, 6), "Venue booked for 26/06/2018; 80 places offered"),))
    p.act(dawn, n, "Survey attendees on changes to their practice", THIS_BOARD,
          f"3 months after {event.reference} is complete")

    # Two SCRs in progress at the year end, one about the Secure Training Centre.
    p.review("Jay", ReviewKind.SCR, ReviewStatus.IN_PROGRESS, incident_on=d(2017, 8, 10), known_on=d(2017, 8, 14),
             notified_on=d(2017, 8, 18), decision_on=d(2017, 9, 11), initiated_on=d(2017, 10, 2),
             author="Nell Sedbergh", chair="Oren Milsom",
             themes=("young people in custody", "use of restraint", "complaints by children", STC))
    p.review("Skye", ReviewKind.SCR, ReviewStatus.IN_PROGRESS, incident_on=d(2017, 11, 1), known_on=d(2017, 11, 6),
             notified_on=d(2017, 11, 10), decision_on=d(2017, 12, 4), initiated_on=d(2018, 1, 8),
             author="Wren Holbeck", themes=("neglect", "child's voice not sought"))

    # Two Learning Lessons Reviews in progress; one has agreed early learning.
    tyler = p.review("Tyler", ReviewKind.LLR, ReviewStatus.IN_PROGRESS, initiated_on=d(2018, 1, 22),
                     author="Fern Ibbotson", themes=("children missing education",))
    n = p.recommend(tyler, "Schools should refer children missing education to the council promptly.",
                    ("School - Secondary", COUNCIL), ("children missing education",))
    p.act(tyler, n, "Remind schools of the referral route for children missing education", COUNCIL, d(2018, 7, 31))
    p.review("Bea", ReviewKind.LLR, ReviewStatus.IN_PROGRESS, initiated_on=d(2018, 3, 5), author="Glen Tarrant",
             themes=("early help", "parental mental health"))

    # The Case File Audit Group's themed audit of six families, feeding the Action and Improvement Plan.
    audit = p.review("Neglect, six families", ReviewKind.AUDIT, ReviewStatus.IN_PROGRESS,
                     initiated_on=d(2016, 10, 3), chair="Case File Audit Group",
                     themes=("recognising neglect", "child's voice not sought"))
    n = p.recommend(audit, "Use the neglect assessment tool wherever neglect is a concern.", (CSC, MCH),
                    ("recognising neglect",))
    p.act(audit, n, "Relaunch the neglect toolkit with briefings for social workers", CSC, d(2017, 3, 31),
          completed=d(2017, 3, 28), signed_off=d(2017, 5, 15), evidence="12 briefings held for 240 staff",
          impact="Toolkit use in the next neglect audit")
    p.act(audit, n, "Train health visitors to use the toolkit", MCH, d(2017, 3, 31), completed=d(2017, 3, 30),
          signed_off=d(2017, 5, 15), evidence="All health visitors trained by 30/03/2017")
    n = p.recommend(audit, "Record the child's own words in every assessment.", (CSC,), ("child's voice not sought",))
    p.act(audit, n, "Add a 'the child says' section to the assessment form", CSC, d(2018, 1, 31),
          completed=d(2018, 1, 19), evidence="Form changed 19/01/2018")
    p.act(audit, n, "Re-audit six assessments for the child's voice", CSC, d(2018, 9, 28),
          updates=((d(2018, 6, 1), "Cases selected"),))

    # SCR Harry, led by another board (a death in a young offender institution); this board contributes.
    p.review("Harry", ReviewKind.OTHER_BOARD, ReviewStatus.IN_PROGRESS, lead_board=OTHER_BOARD,
             initiated_on=d(2017, 6, 12), themes=("young people in custody",))

    # A rapid review under the 2018 arrangements, notified the day after the Spring bank holiday.
    p.review("Leo", ReviewKind.RAPID_REVIEW, ReviewStatus.RAPID_REVIEW, incident_on=d(2018, 5, 23),
             known_on=d(2018, 5, 24), notified_on=d(2018, 5, 29), themes=("non-accidental injury", "infants"))


KINDS = ((ReviewKind.SCR, 3), (ReviewKind.LLR, 4), (ReviewKind.AUDIT, 3), (ReviewKind.LCSPR, 1),
         (ReviewKind.DHR, 1), (ReviewKind.RAPID_REVIEW, 1))
PSEUDONYMS = ("Alfie", "Bella", "Cody", "Daisy", "Eden", "Finley", "Gracie", "Hugo", "Ivy", "Jonah", "Kira",
              "Logan", "Maisie", "Nico", "Olive", "Pearl", "Reggie", "Sienna", "Theo", "Una", "Vinnie", "Willow")
AGENCIES = (CSC, POLICE, NHS, MCH, CCG, COUNCIL, "School - Primary", "School - Secondary", STC, "Probation",
            THIS_BOARD)
TEXTS = ("Review the procedure and reissue it to staff", "Run briefings on the learning for front-line staff",
         "Audit a sample of cases against the new standard", "Report assurance to the sub group",
         "Change the recording system so the information is visible", "Agree an information-sharing protocol")


def _generated(p: _Plan, count: int, actions_per_review: int, progress: Progress = NO_PROGRESS) -> None:
    rng = p.rng
    kinds = [k for k, w in KINDS for _ in range(w)]
    for i in counted(range(count), count, progress, "making demo reviews"):
        kind = rng.choice(kinds)
        start = p.today - timedelta(days=rng.randint(30, 3650))
        published = start + timedelta(days=rng.randint(120, 400))
        live = published > p.today
        status = ReviewStatus.IN_PROGRESS if live else rng.choice((ReviewStatus.PUBLISHED, ReviewStatus.CLOSED))
        review = p.review(f"{rng.choice(PSEUDONYMS)} {i + 1}", kind, status, initiated_on=start,
                          published_on=None if live else published, author=p.officer(),
                          themes=tuple(rng.sample(("neglect", "domestic abuse", "information sharing",
                                                   "child's voice", "adolescents", "mental health"), 2)))
        recs = [p.recommend(review, f"Recommendation {j + 1} of {review.title}", (rng.choice(AGENCIES),))
                for j in range(rng.randint(2, 5))]
        for _ in range(actions_per_review):
            due = start + timedelta(days=rng.randint(150, 700))
            kw: dict[str, Any] = {}
            if status is ReviewStatus.CLOSED:
                done = min(due - timedelta(days=rng.randint(0, 30)), p.today)
                kw = dict(completed=done, evidence="Evidence seen by the sub group",
                          signed_off=min(done + timedelta(days=20), p.today))
            else:
                r = rng.random()
                if due < p.today and r < 0.5:
                    done = min(due, p.today)
                    kw = dict(completed=done, evidence="Evidence seen by the sub group" if r < 0.4 else "")
                    if r < 0.25:
                        kw["signed_off"] = min(done + timedelta(days=20), p.today)
                elif r < 0.6:
                    kw = dict(updates=((min(start + timedelta(days=60), p.today), "Work under way"),))
                elif r < 0.65:
                    kw = dict(off_track="Waiting for a system change")
            p.act(review, rng.choice(recs), rng.choice(TEXTS), rng.choice(AGENCIES), due, **kw)


def add_demo_reviews(tracker: Tracker, rng: random.Random, scale: int = 1, *,
                     progress: Progress = NO_PROGRESS) -> int:
    """Add the demo's reviews and actions to ``tracker`` in one transaction; returns how many records.
    ``progress`` counts the generated reviews made."""
    p = _Plan(rng, tracker.today())
    _board_reviews(p)
    if scale > 1:
        wanted_reviews = 20 * scale
        extra = max(0, wanted_reviews - len(p.reviews))
        per_review = max(1, (200 * scale - len(p.actions)) // max(extra, 1))
        _generated(p, extra, per_review, progress)
    return tracker.add_plan_records(p.reviews, p.actions)
