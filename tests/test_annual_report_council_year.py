"""The LADO annual report on a store shaped like a real council year, every measure counted by hand.

The store (373 contacts) is generated from the block table below: each ``Block`` is ``n`` contacts
alike in everything but their reference, received date (spread evenly, by index, over the block's
``window``) and subject (a name of their own, unless the block names one).  Every expected number
in these tests is a literal, and its comment is the hand sum over the block table that gives it
(``E1 24 + C1 20`` = 24 contacts of block E1 and 20 of C1).  Nothing expected is computed by the code
under test, or by re-counting the table in the test: a reader can check each figure against the table.

Year 2019-20 (Northshire, 190 contacts) against 2018-19 (120); 2017-18 (31), 2016-17 (20), 2015-16
(11) and 2014-15 (1) are there for the trend, the repeats and the cases still open at the year end.
The store's "today" is 30/06/2021, long after both years ended.  All names are invented.

Durations are chosen clear of every band's edge (up to 28 days is within 1 month, 45 to 75 within 3
months, 150 to 300 within 12 months, 400 and 500 over 12 months; up to 7 days is within the one-week
rule for allegations found to have no basis), except three cases exactly on an edge, which count as
within it: R13, closed exactly a month after it was received (01/06/2019 to 01/07/2019); R16, false and
closed exactly a week after; the first of C9, received 31/12/2019 and open on 31/03/2020, exactly three
months old (so 3 to 12 months; the second, received 01/01/2020, is 1 to 3 months).
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any, NamedTuple, Optional

import pytest

import safeguard_tracker as st
from safeguard_tracker.lado.annual_measures import criminal_class, disciplinary_class
from safeguard_tracker.model import (
    Category,
    CategoryChange,
    CategoryDecision,
    Contact,
    Harm,
    Meeting,
    MeetingKind,
    Outcome,
    Referrer,
    RegulatorReferral,
    Subject,
    Suspension,
    SuspensionDecision,
    Threshold,
)
from safeguard_tracker.reports.docx_render import docx_text

TODAY = date(2021, 6, 30)
D = date.fromisoformat

PRIMARY, SECONDARY, COLLEGE = "School - Primary", "School - Secondary", "College"
EY = "Early Years (Childminders, nursery, Children's Centre, Pre-School)"
POLICE, MFT, MCH = "Police", "Medway NHS Foundation Trust", "Medway Community Health Care"
CSC, RES, FAITH = "Medway Children's Services", "Residential – Private", "Faith Groups"
IFA, LA_FOSTER = "Foster Carers - Independent", "Foster Carers – Local Authority"
SPORT, TRANSPORT, OTHER, UNKNOWN = "Sports & Leisure", "Transport Provider", "Other", "Unknown"
KITE = "Westmoor Kite Club"                 # an agency not in the list
EPS = "Eastbridge Primary School"           # a source named by its sector (education), never printed
LEISURE = "Westmoor Leisure Centre"         # ... sport and leisure
TAXIS = "Priory Taxis"                      # ... transport
NHS = "NHS Westmoor"                        # ... health
DAY_NURSERY = "Northshire Day Nursery"      # ... early years
ACME = "Acme Ltd"                           # names no agency and no sector: 'Other: not matched'


class Block(NamedTuple):
    """``n`` contacts alike.  days: received to closed (None: never closed).  susp: the decisions as listed
    (decision, days after received).  name/dob: one subject for the block (None: each its own)."""
    name_: str
    n: int
    window: tuple[str, str]                 # received from the first date, before the second
    agency: str
    cat: Optional[str]
    harm: Optional[str] = None
    limbs: str = ""
    outcome: Optional[str] = None
    days: Optional[int] = None
    police: bool = False
    s47: str = ""                           # "date": an s47 date; "meeting": a strategy meeting
    susp: tuple[tuple[str, int], ...] = ()
    regs: tuple[str, ...] = ()
    disc: str = ""
    emp: str = ""
    source: str = ""
    name: Optional[str] = None
    dob: Optional[str] = None
    employer: str = ""
    escalated: bool = False


Y = ("2019-04-01", "2019-12-31")            # 2019-20, closed well before its year end
C = ("2018-04-01", "2018-12-31")            # 2018-19, likewise
S, A, N = "suspended", "alternative", "not_suspended"
ADV, NFA = "advice_given", "no_further_action"


def one(day: str) -> tuple[str, str]:
    return (day, (D(day) + timedelta(days=1)).isoformat())


BLOCKS = [
    # ---- 2019-20: enquiries (80) -------------------------------------------------------------------------------
    Block("E1", 24, Y, PRIMARY, "enquiry", outcome=ADV, days=2, source=EPS, name=""),   # no subject named
    Block("E2", 14, Y, SECONDARY, "enquiry", "emotional", outcome=ADV, days=3, source="School - Secondary"),
    Block("E3", 10, Y, EY, "enquiry", outcome=ADV, days=1, source="Nursery"),
    Block("E4", 8, Y, MFT, "enquiry", outcome=ADV, days=5, source="MFT"),
    Block("E5", 6, Y, SPORT, "enquiry", "physical", outcome=ADV, days=10, source=LEISURE),
    Block("E6", 4, Y, KITE, "enquiry", outcome=ADV, days=4),
    Block("E7", 6, Y, CSC, "enquiry", outcome=ADV, days=2, source="CSC"),
    Block("E8", 4, Y, POLICE, "enquiry", police=True, outcome=ADV, days=2, source="Kent Police"),
    Block("E9", 2, ("2020-03-20", "2020-03-28"), PRIMARY, "enquiry"),                          # open
    Block("X3", 1, one("2019-07-15"), COLLEGE, "enquiry", outcome=ADV, days=3, name="Robin Hale", dob="1975-03-03"),
    Block("X4", 1, one("2019-06-01"), COLLEGE, "enquiry", outcome=ADV, days=3, name="Sam Quill", dob="1990-09-09"),
    # ---- 2019-20: consultations (66) ---------------------------------------------------------------------------
    Block("C1", 20, Y, PRIMARY, "consultation", "physical", outcome=NFA, days=14, source=EPS),
    Block("C2", 10, Y, SECONDARY, "consultation", "emotional", outcome=NFA, days=25, source="Secondary School"),
    Block("C3", 8, Y, EY, "consultation", "neglect", outcome=NFA, days=40, source=DAY_NURSERY),
    Block("C4", 6, Y, IFA, "consultation", "emotional", outcome=NFA, days=60, source="IFA"),
    Block("C5", 6, Y, MCH, "consultation", "suitability", outcome=NFA, days=10, source=NHS),
    Block("C6", 5, Y, TRANSPORT, "consultation", "physical", outcome=NFA, days=7, source=TAXIS),
    Block("C7", 4, Y, RES, "consultation", "physical", outcome=NFA, days=20, regs=("Ofsted",), source=ACME),
    Block("C8", 3, Y, FAITH, "consultation", "sexual", outcome=NFA, days=21, source="Faith Groups"),
    Block("C9", 2, ("2019-12-31", "2020-01-02"), PRIMARY, "consultation", "physical"),  # open: 31/12, 01/01
    Block("X1", 1, one("2019-09-10"), SECONDARY, "consultation", "emotional", outcome=NFA, days=14,
          source="Secondary School", name="Casey Dunn", dob="1982-02-02"),
    Block("X5", 1, one("2019-05-20"), POLICE, "consultation", "physical", outcome=NFA, days=10, source="Police",
          name="Lee Varga", dob="1966-12-12"),
    # ---- 2019-20: referrals (43) -------------------------------------------------------------------------------
    Block("R1", 6, Y, PRIMARY, "referral", "physical", "harmed", "substantiated", 20, susp=((S, 1),), regs=("DBS",),
          disc="Dismissed", source=EPS),
    Block("R2", 5, Y, PRIMARY, "referral", "physical", "harmed,risk", "unsubstantiated", 60, police=True,
          susp=((A, 2),), disc="Final written warning", emp="Police: not charged", source="Police"),
    Block("R3", 4, ("2019-04-01", "2019-08-31"), SECONDARY, "referral", "sexual", "harmed,offence", "substantiated",
          200, police=True, s47="date", susp=((S, 1),), regs=("Disclosure and Barring Service", "TRA"),
          disc="Summarily dismissed", emp="Convicted of sexual assault", source="Kent Police"),
    Block("R4", 3, ("2019-04-01", "2019-06-30"), SECONDARY, "referral", "sexual", "offence", "unsubstantiated", 400,
          police=True, s47="meeting", susp=((A, 10), (S, 1)),          # the latest, alternative, listed first
          emp="Resigned before the hearing; charged by police", source="Kent Police"),
    Block("R5", 4, Y, POLICE, "referral", "physical", "risk", "false", 5, police=True, susp=((N, 1),),
          disc="No further action", source="Police"),
    Block("R6", 2, Y, MFT, "referral", "neglect", "", "malicious", 20),
    Block("R7", 3, Y, LA_FOSTER, "referral", "emotional", "suitability", "unfounded", 6, susp=((N, 1),),
          regs=("Ofsted",), disc="NFA", source="LA Foster Carers"),
    Block("R8", 2, Y, EY, "referral", "physical", "harmed", "substantiated", 75, police=True, susp=((S, 1),),
          regs=("D.B.S.", "OFSTED"), disc="Left the setting", emp="Received a police caution", source="Nursery"),
    Block("R9", 3, ("2019-10-01", "2019-11-30"), SPORT, "referral", "sexual", "harmed,risk", police=True,
          susp=((S, 1),), source=LEISURE, employer=LEISURE),                                   # open
    Block("R10", 2, ("2019-04-01", "2019-08-31"), KITE, "referral", "physical", "harmed", "unsubstantiated", 150,
          disc="Management advice", source=KITE),
    Block("R11", 2, ("2020-03-02", "2020-03-20"), PRIMARY, "referral", "emotional",
          "harmed,offence,risk,suitability", source=EPS, employer=EPS),                       # open
    Block("R12", 2, Y, TRANSPORT, "referral", "physical", "harmed", "substantiated", 45, susp=((S, 1),),
          regs=("DBS",), disc="Contract terminated", source=TAXIS, employer=TAXIS),
    Block("R13", 1, one("2019-06-01"), PRIMARY, "referral", "physical", "harmed", "unsubstantiated", 30, police=True,
          susp=((A, 1),), disc="Not dismissed - given a written warning", source=EPS, name="Alex Marlow", dob="1980-01-01",
          employer="eastbridge  primary school"),
    Block("R14", 1, one("2019-04-15"), CSC, "referral", "suitability", "suitability", "substantiated", 300,
          susp=((S, 1),), regs=("Social Work England",), disc="Dismissed", source="CSC"),
    Block("R15", 1, one("2019-05-01"), MCH, "referral", "sexual", "offence", "substantiated", 500, police=True,
          s47="date", susp=((S, 1),), regs=("Nursing and Midwifery Council",),
          disc="Dismissed following conviction", source="The Police"),
    Block("R16", 1, one("2019-07-01"), OTHER, "referral", "physical", "risk", "false", 7,
          regs=("Westmoor Kennel Club",), disc="none"),
    Block("X2", 1, one("2020-01-15"), SECONDARY, "referral", "physical", "harmed", "unsubstantiated", 60,
          police=True, susp=((N, 1),), disc="No case to answer", source="Secondary School", name="Casey Dunn",
          dob="1982-02-02", escalated=True),
    # ---- 2019-20: no category yet (1) --------------------------------------------------------------------------
    Block("N1", 1, one("2020-03-25"), UNKNOWN, None, name=""),                                 # open
    # ---- 2018-19: enquiries (53) -------------------------------------------------------------------------------
    Block("CE1", 22, C, PRIMARY, "enquiry", outcome=ADV, days=2, source=EPS),
    Block("CE2", 12, C, SECONDARY, "enquiry", "emotional", outcome=ADV, days=3, source="School - Secondary"),
    Block("CE3", 8, C, EY, "enquiry", outcome=ADV, days=1, source="Nursery"),
    Block("CE4", 6, C, MFT, "enquiry", outcome=ADV, days=5, source="MFT"),
    Block("CE5", 4, C, CSC, "enquiry", outcome=ADV, days=2, source="CSC"),
    Block("CR10", 1, one("2018-09-09"), POLICE, "enquiry", outcome=ADV, days=2, source="Police", name="Lee Varga",
          dob="1965-12-12"),
    # ---- 2018-19: consultations (40) ---------------------------------------------------------------------------
    Block("CC1", 18, C, PRIMARY, "consultation", "physical", outcome=NFA, days=14, source=EPS),
    Block("CC2", 8, C, SECONDARY, "consultation", "emotional", outcome=NFA, days=25, source="Secondary School"),
    Block("CC3", 6, C, IFA, "consultation", "emotional", outcome=NFA, days=60, source="IFA"),
    Block("CC4", 4, C, TRANSPORT, "consultation", "physical", outcome=NFA, days=7, source=TAXIS),
    Block("CC5", 4, C, KITE, "consultation", "physical", outcome=NFA, days=10),
    # ---- 2018-19: referrals (27) -------------------------------------------------------------------------------
    Block("CR1", 6, C, PRIMARY, "referral", "physical", "harmed", "substantiated", 20, police=True, susp=((S, 1),),
          regs=("DBS",), disc="Dismissed", source=EPS),
    Block("CR2", 5, C, SECONDARY, "referral", "sexual", "harmed,offence", "unsubstantiated", 20, police=True,
          s47="date", susp=((A, 1),), regs=("Teaching Regulation Agency",), disc="Final warning",
          source="Kent Police"),
    Block("CR3", 4, C, POLICE, "referral", "physical", "risk", "false", 5, police=True, susp=((N, 1),), disc="NFA",
          source="Police"),
    Block("CR4", 3, C, EY, "referral", "neglect", "", "malicious", 12),
    Block("CR5", 3, C, IFA, "referral", "emotional", "suitability", "unfounded", 10, susp=((N, 1),),
          regs=("OFSTED",), disc="Resigned", source="IFA"),
    Block("CR6", 2, ("2018-04-01", "2018-06-30"), SPORT, "referral", "sexual", "harmed", "substantiated", 400,
          police=True, s47="date", susp=((S, 1),), regs=("Disclosure & Barring Service",), disc="Dismissed",
          emp="Convicted of assault", source=LEISURE, employer=LEISURE),
    Block("CR7", 2, ("2018-10-01", "2018-11-30"), PRIMARY, "referral", "physical", "harmed", police=True,
          susp=((S, 1),), source=EPS, employer="Northshire Academy"),                         # open ever since
    Block("CR8", 1, one("2019-02-01"), PRIMARY, "referral", "physical", "harmed", "unsubstantiated", 20,
          disc="written warning", name="Jo Penn", dob="1971-01-01", employer="Northshire Academy"),
    Block("CR9", 1, one("2018-05-10"), SECONDARY, "referral", "emotional", "risk", "false", 4, disc="no action",
          source="Secondary School", name="Casey Dunn", dob="1982-02-02"),
    # ---- earlier years --------------------------------------------------------------------------------------------
    Block("EA1", 20, ("2017-04-01", "2017-12-31"), PRIMARY, "enquiry", outcome=ADV, days=2),
    Block("EA2", 8, ("2017-04-01", "2017-12-31"), POLICE, "referral", "physical", "harmed", "substantiated", 20),
    Block("EA3", 1, one("2017-10-01"), PRIMARY, "referral", "physical", "harmed", "substantiated", 20,
          name="Alex Marlow", dob="1980-01-01"),
    Block("EA4", 2, ("2018-01-10", "2018-02-10"), SECONDARY, "referral", "physical"),          # open ever since
    Block("EB1", 15, ("2016-04-01", "2016-12-31"), PRIMARY, "consultation", outcome=NFA, days=10),
    Block("EB2", 1, one("2016-11-20"), PRIMARY, "consultation", outcome=NFA, days=10, name="Jo Penn",
          dob="1971-01-01"),
    Block("EB3", 1, one("2016-07-15"), COLLEGE, "enquiry", outcome=ADV, days=2, name="Robin Hale", dob="1975-03-03"),
    Block("EB4", 3, ("2016-04-01", "2016-12-31"), MFT, "referral", "sexual", "harmed", "unsubstantiated", 20),
    Block("EC1", 10, ("2015-04-01", "2015-12-31"), PRIMARY, "enquiry", outcome=ADV, days=2),
    Block("EC2", 1, one("2015-06-01"), COLLEGE, "enquiry", outcome=ADV, days=2, name="Sam Quill", dob="1990-09-09"),
    Block("ED1", 1, one("2014-11-01"), PRIMARY, "enquiry", outcome=ADV, days=2),
]


def contacts_of(blocks: list[Block]) -> list[Contact]:
    out: list[Contact] = []
    numbers: dict[int, int] = {}
    for b in blocks:
        first, last = D(b.window[0]), D(b.window[1])
        span = (last - first).days
        for i in range(b.n):
            received = first + timedelta(days=i * span // b.n)
            numbers[received.year] = numbers.get(received.year, 0) + 1
            ref = f"L-{received.year}-{numbers[received.year]:04d}"
            cat = Category(b.cat) if b.cat else None
            history: tuple[CategoryDecision, ...] = ()
            if b.escalated:
                history = (CategoryDecision(on=received, user="t", kind=CategoryChange.CATEGORISED,
                                            to=Category.CONSULTATION, rationale="practice issue"),
                           CategoryDecision(on=received + timedelta(days=3), user="t", kind=CategoryChange.ESCALATED,
                                            to=Category.REFERRAL, from_=Category.CONSULTATION,
                                            rationale="a second pupil"))
            elif cat is not None:
                history = (CategoryDecision(on=received, user="t", kind=CategoryChange.CATEGORISED, to=cat,
                                            rationale="test"),)
            name = f"Subject {b.name_} {i + 1}" if b.name is None else b.name
            dob = D(b.dob) if b.dob else (date(1970, 1, 1) + timedelta(days=len(out)) if name else None)
            out.append(Contact(
                reference=ref, received_on=received, agency=b.agency, category=cat, category_history=history,
                harm=Harm(b.harm) if b.harm else None, threshold=tuple(Threshold(x) for x in b.limbs.split(",") if x),
                referrer=Referrer(organisation=b.source),
                subject=Subject(name=name, employer=b.employer, date_of_birth=dob),
                police_involved=b.police,
                s47_strategy_on=received + timedelta(days=2) if b.s47 == "date" else None,
                meetings=(Meeting(kind=MeetingKind.STRATEGY, held_on=received + timedelta(days=2)),)
                if b.s47 == "meeting" else (),
                suspension=tuple(Suspension(decision=SuspensionDecision(k), on=received + timedelta(days=d),
                                            rationale="r") for k, d in b.susp),
                regulator_referrals=tuple(RegulatorReferral(body=r, on=received) for r in b.regs),
                disciplinary=b.disc, employer_outcome=b.emp,
                outcome=Outcome(b.outcome) if b.outcome else None,
                closed_on=received + timedelta(days=b.days) if b.days is not None else None,
            ))
    return out


@pytest.fixture(scope="module")
def tracker(tmp_path_factory: pytest.TempPathFactory) -> Any:
    t = st.open_tracker(tmp_path_factory.mktemp("council") / "store.json", user="t", today=lambda: TODAY)
    t.add_contacts(contacts_of(BLOCKS))
    t.update_settings(child_population={"2019-20": 52000, "2018-19": 51000})
    yield t
    t.close()


@pytest.fixture(scope="module")
def m(tracker: Any) -> dict[str, Any]:
    out: dict[str, Any] = tracker.annual_measures("2019-20").to_dict()
    return out


def pairs(rows: list[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    return {r["key"]: (r["count"], r["compare_count"]) for r in rows}


def shares(rows: list[dict[str, Any]]) -> dict[str, tuple[Optional[float], Optional[float]]]:
    return {r["key"]: (r["percent"], r["compare_percent"]) for r in rows}


def groups(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {g["key"]: g for g in rows}


def test_the_store_is_a_council_year(tracker: Any) -> None:
    assert len(tracker.contacts()) == 373       # 190 + 120 + 31 + 20 + 11 + 1 (the sums below)


def test_totals_and_categories(m: dict[str, Any]) -> None:
    assert (m["year"], m["compare_year"], m["as_of"]) == ("2019-20", "2018-19", "2021-06-30")
    # 2019-20: enquiries E1-E8 24+14+10+8+6+4+6+4 = 76, + E9 2 + X3 1 + X4 1 = 80; consultations C1-C8
    # 20+10+8+6+6+5+4+3 = 62, + C9 2 + X1 1 + X5 1 = 66; referrals R1-R16 6+5+4+3+4+2+3+2+3+2+2+2+1+1+1+1 = 42,
    # + X2 1 = 43; N1 1 not recorded.  80 + 66 + 43 + 1 = 190.
    # 2018-19: enquiries CE1-CE5 22+12+8+6+4 = 52, + CR10 1 = 53; consultations CC1-CC5 18+8+6+4+4 = 40;
    # referrals CR1-CR9 6+5+4+3+3+2+2+1+1 = 27.  53 + 40 + 27 = 120.
    assert pairs(m["totals"]) == {"contacts": (190, 120), "referrals": (43, 27)}
    assert m["totals"][0]["change_percent"] == 58.3                     # 70/120 = 58.33
    assert m["totals"][1]["change_percent"] == 59.3                     # 16/27 = 59.26
    assert shares(m["totals"])["referrals"] == (22.6, 22.5)             # 43/190 = 22.63; 27/120
    assert pairs(m["by_category"]) == {"enquiry": (80, 53), "consultation": (66, 40), "referral": (43, 27),
                                       "not_recorded": (1, 0)}
    assert shares(m["by_category"]) == {"enquiry": (42.1, 44.2),        # 80/190 = 42.11; 53/120 = 44.17
                                        "consultation": (34.7, 33.3),   # 66/190 = 34.74; 40/120
                                        "referral": (22.6, 22.5), "not_recorded": (0.5, 0.0)}   # 1/190 = 0.53


def test_by_harm(m: dict[str, Any]) -> None:
    assert pairs(m["by_harm"]) == {
        # E5 6 + C1 20 + C6 5 + C7 4 + C9 2 + X5 1 + R1 6 + R2 5 + R5 4 + R8 2 + R10 2 + R12 2 + R13 1 + R16 1
        # + X2 1 = 62;  CC1 18 + CC4 4 + CC5 4 + CR1 6 + CR3 4 + CR7 2 + CR8 1 = 39
        "physical": (62, 39),
        "sexual": (14, 7),          # C8 3 + R3 4 + R4 3 + R9 3 + R15 1;  CR2 5 + CR6 2
        "emotional": (36, 30),      # E2 14 + C2 10 + C4 6 + X1 1 + R7 3 + R11 2;  CE2 12 + CC2 8 + CC3 6 + CR5 3 + CR9 1
        "neglect": (10, 3),         # C3 8 + R6 2;  CR4 3
        "suitability": (7, 0),      # C5 6 + R14 1
        # E1 24 + E3 10 + E4 8 + E6 4 + E7 6 + E8 4 + E9 2 + X3 1 + X4 1 + N1 1;  CE1 22 + CE3 8 + CE4 6 + CE5 4 + CR10 1
        "not_recorded": (61, 41),
    }
    assert shares(m["by_harm"])["physical"] == (32.6, 32.5)             # 62/190 = 32.63; 39/120


def test_by_sector_with_subtotals(m: dict[str, Any]) -> None:
    sectors = groups(m["by_sector"])
    assert pairs(m["by_sector"]) == {
        "education": (97, 75),      # PRIMARY 62 + SECONDARY 33 + COLLEGE 2;  49 + 26
        "early_years": (20, 11),    # E3 10 + C3 8 + R8 2;  CE3 8 + CR4 3
        "health": (17, 6),          # MFT: E4 8 + R6 2, MCH: C5 6 + R15 1;  CE4 6
        "police": (9, 5),           # E8 4 + R5 4 + X5 1;  CR3 4 + CR10 1
        "social_care": (7, 4),      # E7 6 + R14 1;  CE5 4
        "residential_care": (4, 0),  # C7 4
        "foster_care": (9, 9),      # IFA C4 6 + LA R7 3;  CC3 6 + CR5 3
        "faith": (3, 0),            # C8 3
        "sport_leisure": (9, 2),    # E5 6 + R9 3;  CR6 2
        "transport": (7, 4),        # C6 5 + R12 2;  CC4 4
        "voluntary": (0, 0),        # offered in the list, no contacts
        "other": (2, 0),            # Other R16 1 + Unknown N1 1
        "unlisted": (6, 4),         # KITE: E6 4 + R10 2;  CC5 4
    }   # 97+20+17+9+7+4+9+3+9+7+0+2+6 = 190;  75+11+6+5+4+9+2+4+4 = 120
    education = pairs(sectors["education"]["rows"])
    # PRIMARY: E1 24 + E9 2 + C1 20 + C9 2 + R1 6 + R2 5 + R11 2 + R13 1 = 62;  CE1 22 + CC1 18 + CR1 6 + CR7 2 + CR8 1
    assert education[PRIMARY] == (62, 49)
    # SECONDARY: E2 14 + C2 10 + R3 4 + R4 3 + X1 1 + X2 1 = 33;  CE2 12 + CC2 8 + CR2 5 + CR9 1
    assert education[SECONDARY] == (33, 26)
    assert education[COLLEGE] == (2, 0)                                   # X3 1 + X4 1
    assert education["School - Special"] == (0, 0)
    assert (sectors["education"]["percent"], sectors["education"]["compare_percent"]) == (51.1, 62.5)  # 97/190, 75/120
    assert pairs(sectors["health"]["rows"])[MFT] == (10, 6)
    assert pairs(sectors["health"]["rows"])[MCH] == (7, 0)
    assert pairs(sectors["foster_care"]["rows"]) == {IFA: (6, 9), LA_FOSTER: (3, 0)}
    assert pairs(sectors["unlisted"]["rows"]) == {KITE: (6, 4)}
    assert pairs(sectors["other"]["rows"])[OTHER] == (1, 0)
    assert pairs(sectors["other"]["rows"])[UNKNOWN] == (1, 0)


def test_by_source(m: dict[str, Any]) -> None:
    sources = groups(m["by_source"])
    assert pairs(m["by_source"]) == {
        "education": (79, 69),      # EPS: E1 24 + C1 20 + R1 6 + R11 2 + R13 1 = 53, secondary 26;  48 + 21
        "early_years": (20, 8),     # Nursery: E3 10 + R8 2, DAY_NURSERY: C3 8;  CE3 8
        "health": (14, 6),          # MFT: E4 8, NHS: C5 6;  CE4 6
        "police": (22, 10),         # E8 4 + X5 1 + R2 5 + R3 4 + R4 3 + R5 4 + R15 1 ('The Police');  CR10 1 + CR2 5 + CR3 4
        "social_care": (7, 4),      # E7 6 + R14 1;  CE5 4
        "foster_care": (9, 9),      # C4 6 + R7 3;  CC3 6 + CR5 3
        "faith": (3, 0),            # C8 3
        "sport_leisure": (9, 2),    # E5 6 + R9 3;  CR6 2
        "transport": (7, 4),        # C6 5 + R12 2;  CC4 4
        "unlisted": (6, 0),         # ACME C7 4 + KITE R10 2
        "not_recorded": (14, 8),    # E6 4 + E9 2 + X3 1 + X4 1 + C9 2 + R6 2 + R16 1 + N1 1;  CC5 4 + CR4 3 + CR8 1
    }   # 79+20+14+22+7+9+3+9+7+6+14 = 190;  69+8+6+10+4+9+4+2+8 = 120
    # secondary: E2 14 + C2 10 + X1 1 + X2 1 = 26;  CE2 12 + CC2 8 + CR9 1 = 21
    assert pairs(sources["education"]["rows"]) == {"Other organisations in this sector": (53, 48),   # 22+18+6+2
                                                   SECONDARY: (26, 21)}
    assert pairs(sources["early_years"]["rows"]) == {EY: (12, 8), "Other organisations in this sector": (8, 0)}
    assert pairs(sources["police"]["rows"]) == {POLICE: (22, 10)}
    assert pairs(sources["unlisted"]["rows"]) == {"Organisations not in the list": (6, 0)}
    printed = str(m["by_source"])
    for written in (EPS, LEISURE, TAXIS, NHS, DAY_NURSERY, ACME):
        assert written not in printed


def test_threshold_limbs(m: dict[str, Any]) -> None:
    assert pairs(m["threshold"]) == {
        # R1 6 + R2 5 + R3 4 + R8 2 + R9 3 + R10 2 + R11 2 + R12 2 + R13 1 + X2 1;  CR1 6 + CR2 5 + CR6 2 + CR7 2 + CR8 1
        "harmed": (28, 16),
        "offence": (10, 5),         # R3 4 + R4 3 + R11 2 + R15 1;  CR2 5
        "risk": (15, 5),            # R2 5 + R5 4 + R9 3 + R11 2 + R16 1;  CR3 4 + CR9 1
        "suitability": (6, 3),      # R7 3 + R11 2 + R14 1;  CR5 3
        "none_recorded": (2, 3),    # R6 2;  CR4 3
    }
    assert shares(m["threshold"]) == {"harmed": (65.1, 59.3),          # 28/43 = 65.12; 16/27 = 59.26
                                      "offence": (23.3, 18.5),         # 10/43 = 23.26; 5/27 = 18.52
                                      "risk": (34.9, 18.5),            # 15/43 = 34.88
                                      "suitability": (14.0, 11.1),     # 6/43 = 13.95; 3/27 = 11.11
                                      "none_recorded": (4.7, 11.1)}    # 2/43 = 4.65


def test_outcomes(m: dict[str, Any]) -> None:
    assert pairs(m["outcomes"]) == {
        "substantiated": (16, 8),       # R1 6 + R3 4 + R8 2 + R12 2 + R14 1 + R15 1;  CR1 6 + CR6 2
        "false": (5, 5),                # R5 4 + R16 1;  CR3 4 + CR9 1
        "malicious": (2, 3),            # R6 2;  CR4 3
        "unsubstantiated": (12, 6),     # R2 5 + R4 3 + R10 2 + R13 1 + X2 1;  CR2 5 + CR8 1
        "unfounded": (3, 3),            # R7 3;  CR5 3
        "open": (5, 2),                 # R9 3 + R11 2;  CR7 2
        "not_recorded": (0, 0),
    }
    assert shares(m["outcomes"])["substantiated"] == (37.2, 29.6)      # 16/43 = 37.21; 8/27 = 29.63


def test_outcomes_by_harm(m: dict[str, Any]) -> None:
    assert pairs(m["outcomes_by_harm"]) == {
        "physical": (24, 13),       # R1 6 + R2 5 + R5 4 + R8 2 + R10 2 + R12 2 + R13 1 + R16 1 + X2 1;  CR1 6 + CR3 4 + CR7 2 + CR8 1
        "sexual": (11, 7),          # R3 4 + R4 3 + R9 3 + R15 1;  CR2 5 + CR6 2
        "emotional": (5, 4),        # R7 3 + R11 2;  CR5 3 + CR9 1
        "neglect": (2, 3),          # R6 2;  CR4 3
        "suitability": (1, 0),      # R14 1
        "not_recorded": (0, 0),
    }
    by_harm = groups(m["outcomes_by_harm"])
    physical = pairs(by_harm["physical"]["rows"])
    assert physical == {"substantiated": (10, 6),       # R1 6 + R8 2 + R12 2;  CR1 6
                        "false": (5, 4),                # R5 4 + R16 1;  CR3 4
                        "malicious": (0, 0),
                        "unsubstantiated": (9, 1),      # R2 5 + R10 2 + R13 1 + X2 1;  CR8 1
                        "unfounded": (0, 0), "open": (0, 2), "not_recorded": (0, 0)}   # CR7 2
    assert (by_harm["physical"]["percent"], by_harm["physical"]["rows"][0]["percent"]) == (55.8, 41.7)  # 24/43; 10/24
    assert pairs(by_harm["sexual"]["rows"])["open"] == (3, 0)                  # R9 3


def test_outcomes_by_sector(m: dict[str, Any]) -> None:
    assert pairs(m["outcomes_by_sector"]) == {
        "education": (22, 15),      # R1 6 + R2 5 + R3 4 + R4 3 + R11 2 + R13 1 + X2 1;  CR1 6 + CR2 5 + CR7 2 + CR8 1 + CR9 1
        "early_years": (2, 3),      # R8 2;  CR4 3
        "health": (3, 0),           # R6 2 + R15 1
        "police": (4, 4),           # R5 4;  CR3 4
        "social_care": (1, 0),      # R14 1
        "foster_care": (3, 3),      # R7 3;  CR5 3
        "sport_leisure": (3, 2),    # R9 3;  CR6 2
        "transport": (2, 0),        # R12 2
        "other": (1, 0),            # R16 1
        "unlisted": (2, 0),         # R10 2
    }   # 22+2+3+4+1+3+3+2+1+2 = 43;  15+3+4+3+2 = 27.  Residential, faith and voluntary: no referrals, not listed
    education = pairs(groups(m["outcomes_by_sector"])["education"]["rows"])
    assert education == {"substantiated": (10, 6),      # R1 6 + R3 4;  CR1 6
                         "false": (0, 1),               # CR9 1
                         "malicious": (0, 0),
                         "unsubstantiated": (10, 6),    # R2 5 + R4 3 + R13 1 + X2 1;  CR2 5 + CR8 1
                         "unfounded": (0, 0), "open": (2, 2), "not_recorded": (0, 0)}   # R11 2;  CR7 2


def test_police_and_criminal(m: dict[str, Any]) -> None:
    assert pairs(m["police"]["rows"]) == {
        # R2 5 + R3 4 + R4 3 + R5 4 + R8 2 + R9 3 + R13 1 + R15 1 + X2 1;  CR1 6 + CR2 5 + CR3 4 + CR6 2 + CR7 2
        "police_involved": (24, 19),
        "s47_strategy": (8, 7),     # R3 4 + R4 3 (a strategy meeting) + R15 1;  CR2 5 + CR6 2
    }
    assert shares(m["police"]["rows"])["police_involved"] == (55.8, 70.4)     # 24/43 = 55.81; 19/27 = 70.37
    assert pairs(m["police"]["criminal"]) == {
        "convicted": (5, 2),        # R3 4 + R15 1 ('conviction');  CR6 2
        "charged": (3, 0),          # R4 3 (R2's 'not charged' does not count)
        "cautioned": (2, 0),        # R8 2
        "not_recorded": (33, 25),   # 43 - 10;  27 - 2
    }


def test_suspensions(m: dict[str, Any]) -> None:
    assert pairs(m["suspensions"]) == {
        "suspended": (19, 10),      # R1 6 + R3 4 + R8 2 + R9 3 + R12 2 + R14 1 + R15 1;  CR1 6 + CR6 2 + CR7 2
        "alternative": (9, 5),      # R2 5 + R4 3 (the latest decision) + R13 1;  CR2 5
        "not_suspended": (8, 7),    # R5 4 + R7 3 + X2 1;  CR3 4 + CR5 3
        "not_recorded": (7, 5),     # R6 2 + R10 2 + R11 2 + R16 1;  CR4 3 + CR8 1 + CR9 1
    }
    assert shares(m["suspensions"])["suspended"] == (44.2, 37.0)     # 19/43 = 44.19; 10/27 = 37.04


def test_regulators(m: dict[str, Any]) -> None:
    regulators = m["regulators"]
    assert pairs(regulators["rows"]) == {
        "dbs": (14, 8),             # R1 6 + R3 4 + R8 2 ('D.B.S.') + R12 2;  CR1 6 + CR6 2 ('Disclosure & Barring Service')
        "tra": (4, 5),              # R3 4;  CR2 5 ('Teaching Regulation Agency')
        "ofsted": (9, 3),           # C7 4 (consultations) + R7 3 + R8 2;  CR5 3
        "hcpc": (0, 0), "nmc": (1, 0), "swe": (1, 0), "gmc": (0, 0),   # R15; R14
        "other": (1, 0),            # R16
    }   # 14+4+9+1+1+1 = 30;  8+5+3 = 16
    assert shares(regulators["rows"])["dbs"] == (46.7, 50.0)     # 14/30 = 46.67; 8/16
    assert shares(regulators["rows"])["tra"] == (13.3, 31.3)     # 4/30 = 13.33; 5/16 = 31.25, half up
    assert shares(regulators["rows"])["ofsted"] == (30.0, 18.8)  # 9/30; 3/16 = 18.75, half up
    # C7 4 + R1 6 + R3 4 + R7 3 + R8 2 + R12 2 + R14 1 + R15 1 + R16 1 = 24;  CR1 6 + CR2 5 + CR5 3 + CR6 2 = 16
    assert (regulators["contacts"]["count"], regulators["contacts"]["compare_count"]) == (24, 16)
    assert regulators["contacts"]["percent"] == 12.6             # 24/190 = 12.63
    assert regulators["other_names"] == ["Westmoor Kennel Club"]


def test_disciplinary(m: dict[str, Any]) -> None:
    assert pairs(m["disciplinary"]) == {
        "dismissed": (14, 8),       # R1 6 + R3 4 + R12 2 ('terminated') + R14 1 + R15 1;  CR1 6 + CR6 2
        "resigned": (5, 3),         # R4 3 (employer's outcome) + R8 2 ('Left');  CR5 3
        "warning": (6, 6),          # R2 5 + R13 1 ('Not dismissed - given a written warning');  CR2 5 + CR8 1
        "none": (9, 5),             # R5 4 + R7 3 + R16 1 + X2 1 ('No case to answer');  CR3 4 + CR9 1
        "other": (2, 0),            # R10 2
        "not_recorded": (7, 5),     # R6 2 + R9 3 + R11 2;  CR4 3 + CR7 2
    }


def test_a_negation_ends_at_the_comma() -> None:
    # annual_measures.py's docstring (and docs/lado.md): '"not dismissed, final warning" is a warning'.
    assert disciplinary_class("not dismissed, final warning") == "warning"
    assert disciplinary_class("Not dismissed; written warning") == "warning"
    assert criminal_class("no further action, cautioned") == "cautioned"
    assert criminal_class("Police NFA, not charged") is None


def test_repeats(tracker: Any, m: dict[str, Any]) -> None:
    # 2019-20: R13 (EA3, 20 months before), X1 (CR9), X2 (X1 and CR9), X3 (EB3, exactly 3 years before).
    # Not: X4 (EC2, exactly 4 years before), X5 (CR10: same name, another date of birth).
    # 2018-19: CR8 (EB2, 2 years 2 months before).
    # Settings with 2 or more contacts: Eastbridge Primary School R11 2 + R13 1 ('eastbridge  primary school'),
    # Westmoor Leisure Centre R9 3, Priory Taxis R12 2;  Northshire Academy CR7 2 + CR8 1, Westmoor Leisure CR6 2.
    assert m["repeats"]["years"] == 3
    assert pairs(m["repeats"]["rows"]) == {
        "repeat_contacts": (4, 1),
        "repeat_referrals": (2, 1),             # R13, X2;  CR8
        "repeat_subjects": (3, 1),              # Alex Marlow, Casey Dunn, Robin Hale;  Jo Penn
        "repeat_settings": (3, 2),
        "repeat_setting_contacts": (8, 5),      # 3 + 3 + 2;  3 + 2
    }
    assert shares(m["repeats"]["rows"])["repeat_contacts"] == (2.1, 0.8)    # 4/190 = 2.11; 1/120 = 0.83
    four = tracker.annual_measures("2019-20", repeat_years=4).to_dict()["repeats"]["rows"]
    assert pairs(four)["repeat_contacts"] == (5, 1)                          # X4 too


def test_durations_and_targets(m: dict[str, Any]) -> None:
    durations = m["durations"]
    assert (durations["referrals"]["count"], durations["referrals"]["compare_count"]) == (43, 27)
    assert pairs(durations["rows"]) == {
        "within_1_month": (17, 23),     # R1 6 + R5 4 + R6 2 + R7 3 + R13 1 (exactly a month) + R16 1;  CR1 6 + CR2 5 + CR3 4 + CR4 3 + CR5 3 + CR8 1 + CR9 1
        "within_3_months": (10, 0),     # R2 5 + R8 2 + R12 2 + X2 1
        "within_12_months": (7, 0),     # R3 4 + R10 2 + R14 1
        "over_12_months": (4, 2),       # R4 3 + R15 1;  CR6 2
        "open": (5, 2),                 # R9 3 + R11 2;  CR7 2
    }
    assert [(t["key"], t["period"], t["target_percent"], t["count"], t["compare_count"], t["percent"],
             t["compare_percent"], t["met"], t["compare_met"]) for t in durations["targets"]] == [
        ("within_1_month", "1 month", 80, 17, 23, 39.5, 85.2, False, True),       # 17/43 = 39.53; 23/27 = 85.19
        ("within_3_months", "3 months", 90, 27, 23, 62.8, 85.2, False, False),    # 17+10 = 27, 27/43 = 62.79
        ("within_12_months", "12 months", 100, 34, 23, 79.1, 85.2, False, False),  # 27+7 = 34, 34/43 = 79.07
    ]
    # false, malicious or unfounded: R5 4 (5 days) + R6 2 (20 days, late) + R7 3 (6 days) + R16 1 (exactly 7 days);
    # CR3 4 (5 days) + CR4 3 (12, late) + CR5 3 (10, late) + CR9 1 (4 days)
    assert durations["no_basis"] == {"key": "no_basis_within_1_week", "period": "1 week", "cases": 10,
                                     "compare_cases": 11, "count": 8, "compare_count": 5, "percent": 80.0,
                                     "compare_percent": 45.5}                  # 8/10; 5/11 = 45.45


def test_open_at_year_end(m: dict[str, Any]) -> None:
    # 31/03/2020: E9 2, N1 1, R11 2 (received in March); C9 2 (31/12/2019: exactly 3 months, 01/01/2020); R4 3 (April-May 2019, closed 400 days
    # later), R9 3 (October-November), R15 1 (May 2019, closed 500 days later); CR7 2, EA4 2 (never closed).
    # 31/03/2019: CR6 2 (April-May 2018, closed 400 days later), CR7 2 (October 2018); EA4 2 (January 2018).
    opened = m["open_at_year_end"]
    assert (opened["date"], opened["compare_date"]) == ("2020-03-31", "2019-03-31")
    assert (opened["total"]["count"], opened["total"]["compare_count"]) == (18, 6)   # 2+1+2+2+3+3+1+2+2; 2+2+2
    assert pairs(opened["by_age"]) == {
        "under_1_month": (5, 0),        # E9 2 + N1 1 + R11 2
        "1_to_3_months": (1, 0),        # C9's second
        "3_to_12_months": (8, 4),       # C9's first (exactly 3 months) + R4 3 + R9 3 + R15 1;  CR6 2 + CR7 2
        "over_12_months": (4, 2),       # CR7 2 + EA4 2;  EA4 2
    }
    assert shares(opened["by_age"])["under_1_month"] == (27.8, 0.0)    # 5/18 = 27.78
    assert pairs(opened["by_category"]) == {
        "enquiry": (2, 0), "consultation": (2, 0),                      # E9; C9
        "referral": (13, 6),            # R4 3 + R9 3 + R11 2 + R15 1 + CR7 2 + EA4 2;  CR6 2 + CR7 2 + EA4 2
        "not_recorded": (1, 0),         # N1
    }


def test_rate_and_trend(m: dict[str, Any]) -> None:
    rate = m["rate_per_10000"]
    assert (rate["population"], rate["compare_population"]) == (52000, 51000)
    assert [(r["key"], r["rate"], r["compare_rate"]) for r in rate["rows"]] == [
        ("contacts", 36.5, 23.5),       # 190 x 10,000 / 52,000 = 36.54; 120 x 10,000 / 51,000 = 23.53
        ("referrals", 8.3, 5.3),        # 43 ... = 8.27 (up); 27 ... = 5.29 (up)
    ]
    assert m["trend"] == [
        {"year": "2015-16", "contacts": 11, "referrals": 0},    # EC1 10 + EC2 1 (ED1 is 2014-15: six years back)
        {"year": "2016-17", "contacts": 20, "referrals": 3},    # EB1 15 + EB2 1 + EB3 1 + EB4 3; EB4
        {"year": "2017-18", "contacts": 31, "referrals": 11},   # EA1 20 + EA2 8 + EA3 1 + EA4 2; 8 + 1 + 2
        {"year": "2018-19", "contacts": 120, "referrals": 27},
        {"year": "2019-20", "contacts": 190, "referrals": 43},
    ]


def test_reconciliation(m: dict[str, Any]) -> None:
    notes = m["reconciliation"]
    for text in ("2019-20: 1 contact(s) have no category yet",                             # N1
                 "2019-20: 61 contact(s) have no harm category recorded",
                 "2019-20: 6 contact(s) have an agency that is not in the list",            # E6 4 + R10 2
                 "2019-20: 14 contact(s) have no referrer organisation recorded",
                 "2019-20: 6 contact(s) have a referrer organisation that names no agency",  # C7 4 + R10 2
                 "2019-20: 2 of 43 referral(s) have no threshold limb recorded",
                 "2019-20: criminal outcomes are not recorded as such: 10 of 43 referral(s)",
                 "2019-20: 4 contact(s) that are not referrals record police involvement",   # E8 4
                 "2019-20: 7 of 43 referral(s) have no suspension decision recorded",
                 "2019-20: 7 of 43 referral(s) have no disciplinary or employer's outcome recorded",
                 "2019-20: 4 contact(s) with a DBS or regulator referral are not referrals",  # C7 4
                 "2019-20: 1 regulator referral(s) name a body not recognised",
                 "2019-20: 25 contact(s) have no subject name or no date of birth",          # E1 24 + N1 1
                 "2018-19: 5 of 27 referral(s) have no suspension decision recorded"):
        assert any(text in n for n in notes), text
    assert not any("no child population" in n or "is not over" in n for n in notes)


def test_board_table(tracker: Any) -> None:
    s = tracker.lado_statistics("2019-20")
    assert (s.total_contacts, s.compare_total, s.change_percent) == (190, 120, 58.3)
    assert s.by_category == {"enquiry": 80, "consultation": 66, "referral": 43}
    assert (s.referral_percent, s.escalated) == (22.6, 1)                      # X2 escalated
    assert s.outcomes == {"substantiated": 16, "false": 5, "malicious": 2, "unsubstantiated": 12, "unfounded": 3,
                          "open": 5}
    # every contact of the year: within a month, enquiries E1-E8 76 + X3 1 + X4 1 = 78, consultations C1 20 + C2 10
    # + C5 6 + C6 5 + C7 4 + C8 3 + X1 1 + X5 1 = 50, referrals 17: 145; within 3 months C3 8 + C4 6 + referrals 10
    # = 24; 12 months: referrals 7; over: 4; open: E9 2 + C9 2 + referrals 5 + N1 1 = 10.
    assert s.timescales == {"within_1_month": 145, "within_3_months": 24, "within_12_months": 7,
                            "over_12_months": 4, "open": 10}
    rows = {r.agency: (r.count, r.compare_count) for r in s.by_agency}
    assert rows[PRIMARY] == (62, 49) and rows[SECONDARY] == (33, 26) and rows[MFT] == (10, 6)
    compare = tracker.lado_statistics("2018-19")
    assert (compare.total_contacts, compare.compare_total, compare.change_percent) == (120, 31, 287.1)   # 89/31
    assert compare.by_category == {"enquiry": 53, "consultation": 40, "referral": 27}
    assert compare.outcomes == {"substantiated": 8, "false": 5, "malicious": 3, "unsubstantiated": 6,
                                "unfounded": 3, "open": 2}
    # within a month: enquiries 53, consultations CC1 18 + CC2 8 + CC4 4 + CC5 4 = 34, referrals 23: 110;
    # 3 months: CC3 6; over 12 months CR6 2; open CR7 2.
    assert compare.timescales == {"within_1_month": 110, "within_3_months": 6, "within_12_months": 0,
                                  "over_12_months": 2, "open": 2}


# --- the rendered report ---------------------------------------------------------------------------------------

def test_markdown_and_html_carry_the_figures(tracker: Any) -> None:
    md = tracker.report_lado_annual("2019-20", None, "md")
    html = tracker.report_lado_annual("2019-20", None, "html")
    # the 1-month row of the targets table: expected 80%, 17 = 39.5% (not met), 23 = 85.2% (met)
    assert "| 1 month | 80 | 17 | 39.5 | no | 23 | 85.2 | yes |" in md
    assert ('<tr><td>1 month</td><td class="n">80</td><td class="n">17</td><td class="n">39.5</td>'
            '<td class="n">no</td><td class="n">23</td><td class="n">85.2</td><td class="n">yes</td></tr>') in html
    # the education subtotal of the sectors: 97 = 51.1%, 75 = 62.5%
    assert "| **Education** | **97** | **51.1** | **75** | **62.5** |" in md
    assert ('<tr class="total"><td>Education</td><td class="n">97</td><td class="n">51.1</td><td class="n">75</td>'
            '<td class="n">62.5</td></tr>') in html
    # the rate per 10,000 children
    assert "| Contacts | 36.5 | 23.5 |" in md
    assert '<tr><td>Contacts</td><td class="n">36.5</td><td class="n">23.5</td></tr>' in html
    assert "Of the 43 referrals, 39.5% were resolved within 1 month (expected 80%)" in md


def test_word_carries_the_figures(tracker: Any) -> None:
    text = docx_text(tracker.report_lado_annual("2019-20", None, "docx"))     # one table cell a line
    assert "\n1 month\n80\n17\n39.5\nno\n23\n85.2\nyes\n" in text
    assert "\nEducation\n97\n51.1\n75\n62.5\n" in text
    assert "\nContacts\n36.5\n23.5\n" in text
    assert "Child population 52,000" in text


@pytest.fixture(scope="module")
def csv_rows(tracker: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(tracker.report_lado_annual("2019-20", None, "csv"))))


def test_csv_has_the_measure_rows(csv_rows: list[list[str]]) -> None:
    for row in (["contacts", "total", "190", "120"], ["by_sector", "Education", "97", "75"],
                ["by_sector", PRIMARY, "62", "49"], ["by_source", "Police and justice", "22", "10"],
                ["threshold", "Harmed or may have harmed a child", "28", "16"],
                ["suspensions", "Suspended", "19", "10"], ["regulators", "DBS", "14", "8"],
                ["disciplinary", "Dismissed", "14", "8"], ["repeats", "Repeat subjects (people)", "3", "1"],
                ["durations", "Within 1 month", "17", "23"], ["targets", "1 month", "17", "23"],
                ["open_at_year_end", "3 to 12 months", "8", "4"], ["rate_per_10000", "Contacts", "36.5", "23.5"]):
        assert row in csv_rows, row


def test_csv_trend_rows_carry_their_figures(csv_rows: list[list[str]]) -> None:
    # The long form: one row per year and column, the figure where the year's figures go.
    assert ["trend", "2019/20 contacts", "190", ""] in csv_rows
    assert ["trend", "2019/20 referrals", "43", ""] in csv_rows
