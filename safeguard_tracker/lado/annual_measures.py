"""Every measure a LADO annual report carries, for a financial year beside its comparison year.

A pure computation over the stored contact documents (no model objects, one pass over the store),
in the manner of ``statistics.lado_statistics``: a contact counts in the financial year (1 April to
31 March) it was **received**, by its final category; a *referral* is a contact whose category is
``referral`` (an allegation).  Every count is given for the year and for the comparison year (by
default the year before), counted by the same code.

Snapshots: the figures are the records as they stand in ``ctx.store``.  ``as_of`` (default: the
working date) only dates the figures (the "year is not over" note, the open-case snapshot of an
unfinished year); a year as it stood on a past date comes from a store rebuilt as of that date.

The JSON (``AnnualMeasures.to_dict()``): stable keys
======================================================

One row shape is used for every count (``Row``)::

    {"key": "police_involved", "label": "Police involved", "count": 12, "compare_count": 9,
     "percent": 40.0, "compare_percent": 31.0, "change_percent": 33.3}

``percent`` is of the table's base (below), ``change_percent`` the change on the comparison year
(None when the comparison count is 0).  Percentages are ``statistics.percent``: one decimal place,
halves rounded up, None when the base is 0.  A grouped table's rows (``Group``) carry their
sub-rows under ``"rows"``, in the same shape.

=====================  ==========================================================================
key                    value
=====================  ==========================================================================
year, compare_year     "2018-19", "2017-18"
period_start/_end      ISO dates of the year ("2018-04-01", "2019-03-31")
compare_period_start   ... and of the comparison year
compare_period_end
as_of                  ISO date the figures are to
totals                 [Row] contacts (percent None), referrals (percent of contacts)
by_category            [Row] enquiry, consultation, referral, not_recorded; base: contacts
by_harm                [Row] physical, sexual, emotional, neglect, suitability, not_recorded; base: contacts
by_sector              [Group] one per sector group (``vocab.SECTOR_GROUPS`` order), then ``unlisted``
                       ("Not in the list": agencies not in the taxonomy); each with its agencies as
                       rows.  A group is listed when it has contacts in either year or an agency of
                       the taxonomy's offered list; an agency when it is offered or has contacts.
                       Base: contacts.  The groups sum to ``totals.contacts``.
by_source              [Group] source of referral, see "Source of referral" below; base: contacts;
                       sums to ``totals.contacts``
threshold              [Row] harmed, offence, risk, suitability, none_recorded; for referrals (a
                       referral may meet several limbs); base: referrals
outcomes               [Row] substantiated, false, malicious, unsubstantiated, unfounded, open,
                       not_recorded (closed without an allegation outcome); base: referrals; sums to
                       referrals
outcomes_by_harm       [Group] one per harm and not_recorded; rows: the outcomes; group base:
                       referrals; a row's base: its group's count
outcomes_by_sector     [Group] one per sector group with referrals in either year, then unlisted
police                 {"rows": [Row police_involved, s47_strategy], "criminal": [Row convicted,
                       charged, cautioned, not_recorded]}; for referrals; base: referrals
suspensions            [Row] suspended, alternative, not_suspended, not_recorded: each referral's
                       latest decision; base: referrals; sums to referrals
regulators             {"rows": [Row dbs, tra, ofsted, hcpc, nmc, swe, gmc, other], "contacts": Row,
                       "other_names": ["..."]}: referrals to the DBS or a regulator recorded on the
                       contacts received in the year (any category), by body; base: all of them.
                       ``contacts``: contacts with at least one (percent of contacts)
disciplinary           [Row] dismissed, resigned, warning, none, other, not_recorded; for referrals;
                       base: referrals; sums to referrals
repeats                {"years": 3, "rows": [Row repeat_contacts (base: contacts), repeat_referrals
                       (base: referrals), repeat_subjects (people; percent None), repeat_settings
                       (employers with 2+ contacts; percent None), repeat_setting_contacts (base:
                       contacts)]}
durations              {"referrals": Row, "rows": [Row within_1_month, within_3_months,
                       within_12_months, over_12_months, open] (the band keys follow the
                       configured resolution targets, ``statistics.band_keys``), "targets":
                       [Target], "no_basis": NoBasis}
open_at_year_end       {"date": ISO, "compare_date": ISO, "total": Row, "by_age": [Row under_1_month,
                       1_to_3_months, 3_to_12_months, over_12_months], "by_category": [Row ...]};
                       base: the open total
rate_per_10000         {"population": int|None, "compare_population": int|None, "rows": [Rate
                       contacts, referrals]}
trend                  [{"year": "2014-15", "contacts": 410, "referrals": 130}], oldest first
reconciliation         ["plain sentences"]
=====================  ==========================================================================

``Target``: {"key": "within_1_month", "period": "1 month", "target_percent": 80, "count": 20,
"compare_count": 18, "percent": 80.0, "compare_percent": 72.0, "met": true, "compare_met": false}:
referrals resolved within the period, cumulatively, as a percent of all the year's referrals (open
ones included); ``met`` is None when there are no referrals.

``NoBasis``: {"key": "no_basis_within_1_week", "period": "1 week", "cases": 4, "compare_cases": 2,
"count": 3, "compare_count": 1, "percent": 75.0, "compare_percent": 50.0}: referrals closed
false, malicious or unfounded, and of those how many were closed within the ``false_malicious``
period of being received.

``Rate``: {"key": "contacts", "label": "Contacts", "rate": 61.2, "compare_rate": 58.3}.

The rules
=========

**Sector** (by_sector, outcomes_by_sector): the contact's agency, looked up in the taxonomy (any
spelling or alias), gives its group (``Taxonomy.group_of``); an agency with no group, or a group
that is not a key of ``SECTOR_GROUPS``, is in ``other``; an agency not in the taxonomy is in
``unlisted`` under its own spelling.

**Source of referral** (by_source): the referrer's organisation, in this order:

1. blank: ``not_recorded``;
2. the organisation (a leading "the" dropped) is an agency of the taxonomy or one of its aliases:
   that agency, in its sector group;
3. the organisation's words name exactly one sector group, by its key, its label or one of
   ``vocab.suggest.GROUP_WORDS`` as whole words ("Dockside Primary School" -> education by
   "school"; "Priory Taxis" -> transport): that group, in one row "Other organisations in this
   sector";
4. otherwise (no sector named, or more than one): ``unlisted`` ("Other: not matched"), in one row
   "Organisations not in the list".

The organisation as written is never printed: it is free text, and may name a person ("Mrs Jones,
parent"), and a board report names no one.  Each group lists its agencies with most contacts first,
at most ``NAMES_SHOWN``; the rest are summed in a last row with key ``more``.

**Police** (referrals): ``police_involved``; ``s47_strategy``: an s47 strategy discussion date or a
meeting of kind ``strategy`` recorded (on any date).  There is no field for the criminal outcome:
it is counted only where the disciplinary or employer's outcome text says so, by keyword
(``CRIMINAL_KEYWORDS``: convicted / conviction / guilty / sentenced; charged / charges; cautioned /
police, simple or conditional caution / a caution; the first that applies, in that order); a keyword after "no", "not", "without" or "never"
(within three words) does not count ("not charged", "no further action, no charges").

**Suspensions** (referrals): the decision with the latest date (on a tie, the later recorded).

**Regulators**: every referral recorded on a contact received in the year, counted by body
(``regulator_body``): dbs (DBS, Disclosure and Barring Service, ISA), tra (TRA, Teaching Regulation
Agency, NCTL, National College for Teaching and Leadership), ofsted, hcpc (Health and Care
Professions Council), nmc (Nursing and Midwifery Council), swe (Social Work England), gmc (General
Medical Council), other (listed in ``other_names``).

**Disciplinary** (referrals): ``disciplinary``, else ``employer_outcome``, read by
``disciplinary_class`` (``DISCIPLINARY_KEYWORDS``), the first that applies: dismissed (dismiss*,
sacked, terminated, termination); resigned (resign*, left, leaver); warning (warning, warned: final,
written or verbal); none (no action, no further action, NFA, none, no case to answer, no sanction);
other (any other text); not_recorded (blank).  A keyword after a negation (as for the police) does
not count: "not dismissed, final warning" is a warning.

**Repeats**: a contact repeats its subject when an earlier contact (received before it, or on the
same day with a lower reference) has the same subject name (compared by ``patterns.match_key``) and
the same date of birth, received no more than ``repeat_years`` (argument, else the setting
``repeat_years``, else 3) years before it (exactly N years counts).  A blank name or a missing date
of birth never matches.  A repeat setting is an employer (``subject.employer``, by ``match_key``)
with two or more contacts in the year.

**Durations** (referrals): from the date the allegation was received (``received_on``) to
``closed_on``, in the configured resolution bands (``deadlines.DeadlineRules.resolution``: 1, 3 and
12 months, expected 80%, 90% and 100%, "all but exceptional cases").  A reopened case is measured
to its latest closure, or is open.

**Open at year end**: contacts received by the year's end (or ``as_of`` if earlier) and not closed
then; a case closed then and reopened later (``reopenings``) was closed then.  Age at that date:
under 1 month (received less than a calendar month before), 1 to 3 months, 3 to 12 months, over 12.

**Rate per 10,000 children**: ``child_population`` (argument: used for both years), else the
setting ``child_population``: a number for every year, or {"2018-19": 64000, ...}.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from typing import Any, Iterable, Mapping, Optional, Sequence

import attrs
from dateutil.relativedelta import relativedelta

from ..context import Context
from ..dates import add_period, financial_year_bounds, fmt, normalise_financial_year, previous_financial_year
from ..errors import ValidationError
from ..folding import fold
from ..model import ALLEGATION_OUTCOMES, Category, Harm, Outcome, SuspensionDecision, Threshold
from ..taxonomy import Taxonomy
from ..vocab.entries import SECTOR_GROUPS
from ..vocab.suggest import GROUP_WORDS
from .deadlines import rules_of
from .patterns import match_key
from .statistics import band_keys, change, day_has_ended, percent

DEFAULT_REPEAT_YEARS = 3
NAMES_SHOWN = 10
NOT_IMPORTED = ("; an imported log's column for these is kept on each record as an extra field, not read as "
                "decisions, so record them on the contacts (contact suspension, contact regulator) to count them")
SECTOR_OTHERS = "Other organisations in this sector"      # a source named by its sector, not as written
UNLISTED_SOURCES = "Organisations not in the list"         # a source that names no agency and no one sector
TREND_YEARS = 5
UNLISTED = "unlisted"
NOT_RECORDED = "not_recorded"

DICT_KEYS = ("year", "compare_year", "period_start", "period_end", "compare_period_start", "compare_period_end",
             "as_of", "totals", "by_category", "by_harm", "by_sector", "by_source", "threshold", "outcomes",
             "outcomes_by_harm", "outcomes_by_sector", "police", "suspensions", "regulators", "disciplinary",
             "repeats", "durations", "open_at_year_end", "rate_per_10000", "trend", "reconciliation")

CATEGORY_KEYS = tuple(c.value for c in Category) + (NOT_RECORDED,)
HARM_KEYS = tuple(h.value for h in Harm) + (NOT_RECORDED,)
THRESHOLD_KEYS = tuple(t.value for t in Threshold) + ("none_recorded",)
OUTCOME_KEYS = tuple(o.value for o in ALLEGATION_OUTCOMES) + ("open", NOT_RECORDED)
NO_BASIS = (Outcome.FALSE.value, Outcome.MALICIOUS.value, Outcome.UNFOUNDED.value)
SUSPENSION_KEYS = tuple(s.value for s in SuspensionDecision) + (NOT_RECORDED,)
POLICE_KEYS = ("police_involved", "s47_strategy")
CRIMINAL_KEYS = ("convicted", "charged", "cautioned", NOT_RECORDED)
REGULATOR_KEYS = ("dbs", "tra", "ofsted", "hcpc", "nmc", "swe", "gmc", "other")
DISCIPLINARY_KEYS = ("dismissed", "resigned", "warning", "none", "other", NOT_RECORDED)
REPEAT_KEYS = ("repeat_contacts", "repeat_referrals", "repeat_subjects", "repeat_settings", "repeat_setting_contacts")
AGE_KEYS = ("under_1_month", "1_to_3_months", "3_to_12_months", "over_12_months")

LABELS: dict[str, str] = {
    NOT_RECORDED: "Not recorded", "none_recorded": "None recorded", "open": "Open", UNLISTED: "Not in the list",
    "harmed": "Harmed or may have harmed a child", "offence": "Possible criminal offence",
    "risk": "Behaviour indicating risk of harm", "suitability": "Suitability to work with children",
    "police_involved": "Police involved", "s47_strategy": "s47 strategy discussion",
    "convicted": "Convicted", "charged": "Charged", "cautioned": "Cautioned",
    "suspended": "Suspended", "alternative": "Alternative to suspension", "not_suspended": "Not suspended",
    "dbs": "DBS", "tra": "Teaching Regulation Agency", "ofsted": "Ofsted",
    "hcpc": "Health and Care Professions Council", "nmc": "Nursing and Midwifery Council",
    "swe": "Social Work England", "gmc": "General Medical Council", "other": "Other",
    "dismissed": "Dismissed", "resigned": "Resigned or left", "warning": "Warning", "none": "No action",
    "repeat_contacts": "Contacts about a repeat subject", "repeat_referrals": "Referrals about a repeat subject",
    "repeat_subjects": "Repeat subjects (people)", "repeat_settings": "Settings with 2 or more contacts",
    "repeat_setting_contacts": "Contacts about those settings",
    "under_1_month": "Under 1 month", "1_to_3_months": "1 to 3 months", "3_to_12_months": "3 to 12 months",
    "over_12_months": "Over 12 months", "contacts": "Contacts", "referrals": "Referrals", "more": "Other names",
    "enquiry": "Enquiry", "consultation": "Consultation", "referral": "Referral",
    "physical": "Physical", "sexual": "Sexual", "emotional": "Emotional", "neglect": "Neglect",
    "substantiated": "Substantiated", "false": "False", "malicious": "Malicious",
    "unsubstantiated": "Unsubstantiated", "unfounded": "Unfounded",
}
SOURCE_LABELS = {**SECTOR_GROUPS, UNLISTED: "Other: not matched", NOT_RECORDED: "Not recorded"}
SECTOR_LABELS = {**SECTOR_GROUPS, UNLISTED: "Not in the list"}

# --- free text: regulators, criminal and disciplinary outcomes ---------------------------------

REGULATOR_NAMES: dict[str, tuple[str, ...]] = {
    "dbs": ("dbs", "disclosure and barring service", "disclosure and barring", "disclosure barring service",
            "isa", "independent safeguarding authority"),
    "tra": ("tra", "teaching regulation agency", "teacher regulation agency", "nctl",
            "national college for teaching and leadership"),
    "ofsted": ("ofsted", "office for standards in education"),
    "hcpc": ("hcpc", "hpc", "health and care professions council", "health care professions council"),
    "nmc": ("nmc", "nursing and midwifery council"),
    "swe": ("swe", "social work england"),
    "gmc": ("gmc", "general medical council"),
}
CRIMINAL_KEYWORDS: dict[str, tuple[str, ...]] = {
    "convicted": ("convicted", "conviction", "guilty", "sentenced"),
    "charged": ("charged", "charges"),
    "cautioned": ("cautioned", "police caution", "simple caution", "conditional caution", "a caution"),
}
DISCIPLINARY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "dismissed": ("dismissed", "dismissal", "dismiss", "summarily dismissed", "sacked", "terminated", "termination"),
    "resigned": ("resigned", "resign", "resigns", "resignation", "left", "leaver"),
    "warning": ("warning", "warnings", "warned"),
    "none": ("no action", "no further action", "nfa", "none", "no case to answer", "no sanction"),
}
NEGATIONS = frozenset({"no", "not", "without", "never"})
CLAUSE_END = ";"                       # a word of its own in ``_words``: where a negation stops reaching
_WORDS = re.compile(r"[a-z0-9]+|;")


def _words(text: str) -> list[str]:
    """The words of ``text``, with ';' for each break between clauses (a comma, semicolon, colon, full stop,
    line break or spaced dash), so that "not dismissed, final warning" negates only the dismissal."""
    text = fold(text).replace("&", " and ").replace("'", "")
    return _WORDS.findall(re.sub(r"[,;:.\n\u2013\u2014]|\s-\s", " ; ", text))


def _find(words: Sequence[str], phrases: Iterable[str], negatable: bool = True) -> bool:
    """Whether one of ``phrases`` stands in ``words`` as whole words, not within three words after a negation
    in the same clause (a phrase that is itself a negation, "no action", is never negated)."""
    for phrase in phrases:
        p = phrase.split()
        for i in range(len(words) - len(p) + 1):
            if list(words[i:i + len(p)]) == p:
                before = list(words[max(0, i - 3):i])
                if CLAUSE_END in before:
                    before = before[len(before) - before[::-1].index(CLAUSE_END):]
                if negatable and p[0] not in NEGATIONS and NEGATIONS.intersection(before):
                    continue
                return True
    return False


def regulator_body(body: str) -> str:
    """The key of a DBS or regulator name, however written ('Disclosure & Barring Service' -> 'dbs'),
    'other' when not recognised.

    >>> regulator_body("D.B.S."), regulator_body("Disclosure & Barring Service"), regulator_body("the TRA")
    ('dbs', 'dbs', 'tra')
    """
    text = fold(body or "").replace(".", "")
    words = _words(text)
    for key, names in REGULATOR_NAMES.items():
        if _find(words, names, negatable=False):
            return key
    return "other"


def criminal_class(text: str) -> Optional[str]:
    """'convicted', 'charged' or 'cautioned' when the text says so (``CRIMINAL_KEYWORDS``), else None.

    >>> criminal_class("Charged with assault; dismissed"), criminal_class("Police NFA, not charged")
    ('charged', None)
    """
    words = _words(text or "")
    for key, keys in CRIMINAL_KEYWORDS.items():
        if _find(words, keys):
            return key
    return None


def disciplinary_class(text: str) -> str:
    """The disciplinary outcome a free text records: dismissed, resigned, warning, none, other or
    not_recorded (``DISCIPLINARY_KEYWORDS``, the first that applies).

    >>> [disciplinary_class(t) for t in ("Summarily DISMISSED", "left before the hearing",
    ...                                  "Final written warning", "NFA", "  ", "Management advice")]
    ['dismissed', 'resigned', 'warning', 'none', 'not_recorded', 'other']
    """
    if not (text or "").strip():
        return NOT_RECORDED
    words = _words(text)
    for key, keys in DISCIPLINARY_KEYWORDS.items():
        if _find(words, keys):
            return key
    return "other"


def outcome_classes(d: Mapping[str, Any]) -> tuple[Optional[str], str]:
    """A contact document's criminal class (or None) and disciplinary class, read from its disciplinary and
    employer's outcome text (the disciplinary text first, the employer's outcome where it is blank)."""
    text = " ; ".join(str(d.get(k) or "") for k in ("disciplinary", "employer_outcome"))
    written = str(d.get("disciplinary") or "").strip() or str(d.get("employer_outcome") or "")
    return criminal_class(text), disciplinary_class(written)


def source_facts(organisation: str, taxonomy: Taxonomy) -> dict[str, Any]:
    """What a referrer's organisation says for the source of referral: whether it is ``blank``, the council's
    list's name for it (``listed``: 'the Police' -> 'Police'), and the one sector its words name."""
    text = organisation.strip()
    if not text:
        return {"blank": True, "listed": None, "sector": None}
    listed = taxonomy.lookup(text) or taxonomy.lookup(re.sub(r"^the\s+", "", text, flags=re.IGNORECASE))
    return {"blank": False, "listed": listed, "sector": sector_named(text)}


