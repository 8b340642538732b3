"""Every measure of the LADO annual report (``lado.annual_measures``) on a hand-made store.

The fixture below is small enough to count by hand: every expected number in these tests was
counted from the fixture's definition (the tables in the comments), never computed by the code
under test.  Year 2018-19 (Y01..Y14) against 2017-18 (C01..C08); P01..P04 (2016-17) and E01
(2014-15) are there for the repeats, the open cases at year end and the trend.  All names are
invented.
"""

from __future__ import annotations

import json

import random
from datetime import date
from typing import Any, Optional

import pytest

import safeguard_tracker as st
from safeguard_tracker.lado.annual_measures import (DICT_KEYS, annual_measures, criminal_class, disciplinary_class,
                                                    regulator_body, sector_named)
from safeguard_tracker.model import (Category, CategoryChange, CategoryDecision, Contact, Harm, Meeting, MeetingKind,
                                     Outcome, Referrer, RegulatorReferral, Reopening, Subject, Suspension,
                                     SuspensionDecision, Threshold)

TODAY = date(2019, 6, 1)
D = date.fromisoformat


def contact(ref: str, received: str, agency: str, category: Optional[str], harm: Optional[str] = None,
            limbs: str = "", org: str = "", name: str = "", dob: Optional[str] = None, employer: str = "",
            police: bool = False, s47: Optional[str] = None, strategy: bool = False,
            susp: tuple[tuple[str, str], ...] = (), regs: tuple[str, ...] = (), disc: str = "", emp_out: str = "",
            outcome: Optional[str] = None, closed: Optional[str] = None,
            reopen: Optional[tuple[str, str, str]] = None) -> Contact:
    cat = Category(category) if category else None
    return Contact(
        reference=ref, received_on=D(received), agency=agency, category=cat,
        category_history=(CategoryDecision(on=D(received), user="t", kind=CategoryChange.CATEGORISED, to=cat,
                                           rationale="test"),) if cat else (),
        harm=Harm(harm) if harm else None,
        threshold=tuple(Threshold(x) for x in limbs.split(",") if x),
        referrer=Referrer(organisation=org), subject=Subject(name=name, employer=employer,
                                                             date_of_birth=D(dob) if dob else None),
        police_involved=police, s47_strategy_on=D(s47) if s47 else None,
        meetings=(Meeting(kind=MeetingKind.STRATEGY, held_on=D(received)),) if strategy else (),
        suspension=tuple(Suspension(decision=SuspensionDecision(k), on=D(on), rationale="r") for k, on in susp),
        regulator_referrals=tuple(RegulatorReferral(body=b, on=D(received)) for b in regs),
        disciplinary=disc, employer_outcome=emp_out,
        outcome=Outcome(outcome) if outcome else None, closed_on=D(closed) if closed else None,
        reopenings=(Reopening(on=D(reopen[0]), user="t", reason="new evidence", previous_outcome=Outcome(reopen[1]),
                              previous_closed_on=D(reopen[2])),) if reopen else (),
    )


PRIMARY, SECONDARY, POLICE, MFT = "School - Primary", "School - Secondary", "Police", "Medway NHS Foundation Trust"
FOSTER, SPORT, KITE = "Foster Carers - Independent", "Sports & Leisure", "Westmoor Kite Club"   # KITE: not in the list
EPS = "Eastbridge Primary School"

