"""Write three invented councils' LADO logs, agency lists and action plans, each in its own words.

    python tests/data/councils/make_councils.py [FOLDER]     # default: this file's folder

Deterministic: each council has its own seeded ``random.Random`` and nothing reads the clock, so
running it again writes the same bytes (the .xlsx's cell values are the same; its zip entries carry
timestamps).  Every name is invented and obviously fake ("Alex Teststaff"); the councils and their
settings are invented places.  What each file holds, and its quirks, is in README.md beside it.

The logs follow the tracker's rules wherever the council recorded the step (a referral closes with
one of the five allegation outcomes, a consultation once the employer's report is in, an enquiry
with advice), and leave steps out only on rows before the council's historic date, as old logs do.
"""

from __future__ import annotations

import csv
import io
import random
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable, Optional, Sequence

HERE = Path(__file__).resolve().parent

FIRST = ("Alex", "Sam", "Jo", "Chris", "Robin", "Jamie", "Charlie", "Pat", "Taylor", "Jordan", "Morgan", "Casey",
         "Drew", "Frankie", "Kit", "Lee", "Nicky", "Ashley", "Billie", "Dani")
LAST = ("Teststaff", "Fakename", "Sampleton", "Exampleby", "Dummyson", "Notreal", "Madeupson", "Testcase",
        "Placeholder", "Mockley", "Fixturely", "Stubbins")
OFFICERS = ("Jo Testofficer", "Sam Ladoexample", "Kit Casemock")
PLACES = ("Fernhollow", "Brackenmoor", "Quillby", "Stonemere", "Ashcombe Vale", "Littlewick")
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

OUTCOMES_OF_ALLEGATION = ("substantiated", "unsubstantiated", "unfounded", "false", "malicious")


@dataclass
class Case:
    """One LADO contact in neutral terms; each council writes it in its own words."""
    number: int                 # within the log, in date order, from 1
    received: date
    historic: bool
    category: Optional[str]     # enquiry / consultation / referral, or None (not recorded)
    harm: Optional[str]         # physical / sexual / emotional / neglect / suitability / online, or None
    sector: int                 # index into the council's sector list
    role: str
    named: bool
    police: Optional[bool]
    report: Optional[date]      # the employer's report received
    closed: Optional[date]
    outcome: Optional[str]      # one of the seven outcome keys, or None


@dataclass
class Council:
    name: str
    seed: int
    rows: int
    first: date
    last: date
    snapshot: date              # the day the log was saved: nothing later is recorded
    historic_before: date
    sectors: Sequence[tuple[str, int, Sequence[str]]]   # their word, weight, job titles
    blank_category_share: float   # of historic rows