def _group_phrases() -> list[tuple[list[str], str]]:
    out: list[tuple[list[str], str]] = []
    for key, label in SECTOR_GROUPS.items():
        if key == "other":
            continue
        for phrase in (key.replace("_", " "), label, *GROUP_WORDS.get(key, ())):
            ws = _words(phrase)
            if ws:
                out.append((ws, key))
    return out


_GROUP_PHRASES = _group_phrases()


def sector_named(text: str) -> Optional[str]:
    """The one sector group whose words ``text`` contains ('Dockside Primary School' -> 'education'), or
    None when it names none or more than one.

    >>> sector_named("Dockside Primary School"), sector_named("Priory Taxis"), sector_named("Eastbridge Ltd")
    ('education', 'transport', None)
    """
    words = _words(text)
    found = {key for phrase, key in _GROUP_PHRASES if _find(words, [" ".join(phrase)], negatable=False)}
    return found.pop() if len(found) == 1 else None


# --- the rows -----------------------------------------------------------------------------------

@attrs.frozen(kw_only=True)
class Row:
    """One count in the year and the comparison year, with percentages of the table's base."""
    key: str
    label: str
    count: int
    compare_count: int
    percent: Optional[float] = None
    compare_percent: Optional[float] = None

    @property
    def change_percent(self) -> Optional[float]:
        return change(self.count, self.compare_count)

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "count": self.count, "compare_count": self.compare_count,
                "percent": self.percent, "compare_percent": self.compare_percent,
                "change_percent": self.change_percent}