# 2018-19.  group: the agency's sector group (KITE: not in the list); src: source of referral group.
# ref  received    group   cat  harm        limbs    src      outcome / closed          police s47 susp(latest) disc class
# Y01  2018-04-10  edu     ref  physical    H,O      edu      substantiated 2018-05-05  P      s47 suspended    dismissed
# Y02  2018-04-20  edu     ref  sexual      H        police   unsubstantiated 07-10     P      mtg alternative  resigned (emp. outcome), charged
# Y03  2018-05-02  police  ref  emotional   R        police   false 2018-05-08          P          not_susp     warning
# Y04  2018-05-15  health  ref  neglect     -        n/r      malicious 2018-06-01                 n/r          none
# Y05  2018-06-01  foster  ref  physical    S        foster   unfounded 2018-06-05                 n/r          none
# Y06  2018-07-01  sport   ref  sexual      H,R      sport    open                      P      s47 suspended    warning
# Y07  2018-09-01  sport   ref  physical    H        sport    substantiated 2019-01-15             n/r          resigned, convicted
# Y08  2018-10-05  edu     ref  emotional   H,O,R,S  edu      open (reopened 2019-02-01) P         alternative  other
# Y09  2018-11-20  edu     cons suitability -        edu      nfa 2019-01-10            P (not a referral)
# Y10  2019-01-15  KITE    enq  -                    other    open
# Y11  2019-03-20  edu     enq  emotional            other    advice 2019-03-25
# Y12  2019-03-28  police  ref  sexual      O        n/r      open                      P          not_susp     other, cautioned
# Y13  2018-12-01  edu     cons physical             edu      nfa 2019-02-01
# Y14  2019-02-02  police  -    -                    n/r      open
YEAR = [
    contact("L-2018-0001", "2018-04-10", PRIMARY, "referral", "physical", "harmed,offence", EPS, "Alex Marlow",
            "1980-01-01", EPS, police=True, s47="2018-04-12", susp=(("suspended", "2018-04-11"),), regs=("DBS",),
            disc="Dismissed for gross misconduct", outcome="substantiated", closed="2018-05-05"),
    contact("L-2018-0002", "2018-04-20", PRIMARY, "referral", "sexual", "harmed", "Police", "Casey Dunn",
            "1982-02-02", "eastbridge  primary school", police=True, strategy=True,
            susp=(("alternative", "2018-05-15"), ("suspended", "2018-04-21")),     # the latest is listed first
            regs=("Disclosure & Barring Service", "Teaching Regulation Agency"),
            emp_out="Resignation accepted; police charged him", outcome="unsubstantiated", closed="2018-07-10"),
    contact("L-2018-0003", "2018-05-02", POLICE, "referral", "emotional", "risk", "Kent Police", "sam  QUILL",
            "1990-09-09", "Northshire Constabulary", police=True, susp=(("not_suspended", "2018-05-03"),),
            disc="FINAL written Warning issued", outcome="false", closed="2018-05-08"),
    contact("L-2018-0004", "2018-05-15", MFT, "referral", "neglect", "", "", "", "1985-05-05", "Westmoor Hospital",
            regs=("D.B.S.",), disc="no action", outcome="malicious", closed="2018-06-01"),
    contact("L-2018-0005", "2018-06-01", FOSTER, "referral", "physical", "suitability", "Independent Fostering Agency",
            "", "1985-05-05", "", regs=("Ofsted",), disc="None", outcome="unfounded", closed="2018-06-05"),
    contact("L-2018-0006", "2018-07-01", SPORT, "referral", "sexual", "harmed,risk", "Westmoor Leisure Centre",
            "Kit Rowe", "1988-08-08", "Westmoor Leisure Centre", police=True, s47="2018-07-03",
            susp=(("suspended", "2018-07-02"),), regs=("Nursing and Midwifery Council",),
            disc="Not dismissed - given a written warning"),
    contact("L-2018-0007", "2018-09-01", SPORT, "referral", "physical", "harmed", "Westmoor Leisure Centre",
            "Kit Rowe", "1988-08-08", "Westmoor Leisure Centre", disc="Left the club before the investigation ended",
            emp_out="Convicted of common assault", outcome="substantiated", closed="2019-01-15"),
    contact("L-2018-0008", "2018-10-05", SECONDARY, "referral", "emotional", "harmed,offence,risk,suitability", EPS,
            "Jo Penn", "1971-01-01", EPS, police=True, susp=(("alternative", "2018-10-06"),),
            regs=("GMC", "Westmoor Kennel Club"), disc="to be confirmed", emp_out="Police: no charges, no caution",
            reopen=("2019-02-01", "unsubstantiated", "2018-11-01")),
    contact("L-2018-0009", "2018-11-20", PRIMARY, "consultation", "suitability", "", "Westmoor Primary School",
            "Robin Hale", "1975-03-03", "Westmoor Primary School", police=True, regs=("Teaching Regulation Agency",),
            outcome="no_further_action", closed="2019-01-10"),
    contact("L-2019-0001", "2019-01-15", KITE, "enquiry", None, "", KITE),
    contact("L-2019-0002", "2019-03-20", PRIMARY, "enquiry", "emotional", "", "School Health and Police Partnership",
            "Pat Yule", None, "Westmoor Primary School", outcome="advice_given", closed="2019-03-25"),
    contact("L-2019-0003", "2019-03-28", POLICE, "referral", "sexual", "offence", "", "Lee Varga", "1965-12-12",
            police=True, susp=(("not_suspended", "2019-03-29"),), emp_out="Received a police caution"),
    contact("L-2018-0010", "2018-12-01", PRIMARY, "consultation", "physical", "", EPS, "Ari Moss", "1992-02-02", EPS,
            outcome="no_further_action", closed="2019-02-01"),
    contact("L-2019-0004", "2019-02-02", POLICE, None),
]