def pick(rng: random.Random, weighted: Sequence[tuple[str, int]]) -> str:
    return rng.choices([k for k, _ in weighted], [w for _, w in weighted])[0]


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def make_cases(c: Council) -> list[Case]:
    rng = random.Random(c.seed)
    span = (c.last - c.first).days
    days = sorted(c.first + timedelta(days=rng.randrange(span + 1)) for _ in range(c.rows))
    cases = []
    for number, received in enumerate(days, 1):
        historic = received < c.historic_before
        category: Optional[str] = pick(rng, (("enquiry", 35), ("consultation", 45), ("referral", 20)))
        if historic and rng.random() < c.blank_category_share:
            category = None
        sector = rng.choices(range(len(c.sectors)), [w for _, w, _ in c.sectors])[0]
        role = rng.choice(c.sectors[sector][2])
        harm: Optional[str] = pick(rng, (("physical", 35), ("sexual", 20), ("emotional", 15), ("neglect", 8),
                                         ("suitability", 15), ("online", 7)))
        if (category == "enquiry" and rng.random() < 0.3) or (historic and rng.random() < 0.3):
            harm = None
        police: Optional[bool] = {"referral": rng.random() < 0.55, "consultation": rng.random() < 0.1,
                                  "enquiry": False, None: None}[category]
        if historic and rng.random() < 0.5:
            police = None
        named = category == "referral" or rng.random() < (0.7 if category == "consultation" else 0.3)
        report: Optional[date] = None
        outcome: Optional[str] = None
        if historic:
            # Old rows were closed without the employer's report date; the outcome often went unrecorded.
            closed: Optional[date] = received + timedelta(days=rng.randrange(1, 120))
            if rng.random() < 0.5:
                outcome = {"enquiry": None, None: rng.choice(OUTCOMES_OF_ALLEGATION + ("no_further_action",)),
                           "consultation": rng.choice(("no_further_action", "unsubstantiated", "unfounded")),
                           "referral": rng.choice(OUTCOMES_OF_ALLEGATION)}[category]
        elif category == "enquiry":
            closed = received + timedelta(days=rng.randrange(0, 4))
            outcome = "advice_given"
        elif category == "consultation":
            report = received + timedelta(days=rng.randrange(14, 71))
            closed = report + timedelta(days=rng.randrange(0, 11))
            outcome = pick(rng, (("no_further_action", 55), ("unsubstantiated", 15), ("unfounded", 15),
                                 ("substantiated", 10), ("false", 5)))
        else:
            closed = received + timedelta(days=rng.randrange(10, 251))
            outcome = pick(rng, (("substantiated", 30), ("unsubstantiated", 25), ("unfounded", 20), ("false", 15),
                                 ("malicious", 10)))
            if rng.random() < 0.4:
                report = received + timedelta(days=rng.randrange(7, (closed - received).days + 1))
        if not historic and (closed is not None and (closed > c.snapshot or rng.random() < 0.03)):
            closed, outcome = None, None            # still open when the log was saved
            if report is not None and report > c.snapshot:
                report = None
        cases.append(Case(number, received, historic, category, harm, sector, role, named, police, report,
                          closed, outcome))
    return cases


def uk(d: Optional[date]) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def long_date(d: date) -> str:
    """31 March 2019, as Eastbridge's plans write a date."""
    return f"{d.day} {MONTH_NAMES[d.month - 1]} {d.year}"


