"""The vocabulary presets (board, england), and the three invented councils' files in tests/data/councils."""

from __future__ import annotations

import csv
import importlib.util
import io
import sys
from pathlib import Path
from types import ModuleType

import pytest

from safeguard_tracker.errors import ValidationError
from safeguard_tracker.model.enums import Category, Harm, Outcome
from safeguard_tracker.taxonomy import DEFAULT_AGENCIES, fold
from safeguard_tracker.vocab.entries import FIXED_KINDS, KINDS, SECTOR_GROUPS, Entry, Vocabulary
from safeguard_tracker.vocab.presets import PRESETS, preset

COUNCILS = Path(__file__).parent / "data" / "councils"
ENUMS = {"categories": Category, "outcomes": Outcome, "harms": Harm}


def vocab(name: str, kind: str) -> Vocabulary:
    return Vocabulary(kind, PRESETS[name][kind])


# --- presets --------------------------------------------------------------------------------------------------

def test_every_preset_has_every_kind():
    assert list(PRESETS) == ["board", "england"]
    for lists in PRESETS.values():
        assert set(lists) == set(KINDS)
        assert all(lists[kind] and all(isinstance(e, Entry) for e in lists[kind]) for kind in KINDS)


def test_board_agencies_are_the_boards_list_exactly():
    assert tuple(e.name for e in PRESETS["board"]["agencies"]) == DEFAULT_AGENCIES
    partners = [e.name for e in PRESETS["board"]["partners"]]
    assert partners == list(DEFAULT_AGENCIES) + ["Safeguarding Children Board"]


def test_groups_are_sector_groups_and_england_covers_every_one():
    for name, lists in PRESETS.items():
        for kind in ("agencies", "partners"):
            for e in lists[kind]:
                if kind == "partners" and "Safeguarding" in e.name:
                    continue
                assert e.group in SECTOR_GROUPS, (name, kind, e.name, e.group)
        for kind in FIXED_KINDS:
            assert all(e.group == "" for e in lists[kind]), (name, kind)
    england = PRESETS["england"]["agencies"]
    assert 40 <= len(england) <= 60
    for group, label in SECTOR_GROUPS.items():
        members = [e for e in england if e.group == group]
        assert members, group
        # the catch-all: a spreadsheet that records only the sector ("Health") still finds an entry of it
        assert vocab("england", "agencies").group_of(label) == group, (group, label)


def test_no_alias_is_ambiguous_or_hides_a_name():
    for name, lists in PRESETS.items():
        for kind, entries in lists.items():
            names = {fold(e.name): e.name for e in entries}
            assert len(names) == len(entries), (name, kind, "two entries fold to one name")
            seen: dict[str, str] = {}
            for e in entries:
                for alias in e.aliases:
                    key = fold(alias)
                    assert key not in names, (name, kind, e.name, alias, names.get(key))
                    assert seen.setdefault(key, e.name) == e.name, (name, kind, alias, seen[key], e.name)
                    assert alias.strip() == alias and alias, (name, kind, e.name, alias)


def test_fixed_kinds_are_the_built_in_values_in_order():
    for lists in PRESETS.values():
        for kind, enum in ENUMS.items():
            assert [e.name for e in lists[kind]] == [m.value for m in enum], kind
    assert PRESETS["board"]["outcomes"] == PRESETS["england"]["outcomes"]


@pytest.mark.parametrize("preset_name, kind, text, expected", [
    ("board", "agencies", "kent police", "Police"),
    ("board", "agencies", "Kent Police Service", "Police"),
    ("board", "agencies", "Medway CCG", "Medway Clinical Commissioning Group (CCG)"),
    ("board", "agencies", "ccg", "Medway Clinical Commissioning Group (CCG)"),
    ("board", "agencies", "MFT", "Medway NHS Foundation Trust"),
    ("board", "agencies", "PRU", "School - PRU"),
    ("board", "agencies", "pupil referral unit", "School - PRU"),
    ("board", "agencies", "STC", "Secure Estates (Medway Secure Training Centre)"),
    ("board", "agencies", "Young Offender Institution", "Secure Estates (Youth Offending Institution)"),
    ("board", "agencies", "foster carers - local authority", "Foster Carers \u2013 Local Authority"),
    ("board", "agencies", "Residential - Private", "Residential \u2013 Private"),
    ("board", "agencies", "Safeguarding Children Board", None),
    ("board", "partners", "MSCB", "Safeguarding Children Board"),
    ("board", "partners", "the Board", "Safeguarding Children Board"),
    ("board", "partners", "Kent Police", "Police"),
    ("england", "agencies", "Education", "Education - other"),
    ("england", "agencies", "Health", "Health - other"),
    ("england", "agencies", "early years", "Early years - other"),
    ("england", "agencies", "NHS", "Health - other"),
    ("england", "agencies", "CCG", "Integrated Care Board (ICB)"),
    ("england", "agencies", "ICB", "Integrated Care Board (ICB)"),
    ("england", "agencies", "FE", "Further Education College"),
    ("england", "agencies", "PRU", "Pupil Referral Unit / Alternative Provision"),
    ("england", "agencies", "AP", "Pupil Referral Unit / Alternative Provision"),
    ("england", "agencies", "MAT", "Academy / Multi-Academy Trust"),
    ("england", "agencies", "IFA", "Independent Fostering Agency"),
    ("england", "agencies", "YOT", "Youth Justice Service"),
    ("england", "agencies", "Taxi firm", "Transport - other"),
    ("england", "agencies", "Kent Police", None),
    ("england", "partners", "LSCP", "Safeguarding Children Partnership"),
    ("england", "partners", "the partnership", "Safeguarding Children Partnership"),
    ("england", "outcomes", "Founded", "substantiated"),
    ("england", "outcomes", "Proven", "substantiated"),
    ("england", "outcomes", "Unfounded - malicious", "malicious"),
    ("england", "outcomes", "Unfounded", "unfounded"),
    ("england", "outcomes", "Not proven", "unsubstantiated"),
    ("england", "outcomes", "NFA \u2013 returned to employer", "no_further_action"),
    ("england", "outcomes", "No further action", "no_further_action"),
    ("england", "outcomes", "Advice only", "advice_given"),
    ("england", "outcomes", "Ongoing", None),
    ("england", "harms", "Physical abuse", "physical"),
    ("england", "harms", "Conduct outside work", "suitability"),
    ("england", "harms", "Transferable risk", "suitability"),
    ("england", "harms", "Online", None),
    ("england", "categories", "Inquiry", "enquiry"),
    ("england", "categories", "Allegation", "referral"),
    ("england", "categories", "Consultation", "consultation"),
    ("england", "categories", "Advice request", None),
])
def test_lookup(preset_name, kind, text, expected):
    assert vocab(preset_name, kind).lookup(text) == expected


