"""Each rule the tracker applies is in the docs' guidance tables, with its value and where it comes from."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MALICIOUS = ("there is sufficient evidence to disprove the allegation and there has been a deliberate act to deceive "
             "or cause harm to the person subject of the allegation")
# A source citation: a named document with a part, chapter or section, and a paragraph (or an honest "not verified").
SOURCE = re.compile(r"(KCSIE|Keeping Children Safe|Working Together|Children Act 2004)")
WHERE = re.compile(r"(Part Four|chapter \d|s\.16C)", re.IGNORECASE)
PARAGRAPH = re.compile(r"(paragraph \d+|paragraph not verified)")

LADO_RULES = {
    "Outcome: substantiated": "sufficient evidence to prove the allegation",
    "Outcome: malicious": MALICIOUS,
    "Outcome: false": "sufficient evidence to disprove the allegation",
    "Outcome: unsubstantiated": "insufficient evidence to either prove or disprove",
    "Outcome: unfounded": "no evidence or proper basis",
    "Threshold limb 1": "has harmed a child, or may have harmed a child",
    "Threshold limb 2": "criminal offence against or related to a child",
    "Threshold limb 3": "may pose a risk of harm to children",
    "Threshold limb 4": "may not be suitable to work with children",
    "Resolution within 1 month": "80%",
    "Resolution within 3 months": "90%",
    "Resolution within 12 months": "all but the most exceptional",
    "One week where clearly without foundation": "1 week",
    "Panel duty date": "29/06/2018",
}
PLAN_RULES = {
    "Panel notification": "5 working days",
    "Rapid review": "15 working days",
    "LCSPR publication": "6 months",
    "Panel duty start": "29/06/2018",
}


def _section(path: str, heading: str) -> str:
    text = (ROOT / path).read_text(encoding="utf-8")
    assert heading in text, f"{path} has no {heading!r}"
    rest = text.split(heading, 1)[1]
    return re.split(r"\n## ", rest, maxsplit=1)[0]


def _rows(text: str) -> dict[str, str]:
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.strip().startswith("|") and len(cells) >= 3:
            rows[cells[0]] = " | ".join(cells[1:])
    return rows


def _check(rows: dict[str, str], rule: str, phrase: str) -> None:
    assert rule in rows, f"no row for {rule!r}"
    row = rows[rule]
    assert phrase in row, f"{rule}: {phrase!r} not in {row!r}"
    assert SOURCE.search(row) and WHERE.search(row) and PARAGRAPH.search(row), f"{rule}: no full citation in {row!r}"


@pytest.mark.parametrize("rule,phrase", LADO_RULES.items())
def test_lado_guidance_table_cites_each_rule(rule, phrase):
    _check(_rows(_section("docs/lado.md", "## Guidance and where each rule comes from")), rule, phrase)


@pytest.mark.parametrize("rule,phrase", PLAN_RULES.items())
def test_plans_doc_cites_each_review_rule(rule, phrase):
    _check(_rows(_section("docs/plans.md", "## Decisions, with reasons")), rule, phrase)


def test_plans_doc_no_longer_cites_working_together_2015_alone():
    text = (ROOT / "docs/plans.md").read_text(encoding="utf-8")
    assert "Working Together 2015 asked the same of SCRs" not in text
    assert "Working Together to Safeguard Children 2023" in text and "29/06/2018" in text


def test_the_code_carries_the_current_malicious_wording_or_none():
    """Wherever code, TUI help or docs define malicious, it is the current wording, as in docs/lado.md."""
    assert MALICIOUS in (ROOT / "docs/lado.md").read_text(encoding="utf-8")
    old = re.compile(r"deliberate act to deceive(?! or cause harm to the person subject of the allegation)")
    stale = []
    for folder in ("safeguard_tracker", "tui", "docs"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".py", ".md", ".txt", ".json", ".tcss") and path.is_file():
                text = re.sub(r"\s+", " ", path.read_text(encoding="utf-8", errors="replace"))
                stale += [f"{path.relative_to(ROOT)}" for _ in old.finditer(text)]
    assert not stale, f"the old definition of malicious (without 'or cause harm ...') in {stale}"