@attrs.frozen(kw_only=True)
class Group(Row):
    """A row with its sub-rows (a sector group and its agencies; a harm and its outcomes)."""
    rows: tuple[Row, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "rows": [r.to_dict() for r in self.rows]}


@attrs.frozen(kw_only=True)
class Target:
    """Referrals resolved within a resolution period, cumulatively, against the guidance's expectation."""
    key: str
    period: str
    target_percent: int
    count: int
    compare_count: int
    percent: Optional[float]
    compare_percent: Optional[float]

    @property
    def met(self) -> Optional[bool]:
        return None if self.percent is None else self.percent >= self.target_percent

    @property
    def compare_met(self) -> Optional[bool]:
        return None if self.compare_percent is None else self.compare_percent >= self.target_percent

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "period": self.period, "target_percent": self.target_percent, "count": self.count,
                "compare_count": self.compare_count, "percent": self.percent, "compare_percent": self.compare_percent,
                "met": self.met, "compare_met": self.compare_met}


@attrs.frozen(kw_only=True)
class NoBasis:
    """Referrals closed false, malicious or unfounded, and how many of them within the one-week rule."""
    key: str
    period: str
    cases: int
    compare_cases: int
    count: int
    compare_count: int

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "period": self.period, "cases": self.cases, "compare_cases": self.compare_cases,
                "count": self.count, "compare_count": self.compare_count,
                "percent": percent(self.count, self.cases), "compare_percent": percent(self.compare_count,
                                                                                        self.compare_cases)}