def short(d: Optional[date]) -> str:
    """05-Apr-18, as Westmoor's log writes a date (English month names whatever the machine's locale)."""
    return f"{d.day:02d}-{MONTHS[d.month - 1]}-{d.year % 100:02d}" if d else ""


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]], *, encoding: str = "utf-8",
              bom: bytes = b"", delimiter: str = ",") -> None:
    """A CSV as Excel saves it: CRLF row ends, minimal quoting (a line break inside a cell stays LF)."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(bom + buf.getvalue().encode(encoding))


VOCAB_HEADER = ("name", "group", "aliases", "retired")


def write_vocab(path: Path, entries: Sequence[tuple[str, str, Sequence[str], bool]]) -> None:
    """A vocabulary in the export format: name,group,aliases,retired (aliases joined by ' | ')."""
    write_csv(path, VOCAB_HEADER, [(n, g, " | ".join(a), "yes" if r else "") for n, g, a, r in entries])


# --- Northshire: UTF-8 CSV with BOM, dd/mm/yyyy, references B16-0001 ---------------------------------------

NORTHSHIRE = Council(
    name="northshire", seed=1416, rows=360, first=date(2014, 4, 1), last=date(2019, 3, 31),
    snapshot=date(2019, 4, 12), historic_before=date(2016, 4, 1), blank_category_share=0.45,
    sectors=(("Education", 45, ("Teacher", "Teaching assistant", "Head teacher", "Lunchtime supervisor",
                                "Learning mentor")),
             ("Early Years", 12, ("Nursery practitioner", "Childminder", "Nursery manager")),
             ("Health", 8, ("Nurse", "Health care assistant", "Paediatric physiotherapist")),
             ("Residential care", 8, ("Residential support worker", "Home manager")),
             ("Foster care", 9, ("Foster carer",)),
             ("Faith", 3, ("Youth leader", "Volunteer")),
             ("Sport", 5, ("Football coach", "Swimming instructor")),
             ("Transport", 4, ("Taxi driver", "Passenger assistant")),
             ("Voluntary", 3, ("Volunteer", "Youth worker")),
             ("Police", 3, ("Police officer", "PCSO"))))

N_CATEGORY = {"enquiry": "Advice request", "consultation": "Consultation", "referral": "Referral", None: ""}
N_OUTCOME = {"substantiated": "Founded", "unfounded": "Unfounded", "malicious": "Unfounded - malicious",
             "false": "False", "unsubstantiated": "Unsubstantiated", "no_further_action": "NFA - returned to employer",
             "advice_given": "", None: ""}
N_REFERRERS = ("Police", "School", "Parent", "Ofsted", "Health visitor", "Social worker", "Employer",
               "Anonymous", "Self-referral")
N_NOTES = ("", "", "", "Employer informed", "Chased employer, no reply yet", "Advice given by phone",
           'Parent says "it happened twice", school disputes', "JEM held; strategy to follow",
           "Discussed with DO\nFollow up next week", "Ofsted notified, café staff spoken to",
           "Historic concern raised again \u2013 see earlier log", "Costs of supply cover: \u00a3120 a day",
           "Notes held on paper file, box 3", "- chased employer again")


def northshire(folder: Path) -> int:
    c = NORTHSHIRE
    rng = random.Random(c.seed + 1)
    header = ("LADO Ref", "Date of referral", "Referring agency", "Employment sector", "Job title",
              "Allegation type", "Contact type", "Police involvement", "Outcome", "Employer report received",
              "Date closed", "Team notes")
    rows = []
    counters: dict[int, int] = {}
    for case in make_cases(c):
        fy = case.received.year if case.received.month >= 4 else case.received.year - 1
        counters[fy] = counters.get(fy, 0) + 1
        harm = {"suitability": rng.choice(("Conduct outside work", "Transferable risk")), "online": "Online",
                None: ""}.get(case.harm, (case.harm or "").capitalize())
        outcome = N_OUTCOME[case.outcome]
        if not case.historic and case.closed is None and rng.random() < 0.5:
            outcome = "Ongoing"
        police = "" if case.police is None else ("Y" if case.police else "N")
        rows.append((f"B{fy % 100:02d}-{counters[fy]:04d}", uk(case.received), rng.choice(N_REFERRERS),
                     c.sectors[case.sector][0], case.role, harm, N_CATEGORY[case.category], police, outcome,
                     uk(case.report), uk(case.closed), rng.choice(N_NOTES)))
    write_csv(folder / "northshire-lado-log.csv", header, rows, encoding="utf-8", bom=b"\xef\xbb\xbf")
    agencies = [
        ("Education", "education", ("Schools", "Northshire Schools"), False),
        ("Early Years", "early_years", ("Nursery", "Childminder", "Pre-school"), False),
        ("Health", "health", ("NHS", "Northshire NHS Trust"), False),
        ("Residential care", "residential_care", ("Children's homes", "Residential"), False),
        ("Foster care", "foster_care", ("Fostering", "Foster carers"), False),
        ("Faith", "faith", ("Church", "Faith groups"), False),
        ("Sport", "sport_leisure", ("Sports", "Sports clubs", "Leisure"), False),
        ("Transport", "transport", ("Taxi", "School transport"), False),
        ("Voluntary", "voluntary", ("Voluntary sector", "Charity"), False),
        ("Police", "police", ("Northshire Police", "Northshire Constabulary"), False),
        ("Probation", "police", ("Probation Service",), False),
        ("Children's Social Care", "social_care", ("CSC", "Northshire Children's Services"), False),
        ("Northshire CCG", "health", ("CCG",), True),
        ("Other", "other", (), False),
    ]
    write_vocab(folder / "northshire-agencies.csv", agencies)
    write_vocab(folder / "northshire-partners.csv", agencies + [
        ("Northshire Safeguarding Children Partnership", "", ("LSCP", "NSCP", "the Partnership"), False)])
    plan(folder, "northshire", rng, uk,
         reviews=(("Child Heron", "Serious Case Review", date(2017, 11, 20)),
                  ("Siblings Kestrel", "Learning Lessons Review", date(2018, 6, 4))),
         review_header=("Review", "Type", "Published"),
         header=("Review", "Rec No", "Recommendation", "Action", "Lead agency", "Lead officer", "Target date",
                 "RAG", "Progress", "Status", "Date completed"),
         leads=("Northshire Police", "Health", "LSCP", "Education", "CSC", "Early Years"),
         statuses={"not_started": "Not started", "in_progress": "In progress", "complete": "Complete"},
         rag={"not_started": "Red", "in_progress": "Amber", "complete": "Green"})
    return len(rows)


# --- Eastbridge: an .xlsx workbook, Excel serial numbers, references LADO/2017/123 --------------------------

EASTBRIDGE = Council(
    name="eastbridge", seed=1517, rows=330, first=date(2015, 1, 5), last=date(2019, 12, 20),
    snapshot=date(2020, 1, 31), historic_before=date(2016, 1, 1), blank_category_share=0.35,
    sectors=(("Academy", 22, ("Teacher", "Teaching assistant", "PE teacher")),
             ("Maintained school", 18, ("Teacher", "Head teacher", "Midday supervisor")),
             ("Independent school", 4, ("Boarding house parent", "Teacher")),
             ("Special school", 5, ("Teaching assistant", "Care assistant")),
             ("Childminder", 5, ("Childminder",)),
             ("Nursery", 8, ("Nursery nurse", "Nursery manager")),
             ("NHS Trust", 6, ("Nurse", "Doctor", "Porter")),
             ("GP", 2, ("GP", "Practice nurse")),
             ("Police", 3, ("Police officer",)),
             ("Childrens home", 7, ("Residential care worker", "Deputy manager")),
             ("Fostering agency", 5, ("Foster carer",)),
             ("Foster carer (LA)", 4, ("Foster carer",)),
             ("Church", 2, ("Youth leader", "Choir master")),
             ("Football club", 3, ("Coach",)),
             ("Taxi firm", 3, ("Driver", "Escort")),
             ("Charity", 2, ("Volunteer",)),
             ("Supply agency", 1, ("Supply teacher",))))

E_CATEGORY = {"enquiry": "Advice", "consultation": "Consultation", "referral": "Allegation", None: ""}
E_HARM = {"physical": "Physical harm", "sexual": "Sexual harm", "emotional": "Emotional harm", "neglect": "Neglect",
          "suitability": "Behaviour outside work", "online": "Behaviour outside work", None: ""}
E_OUTCOME = {"substantiated": "Substantiated", "unsubstantiated": "Unsubstantiated", "unfounded": "Unfounded",
             "false": "False", "malicious": "Malicious", "no_further_action": "No further action",
             "advice_given": "Advice given", None: ""}
E_HEADER = ("Ref", "Date Received", "Organisation type", "Name of adult", "Role", "Category of harm",
            "Type of contact", "Outcome of investigation", "Employer outcome received", "Closed", "DBS referral")
EXCEL_EPOCH = date(1899, 12, 30)


def eastbridge_rows() -> list[tuple[object, ...]]:
    """The data sheet's rows below the header: dates as datetimes, or Excel serial numbers (ints)."""
    c = EASTBRIDGE
    rng = random.Random(c.seed + 1)
    rows: list[tuple[object, ...]] = []
    counters: dict[int, int] = {}
    for case in make_cases(c):
        counters[case.received.year] = counters.get(case.received.year, 0) + 1
        received: object = datetime.combine(case.received, datetime.min.time())
        if rng.random() < 0.3:
            received = (case.received - EXCEL_EPOCH).days     # typed as a number, as pasted from another sheet
        outcome = E_OUTCOME[case.outcome]
        if case.outcome == "advice_given" and rng.random() < 0.5:
            outcome = ""
        dbs = "" if case.historic and rng.random() < 0.5 else \
            ("Yes" if case.outcome == "substantiated" and case.category == "referral" and rng.random() < 0.5 else "No")

        def when(d: Optional[date]) -> object:
            return datetime.combine(d, datetime.min.time()) if d else None

        rows.append((f"LADO/{case.received.year}/{counters[case.received.year]}", received,
                     c.sectors[case.sector][0], person(rng) if case.named else None, case.role, E_HARM[case.harm] or None,
                     E_CATEGORY[case.category] or None, outcome or None, when(case.report), when(case.closed), dbs or None))
    return rows


