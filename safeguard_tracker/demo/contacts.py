"""A synthetic, seeded demo store: realistic in shape, invented in every detail.

Contacts follow the board's 2017-18 agency table (and its comparison year),
with about 19% referrals, some escalated, and some still open past their
timescales.  The store is frozen at ``DEMO_TODAY`` so that its deadlines look as
they would have on that day.  Every name is made up; children are counts and
ages only.  ``build_demo(path, contacts=N)`` scales to any size for tests and
benchmarks.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Optional

import attrs

from ..dates import add_working_days
from ..model import (ALLEGATION_OUTCOMES, Category, CategoryChange, CategoryDecision, Contact, Harm, Meeting,
                    MeetingAction, MeetingKind, Note, Outcome, Referrer, RegulatorReferral, Subject, Suspension,
                    SuspensionDecision, Threshold)
from ..errors import ValidationError
from ..progress import NO_PROGRESS, Progress, counted
from ..taxonomy import DEFAULT_AGENCIES
from ..tracker import Tracker, open_tracker
from .reviews import add_demo_reviews

DEMO_TODAY = date(2018, 6, 15)

# The board's table: contacts by agency in 2017/18 and the comparison year (no data = 0).
AGENCY_COUNTS_2017_18 = (2, 1, 3, 2, 0, 14, 1, 0, 13, 4, 26, 6, 25, 66, 28, 16, 15, 3, 5, 1, 70, 88, 8, 23, 3, 13,
                         11, 11, 29, 8)
AGENCY_COUNTS_2016_17 = (13, 0, 13, 0, 0, 10, 0, 0, 0, 0, 27, 0, 38, 60, 53, 0, 0, 0, 0, 0, 61, 106, 0, 0, 0, 0,
                         0, 0, 0, 49)

FIRST = ("Alex", "Sam", "Jordan", "Casey", "Morgan", "Riley", "Jamie", "Taylor", "Robin", "Drew", "Kerry", "Lee",
         "Dale", "Ashley", "Frankie", "Charlie", "Hayden", "Reese", "Sandy", "Jo", "Kit", "Rowan", "Ellis", "Quinn")
LAST = ("Ashdown", "Brierley", "Colbeck", "Dunmore", "Eastleigh", "Fairholme", "Garside", "Hatherley", "Ingleby",
        "Jessop", "Kettering", "Lowther", "Marchbank", "Northcott", "Oakridge", "Penhallow", "Quarrie", "Redfern",
        "Stanway", "Thornbury", "Underhill", "Varley", "Westcott", "Yardley")
ROLES = {
    "school": ("teacher", "teaching assistant", "lunchtime supervisor", "PE teacher", "site manager",
               "head of year", "supply teacher", "head teacher"),
    "secure": ("custody officer", "residential officer", "education tutor", "night supervisor", "healthcare assistant"),
    "care": ("foster carer", "residential support worker", "shift leader", "key worker"),
    "health": ("nurse", "healthcare assistant", "paediatric registrar", "porter", "physiotherapist"),
    "early": ("nursery practitioner", "childminder", "pre-school assistant", "room leader"),
    "other": ("youth worker", "coach", "driver", "volunteer", "officer", "instructor", "caretaker", "agency worker"),
}
SETTINGS = {
    "school": ("Meadowbank Primary", "Hillcrest Academy", "St Anselm's School", "Riverside Juniors",
               "Oakfield Secondary", "Northgate College", "Brookside Special School", "Harbour PRU"),
    "secure": ("the Secure Training Centre", "the Young Offender Institution"),
    "care": ("Willow House", "Larkspur Fostering", "Beacon Children's Home", "the council's fostering service"),
    "health": ("the District General Hospital", "Community Child Health", "the Walk-in Centre"),
    "early": ("Little Acorns Nursery", "Rainbow Pre-School", "Sunflower Childminding", "Kite Children's Centre"),
    "other": ("Harbourside Swimming Club", "Valley Youth Project", "Castle Taxis", "Greenway Football Academy",
              "St Mark's Church", "Brightstaff Recruitment", "the Scout group"),
}
_PLACES = ("Meadowbank", "Hillcrest", "Riverside", "Oakfield", "Northgate", "Brookside", "Kingsmead", "Elmstead",
           "Fairview", "Parkway", "Ashgrove", "Beechwood", "Castleview", "Dockside", "Millbrook", "Westfield",
           "Cherry Tree", "Greenhill", "Lowfield", "Hawthorn", "Abbey Mead", "Bramley", "Copperfield", "Danesgate",
           "Eastbrook", "Foxhole", "Glebe", "Holmwood", "Ivy Lane", "Juniper", "Kestrel", "Larchwood", "Marshgate",
           "Netherby", "Orchard Vale", "Priory", "Quayside", "Rosehill", "Saltings", "Thistledown")
# Many settings of each kind, so "3 contacts in 12 months at one setting" means something; the two
# secure estates stay single places, as they are (their contact counts are a real pattern).
SETTING_NAMES = {
    "school": tuple(f"{p} {s}" for p in _PLACES for s in ("Primary School", "Academy", "Secondary School")),
    "secure": SETTINGS["secure"],
    "care": tuple(f"{p} {s}" for p in _PLACES for s in ("House", "Fostering")) + SETTINGS["care"],
    "health": SETTINGS["health"] + tuple(f"{p} Surgery" for p in _PLACES),
    "early": tuple(f"{p} {s}" for p in _PLACES for s in ("Nursery", "Pre-School")),
    "other": SETTINGS["other"] + tuple(f"{p} {s}" for p in _PLACES for s in ("Youth Club", "Sports Club", "Taxis")),
}


def _setting(kind: str, reference: str, agency: str) -> str:
    """The contact's setting: from its own seeded draw, so the main sequence is unchanged."""
    if kind == "secure":
        return "the Secure Training Centre" if "Training" in agency else "the Young Offender Institution"
    return random.Random(f"setting:{reference}").choice(SETTING_NAMES[kind])