def test_preset_by_name():
    lists = preset("england")
    assert lists == PRESETS["england"]
    lists["agencies"] = ()                       # a copy: the preset itself is untouched
    assert PRESETS["england"]["agencies"]
    with pytest.raises(ValidationError) as caught:
        preset("Scotland")
    assert (caught.value.field, caught.value.value, caught.value.accepted) == ("preset", "Scotland",
                                                                                "one of: board, england")


# --- the councils' files ----------------------------------------------------------------------------------------

def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_councils", COUNCILS / "make_councils.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module              # dataclasses look their module up while the class is made
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def xlsx_values(path: Path) -> dict[str, list[tuple[object, ...]]]:
    from openpyxl import load_workbook
    wb = load_workbook(path, read_only=True)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
    finally:
        wb.close()


def test_the_generator_reproduces_the_committed_files(tmp_path):
    counts = generator().main([str(tmp_path)])
    assert counts == {"northshire": 360, "eastbridge": 330, "westmoor": 310}
    made = sorted(p.name for p in tmp_path.iterdir())
    committed = sorted(p.name for p in COUNCILS.iterdir() if p.name not in ("make_councils.py", "README.md")
                       and not p.name.startswith((".", "__")))
    assert made == committed
    for name in made:
        if name.endswith(".xlsx"):
            assert xlsx_values(tmp_path / name) == xlsx_values(COUNCILS / name), name
        else:
            assert (tmp_path / name).read_bytes() == (COUNCILS / name).read_bytes(), name


def read_vocab(name: str) -> Vocabulary:
    raw = (COUNCILS / name).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(raw, newline="")))
    assert rows[0] == ["name", "group", "aliases", "retired"]
    entries = [Entry(name=n, group=g, aliases=tuple(a.split(" | ")) if a else (), retired=r == "yes")
               for n, g, a, r in rows[1:]]
    assert all(e.group in SECTOR_GROUPS or "Safeguarding" in e.name for e in entries), name
    return Vocabulary("agencies", entries)


def log_rows(council: str) -> tuple[list[str], list[list[str]]]:
    """A council's log as header and rows of text (the workbook's data sheet read as values)."""
    if council == "eastbridge":
        values = xlsx_values(COUNCILS / "eastbridge-lado-log.xlsx")
        assert list(values) == ["LADO log 2015-2019", "Notes"]
        rows = [["" if v is None else str(v) for v in row] for row in values["LADO log 2015-2019"]]
        return rows[0], rows[1:]
    if council == "northshire":
        raw = (COUNCILS / "northshire-lado-log.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and b"\n" in raw.replace(b"\r\n", b"")
        text, delimiter = raw.decode("utf-8-sig"), ","
    else:
        raw = (COUNCILS / "westmoor-lado-log.txt").read_bytes()
        assert raw.startswith(b"\xff\xfe") and "\r\n".encode("utf-16-le") in raw
        text, delimiter = raw[2:].decode("utf-16-le"), "\t"
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return rows[0], rows[1:]


@pytest.mark.parametrize("council, rows, agency_column, reference_column", [
    ("northshire", 360, "Employment sector", "LADO Ref"),
    ("eastbridge", 330, "Organisation type", "Ref"),
    ("westmoor", 310, "Sector", "Case No"),
])
def test_each_councils_agency_list_covers_its_log(council, rows, agency_column, reference_column):
    header, data = log_rows(council)
    assert len(data) == rows
    agencies = read_vocab(f"{council}-agencies.csv")
    values = {row[header.index(agency_column)] for row in data}
    assert {v for v in values if agencies.lookup(v) is None} == set()
    references = [row[header.index(reference_column)] for row in data]
    assert len(set(references)) == rows and all(references)


@pytest.mark.parametrize("council, partners", [
    ("northshire", "northshire-partners.csv"), ("eastbridge", "eastbridge-partners.csv"),
    ("westmoor", "westmoor-partners.csv"), ("medway", None),
])
def test_each_action_plan_names_partners_in_the_list(council, partners):
    plan = list(csv.reader(io.StringIO((COUNCILS / f"{council}-action-plan.csv").read_text(encoding="utf-8"),
                                       newline="")))
    column = next(i for i, h in enumerate(plan[0]) if "agency" in h.lower())
    names = read_vocab(partners) if partners else vocab("board", "partners")
    leads = {row[column] for row in plan[1:]}
    assert leads and {v for v in leads if names.lookup(v) is None} == set()
    reviews = {row[0] for row in csv.reader(io.StringIO((COUNCILS / f"{council}-reviews.csv").read_text(
        encoding="utf-8"), newline=""))}
    assert {row[0] for row in plan[1:]} <= reviews