def eastbridge(folder: Path) -> int:
    from openpyxl import Workbook  # type: ignore[import-untyped]
    rows = eastbridge_rows()
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "LADO log 2015-2019"
    ws.append(E_HEADER)
    for row in rows:
        ws.append(row)
    for cells in ws.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, datetime):
                cell.number_format = "dd/mm/yyyy"
    notes = wb.create_sheet("Notes")
    for line in (("Eastbridge LADO log: notes for staff",), ("Advice", "an advice call; no further LADO involvement"),
                 ("Consultation", "employer investigates and sends us its outcome"),
                 ("Allegation", "meets the threshold; strategy meeting held"),
                 ("Rows before 2016 were typed up from the old paper log.",)):
        notes.append(line)
    stamp = datetime(2020, 1, 31, 9, 0, 0)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "Eastbridge LADO service (invented)"
    wb.save(folder / "eastbridge-lado-log.xlsx")
    rng = random.Random(EASTBRIDGE.seed + 2)
    agencies = [
        ("Academy", "education", ("Academies", "Academy trust"), False),
        ("Maintained school", "education", ("LA school", "Community school"), False),
        ("Independent school", "education", ("Private school",), False),
        ("Special school", "education", (), False),
        ("Childminder", "early_years", ("Childminders",), False),
        ("Nursery", "early_years", ("Pre-school", "Day nursery"), False),
        ("Sure Start centre", "early_years", ("Children's centre",), True),
        ("NHS Trust", "health", ("Eastbridge Hospitals NHS Trust", "Hospital", "Health"), False),
        ("GP", "health", ("GP surgery",), False),
        ("Police", "police", ("Eastbridge Police", "Eastbridge Constabulary"), False),
        ("Eastbridge Children's Services", "social_care", ("ECS", "Children's social care"), False),
        ("Childrens home", "residential_care", ("Children's home", "Residential home"), False),
        ("Fostering agency", "foster_care", ("IFA", "Independent fostering agency"), False),
        ("Foster carer (LA)", "foster_care", ("LA foster carer", "Eastbridge foster carer"), False),
        ("Church", "faith", ("Faith group",), False),
        ("Football club", "sport_leisure", ("Sports club",), False),
        ("Taxi firm", "transport", ("Taxi",), False),
        ("Charity", "voluntary", ("Voluntary",), False),
        ("Supply agency", "other", ("Recruitment agency",), False),
        ("Other", "other", (), False),
    ]
    write_vocab(folder / "eastbridge-agencies.csv", agencies)
    write_vocab(folder / "eastbridge-partners.csv", agencies + [
        ("Eastbridge Safeguarding Children Partnership", "", ("ESCP", "the Partnership", "ESCB",
                                                             "Eastbridge Safeguarding Children Board"), False)])
    plan(folder, "eastbridge", rng, long_date,
         reviews=(("Child Wren", "Local Child Safeguarding Practice Review", date(2019, 9, 16)),
                  ("Family Osprey", "Serious Case Review", date(2018, 3, 12))),
         review_header=("Case review", "Review type", "Publication date"),
         header=("Case review", "Recommendation number", "Recommendation", "Action to be taken",
                 "Agency responsible", "Responsible officer", "Due by", "RAG rating", "Update", "Status",
                 "Completion date"),
         leads=("Eastbridge Police", "NHS Trust", "ESCP", "ECS", "Academy", "Eastbridge Constabulary"),
         statuses={"not_started": "Open", "in_progress": "Ongoing", "complete": "Completed"},
         rag={"not_started": "R", "in_progress": "A", "complete": "G"})
    return len(rows)