SUMMARIES = {
    Harm.PHYSICAL: ("A pupil says the member of staff pulled them by the arm in the corridor.",
                    "A young person reports being restrained too hard during an incident on the wing.",
                    "A child came home with a bruise and says an adult at the setting pushed them.",
                    "Staff saw a colleague grab a child's collar while moving the class."),
    Harm.SEXUAL: ("Messages of a personal nature found between the adult and a pupil on social media.",
                  "A young person alleges inappropriate touching during a one-to-one session.",
                  "The adult is said to have given a child gifts and asked them to keep it secret."),
    Harm.EMOTIONAL: ("Parents report the adult shouts at and belittles their child in front of others.",
                     "A young person says an officer made threatening comments about their family.",
                     "Children describe being singled out and mocked by the adult."),
    Harm.NEGLECT: ("A child was left unsupervised on a trip for a long period.",
                   "Medication was repeatedly not given to a child in residential care.",
                   "A foster child was left without adequate food over a weekend."),
    Harm.SUITABILITY: ("The adult was arrested after a domestic incident at home; children live there.",
                       "Police share that the adult is under investigation for an offence outside work.",
                       "The adult did not disclose a previous dismissal from another setting."),
}
BODIES = ("DBS", "Teaching Regulation Agency", "Ofsted", "HCPC", "NMC", "Social Work England")
JEM_AGENCIES = ("Children's social care", "Police", "Employer", "HR", "Ofsted", "LADO")


def _kind(agency: str) -> str:
    a = agency.lower()
    if "school" in a or "college" in a:
        return "school"
    if "secure" in a:
        return "secure"
    if "foster" in a or "residential" in a:
        return "care"
    if "nhs" in a or "health" in a or "ccg" in a:
        return "health"
    if "early" in a:
        return "early"
    return "other"