@attrs.frozen(kw_only=True)
class Rate:
    key: str
    label: str
    rate: Optional[float]
    compare_rate: Optional[float]

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "rate": self.rate, "compare_rate": self.compare_rate}


@attrs.frozen(kw_only=True)
class TrendYear:
    year: str
    contacts: int
    referrals: int

    def to_dict(self) -> dict[str, Any]:
        return {"year": self.year, "contacts": self.contacts, "referrals": self.referrals}


@attrs.frozen(kw_only=True)
class AnnualMeasures:
    year: str
    compare_year: str
    period_start: date
    period_end: date
    compare_period_start: date
    compare_period_end: date
    as_of: date
    totals: tuple[Row, ...]
    by_category: tuple[Row, ...]
    by_harm: tuple[Row, ...]
    by_sector: tuple[Group, ...]
    by_source: tuple[Group, ...]
    threshold: tuple[Row, ...]
    outcomes: tuple[Row, ...]
    outcomes_by_harm: tuple[Group, ...]
    outcomes_by_sector: tuple[Group, ...]
    police: tuple[Row, ...]
    criminal: tuple[Row, ...]
    suspensions: tuple[Row, ...]
    regulators: tuple[Row, ...]
    regulator_contacts: Row
    regulator_other_names: tuple[str, ...]
    disciplinary: tuple[Row, ...]
    repeat_years: int
    repeats: tuple[Row, ...]
    durations: tuple[Row, ...]
    targets: tuple[Target, ...]
    no_basis: NoBasis
    open_date: date
    compare_open_date: date
    open_total: Row
    open_by_age: tuple[Row, ...]
    open_by_category: tuple[Row, ...]
    population: Optional[int]
    compare_population: Optional[int]
    rates: tuple[Rate, ...]
    trend: tuple[TrendYear, ...]
    reconciliation: tuple[str, ...]

    @property
    def contacts(self) -> int:
        return self.totals[0].count

    @property
    def referrals(self) -> int:
        return self.totals[1].count

    def to_dict(self) -> dict[str, Any]:
        """The keys of ``DICT_KEYS``, in that order (the module's docstring describes each)."""
        def rows(items: Iterable[Row]) -> list[dict[str, Any]]:
            return [r.to_dict() for r in items]

        out = {
            "year": self.year, "compare_year": self.compare_year,
            "period_start": self.period_start.isoformat(), "period_end": self.period_end.isoformat(),
            "compare_period_start": self.compare_period_start.isoformat(),
            "compare_period_end": self.compare_period_end.isoformat(),
            "as_of": self.as_of.isoformat(),
            "totals": rows(self.totals), "by_category": rows(self.by_category), "by_harm": rows(self.by_harm),
            "by_sector": rows(self.by_sector), "by_source": rows(self.by_source),
            "threshold": rows(self.threshold), "outcomes": rows(self.outcomes),
            "outcomes_by_harm": rows(self.outcomes_by_harm), "outcomes_by_sector": rows(self.outcomes_by_sector),
            "police": {"rows": rows(self.police), "criminal": rows(self.criminal)},
            "suspensions": rows(self.suspensions),
            "regulators": {"rows": rows(self.regulators), "contacts": self.regulator_contacts.to_dict(),
                           "other_names": list(self.regulator_other_names)},
            "disciplinary": rows(self.disciplinary),
            "repeats": {"years": self.repeat_years, "rows": rows(self.repeats)},
            "durations": {"referrals": self.totals[1].to_dict(), "rows": rows(self.durations),
                          "targets": [t.to_dict() for t in self.targets], "no_basis": self.no_basis.to_dict()},
            "open_at_year_end": {"date": self.open_date.isoformat(), "compare_date": self.compare_open_date.isoformat(),
                                 "total": self.open_total.to_dict(), "by_age": rows(self.open_by_age),
                                 "by_category": rows(self.open_by_category)},
            "rate_per_10000": {"population": self.population, "compare_population": self.compare_population,
                               "rows": [r.to_dict() for r in self.rates]},
            "trend": [t.to_dict() for t in self.trend],
            "reconciliation": list(self.reconciliation),
        }
        assert tuple(out) == DICT_KEYS
        return out