# --- Westmoor: Excel "Unicode text" (UTF-16 LE, tabs), dates 05-Apr-18, references WM/0451 ------------------

WESTMOOR = Council(
    name="westmoor", seed=1618, rows=310, first=date(2015, 4, 1), last=date(2018, 12, 31),
    snapshot=date(2019, 1, 31), historic_before=date(2017, 1, 1), blank_category_share=0.3,
    sectors=(("Education", 40, ("Teacher", "Teaching assistant", "Site manager")),
             ("Early years", 10, ("Nursery assistant", "Childminder")),
             ("Health", 8, ("Nurse", "Health visitor")),
             ("Social care", 5, ("Social worker", "Family support worker")),
             ("Police", 3, ("Police officer",)),
             ("Faith", 3, ("Youth leader",)),
             ("Sports", 6, ("Coach", "Lifeguard")),
             ("Transport", 4, ("Taxi driver",)),
             ("Voluntary sector", 4, ("Volunteer", "Scout leader")),
             ("Residential", 7, ("Residential worker",)),
             ("Fostering", 7, ("Foster carer",)),
             ("Other", 2, ("Ice cream van driver", "Photographer")),
             ("Not known", 1, ("Not known",))))

W_CATEGORY = {"enquiry": "Enquiry", "consultation": "Consultation", "referral": "Allegation", None: ""}
W_HARM = {"physical": "Physical abuse", "sexual": "Sexual abuse", "emotional": "Emotional abuse", "neglect": "Neglect",
          "suitability": "Transferable risk", "online": "Online", None: ""}