def _pick_category(rng: random.Random) -> Category:
    r = rng.random()
    if r < 0.44:
        return Category.ENQUIRY
    if r < 0.835:
        return Category.CONSULTATION
    return Category.REFERRAL


def _days(rng: random.Random, category: Category, outcome_fast: bool) -> int:
    """How long a contact took to conclude: most within a month, a tail past three."""
    if outcome_fast:
        return rng.randint(1, 7)
    r = rng.random()
    if category is Category.ENQUIRY:
        return rng.randint(0, 10)
    if r < 0.62:
        return rng.randint(5, 30)
    if r < 0.88:
        return rng.randint(31, 90)
    return rng.randint(91, 300)


def _adult_on(received: date, dob: date) -> date:
    """Born at least 18 years before the contact (large demos reach back decades); no extra draws."""
    while dob.year > received.year - 18:
        dob = dob.replace(year=dob.year - 44)
    return dob


def make_contact(rng: random.Random, reference: str, received: date, agency: str, today: date,
                 user: str = "demo.lado") -> Contact:
    kind = _kind(agency)
    harm = rng.choice(list(Harm))
    first_cat = _pick_category(rng)
    final_cat = first_cat
    history = [CategoryDecision(on=received, user=user, kind=CategoryChange.CATEGORISED, to=first_cat,
                                rationale={Category.ENQUIRY: "below threshold: advice and signposting given",
                                           Category.CONSULTATION: "practice issue for the employer to address",
                                           Category.REFERRAL: "meets the harm threshold"}[first_cat])]
    escalate = first_cat is not Category.REFERRAL and rng.random() < 0.04
    if escalate:
        final_cat = Category.REFERRAL
        on = add_working_days(received, rng.randint(3, 20))
        if on <= today:
            history.append(CategoryDecision(on=on, user=user, kind=CategoryChange.ESCALATED, to=final_cat,
                                            from_=first_cat, rationale="further concerns reported by the employer"))
        else:
            final_cat = first_cat
    named = final_cat is Category.REFERRAL or rng.random() < 0.6
    rng.choice(SETTINGS[kind])  # kept so every other field of the seeded demo stays as it was
    setting = _setting(kind, reference, agency)
    subject = Subject(name=f"{rng.choice(FIRST)} {rng.choice(LAST)}" if named else "",
                      role=rng.choice(ROLES[kind]), employer=setting,
                      date_of_birth=_adult_on(received, date(rng.randint(1955, 1998), rng.randint(1, 12),
                                                             rng.randint(1, 28)))
                      if named and rng.random() < 0.7 else None)
    referrer = Referrer(name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                        role=rng.choice(("designated safeguarding lead", "head teacher", "social worker",
                                         "police officer", "parent", "HR adviser", "registered manager")),
                        organisation=setting)
    limbs = {Harm.PHYSICAL: (Threshold.HARMED,), Harm.SEXUAL: (Threshold.HARMED, Threshold.OFFENCE),
             Harm.EMOTIONAL: (Threshold.RISK,), Harm.NEGLECT: (Threshold.HARMED,),
             Harm.SUITABILITY: (Threshold.SUITABILITY,)}[harm] if final_cat is Category.REFERRAL else ()
    fast = rng.random() < 0.05
    duration = _days(rng, final_cat, fast)
    closed = received + timedelta(days=duration)
    is_closed = closed <= today and rng.random() < 0.97
    fields: dict[str, Any] = {}
    meetings = []
    notes = [Note(at=datetime.combine(received, time(9, rng.randint(0, 59))).astimezone(), user=user,
                  text="Initial call taken; details confirmed with the referrer.")]
    responded = add_working_days(received, 1 if rng.random() < 0.9 else rng.randint(2, 4))
    if final_cat is Category.REFERRAL:
        ref_on = history[-1].on if escalate and len(history) > 1 else received
        jem_on = add_working_days(ref_on, rng.randint(1, 5) if rng.random() < 0.8 else rng.randint(6, 12))
        if jem_on <= today and (not is_closed or jem_on <= closed):
            meetings.append(Meeting(kind=MeetingKind.JEM, held_on=jem_on,
                                    agencies_present=tuple(rng.sample(JEM_AGENCIES, 4)),
                                    decisions="Employer to investigate; police checks to be completed.",
                                    actions=(MeetingAction(description="Employer to share investigation report",
                                                           owner="Employer", due_on=jem_on + timedelta(days=20)),),
                                    recorded_by=user))
            review_on = jem_on + timedelta(days=28)
            if review_on <= today and (not is_closed or review_on <= closed) and rng.random() < 0.7:
                meetings.append(Meeting(kind=MeetingKind.JEM_REVIEW, held_on=review_on,
                                        agencies_present=tuple(rng.sample(JEM_AGENCIES, 3)),
                                        decisions="Progress reviewed.", recorded_by=user))
        if harm is Harm.SEXUAL or rng.random() < 0.3:
            fields["police_involved"] = True
            fields["police_reference"] = f"CR/{rng.randint(10000, 99999)}/{received.year % 100:02d}"
            # (a separate generator for what was added later, so every other field of the seeded demo stays)
            strategy = random.Random(f"{reference} strategy")
            s47_on = add_working_days(ref_on, strategy.randint(1, 3))
            if strategy.random() < 0.5 and s47_on <= today and (not is_closed or s47_on <= closed):
                fields["s47_strategy_on"] = s47_on
        if rng.random() < 0.3:
            fields["suspension"] = (Suspension(
                decision=rng.choice(list(SuspensionDecision)), on=add_working_days(ref_on, 2),
                rationale="Considered against the risk to children and the alternatives available."),)
    outcome = None
    if is_closed:
        if final_cat is Category.REFERRAL:
            outcome = rng.choices(ALLEGATION_OUTCOMES, weights=(30, 12, 4, 38, 16))[0]
            if fast:
                outcome = rng.choice((Outcome.FALSE, Outcome.MALICIOUS))
            if outcome is Outcome.SUBSTANTIATED and rng.random() < 0.6:
                fields["regulator_referrals"] = (RegulatorReferral(
                    body=rng.choice(BODIES), on=closed, reference=f"REF{rng.randint(100000, 999999)}"),)
            fields["disciplinary"] = _disciplinary(random.Random(f"{reference} disciplinary"), outcome)
        elif final_cat is Category.ENQUIRY:
            outcome = Outcome.ADVICE_GIVEN
        else:
            outcome = rng.choice(ALLEGATION_OUTCOMES + (Outcome.NO_FURTHER_ACTION,) * 3)
            fields["employer_report_requested_on"] = min(responded, closed)  # never after the report came in
            fields["employer_report_received_on"] = closed
            fields["employer_outcome"] = "Management advice and further training for the staff member."
    elif final_cat is Category.CONSULTATION and responded <= today:  # never a request in the future
        fields["employer_report_requested_on"] = responded
    return Contact(
        reference=reference, received_on=received, agency=agency, category=final_cat,
        summary=rng.choice(SUMMARIES[harm]), referrer=referrer, subject=subject,
        case_manager=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        children_count=rng.randint(1, 3), children_ages=tuple(sorted(rng.randint(2, 17) for _ in range(1))),
        harm=harm, threshold=limbs, category_history=tuple(history),
        responded_on=responded if responded <= today else None, meetings=tuple(meetings),
        outcome=outcome, closed_on=closed if is_closed else None, notes=tuple(notes), **fields)