# --- one year's counts --------------------------------------------------------------------------

class _Year:
    """The counts of one financial year, gathered in the one pass."""

    def __init__(self, year: str, start: date, end: date) -> None:
        self.year = year
        self.start, self.end = start, end
        self.c: Counter[tuple[str, ...]] = Counter()       # ("table", key...) -> count
        self.open_at = end
        self.closed_early: list[str] = []
        self.repeat_candidates: list[tuple[str, str, tuple[str, str], bool]] = []   # received, ref, person, referral
        self.unchecked_subjects = 0
        self.employers: Counter[str] = Counter()
        self.regulator_names: Counter[str] = Counter()

    def n(self, *key: str) -> int:
        return self.c[key]


def _latest_suspension(entries: Any) -> str:
    best: Optional[tuple[str, str]] = None
    for s in entries or ():
        on = str(s.get("on") or "")
        if best is None or on >= best[0]:
            best = (on, str(s.get("decision") or ""))
    if best is None or best[1] not in SUSPENSION_KEYS:
        return NOT_RECORDED
    return best[1]


def _closed_at(d: Mapping[str, Any], at: str) -> bool:
    """Was the contact closed at the end of day ``at`` (ISO), as the record (with its reopenings) says?"""
    closed = d.get("closed_on")
    if closed is not None and closed <= at:
        return True
    for r in d.get("reopenings") or ():
        previous = r.get("previous_closed_on")
        if previous is not None and previous <= at < str(r.get("on") or ""):
            return True
    return False


def _population(value: Any, year: str, field: str) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, Mapping):
        years = {normalise_financial_year(str(k), field): v for k, v in value.items()}
        value = years.get(year)
        if value is None:
            return None
    try:
        n = int(value)
    except (TypeError, ValueError):
        n = 0
    if isinstance(value, bool) or n <= 0 or str(value).strip() not in (str(n), f"{n}.0"):
        raise ValidationError(field, value, "the number of children in the area (a whole number above 0), "
                                            "or {\"2018-19\": 64000, ...}")
    return n


def _repeat_years(ctx: Context, given: Optional[int]) -> int:
    value: Any = given if given is not None else ctx.settings.get("repeat_years", DEFAULT_REPEAT_YEARS)
    return int(report_settings_change({}, repeat_years=value)["repeat_years"])


REPORT_SETTINGS = ("child_population", "repeat_years")


def report_settings_change(current: Mapping[str, Any], *, child_population: Any = None, year: Optional[str] = None,
                           repeat_years: Any = None) -> dict[str, Any]:
    """The settings the report's measures read, changed and checked before anything is written.

    ``child_population`` with ``year`` sets that year's population beside the others; without it, one number
    for every year.  Raises ValidationError naming the setting and what is accepted.
    """
    out: dict[str, Any] = {}
    if child_population is not None:
        if year is None:
            out["child_population"] = _population(child_population, "", "child_population")
        else:
            key = normalise_financial_year(year, "year")
            before = current.get("child_population")
            years = dict(before) if isinstance(before, Mapping) else {}
            years[key] = _population(child_population, key, "child_population")
            out["child_population"] = years
    if repeat_years is not None:
        value: Any = repeat_years
        try:
            n = int(value)
        except (TypeError, ValueError):
            n = 0
        if isinstance(value, bool) or n < 1 or str(value).strip() not in (str(n), f"{n}.0"):
            raise ValidationError("repeat_years", value, "a whole number of years, 1 or more")
        out["repeat_years"] = n
    return out


def _fy(received: str) -> str:
    y = int(received[:4])
    start = y if int(received[5:7]) >= 4 else y - 1
    return f"{start}-{(start + 1) % 100:02d}"


def _label(key: str) -> str:
    return LABELS.get(key, key.replace("_", " ").capitalize())