W_OUTCOME = {"substantiated": "Proven", "unsubstantiated": "Not proven", "unfounded": "Unfounded",
             "malicious": "Malicious", "false": "False", "no_further_action": "NFA", "advice_given": "Advice given",
             None: ""}
W_SETTINGS = {"Education": ("Primary School", "Academy", "High School", "Infant School"),
              "Early years": ("Day Nursery", "Pre-school", "Childminding"),
              "Health": ("Community Health", "Hospital"), "Social care": ("Children's Services",),
              "Police": ("Police",), "Faith": ("Chapel", "Church"), "Sports": ("Football Club", "Swimming Club"),
              "Transport": ("Taxis", "Coaches"), "Voluntary sector": ("Scouts", "Youth Club"),
              "Residential": ("Children's Home",), "Fostering": ("Fostering Service",),
              "Other": ("Events Ltd", "Photography"), "Not known": ("",)}


def westmoor(folder: Path) -> int:
    c = WESTMOOR
    rng = random.Random(c.seed + 1)
    header = ("Case No", "Date of contact", "Sector", "Employer", "Nature of concern", "Category", "Police Y/N",
              "Result", "Employer report received", "Date of outcome", "Officer")
    rows = []
    for case in make_cases(c):
        sector = c.sectors[case.sector][0]
        setting = rng.choice(W_SETTINGS[sector])
        employer = f"{rng.choice(PLACES)} {setting}" if setting else ""
        police = "" if case.police is None else ("Y" if case.police else "N")
        rows.append((f"WM/{300 + case.number:04d}", short(case.received), sector, employer, W_HARM[case.harm],
                     W_CATEGORY[case.category], police, W_OUTCOME[case.outcome], short(case.report),
                     short(case.closed), rng.choice(OFFICERS)))
    write_csv(folder / "westmoor-lado-log.txt", header, rows, encoding="utf-16-le", bom=b"\xff\xfe", delimiter="\t")
    agencies = [
        ("Education", "education", ("Schools",), False),
        ("Early years", "early_years", ("Nurseries",), False),
        ("Health", "health", ("NHS",), False),
        ("Social care", "social_care", ("Westmoor Children's Services", "CSC"), False),
        ("Police", "police", ("Westmoor Police",), False),
        ("Youth Offending Team", "police", ("YOT",), True),
        ("Faith", "faith", ("Faith groups",), False),
        ("Sports", "sport_leisure", ("Sport", "Leisure"), False),
        ("Transport", "transport", ("Taxis",), False),
        ("Voluntary sector", "voluntary", ("Voluntary", "Charity"), False),
        ("Residential", "residential_care", ("Children's homes",), False),
        ("Fostering", "foster_care", ("Foster carers",), False),
        ("Other", "other", (), False),
        ("Not known", "other", ("Unknown",), False),
    ]
    write_vocab(folder / "westmoor-agencies.csv", agencies)
    write_vocab(folder / "westmoor-partners.csv", agencies + [
        ("Westmoor Safeguarding Children Partnership", "", ("WSCP", "LSCP", "the Partnership"), False)])
    plan(folder, "westmoor", rng, short,
         reviews=(("Child Plover", "Rapid Review", date(2018, 2, 9)),
                  ("Young Person Linnet", "Multi agency case file audit", date(2018, 10, 1))),
         review_header=("Learning review", "Kind", "Date published"),
         header=("Learning review", "Rec", "Recommendation wording", "Action", "Owner agency", "Owner",
                 "Deadline", "RAG", "Progress to date", "Progress status", "Date completed"),
         leads=("Westmoor Police", "Health", "WSCP", "Social care", "Education", "LSCP"),
         statuses={"not_started": "Not yet started", "in_progress": "Started", "complete": "Done"},
         rag={"not_started": "Red", "in_progress": "Amber", "complete": "Green"})
    return len(rows)


