"""The fixed vocabularies, valued as the users write them in a spreadsheet."""

from __future__ import annotations

import re
from enum import Enum
from typing import Self

from ..errors import choice_error


class Choice(str, Enum):
    """An enum that parses forgiving spellings and names the choices when it cannot."""
    _value_: str

    @classmethod
    def parse(cls, value: object, field: str, row: int | None = None) -> Self:
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            key = value.strip().lower().replace("-", "_").replace(" ", "_")
            for member in cls:
                if key in (member.value, member.name.lower()) or key == member.label.lower().replace(" ", "_").replace("-", "_"):
                    return member
        raise choice_error(field, value, [m.value for m in cls], row=row)

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")

    def __str__(self) -> str:
        return self.value


class Category(Choice):
    ENQUIRY = "enquiry"
    CONSULTATION = "consultation"
    REFERRAL = "referral"

    @property
    def rank(self) -> int:
        return ("enquiry", "consultation", "referral").index(self.value)


class Outcome(Choice):
    SUBSTANTIATED = "substantiated"
    FALSE = "false"
    MALICIOUS = "malicious"
    UNSUBSTANTIATED = "unsubstantiated"
    UNFOUNDED = "unfounded"
    ADVICE_GIVEN = "advice_given"          # how an enquiry closes
    NO_FURTHER_ACTION = "no_further_action"  # a consultation the employer dealt with


ALLEGATION_OUTCOMES = (
    Outcome.SUBSTANTIATED, Outcome.FALSE, Outcome.MALICIOUS, Outcome.UNSUBSTANTIATED, Outcome.UNFOUNDED,
)


class Harm(Choice):
    PHYSICAL = "physical"
    SEXUAL = "sexual"
    EMOTIONAL = "emotional"
    NEGLECT = "neglect"
    SUITABILITY = "suitability"


class Threshold(Choice):
    """The four limbs of the harm threshold, in the guidance's order."""
    HARMED = "harmed"            # 1: harmed or may have harmed a child
    OFFENCE = "offence"          # 2: possibly committed a criminal offence against or related to a child
    RISK = "risk"                # 3: behaved in a way that indicates they may pose a risk of harm
    SUITABILITY = "suitability"  # 4: may not be suitable to work with children (transferable risk)


class MeetingKind(Choice):
    JEM = "jem"                  # Joint Evaluation Meeting
    JEM_REVIEW = "jem_review"
    STRATEGY = "strategy"        # s47 strategy discussion
    OTHER = "other"


class CategoryChange(Choice):
    CATEGORISED = "categorised"
    ESCALATED = "escalated"
    STEPPED_DOWN = "stepped_down"


class SuspensionDecision(Choice):
    SUSPENDED = "suspended"
    ALTERNATIVE = "alternative"        # alternatives to suspension, e.g. a changed role
    NOT_SUSPENDED = "not_suspended"


def _spoken(value: object) -> str:
    """'Serious-Case  Review' -> 'serious case review': the key for the synonym tables below."""
    text = str(value).strip().lower().replace("'", "").replace("\u2019", "")
    return re.sub(r"[\s_\-\u2013]+", " ", text).strip()


# How spreadsheets and minutes spell the review kinds and action statuses.
REVIEW_KIND_SYNONYMS = {
    "serious case review": "scr",
    "local child safeguarding practice review": "lcspr", "cspr": "lcspr", "practice review": "lcspr",
    "rapid": "rapid_review", "rr": "rapid_review",
    "learning lessons review": "llr", "learning lesson review": "llr", "lessons learned review": "llr",
    "learning review": "llr", "learning lessons": "llr", "lessons learnt review": "llr",
    "case file audit": "audit", "multi agency audit": "audit", "multi agency case file audit": "audit",
    "themed audit": "audit", "maca": "audit", "cfag": "audit",
    "domestic homicide review": "dhr",
    "other board": "other_board", "another board": "other_board", "led by another board": "other_board",
    "other boards review": "other_board", "other area": "other_board",
}
ACTION_STATUS_SYNONYMS = {
    "not yet started": "not_started", "new": "not_started", "open": "not_started",
    "started": "in_progress", "ongoing": "in_progress", "on going": "in_progress", "in hand": "in_progress",
    "completed": "complete", "done": "complete", "closed": "complete",
    "signed": "signed_off", "assured": "signed_off", "complete and assured": "signed_off",
    "completed and signed off": "signed_off",
}


class ReviewKind(Choice):
    SCR = "scr"
    LCSPR = "lcspr"
    RAPID_REVIEW = "rapid_review"
    LLR = "llr"
    AUDIT = "audit"              # multi-agency case file audit
    DHR = "dhr"
    OTHER_BOARD = "other_board"  # a review led by another area's board

    @property
    def label(self) -> str:
        return {
            "scr": "SCR", "lcspr": "LCSPR", "rapid_review": "Rapid Review", "llr": "LLR",
            "audit": "Multi-agency audit", "dhr": "DHR", "other_board": "Other board's review",
        }[self.value]

    @classmethod
    def parse(cls, value: object, field: str, row: int | None = None) -> Self:
        if isinstance(value, str) and _spoken(value) in REVIEW_KIND_SYNONYMS:
            return cls(REVIEW_KIND_SYNONYMS[_spoken(value)])
        return super().parse(value, field, row)


class ReviewStatus(Choice):
    NOTIFIED = "notified"
    RAPID_REVIEW = "rapid_review"
    IN_PROGRESS = "in_progress"
    PUBLISHED = "published"
    CLOSED = "closed"


class ActionStatus(Choice):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    SIGNED_OFF = "signed_off"

    @property
    def rank(self) -> int:
        return ("not_started", "in_progress", "complete", "signed_off").index(self.value)

    @classmethod
    def parse(cls, value: object, field: str, row: int | None = None) -> Self:
        if isinstance(value, str) and _spoken(value) in ACTION_STATUS_SYNONYMS:
            return cls(ACTION_STATUS_SYNONYMS[_spoken(value)])
        return super().parse(value, field, row)


class RAG(Choice):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    BLUE = "blue"