def _disciplinary(rng: random.Random, outcome: Outcome) -> str:
    """The employer's disciplinary outcome for a closed referral, in the words an HR adviser might use."""
    if outcome is Outcome.SUBSTANTIATED:
        return rng.choice(("Dismissed for gross misconduct.", "Resigned before the disciplinary hearing.",
                           "Final written warning and supervised practice.", "Dismissed.",
                           "Left the post during the investigation."))
    if outcome is Outcome.UNSUBSTANTIATED:
        return rng.choice(("No further action.", "First written warning for a breach of the code of conduct.",
                           "Returned to work with a support plan.", ""))
    return rng.choice(("No action taken.", "", "Returned to work."))


def _year_dates(rng: random.Random, start: date, end: date, n: int) -> list[date]:
    span = (end - start).days
    out: list[date] = []
    while len(out) < n:
        d = start + timedelta(days=rng.randint(0, span))
        if d.weekday() < 5 or rng.random() < 0.1:
            out.append(d)
    return sorted(out)


def demo_contacts(seed: int = 2018, contacts: Optional[int] = None, today: date = DEMO_TODAY, *,
                  progress: Progress = NO_PROGRESS) -> list[Contact]:
    """The demo contacts.  ``contacts=None``: the board's two years plus this spring, about 1,000 in all.
    A number scales the 2017-18 distribution to that many, spread back from ``today``.  ``progress``
    counts the contacts made."""
    rng = random.Random(seed)
    plan: list[tuple[date, str]] = []
    if contacts is None:
        for counts, fy in ((AGENCY_COUNTS_2016_17, 2016), (AGENCY_COUNTS_2017_18, 2017)):
            for agency, n in zip(DEFAULT_AGENCIES, counts):
                for d in _year_dates(rng, date(fy, 4, 1), date(fy + 1, 3, 31), n):
                    plan.append((d, agency))
        weights = AGENCY_COUNTS_2017_18
        for d in _year_dates(rng, date(today.year, 4, 1), today, 110 * (today - date(today.year, 4, 1)).days // 91):
            plan.append((d, rng.choices(DEFAULT_AGENCIES, weights=weights)[0]))
    else:
        years = max(1, round(contacts / 3000))
        start = today - timedelta(days=365 * years)
        agencies = rng.choices(DEFAULT_AGENCIES, weights=AGENCY_COUNTS_2017_18, k=contacts)
        plan = list(zip(_year_dates(rng, start, today, contacts), agencies))
    plan.sort()
    counters: dict[int, int] = {}
    out: list[Contact] = []
    for received, agency in counted(plan, len(plan), progress, "making demo contacts"):
        counters[received.year] = counters.get(received.year, 0) + 1
        out.append(make_contact(rng, f"L-{received.year}-{counters[received.year]:04d}", received, agency, today))
    # A repeat subject, so the pattern warning has something to find.
    if len(out) > 40:
        first = out[5]
        name, dob = first.subject.name or "Sam Redfern", first.subject.date_of_birth
        for i in (17, 33):
            later = out[i]
            out[i] = attrs.evolve(later, subject=attrs.evolve(first.subject, name=name, date_of_birth=dob,
                                                              role=later.subject.role))
    return out


def build_demo(path: str | Path, *, contacts: Optional[int] = None, seed: int = 2018, reviews: bool = True,
               today: Optional[date] = DEMO_TODAY, user: str = "demo.lado",
               progress: Progress = NO_PROGRESS) -> Tracker:
    """Write a fresh demo store at ``path`` (it must not exist) and return an open Tracker on it.
    ``progress`` counts the contacts made and stored, then the reviews made."""
    path = Path(path)
    if path.exists():
        raise ValidationError("path", str(path), "a path where no store exists yet (the demo never overwrites)")
    day = today or date.today()
    tracker = open_tracker(path, user=user, today=lambda: day)
    if today is not None:
        tracker.update_settings(fixed_today=day.isoformat(), demo=True)
    made = demo_contacts(seed=seed, contacts=contacts, today=day, progress=progress)
    tracker.add_contacts(counted(made, len(made), progress, "storing demo contacts"))
    if reviews:
        add_demo_reviews(tracker, random.Random(seed + 1), scale=max(1, (contacts or 1000) // 1000),
                         progress=progress)
    return tracker