# 2017-18
# ref  received    group   cat  harm       limbs src      outcome / closed                     police s47 susp     disc class
# C01  2017-04-03  edu     ref  physical   H     edu      substantiated 2017-04-20             P          suspended dismissed
# C02  2017-06-01  police  ref  sexual     O     police   false 2017-06-05                     P      s47 n/r       n/r
# C03  2017-10-01  health  ref  neglect    -     health   unsubstantiated 2018-02-15                  not_susp  warning
# C04  2017-11-11  edu     cons emotional        n/r      nfa 2017-12-01
# C05  2018-01-10  foster  ref  emotional  R     foster   malicious 2018-09-01 (closed 2018-02-01, reopened 2018-05-01)
# C06  2017-05-05  KITE    enq  -                other    advice 2017-05-06
# C07  2018-03-01  edu     ref  physical   H     edu      substantiated 2019-05-01 (over 12 months)
# C08  2017-08-08  edu     enq  physical         edu      advice 2017-08-09
NA = "Northshire Academy"
COMPARE = [
    contact("L-2017-0001", "2017-04-03", PRIMARY, "referral", "physical", "harmed", NA, "Jo Penn", "1970-01-01", NA,
            police=True, susp=(("suspended", "2017-04-04"),), regs=("Disclosure and Barring Service",),
            disc="Summarily dismissed", outcome="substantiated", closed="2017-04-20"),
    contact("L-2017-0002", "2017-06-01", POLICE, "referral", "sexual", "offence", "Police", "Sam Quill", "1990-09-09",
            NA, police=True, s47="2017-06-02", outcome="false", closed="2017-06-05"),
    contact("L-2017-0003", "2017-10-01", MFT, "referral", "neglect", "", "NHS Westmoor", "Lee Varga", "1965-12-12",
            "Westmoor Hospital", susp=(("not_suspended", "2017-10-02"),), regs=("ofsted",), disc="final warning",
            outcome="unsubstantiated", closed="2018-02-15"),
    contact("L-2017-0004", "2017-11-11", SECONDARY, "consultation", "emotional", outcome="no_further_action",
            closed="2017-12-01"),
    contact("L-2018-0011", "2018-01-10", FOSTER, "referral", "emotional", "risk", "IFA", "Mo Tate", "1979-07-07",
            outcome="malicious", closed="2018-09-01", reopen=("2018-05-01", "unsubstantiated", "2018-02-01")),
    contact("L-2017-0005", "2017-05-05", KITE, "enquiry", None, "", KITE, outcome="advice_given", closed="2017-05-06"),
    contact("L-2018-0012", "2018-03-01", PRIMARY, "referral", "physical", "harmed", NA, "Dee Hart", "1991-01-01", NA,
            outcome="substantiated", closed="2019-05-01"),
    contact("L-2017-0006", "2017-08-08", PRIMARY, "enquiry", "physical", "", NA, outcome="advice_given",
            closed="2017-08-09"),
]

# Earlier years: P01..P04 (2016-17: 4 contacts, 3 referrals) and E01 (2014-15).
EARLIER = [
    contact("L-2016-0001", "2016-05-10", PRIMARY, "referral", "physical", "harmed", "", "Alex Marlow", "1980-01-01",
            outcome="substantiated", closed="2016-06-01"),
    contact("L-2016-0002", "2016-08-01", POLICE, "consultation", "sexual", "", "", "Lee Varga", "1965-12-12",
            outcome="no_further_action", closed="2016-09-01"),
    contact("L-2016-0003", "2016-12-01", POLICE, "referral", "emotional"),                       # open ever since
    contact("L-2017-0007", "2017-01-10", PRIMARY, "referral", "neglect", outcome="substantiated", closed="2018-06-01"),
    contact("L-2014-0001", "2014-11-20", PRIMARY, "consultation", "physical", "", "", "Robin Hale", "1975-03-03",
            outcome="no_further_action", closed="2014-12-01"),     # exactly 4 years before Y09: not a repeat
]