def annual_measures(ctx: Context, year: str, compare_with: Optional[str] = None, *, as_of: Optional[date] = None,
                    child_population: Optional[int] = None, repeat_years: Optional[int] = None) -> AnnualMeasures:
    """Every measure of the LADO annual report for ``year`` beside ``compare_with`` (default: the year
    before): see the module's docstring for each measure's rule and the JSON keys."""
    year = normalise_financial_year(year, "year")
    compare = normalise_financial_year(compare_with, "compare_with") if compare_with else previous_financial_year(year)
    start, end = financial_year_bounds(year)
    cstart, cend = financial_year_bounds(compare)
    today = as_of or ctx.today()
    rules = rules_of(ctx)
    taxonomy = ctx.taxonomy
    n_years = _repeat_years(ctx, repeat_years)
    band_names = band_keys(rules.resolution)
    no_basis_key = "no_basis_" + band_keys((rules.false_malicious,))[0]

    this, other = _Year(year, start, end), _Year(compare, cstart, cend)
    years = (this, other)
    for y in years:
        y.open_at = min(y.end, today)
    open_iso = [y.open_at.isoformat() for y in years]
    bounds = [(y.start.isoformat(), y.end.isoformat()) for y in years]

    trend_years = []
    first = financial_year_bounds(year)[0].year - TREND_YEARS + 1
    for i in range(TREND_YEARS):
        trend_years.append(f"{first + i}-{(first + i + 1) % 100:02d}")
    trend: Counter[tuple[str, str]] = Counter()
    people: dict[tuple[str, str], list[tuple[str, str]]] = {}
    agency_cache: dict[str, tuple[str, str]] = {}          # raw agency -> (group, row name)
    source_cache: dict[str, tuple[str, str]] = {}          # raw organisation -> (group, row name)
    limits_cache: dict[str, list[str]] = {}
    no_basis_cache: dict[str, str] = {}

    def listed_row(name: str) -> tuple[str, str]:
        group = taxonomy.group_of(name)
        return (group if group in SECTOR_GROUPS else "other", name)

    def sector_of(agency: str) -> tuple[str, str]:
        found = agency_cache.get(agency)
        if found is None:
            name = taxonomy.lookup(agency)
            found = (UNLISTED, agency) if name is None else listed_row(name)
            agency_cache[agency] = found
        return found

    def source_read(facts: Mapping[str, Any]) -> tuple[str, str]:
        """The source row of a referrer's organisation from its ``source_facts`` (the figures document's
        ``source`` for the analyst): the list's name, matched again against the list as it is now."""
        listed = facts.get("listed")
        name = taxonomy.lookup(listed) if listed else None
        if name is not None:
            return listed_row(name)
        if facts.get("blank"):
            return (NOT_RECORDED, "")
        sector = facts.get("sector")     # (free text is never printed in a board report: it may name a person)
        return (sector, SECTOR_OTHERS) if sector else (UNLISTED, UNLISTED_SOURCES)

    def source_of(organisation: str) -> tuple[str, str]:
        found = source_cache.get(organisation)
        if found is None:
            found = source_cache[organisation] = source_read(source_facts(organisation, taxonomy))
        return found

    for ref, d in ctx.store.all("contacts").items():
        received: str = d["received_on"]
        fy = _fy(received)
        referral = d.get("category") == "referral"
        if fy in trend_years:
            trend[(fy, "contacts")] += 1
            trend[(fy, "referrals")] += referral
        read = d.get("figures")     # the analyst's figures document (lado/figures.py): free text already read
        subject = d.get("subject") or {}
        if read is not None:
            person: Optional[tuple[str, str]] = (read["person"], "") if read.get("person") else None
        else:
            name, dob = match_key(subject.get("name")), subject.get("date_of_birth")
            person = (name, str(dob)) if name and dob else None
        if person is not None:
            people.setdefault(person, []).append((received, ref))
        # open at each year's end (received in or before the year)
        category = str(d.get("category")) if d.get("category") in CATEGORY_KEYS else NOT_RECORDED
        for y, at in zip(years, open_iso):
            if received <= at and not _closed_at(d, at):
                y.c[("open",)] += 1
                y.c[("open_category", category)] += 1
                day, received_day = y.open_at, date.fromisoformat(received)
                if day < received_day + relativedelta(months=1):
                    y.c[("open_age", "under_1_month")] += 1
                elif day < received_day + relativedelta(months=3):
                    y.c[("open_age", "1_to_3_months")] += 1
                elif day < received_day + relativedelta(months=12):
                    y.c[("open_age", "3_to_12_months")] += 1
                else:
                    y.c[("open_age", "over_12_months")] += 1
        if bounds[0][0] <= received <= bounds[0][1]:
            t = this
        elif bounds[1][0] <= received <= bounds[1][1]:
            t = other
        else:
            continue
        c = t.c
        c[("contacts",)] += 1
        if read is None and "figures" in d:     # the analyst's view of a contact whose figures are not made
            c[("figures_missing",)] += 1
        c[("category", category)] += 1
        harm = str(d.get("harm")) if d.get("harm") in HARM_KEYS else NOT_RECORDED
        c[("harm", harm)] += 1
        group, agency = sector_of(d.get("agency") or "")
        c[("sector", group)] += 1
        c[("agency", group, agency)] += 1
        if read is not None:
            sgroup, sname = source_read(read.get("source") or {})
        else:
            sgroup, sname = source_of(str((d.get("referrer") or {}).get("organisation") or ""))
        c[("source", sgroup)] += 1
        c[("source_name", sgroup, sname)] += 1
        if person is not None:
            t.repeat_candidates.append((received, ref, person, referral))
        else:
            t.unchecked_subjects += 1
        employer = read.get("employer") if read is not None else match_key(subject.get("employer"))
        if employer:
            t.employers[employer] += 1
        for r in d.get("regulator_referrals") or ():
            body = regulator_body(str(r.get("body") or ""))
            c[("regulator", body)] += 1
            c[("regulator_all",)] += 1
            if body == "other":
                t.regulator_names[str(r.get("body") or "").strip() or "(blank)"] += 1
        if d.get("regulator_referrals"):
            c[("regulator_contacts",)] += 1
            if not referral:
                c[("regulator_not_referral",)] += 1
        if not referral:
            if d.get("police_involved") or d.get("s47_strategy_on"):
                c[("police_not_referral",)] += 1
            continue
        # --- referrals only -------------------------------------------------------------
        c[("referrals",)] += 1
        limbs = [x for x in d.get("threshold") or () if x in THRESHOLD_KEYS]
        for limb in set(limbs):
            c[("threshold", limb)] += 1
        if not limbs:
            c[("threshold", "none_recorded")] += 1
        closed, outcome = d.get("closed_on"), d.get("outcome")
        if closed is None:
            outcome_key = "open"
        elif outcome in OUTCOME_KEYS:
            outcome_key = str(outcome)
        else:
            outcome_key = NOT_RECORDED
        c[("outcome", outcome_key)] += 1
        c[("outcome_harm", harm, outcome_key)] += 1
        c[("outcome_sector", group, outcome_key)] += 1
        c[("outcome_sector_group", group)] += 1
        if d.get("police_involved"):
            c[("police", "police_involved")] += 1
        if d.get("s47_strategy_on") or any(m.get("kind") == "strategy" for m in d.get("meetings") or ()):
            c[("police", "s47_strategy")] += 1
        if read is not None:
            criminal, disciplinary = read.get("criminal"), str(read.get("disciplinary") or NOT_RECORDED)
        else:
            criminal, disciplinary = outcome_classes(d)
        c[("criminal", criminal or NOT_RECORDED)] += 1
        c[("suspension", _latest_suspension(d.get("suspension")))] += 1
        c[("disciplinary", disciplinary)] += 1
        if closed is None:
            c[("band", "open")] += 1
            continue
        if closed < received:
            t.closed_early.append(ref)
        limits = limits_cache.get(received)
        if limits is None:
            day = date.fromisoformat(received)
            limits = limits_cache[received] = [add_period(day, p).isoformat() for p in rules.resolution]
        for i, limit in enumerate(limits):
            if closed <= limit:
                c[("band", band_names[i])] += 1
                break
        else:
            c[("band", band_names[-1])] += 1
        if outcome in NO_BASIS:
            c[("no_basis",)] += 1
            week = no_basis_cache.get(received)
            if week is None:
                week = no_basis_cache[received] = add_period(date.fromisoformat(received),
                                                             rules.false_malicious).isoformat()
            if closed <= week:
                c[("no_basis_in_time",)] += 1

    # --- repeats: an earlier contact about the same person within N years ----------------------
    for entries in people.values():
        entries.sort()
    for t in years:
        subjects: set[tuple[str, str]] = set()
        for received, ref, person, referral in t.repeat_candidates:
            since = (date.fromisoformat(received) - relativedelta(years=n_years)).isoformat()
            if any(since <= r and (r, f) < (received, ref) for r, f in people[person]):
                t.c[("repeat", "repeat_contacts")] += 1
                t.c[("repeat", "repeat_referrals")] += referral
                subjects.add(person)
        t.c[("repeat", "repeat_subjects")] = len(subjects)
        settings = [n for n in t.employers.values() if n >= 2]
        t.c[("repeat", "repeat_settings")] = len(settings)
        t.c[("repeat", "repeat_setting_contacts")] = sum(settings)

    # --- the tables ------------------------------------------------------------------------------
    def row(key: str, *table: str, base: Optional[tuple[int, int]] = None, label: Optional[str] = None) -> Row:
        n, m = this.c[(*table, key)], other.c[(*table, key)]
        return Row(key=key, label=label or _label(key), count=n, compare_count=m,
                   percent=percent(n, base[0]) if base else None,
                   compare_percent=percent(m, base[1]) if base else None)

    contacts = (this.n("contacts"), other.n("contacts"))
    referrals = (this.n("referrals"), other.n("referrals"))

    def table(keys: Sequence[str], *prefix: str, base: Optional[tuple[int, int]] = None) -> tuple[Row, ...]:
        return tuple(row(k, *prefix, base=base) for k in keys)

    totals = (row("contacts"), row("referrals", base=contacts))
    offered_groups = {sector_of(a)[0] for a in taxonomy.offered}
    offered = set(taxonomy.offered)

    def agency_rows(group: str) -> tuple[Row, ...]:
        names = [a for a in taxonomy.agencies if sector_of(a)[0] == group]
        seen = {k[2] for y in years for k in y.c if k[0] == "agency" and k[1] == group}
        extra = sorted(seen - set(names))
        return tuple(row(a, "agency", group, base=contacts, label=a) for a in names + extra
                     if a in offered or a in seen)

    by_sector = tuple(
        Group(**attrs.asdict(row(g, "sector", base=contacts, label=SECTOR_LABELS[g]), recurse=False),
              rows=agency_rows(g))
        for g in (*SECTOR_GROUPS, UNLISTED)
        if this.c[("sector", g)] or other.c[("sector", g)] or g in offered_groups)

    def name_rows(group: str) -> tuple[Row, ...]:
        both = Counter({k[2]: v for k, v in this.c.items() if k[:2] == ("source_name", group)})
        both.update({k[2]: v for k, v in other.c.items() if k[:2] == ("source_name", group)})
        ranked = sorted(both, key=lambda k: (-both[k], k))
        shown = [row(k, "source_name", group, base=contacts, label=k or LABELS[NOT_RECORDED])
                 for k in ranked[:NAMES_SHOWN]]
        rest = ranked[NAMES_SHOWN:]
        if rest:
            n = sum(this.c[("source_name", group, k)] for k in rest)
            m = sum(other.c[("source_name", group, k)] for k in rest)
            shown.append(Row(key="more", label=f"{len(rest)} other names", count=n, compare_count=m,
                             percent=percent(n, contacts[0]), compare_percent=percent(m, contacts[1])))
        return tuple(shown)

    by_source = tuple(
        Group(**attrs.asdict(row(g, "source", base=contacts, label=SOURCE_LABELS[g]), recurse=False),
              rows=name_rows(g))
        for g in (*SECTOR_GROUPS, UNLISTED, NOT_RECORDED) if this.c[("source", g)] or other.c[("source", g)])

    def outcome_groups(keys: Iterable[str], counted: str, labels: Mapping[str, str]) -> tuple[Group, ...]:
        out = []
        for g in keys:
            n = sum(this.c[(counted, g, o)] for o in OUTCOME_KEYS)
            m = sum(other.c[(counted, g, o)] for o in OUTCOME_KEYS)
            if counted == "outcome_sector" and not (n or m):
                continue
            out.append(Group(key=g, label=labels.get(g, _label(g)), count=n, compare_count=m,
                             percent=percent(n, referrals[0]), compare_percent=percent(m, referrals[1]),
                             rows=tuple(row(o, counted, g, base=(n, m)) for o in OUTCOME_KEYS)))
        return tuple(out)

    regulator_all = (this.n("regulator_all"), other.n("regulator_all"))
    durations = table((*band_names, "open"), "band", base=referrals)
    targets = []
    running = [0, 0]
    for i, period in enumerate(rules.resolution):
        running = [running[0] + this.c[("band", band_names[i])], running[1] + other.c[("band", band_names[i])]]
        targets.append(Target(key=band_names[i], period=period, target_percent=rules.resolution_percent[i],
                              count=running[0], compare_count=running[1], percent=percent(running[0], referrals[0]),
                              compare_percent=percent(running[1], referrals[1])))
    opened = (this.n("open"), other.n("open"))

    population = _population(child_population, year, "child_population") if child_population is not None else \
        _population(ctx.settings.get("child_population"), year, "child_population")
    cpopulation = _population(child_population, compare, "child_population") if child_population is not None else \
        _population(ctx.settings.get("child_population"), compare, "child_population")

    def rate(n: int, pop: Optional[int]) -> Optional[float]:
        return None if not pop else percent(n * 100, pop)      # per 10,000 = n * 10,000 / pop = percent(n * 100, pop)

    rates = tuple(Rate(key=k, label=_label(k), rate=rate(n, population), compare_rate=rate(m, cpopulation))
                  for k, (n, m) in (("contacts", contacts), ("referrals", referrals)))
    with_data = [y for y in trend_years if trend[(y, "contacts")]]
    trend_rows = tuple(TrendYear(year=y, contacts=trend[(y, "contacts")], referrals=trend[(y, "referrals")])
                       for y in trend_years if with_data and y >= with_data[0])

    # --- reconciliation -------------------------------------------------------------------------
    notes: list[str] = []
    for t in years:
        y_, c, total, refs = t.year, t.c, t.n("contacts"), t.n("referrals")
        if not total:
            notes.append(f"{y_}: no contacts are recorded")
            continue
        if c[("figures_missing",)]:
            notes.append(f"{y_}: {c[('figures_missing',)]} contact(s) have no figures for the analyst role yet (changed "
                         f"outside the tool, or from before schema 5), so their escalations, sources, suspensions, "
                         f"regulators, disciplinary outcomes and repeats count as not recorded: the database's owner "
                         f"runs `safeguard-tracker --db URL admin migrate`")
        if c[("category", NOT_RECORDED)]:
            notes.append(f"{y_}: {c[('category', NOT_RECORDED)]} contact(s) have no category yet (by_category "
                         f"'not recorded'); referrals count only contacts categorised as referrals")
        if c[("harm", NOT_RECORDED)]:
            notes.append(f"{y_}: {c[('harm', NOT_RECORDED)]} contact(s) have no harm category recorded")
        unlisted = sorted(k[2] for k in c if k[:2] == ("agency", UNLISTED))
        if unlisted:
            notes.append(f"{y_}: {c[('sector', UNLISTED)]} contact(s) have an agency that is not in the list, so they "
                         f"are under 'Not in the list' in by_sector: " + ", ".join(f"'{a}'" for a in unlisted))
        if c[("source", NOT_RECORDED)]:
            notes.append(f"{y_}: {c[('source', NOT_RECORDED)]} contact(s) have no referrer organisation recorded "
                         f"(source of referral 'not recorded')")
        if c[("source", UNLISTED)]:
            notes.append(f"{y_}: {c[('source', UNLISTED)]} contact(s) have a referrer organisation that names no "
                         f"agency in the list and no one sector, so their source is 'Other: not matched'")
        if refs and c[("threshold", "none_recorded")]:
            notes.append(f"{y_}: {c[('threshold', 'none_recorded')]} of {refs} referral(s) have no threshold limb "
                         f"recorded; a referral may meet several limbs, so the limbs need not sum to {refs}")
        if c[("outcome", NOT_RECORDED)]:
            notes.append(f"{y_}: {c[('outcome', NOT_RECORDED)]} closed referral(s) have no allegation outcome "
                         f"(outcome 'not recorded')")
        if refs:
            found = refs - c[("criminal", NOT_RECORDED)]
            notes.append(f"{y_}: criminal outcomes are not recorded as such: {found} of {refs} referral(s) say "
                         f"convicted, charged or cautioned in the disciplinary or employer's outcome text; "
                         f"for the other {refs - found} the criminal outcome is not recorded")
        if c[("police_not_referral",)]:
            notes.append(f"{y_}: {c[('police_not_referral',)]} contact(s) that are not referrals record police "
                         f"involvement or an s47 strategy discussion; the police figures count referrals only")
        if c[("suspension", NOT_RECORDED)]:
            notes.append(f"{y_}: {c[('suspension', NOT_RECORDED)]} of {refs} referral(s) have no suspension "
                         f"decision recorded" + (NOT_IMPORTED if c[("suspension", NOT_RECORDED)] == refs else ""))
        if refs and not c[("regulator_contacts",)]:
            notes.append(f"{y_}: no DBS or regulator referral is recorded on any contact received in the year"
                         + NOT_IMPORTED)
        if c[("disciplinary", NOT_RECORDED)]:
            notes.append(f"{y_}: {c[('disciplinary', NOT_RECORDED)]} of {refs} referral(s) have no disciplinary "
                         f"or employer's outcome recorded")
        if c[("regulator_not_referral",)]:
            notes.append(f"{y_}: {c[('regulator_not_referral',)]} contact(s) with a DBS or regulator referral are "
                         f"not referrals; they are counted under regulators")
        if t.regulator_names:
            notes.append(f"{y_}: {sum(t.regulator_names.values())} regulator referral(s) name a body not "
                         f"recognised, counted as 'other': "
                         + ", ".join(f"'{k}'" for k in sorted(t.regulator_names)))
        if t.unchecked_subjects:
            notes.append(f"{y_}: {t.unchecked_subjects} contact(s) have no subject name or no date of birth, so "
                         f"whether the subject is a repeat cannot be known")
        if t.closed_early:
            notes.append(f"{y_}: {len(t.closed_early)} referral(s) are closed before they were received: "
                         + ", ".join(sorted(t.closed_early)[:10]))
    if population is None or cpopulation is None:
        missing = " and ".join(y for y, p in ((year, population), (compare, cpopulation)) if p is None)
        notes.append(f"{missing}: no child population is set, so there is no rate per 10,000 children; set it "
                     f"with: safeguard-tracker settings --set child_population=64000 (or "
                     f"child_population={year}:64000 for one year), or --child-population 64000 on the report")
    if today < end or (today == end and not day_has_ended(ctx, today)):
        notes.append(f"{year} is not over: figures are to {fmt(today)}, and open cases are counted on that date")

    return AnnualMeasures(
        year=year, compare_year=compare, period_start=start, period_end=end, compare_period_start=cstart,
        compare_period_end=cend, as_of=today, totals=totals,
        by_category=table(CATEGORY_KEYS, "category", base=contacts),
        by_harm=table(HARM_KEYS, "harm", base=contacts),
        by_sector=by_sector, by_source=by_source,
        threshold=table(THRESHOLD_KEYS, "threshold", base=referrals),
        outcomes=table(OUTCOME_KEYS, "outcome", base=referrals),
        outcomes_by_harm=outcome_groups(HARM_KEYS, "outcome_harm", LABELS),
        outcomes_by_sector=outcome_groups((*SECTOR_GROUPS, UNLISTED), "outcome_sector", SECTOR_LABELS),
        police=table(POLICE_KEYS, "police", base=referrals),
        criminal=table(CRIMINAL_KEYS, "criminal", base=referrals),
        suspensions=table(SUSPENSION_KEYS, "suspension", base=referrals),
        regulators=table(REGULATOR_KEYS, "regulator", base=regulator_all),
        regulator_contacts=row("regulator_contacts", label="Contacts with a DBS or regulator referral", base=contacts),
        regulator_other_names=tuple(sorted(set(this.regulator_names) | set(other.regulator_names))),
        disciplinary=table(DISCIPLINARY_KEYS, "disciplinary", base=referrals),
        repeat_years=n_years,
        repeats=(row("repeat_contacts", "repeat", base=contacts), row("repeat_referrals", "repeat", base=referrals),
                 row("repeat_subjects", "repeat"), row("repeat_settings", "repeat"),
                 row("repeat_setting_contacts", "repeat", base=contacts)),
        durations=durations, targets=tuple(targets),
        no_basis=NoBasis(key=no_basis_key, period=rules.false_malicious, cases=this.n("no_basis"),
                         compare_cases=other.n("no_basis"), count=this.n("no_basis_in_time"),
                         compare_count=other.n("no_basis_in_time")),
        open_date=this.open_at, compare_open_date=other.open_at,
        open_total=Row(key="open", label="Open", count=opened[0], compare_count=opened[1]),
        open_by_age=table(AGE_KEYS, "open_age", base=opened),
        open_by_category=table(CATEGORY_KEYS, "open_category", base=opened),
        population=population, compare_population=cpopulation, rates=rates, trend=trend_rows,
        reconciliation=tuple(notes),
    )


__all__ = ["AnnualMeasures", "CRIMINAL_KEYWORDS", "DICT_KEYS", "DISCIPLINARY_KEYWORDS", "Group", "NoBasis", "Rate",
           "REGULATOR_NAMES", "Row", "Target", "TrendYear", "annual_measures", "criminal_class",
           "disciplinary_class", "regulator_body", "sector_named"]