# --- the board (Medway): an action plan in the words the board's partners write -----------------------------

def medway(folder: Path) -> None:
    rng = random.Random(1718)
    plan(folder, "medway", rng, uk,
         reviews=(("Child Teal", "Learning Lessons Review", date(2018, 1, 22)),),
         review_header=("Review", "Type", "Published"),
         header=("Review", "Rec No", "Recommendation", "Action", "Lead agency", "Lead officer", "Target date",
                 "RAG", "Progress", "Status", "Date completed"),
         leads=("Kent Police", "Medway CCG", "MSCB", "MFT", "Medway Children's Social Care", "PRU"),
         statuses={"not_started": "Not started", "in_progress": "In progress", "complete": "Complete"},
         rag={"not_started": "Red", "in_progress": "Amber", "complete": "Green"})


# --- action plans: reviews and their actions, in the council's headings --------------------------------------

RECOMMENDATIONS = (
    "Partners should check that staff know how to contact the LADO and when.",
    "Safer recruitment training should be refreshed for every school governor.",
    "Agencies should record the reasons for any decision not to refer to the LADO.",
    "Information about allegations should be shared with the employer within one working day.",
    "Supervision should include a discussion of professional boundaries.",
)
ACTIONS = (
    "Audit a sample of {n} files and report to the sub group",
    "Deliver briefing sessions to front-line staff",
    "Update the single-agency policy, with a flowchart",
    "Add the LADO's details to the staff induction pack",
    "Report progress to the partnership's executive",
    "Review training attendance, and chase those who missed it",
)
PROGRESS = ("", "Briefings booked for the spring term", 'Policy drafted; "final" version to the board next month',
            "Audit complete, report written", "Delayed: staff changes, new date agreed")


def plan(folder: Path, council: str, rng: random.Random, write_date: Callable[[date], str], *,
         reviews: Sequence[tuple[str, str, date]], review_header: Sequence[str], header: Sequence[str],
         leads: Sequence[str], statuses: dict[str, str], rag: dict[str, str]) -> None:
    """``<council>-reviews.csv`` (the reviews the plan's actions belong to) and ``<council>-action-plan.csv``."""
    write_csv(folder / f"{council}-reviews.csv", review_header,
              [(name, kind, write_date(published)) for name, kind, published in reviews])
    rows = []
    for name, _, published in reviews:
        for rec, text in enumerate(rng.sample(RECOMMENDATIONS, rng.randrange(3, 5)), 1):
            for i, action in enumerate(rng.sample(ACTIONS, rng.randrange(1, 4))):
                status = rng.choice(("not_started", "in_progress", "complete"))
                due = published + timedelta(days=rng.randrange(60, 240))
                done = published + timedelta(days=rng.randrange(20, 200)) if status == "complete" else None
                rows.append((name, str(rec), text if i == 0 else "", action.format(n=rng.randrange(5, 30)),
                             rng.choice(leads), person(rng), write_date(due), rag[status],
                             rng.choice(PROGRESS), statuses[status], write_date(done) if done else ""))
    write_csv(folder / f"{council}-action-plan.csv", header, rows)


def main(argv: Sequence[str] = ()) -> dict[str, int]:
    """Write every file into the folder named (default: this file's folder); the logs' row counts."""
    folder = Path(argv[0]) if argv else HERE
    folder.mkdir(parents=True, exist_ok=True)
    counts = {"northshire": northshire(folder), "eastbridge": eastbridge(folder), "westmoor": westmoor(folder)}
    medway(folder)
    return counts


if __name__ == "__main__":
    for council, n in main(sys.argv[1:]).items():
        print(f"{council}: {n} rows")