@pytest.fixture(scope="module")
def tracker(tmp_path_factory: pytest.TempPathFactory) -> Any:
    t = st.open_tracker(tmp_path_factory.mktemp("am") / "store.json", user="t", today=lambda: TODAY)
    t.add_contacts(YEAR + COMPARE + EARLIER)
    yield t
    t.close()


@pytest.fixture(scope="module")
def measures(tracker: Any) -> dict[str, Any]:
    return annual_measures(tracker._ctx, "2018-19", child_population=40000).to_dict()


def pairs(rows: list[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    return {r["key"]: (r["count"], r["compare_count"]) for r in rows}


def test_keys_and_years(measures: dict[str, Any]) -> None:
    assert tuple(measures) == DICT_KEYS
    assert (measures["year"], measures["compare_year"]) == ("2018-19", "2017-18")
    assert (measures["period_start"], measures["period_end"]) == ("2018-04-01", "2019-03-31")
    assert measures["as_of"] == "2019-06-01"
    assert pairs(measures["totals"]) == {"contacts": (14, 8), "referrals": (9, 5)}
    referrals = measures["totals"][1]
    assert (referrals["percent"], referrals["compare_percent"]) == (64.3, 62.5)    # 9/14, 5/8
    assert measures["totals"][0]["change_percent"] == 75.0                          # 14 on 8


def test_category_and_harm(measures: dict[str, Any]) -> None:
    assert pairs(measures["by_category"]) == {"enquiry": (2, 2), "consultation": (2, 1), "referral": (9, 5),
                                              "not_recorded": (1, 0)}
    assert pairs(measures["by_harm"]) == {"physical": (4, 3), "sexual": (3, 1), "emotional": (3, 2),
                                          "neglect": (1, 1), "suitability": (1, 0), "not_recorded": (2, 1)}


def test_by_sector_with_subtotals(measures: dict[str, Any]) -> None:
    groups = {g["key"]: g for g in measures["by_sector"]}
    assert pairs(measures["by_sector"])["education"] == (6, 4)
    assert pairs(measures["by_sector"])["health"] == (1, 1)
    assert pairs(measures["by_sector"])["police"] == (3, 1)
    assert pairs(measures["by_sector"])["foster_care"] == (1, 1)
    assert pairs(measures["by_sector"])["sport_leisure"] == (2, 0)
    assert pairs(measures["by_sector"])["unlisted"] == (1, 1)
    assert groups["education"]["percent"] == 42.9                  # 6/14
    education = pairs(groups["education"]["rows"])
    assert (education[PRIMARY], education[SECONDARY], education["School - Private"]) == ((5, 3), (1, 1), (0, 0))
    assert pairs(groups["unlisted"]["rows"]) == {KITE: (1, 1)}
    assert groups["unlisted"]["label"] == "Not in the list"
    # groups with no contacts but agencies offered in the list are shown, in SECTOR_GROUPS order
    assert pairs(measures["by_sector"])["faith"] == (0, 0)
    assert [g["key"] for g in measures["by_sector"]][:3] == ["education", "early_years", "health"]
    assert sum(g["count"] for g in measures["by_sector"]) == 14


def test_by_source(measures: dict[str, Any]) -> None:
    assert pairs(measures["by_source"]) == {"education": (4, 3), "health": (0, 1), "police": (2, 1),
                                            "foster_care": (1, 1), "sport_leisure": (2, 0), "unlisted": (2, 1),
                                            "not_recorded": (3, 1)}
    groups = {g["key"]: g for g in measures["by_source"]}
    # Organisations as written are free text (they may name a person): counted by sector, never printed.
    assert pairs(groups["education"]["rows"]) == {"Other organisations in this sector": (4, 3)}
    assert pairs(groups["police"]["rows"]) == {"Police": (2, 1)}           # 'Police' and the alias 'Kent Police'
    assert pairs(groups["foster_care"]["rows"]) == {FOSTER: (1, 1)}        # the aliases 'Independent Fostering Agency', 'IFA'
    assert pairs(groups["unlisted"]["rows"]) == {"Organisations not in the list": (2, 1)}
    printed = json.dumps(measures["by_source"])
    for written in (EPS, "Westmoor Primary School", NA, KITE, "School Health and Police Partnership"):
        assert written not in printed


def test_threshold_and_outcomes(measures: dict[str, Any]) -> None:
    assert pairs(measures["threshold"]) == {"harmed": (5, 2), "offence": (3, 1), "risk": (3, 1),
                                            "suitability": (2, 0), "none_recorded": (1, 1)}
    assert pairs(measures["outcomes"]) == {"substantiated": (2, 2), "false": (1, 1), "malicious": (1, 1),
                                           "unsubstantiated": (1, 1), "unfounded": (1, 0), "open": (3, 0),
                                           "not_recorded": (0, 0)}
    by_harm = {g["key"]: g for g in measures["outcomes_by_harm"]}
    assert pairs(measures["outcomes_by_harm"]) == {"physical": (3, 2), "sexual": (3, 1), "emotional": (2, 1),
                                                   "neglect": (1, 1), "suitability": (0, 0), "not_recorded": (0, 0)}
    physical = pairs(by_harm["physical"]["rows"])
    assert (physical["substantiated"], physical["unfounded"], physical["open"]) == ((2, 2), (1, 0), (0, 0))
    assert by_harm["physical"]["rows"][0]["percent"] == 66.7            # 2 of the 3 physical referrals
    assert pairs(by_harm["sexual"]["rows"])["open"] == (2, 0)
    by_sector = {g["key"]: g for g in measures["outcomes_by_sector"]}
    assert pairs(measures["outcomes_by_sector"]) == {"education": (3, 2), "health": (1, 1), "police": (2, 1),
                                                     "foster_care": (1, 1), "sport_leisure": (2, 0)}
    education = pairs(by_sector["education"]["rows"])
    assert (education["substantiated"], education["unsubstantiated"], education["open"]) == ((1, 2), (1, 0), (1, 0))


def test_police_suspensions_regulators(measures: dict[str, Any]) -> None:
    assert pairs(measures["police"]["rows"]) == {"police_involved": (6, 2), "s47_strategy": (3, 1)}
    assert pairs(measures["police"]["criminal"]) == {"convicted": (1, 0), "charged": (1, 0), "cautioned": (1, 0),
                                                     "not_recorded": (6, 5)}
    assert pairs(measures["suspensions"]) == {"suspended": (2, 1), "alternative": (2, 0), "not_suspended": (2, 1),
                                              "not_recorded": (3, 3)}
    regulators = measures["regulators"]
    assert pairs(regulators["rows"]) == {"dbs": (3, 1), "tra": (2, 0), "ofsted": (1, 1), "hcpc": (0, 0),
                                         "nmc": (1, 0), "swe": (0, 0), "gmc": (1, 0), "other": (1, 0)}
    assert (regulators["contacts"]["count"], regulators["contacts"]["compare_count"]) == (7, 2)
    assert regulators["other_names"] == ["Westmoor Kennel Club"]
    assert regulators["rows"][0]["percent"] == 33.3                       # 3 of the 9 regulator referrals


def test_disciplinary(measures: dict[str, Any]) -> None:
    assert pairs(measures["disciplinary"]) == {"dismissed": (1, 1), "resigned": (2, 0), "warning": (2, 1),
                                               "none": (2, 0), "other": (2, 0), "not_recorded": (0, 3)}


@pytest.mark.parametrize("text, expected", [
    ("Dismissed for gross misconduct", "dismissed"), ("SUMMARILY  dismissed", "dismissed"),
    ("dismissal upheld on appeal", "dismissed"), ("contract terminated", "dismissed"),
    ("Not dismissed - given a written warning", "warning"), ("final warning", "warning"),
    ("1st written warning (12 months)", "warning"), ("verbal warning", "warning"),
    ("Resignation accepted", "resigned"), ("resigned before hearing", "resigned"),
    ("Left the club before the investigation ended", "resigned"), ("no action", "none"), ("None", "none"),
    ("NFA", "none"), ("No further action by employer", "none"), ("no case to answer", "none"),
    ("to be confirmed", "other"), ("Management advice and training", "other"), ("", "not_recorded"),
    ("   ", "not_recorded"),
])
def test_disciplinary_wording(text: str, expected: str) -> None:
    assert disciplinary_class(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Convicted of common assault", "convicted"), ("pleaded guilty; dismissed", "convicted"),
    ("not guilty at trial", None), ("police charged him", "charged"), ("Police: no charges, no caution", None),
    ("Received a police caution", "cautioned"), ("in charge of the minibus", None), ("", None),
])
def test_criminal_wording(text: str, expected: Optional[str]) -> None:
    assert criminal_class(text) == expected


@pytest.mark.parametrize("body, expected", [
    ("DBS", "dbs"), ("D.B.S.", "dbs"), ("Disclosure & Barring Service", "dbs"), ("disclosure and barring service", "dbs"),
    ("TRA", "tra"), ("Teaching Regulation Agency", "tra"), ("NCTL", "tra"), ("OFSTED", "ofsted"), ("HCPC", "hcpc"),
    ("Nursing and Midwifery Council", "nmc"), ("Social Work England", "swe"), ("GMC", "gmc"),
    ("Westmoor Kennel Club", "other"), ("", "other"),
])
def test_regulator_bodies(body: str, expected: str) -> None:
    assert regulator_body(body) == expected


def test_sector_named() -> None:
    assert sector_named("Westmoor Leisure Centre") == "sport_leisure"
    assert sector_named("NHS Westmoor") == "health"
    assert sector_named("School Health and Police Partnership") is None      # three sectors: not guessed
    assert sector_named(KITE) is None


def test_repeats(measures: dict[str, Any]) -> None:
    # Y01 (P01 within 3 years), Y03 ('sam  QUILL' = C02 'Sam Quill'), Y07 (Y06), Y12 (C03): repeats.
    # Not: Y09 (E01 exactly 4 years before), Y08 (same name, other date of birth), Y04/Y05 (blank names).
    # C03 (P02) is the comparison year's one.  Settings: Eastbridge Primary School 4 (Y01, Y02, Y08, Y13),
    # Westmoor Leisure Centre 2, Westmoor Primary School 2; in 2017-18 Northshire Academy 3.
    assert measures["repeats"]["years"] == 3
    assert pairs(measures["repeats"]["rows"]) == {"repeat_contacts": (4, 1), "repeat_referrals": (4, 1),
                                                  "repeat_subjects": (4, 1), "repeat_settings": (3, 1),
                                                  "repeat_setting_contacts": (8, 3)}
    assert measures["repeats"]["rows"][0]["percent"] == 28.6               # 4/14


def test_repeat_years_setting(tracker: Any) -> None:
    # With 4 years, Y09 (Robin Hale, exactly 4 years after E01) repeats too.
    rows = annual_measures(tracker._ctx, "2018-19", repeat_years=4).to_dict()["repeats"]["rows"]
    assert pairs(rows)["repeat_contacts"] == (5, 1)
    with pytest.raises(st.ValidationError):
        annual_measures(tracker._ctx, "2018-19", repeat_years=0)


def test_durations(measures: dict[str, Any]) -> None:
    durations = measures["durations"]
    assert pairs(durations["rows"]) == {"within_1_month": (4, 2), "within_3_months": (1, 0),
                                        "within_12_months": (1, 2), "over_12_months": (0, 1), "open": (3, 0)}
    targets = {t["key"]: t for t in durations["targets"]}
    assert [(t["count"], t["compare_count"], t["percent"], t["compare_percent"], t["target_percent"], t["met"])
            for t in targets.values()] == [(4, 2, 44.4, 40.0, 80, False), (5, 2, 55.6, 40.0, 90, False),
                                           (6, 4, 66.7, 80.0, 100, False)]
    assert durations["no_basis"] == {"key": "no_basis_within_1_week", "period": "1 week", "cases": 3,
                                     "compare_cases": 2, "count": 2, "compare_count": 1, "percent": 66.7,
                                     "compare_percent": 50.0}


def test_open_at_year_end(measures: dict[str, Any]) -> None:
    # 31/03/2019: Y06, Y08 (reopened), Y10, Y12, Y14, C07 (closed later), P03.  31/03/2018: C07, P03, P04;
    # not C05, closed then and reopened after.
    opened = measures["open_at_year_end"]
    assert (opened["date"], opened["compare_date"]) == ("2019-03-31", "2018-03-31")
    assert (opened["total"]["count"], opened["total"]["compare_count"]) == (7, 3)
    assert pairs(opened["by_age"]) == {"under_1_month": (1, 1), "1_to_3_months": (2, 0), "3_to_12_months": (2, 0),
                                       "over_12_months": (2, 2)}
    assert pairs(opened["by_category"]) == {"enquiry": (1, 0), "consultation": (0, 0), "referral": (5, 3),
                                            "not_recorded": (1, 0)}


def test_rates_and_trend(tracker: Any, measures: dict[str, Any]) -> None:
    rate = measures["rate_per_10000"]
    assert (rate["population"], rate["compare_population"]) == (40000, 40000)
    assert [(r["key"], r["rate"], r["compare_rate"]) for r in rate["rows"]] == [
        ("contacts", 3.5, 2.0), ("referrals", 2.3, 1.3)]           # 9 and 5 per 40,000: halves round up
    assert measures["trend"] == [{"year": "2014-15", "contacts": 1, "referrals": 0},
                                 {"year": "2015-16", "contacts": 0, "referrals": 0},
                                 {"year": "2016-17", "contacts": 4, "referrals": 3},
                                 {"year": "2017-18", "contacts": 8, "referrals": 5},
                                 {"year": "2018-19", "contacts": 14, "referrals": 9}]
    later = annual_measures(tracker._ctx, "2020-21").to_dict()
    assert later["trend"][0]["year"] == "2016-17" and later["trend"][-1] == {"year": "2020-21", "contacts": 0,
                                                                             "referrals": 0}
    none = annual_measures(tracker._ctx, "2018-19").to_dict()
    assert none["rate_per_10000"]["rows"][0]["rate"] is None
    assert any("no child population is set" in n for n in none["reconciliation"])


def test_child_population_setting(tmp_path: Any) -> None:
    with st.open_tracker(tmp_path / "s.json", user="t", today=lambda: TODAY) as t:
        t.add_contacts(YEAR)
        t.update_settings(child_population={"2018-19": 35000})
        rate = annual_measures(t._ctx, "2018-19").to_dict()["rate_per_10000"]
        assert (rate["population"], rate["compare_population"], rate["rows"][0]["rate"]) == (35000, None, 4.0)
        t.update_settings(child_population="lots")
        with pytest.raises(st.ValidationError):
            annual_measures(t._ctx, "2018-19")


def test_reconciliation(measures: dict[str, Any]) -> None:
    notes = measures["reconciliation"]
    expected = [
        "2018-19: 1 contact(s) have no category yet",
        "2018-19: 2 contact(s) have no harm category recorded",
        "2018-19: 1 contact(s) have an agency that is not in the list",
        "'Westmoor Kite Club'",
        "2018-19: 3 contact(s) have no referrer organisation recorded",
        "2018-19: 1 of 9 referral(s) have no threshold limb recorded",
        "2018-19: criminal outcomes are not recorded as such: 3 of 9 referral(s)",
        "2018-19: 1 contact(s) that are not referrals record police involvement",
        "2018-19: 3 of 9 referral(s) have no suspension decision recorded",
        "2018-19: 1 contact(s) with a DBS or regulator referral are not referrals",
        "'Westmoor Kennel Club'",
        "2018-19: 5 contact(s) have no subject name or no date of birth",   # Y04, Y05, Y10, Y11, Y14
        "2017-18: 3 of 5 referral(s) have no disciplinary or employer's outcome recorded",
        "2017-18: 3 of 5 referral(s) have no suspension decision recorded",
    ]
    for text in expected:
        assert any(text in n for n in notes), text
    assert not any("2018-19" in n and "no disciplinary or employer's outcome" in n for n in notes)  # all have one
    assert not any("no child population" in n for n in notes)
    assert not any("is not over" in n for n in notes)


def test_year_not_over(tracker: Any) -> None:
    m = annual_measures(tracker._ctx, "2018-19", as_of=date(2019, 1, 31))
    assert m.open_date == date(2019, 1, 31)
    assert any("2018-19 is not over" in n for n in m.reconciliation)


# --- properties on random stores --------------------------------------------------------------

AGENCIES = (PRIMARY, SECONDARY, POLICE, MFT, FOSTER, SPORT, KITE, "Faith Groups", "Other", "Eastbridge Brass Band")
ORGS = ("", "Police", "the Young Offender Institution", "Northshire Academy", "Eastbridge Taxis", "Acme Ltd", "IFA")


def random_contacts(rng: random.Random, n: int) -> list[Contact]:
    out = []
    for i in range(n):
        received = date(2017, 4, 1).toordinal() + rng.randrange(730)
        recv = date.fromordinal(received)
        category = rng.choice([None, "enquiry", "consultation", "referral", "referral"])
        closed = None if rng.random() < 0.3 else date.fromordinal(received + rng.randrange(500))
        outcome = rng.choice([None, "substantiated", "false", "malicious", "unsubstantiated", "unfounded",
                              "advice_given"]) if closed else None
        out.append(contact(
            f"L-{recv.year}-{i + 1:04d}", recv.isoformat(), rng.choice(AGENCIES), category,
            rng.choice([None, "physical", "sexual", "neglect"]), rng.choice(["", "harmed", "risk,offence"]),
            rng.choice(ORGS), rng.choice(["", "Ash Bell", "Bo Kerr"]), rng.choice([None, "1980-01-01"]),
            rng.choice(["", "Eastbridge Primary School", "Westmoor Hospital"]),
            police=rng.random() < 0.4,
            susp=tuple((rng.choice(["suspended", "alternative", "not_suspended"]), recv.isoformat())
                       for _ in range(rng.randrange(3))),
            regs=tuple(rng.choice(["DBS", "Ofsted", "Kennel Club"]) for _ in range(rng.randrange(3))),
            disc=rng.choice(["", "dismissed", "left", "whatever", "not charged"]),
            outcome=outcome, closed=closed.isoformat() if closed else None))
    return out


@pytest.mark.parametrize("seed", range(4))
def test_tables_add_up(tmp_path: Any, seed: int) -> None:
    rng = random.Random(seed)
    with st.open_tracker(tmp_path / "r.json", user="t", today=lambda: TODAY) as t:
        t.add_contacts(random_contacts(rng, 120))
        m = annual_measures(t._ctx, "2018-19").to_dict()
    contacts, referrals = (m["totals"][0][k] for k in ("count", "compare_count")), \
        (m["totals"][1][k] for k in ("count", "compare_count"))
    for side, total, refs in zip(("count", "compare_count"), contacts, referrals):
        assert total > 0 and refs > 0
        for table in ("by_sector", "by_source"):
            assert sum(g[side] for g in m[table]) == total, table
            for g in m[table]:
                assert sum(r[side] for r in g["rows"]) == g[side], (table, g["key"])
        for table in ("by_category", "by_harm"):
            assert sum(r[side] for r in m[table]) == total, table
        for table in ("outcomes", "suspensions", "disciplinary"):
            assert sum(r[side] for r in m[table]) == refs, table
        assert sum(r[side] for r in m["police"]["criminal"]) == refs
        assert sum(r[side] for r in m["durations"]["rows"]) == refs
        for table in ("outcomes_by_harm", "outcomes_by_sector"):
            assert sum(g[side] for g in m[table]) == refs, table
            for g in m[table]:
                assert sum(r[side] for r in g["rows"]) == g[side]
        opened = m["open_at_year_end"]
        assert sum(r[side] for r in opened["by_age"]) == opened["total"][side]
        assert sum(r[side] for r in opened["by_category"]) == opened["total"][side]


def test_the_docs_carry_the_modules_keys_and_rules_word_for_word() -> None:
    """docs/lado.md holds the JSON keys and the counting rules as the module states them: they cannot drift."""
    from pathlib import Path

    import safeguard_tracker.lado.annual_measures as module
    doc = module.__doc__ or ""
    keys = doc[doc.index("One row shape"):doc.index("The rules\n=========")].rstrip()
    rules = doc[doc.index("The rules\n=========") + len("The rules\n=========\n"):].strip()
    page = (Path(__file__).resolve().parent.parent / "docs" / "lado.md").read_text()
    assert keys in page and rules in page
