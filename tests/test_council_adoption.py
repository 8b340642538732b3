"""Issue 12, done when: three councils' LADO logs (tests/data/councils/, README.md there) come in, in
their own words, as a LADO would bring them in from the command line.

For each council: its agency list set, a dry run that names every column and every word to decide (with
its row count), a second dry run that maps those words and saves the mapping, and an import with the
saved mapping, which adds exactly the log's rows: three import commands.  Then: a re-import changes
nothing; each record keeps the council's reference (shown, exported, searchable, and the key for the
re-import); rows before the council's historic date are marked historic and the statistics say so;
columns the tracker has no field for are on each record exactly as in the file; dates in the council's
own styles (Excel serial numbers, '05-Apr-18') land on the generator's dates; a rename or a merge of an
agency leaves the annual statistics as they were; a row with a word nobody mapped is refused with its
row number and a suggestion, and nothing is written.

The CLI runs in-process (``safeguard_tracker.cli.main``); each council's adoption runs once per module
and tests that change the store work on a copy.  The expected figures come from the files themselves
and from the generator (make_councils.py), never from the tracker.
"""

from __future__ import annotations

import contextlib
import csv
import importlib.util
import io
import json
import re
import shutil
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator

import pytest

import safeguard_tracker as st
from safeguard_tracker.cli import main

from demo_store import demo_copy

COUNCILS = Path(__file__).resolve().parent / "data" / "councils"
TODAY = date(2020, 2, 1)                      # after every log was saved
TODAY_ARGS = ["--today", "01/02/2020"]


@dataclass(frozen=True)
class Council:
    name: str
    log: str
    historic_before: str                          # ISO
    rows: int                                     # the README's counts
    historic: int
    blank_historic_categories: int
    values: tuple[str, ...]                       # what the LADO decides for the words the lists do not know
    to_decide: dict[str, tuple[str, ...]]         # field -> the words the first dry run leaves to decide
    columns: dict[str, str]                       # heading -> field ("extra": kept on each record)
    year_with_historic: str                       # a financial year holding historic rows
    later_year: str                               # one holding none
    rename: tuple[str, str]
    merge: tuple[str, str]
    sheet: str = ""
    typo: tuple[str, str] = ("", "")              # an agency word nobody mapped, and the entry it should suggest
    extra: tuple[str, ...] = field(default=())


NORTHSHIRE = Council(
    name="northshire", log="northshire-lado-log.csv", historic_before="2016-04-01", rows=360, historic=156,
    blank_historic_categories=64,
    values=("category:Advice request=enquiry", "harm:Online="),
    to_decide={"category": ("Advice request",), "harm": ("Online",)},
    columns={"LADO Ref": "reference", "Date of referral": "received", "Referring agency": "referrer_organisation",
             "Employment sector": "agency", "Job title": "subject_role", "Allegation type": "harm",
             "Contact type": "category", "Police involvement": "police_involved", "Outcome": "outcome",
             "Employer report received": "employer_report_received", "Date closed": "closed",
             "Team notes": "extra"},
    year_with_historic="2015-16", later_year="2017-18",
    rename=("Early Years", "Early years and childcare"), merge=("Faith", "Voluntary"),
    typo=("Primary academy", "Education"), extra=("Team notes",))
EASTBRIDGE = Council(
    name="eastbridge", log="eastbridge-lado-log.xlsx", historic_before="2016-01-01", rows=330, historic=54,
    blank_historic_categories=15,
    values=("category:Advice=enquiry",),
    to_decide={"category": ("Advice",)},
    columns={"Ref": "reference", "Date Received": "received", "Organisation type": "agency",
             "Name of adult": "subject_name", "Role": "subject_role", "Category of harm": "harm",
             "Type of contact": "category", "Outcome of investigation": "outcome",
             "Employer outcome received": "employer_report_received", "Closed": "closed", "DBS referral": "extra"},
    year_with_historic="2015-16", later_year="2018-19",
    rename=("Childrens home", "Residential children's home"), merge=("Childminder", "Nursery"),
    sheet="LADO log 2015-2019", typo=("Nursary", "Nursery"), extra=("DBS referral",))
WESTMOOR = Council(
    name="westmoor", log="westmoor-lado-log.txt", historic_before="2017-01-01", rows=310, historic=132,
    blank_historic_categories=38,
    values=("harm:Online=suitability",),
    to_decide={"harm": ("Online",)},
    columns={"Case No": "reference", "Date of contact": "received", "Sector": "agency", "Employer": "employer",
             "Nature of concern": "harm", "Category": "category", "Police Y/N": "police_involved",
             "Result": "outcome", "Employer report received": "employer_report_received",
             "Date of outcome": "closed", "Officer": "extra"},
    year_with_historic="2016-17", later_year="2017-18",
    rename=("Sports", "Sport and leisure clubs"), merge=("Faith", "Voluntary sector"),
    typo=("Fosterring", "Fostering"), extra=("Officer",))
ALL = [pytest.param(c, id=c.name) for c in (NORTHSHIRE, EASTBRIDGE, WESTMOOR)]


# --- the files as the council saved them, read without the tracker ------------------------------------------

def log_table(council: Council, path: Path | None = None) -> tuple[list[str], list[list[str]]]:
    """The log's heading row and data rows, every cell as text ('' for empty; Excel's dates and numbers as
    the cell holds them, str())."""
    path = path or COUNCILS / council.log
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook  # type: ignore[import-untyped]
        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            rows = [["" if v is None else str(v) for v in r] for r in wb[council.sheet].iter_rows(values_only=True)]
        finally:
            wb.close()
    elif path.suffix == ".txt":
        with open(path, encoding="utf-16", newline="") as f:
            rows = list(csv.reader(f, delimiter="\t"))
    else:
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
    return rows[0], rows[1:]


def column(council: Council, heading: str) -> list[str]:
    header, rows = log_table(council)
    i = header.index(heading)
    return [r[i] for r in rows]


def heading_of(council: Council, target: str) -> str:
    return next(h for h, t in council.columns.items() if t == target)


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


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    return generator()


def cases(gen: ModuleType, council: Council) -> list[Any]:
    """The generator's rows for ``council``, in the log's order (one per data row)."""
    return list(gen.make_cases(getattr(gen, council.name.upper())))


# --- the CLI, in-process ------------------------------------------------------------------------------------

def run(db: Path, *argv: str) -> tuple[int, str, str]:
    """``safeguard-tracker --db DB ARGV``: exit code, standard output, standard error."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--db", str(db), "--user", "a.lado", *TODAY_ARGS, *argv])
    return code, out.getvalue(), err.getvalue()


def ok(db: Path, *argv: str) -> str:
    code, out, err = run(db, *argv)
    assert code == 0, (argv, out, err)
    return out


def import_args(council: Council, *more: str) -> list[str]:
    return ["import", "contacts", str(COUNCILS / council.log), *more]


@dataclass
class Adoption:
    council: Council
    folder: Path
    before_import: Path                  # the store with the lists and the saved mapping, nothing imported
    first_dry_run: str
    second_dry_run: str
    imported: str

    @property
    def db(self) -> Path:
        return self.folder / "store.json"


def adopt(council: Council, folder: Path) -> Adoption:
    """What the LADO does: a new store, the council's agency list, then the three import commands."""
    db = folder / "store" / "store.json"
    db.parent.mkdir(parents=True)
    ok(db, "init", "--preset", "england")
    ok(db, "vocab", "agencies", "import", str(COUNCILS / f"{council.name}-agencies.csv"), "--yes")
    sheet = ("--sheet", council.sheet) if council.sheet else ()
    # 1: what would happen (the words to decide make it refuse; nothing is written either way)
    _, first, _ = run(db, *import_args(council, "--dry-run", "--historic-before", council.historic_before, *sheet))
    # 2: the same, with the words decided, saved as the council's mapping
    values = [a for v in council.values for a in ("--value", v)]
    second = ok(db, *import_args(council, "--dry-run", "--historic-before", council.historic_before, *sheet,
                                 *values, "--save-mapping", council.name))
    before = folder / "before-import"
    shutil.copytree(db.parent, before)
    # 3: the import
    imported = ok(db, *import_args(council, "--mapping", council.name, *sheet))
    return Adoption(council, db.parent, before / "store.json", first, second, imported)


class Adopted(dict[str, Adoption]):
    """Each council's adoption, made when a test first asks for it (so one council's failure fails its
    own tests only)."""

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        super().__init__()
        self.factory = factory

    def __missing__(self, name: str) -> Adoption:
        council = next(c for c in (NORTHSHIRE, EASTBRIDGE, WESTMOOR) if c.name == name)
        self[name] = found = adopt(council, self.factory.mktemp(name))
        return found


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory) -> Adopted:
    return Adopted(tmp_path_factory)


@pytest.fixture
def adoption(request: pytest.FixtureRequest, adopted: Adopted, tmp_path: Path) -> Adoption:
    """A copy of the council's adopted store, for a test to change."""
    council: Council = request.param
    a = adopted[council.name]
    shutil.copytree(a.folder, tmp_path / "store")
    shutil.copytree(a.before_import.parent, tmp_path / "before-import")
    return Adoption(council, tmp_path / "store", tmp_path / "before-import" / "store.json", a.first_dry_run,
                    a.second_dry_run, a.imported)


@contextlib.contextmanager
def opened(db: Path) -> Iterator[st.Tracker]:
    with st.open_tracker(db, user="a.lado", today=lambda: TODAY) as t:
        yield t


def by_legacy(t: st.Tracker) -> dict[str, Any]:
    """Every contact by its legacy reference."""
    return {c.legacy_reference: c for c in t.contacts()}


# --- the dry run, the mapping, the import -------------------------------------------------------------------

def dry_run_columns(text: str) -> dict[str, str]:
    """The dry run's 'columns:' section as heading -> field ('extra' for a column kept on each record)."""
    section = text.split("columns:\n", 1)[1].split("\nwords:", 1)[0]
    found = {}
    for line in section.splitlines():
        m = re.match(r"^  (.+?)\s+-> (.+?)(?:   \[.*\])?$", line)
        assert m, line
        target = m.group(2)
        found[m.group(1)] = "extra" if target.startswith("kept on each record as an extra field") else target.split()[0]
    return found


def dry_run_words(text: str) -> dict[str, dict[str, tuple[int, str]]]:
    """The dry run's 'words:' section: field -> word -> (rows, what it becomes)."""
    section = text.split("\nwords:\n", 1)[1]
    found: dict[str, dict[str, tuple[int, str]]] = {}
    current = ""
    for line in section.splitlines():
        if m := re.match(r"^  (\w+): \d+ word\(s\)", line):
            current = m.group(1)
            found[current] = {}
        elif m := re.match(r"^    '(.+)' \((\d+) row\(s\)\) -> (.*)$", line):
            found[current][m.group(1)] = (int(m.group(2)), m.group(3))
        elif not line.startswith("  "):
            break
    return found


@pytest.mark.parametrize("council", ALL)
def test_the_dry_run_names_every_column_and_keeps_the_unknown_ones(adopted, council):
    a = adopted[council.name]
    header, _ = log_table(council)
    for text in (a.first_dry_run, a.second_dry_run):
        assert f"{council.log}: {council.rows} row(s), {len(header)} column(s) (dry run: nothing was written)" in text
        columns = dry_run_columns(text)
        assert list(columns) == header                     # every column, in the file's order: none dropped
        assert columns == council.columns


@pytest.mark.parametrize("council", ALL)
def test_the_dry_run_lists_the_words_to_decide_with_their_row_counts(adopted, council):
    a = adopted[council.name]
    first, second = dry_run_words(a.first_dry_run), dry_run_words(a.second_dry_run)
    for target, words in council.to_decide.items():
        counts = Counter(column(council, heading_of(council, target)))
        for word in words:
            rows, becomes = first[target][word]
            assert rows == counts[word] > 0
            assert becomes.startswith("? to decide")
            assert second[target][word][0] == counts[word]
            assert "[the mapping]" in second[target][word][1]
    undecided = [(f, w) for f, ws in first.items() for w, (_, becomes) in ws.items() if becomes.startswith("?")]
    assert sorted(undecided) == sorted((f, w) for f, ws in council.to_decide.items() for w in ws)
    assert "to decide:" in a.first_dry_run and "to decide:" not in a.second_dry_run
    assert f"historic: {council.historic} row(s) received before" in a.first_dry_run


@pytest.mark.parametrize("council", ALL)
def test_three_commands_import_every_row(adopted, council):
    a = adopted[council.name]
    assert f"result: would add {council.rows}, update 0, leave 0 unchanged" in a.second_dry_run
    assert f"saved the mapping '{council.name}'" in a.second_dry_run
    assert a.imported.startswith(f"{council.log}: {council.rows} row(s): added {council.rows}, updated 0, 0 unchanged")
    with opened(a.before_import) as t:
        assert t.count_contacts() == 0                     # the dry runs wrote nothing
        assert council.name in t.import_mappings()
    with opened(a.db) as t:
        assert t.count_contacts() == council.rows
    assert council.name in ok(a.db, "mapping", "list")


@pytest.mark.parametrize("adoption", ALL, indirect=True)
def test_reimporting_the_same_file_changes_nothing(adoption):
    c = adoption.council
    with opened(adoption.db) as t:
        before = {r: d.get("revision", d.get("rev")) for r, d in t.contact_docs().items()}
    sheet = ("--sheet", c.sheet) if c.sheet else ()
    out = ok(adoption.db, *import_args(c, "--mapping", c.name, *sheet))
    assert out.startswith(f"{c.log}: {c.rows} row(s): added 0, updated 0, {c.rows} unchanged")
    with opened(adoption.db) as t:
        assert {r: d.get("revision", d.get("rev")) for r, d in t.contact_docs().items()} == before


# --- legacy references --------------------------------------------------------------------------------------

@pytest.mark.parametrize("adoption", ALL, indirect=True)
def test_every_row_keeps_its_council_reference_through_export_and_back(adoption, tmp_path):
    c = adoption.council
    refs = column(c, heading_of(c, "reference"))
    assert len(set(refs)) == c.rows
    with opened(adoption.db) as t:
        legacy = by_legacy(t)
        assert set(legacy) == set(refs)
        for ref in refs[:: max(1, c.rows // 25)]:
            found = t.contact_by_legacy_reference(ref)
            assert found is not None and t.get_contact(found.reference).legacy_reference == ref
            assert found.reference.startswith("L-")       # new references are still ours
        ours = {c_.reference: c_.legacy_reference for c_ in legacy.values()}
    exported = tmp_path / "export.csv"
    ok(adoption.db, "export", "contacts", "--format", "csv", "-o", str(exported))
    with open(exported, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {r["reference"]: r["legacy_reference"] for r in rows} == ours
    as_json = tmp_path / "export.json"
    ok(adoption.db, "export", "contacts", "--format", "json", "-o", str(as_json))
    docs = json.loads(as_json.read_text(encoding="utf-8"))["contacts"]
    assert {d["reference"]: d["legacy_reference"] for d in docs} == ours
    out = ok(adoption.db, "import", "contacts", str(exported))
    assert out.startswith(f"export.csv: {c.rows} row(s): added 0, updated 0, {c.rows} unchanged")


def test_the_json_export_of_historic_records_imports_back_unchanged(adopted, tmp_path):
    a = adopted["northshire"]
    shutil.copytree(a.folder, tmp_path / "store")
    db = tmp_path / "store" / "store.json"
    exported = tmp_path / "export.json"
    ok(db, "export", "contacts", "--format", "json", "-o", str(exported))
    out = ok(db, "import", "contacts", str(exported))
    assert out.startswith("export.json: 360 row(s): added 0, updated 0, 360 unchanged")


@pytest.mark.parametrize("adoption", ALL, indirect=True)
def test_a_contact_is_found_by_its_council_reference(adoption):
    c = adoption.council
    refs = column(c, heading_of(c, "reference"))
    with opened(adoption.db) as t:
        for legacy in (refs[0], refs[len(refs) // 2], refs[-1]):
            ours = t.contact_by_legacy_reference(legacy)
            assert ours is not None
            found = [x.reference for x in t.contacts(text=legacy)]
            assert ours.reference in found
            assert [x.reference for x in t.contacts(text=legacy.lower())] == found      # any case
            if c.name != "eastbridge":           # LADO/2017/12 is also the start of LADO/2017/120...
                assert found == [ours.reference]
    legacy = refs[len(refs) // 2]
    with opened(adoption.db) as t:
        ours = t.contact_by_legacy_reference(legacy)
    assert ours is not None
    assert ours.reference in ok(adoption.db, "contacts", "--text", legacy)


# --- historic rows ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("council", ALL)
def test_historic_rows_are_marked_and_counted(adopted, gen, council):
    a = adopted[council.name]
    log = cases(gen, council)
    header, rows = log_table(council)
    cut = date.fromisoformat(council.historic_before)
    category_cells = column(council, heading_of(council, "category"))
    outcome_cells = column(council, heading_of(council, "outcome"))
    refs = column(council, heading_of(council, "reference"))
    with opened(a.db) as t:
        legacy = by_legacy(t)
        historic = [x for x in legacy.values() if x.historic]
        assert len(historic) == council.historic == sum(1 for case in log if case.historic)
        assert all(x.received_on < cut for x in historic)
        assert all(x.received_on >= cut for x in legacy.values() if not x.historic)
        blank_categories = 0
        for ref, cat, outcome in zip(refs, category_cells, outcome_cells):
            contact = legacy[ref]
            if not contact.historic:
                continue
            assert contact.closed_on is not None and contact.employer_report_received_on is None
            if not cat:
                blank_categories += 1
                assert contact.category is None
            if not outcome:                  # an enquiry closes with advice: its blank says so
                enquiry = contact.category is not None and contact.category.value == "enquiry"
                assert (contact.outcome.value if contact.outcome else None) == ("advice_given" if enquiry else None)
        assert blank_categories == council.blank_historic_categories
        start, end = _fy(council.year_with_historic)
        in_year = sum(1 for case in log if case.historic and start <= case.received <= end)
        total = sum(1 for case in log if start <= case.received <= end)
        assert in_year
        notes = t.lado_statistics(council.year_with_historic).reconciliation
        assert any(n.startswith(f"{council.year_with_historic}: {in_year} of the {total} contact(s) were imported "
                                f"as historic records") for n in notes), notes
        later = t.lado_statistics(council.later_year).reconciliation
        assert not any("historic" in n for n in later), later


def _fy(year: str) -> tuple[date, date]:
    first = int(year[:4])
    return date(first, 4, 1), date(first + 1, 3, 31)


# --- extra columns, the other fields, and dates in the council's own styles ---------------------------------

@pytest.mark.parametrize("council", ALL)
def test_columns_with_no_field_are_on_each_record_exactly_as_in_the_file(adopted, council):
    a = adopted[council.name]
    header, rows = log_table(council)
    ref_at = header.index(heading_of(council, "reference"))
    with opened(a.db) as t:
        legacy = by_legacy(t)
        for row in rows:
            extra = legacy[row[ref_at]].extra
            for heading in council.extra:
                assert extra.get(heading, "") == row[header.index(heading)]
    if council is NORTHSHIRE:                # the awkward notes are there, untouched
        notes = set(column(council, "Team notes"))
        for awkward in ('Parent says "it happened twice", school disputes', "Discussed with DO\nFollow up next week",
                        "Ofsted notified, caf\u00e9 staff spoken to", "Costs of supply cover: \u00a3120 a day",
                        "Historic concern raised again \u2013 see earlier log", "- chased employer again"):
            assert awkward in notes


@pytest.mark.parametrize("council", ALL)
def test_dates_land_on_the_generators_dates(adopted, gen, council):
    a = adopted[council.name]
    log = cases(gen, council)
    refs = column(council, heading_of(council, "reference"))
    assert len(refs) == len(log)
    with opened(a.db) as t:
        legacy = by_legacy(t)
        for ref, case in zip(refs, log):
            contact = legacy[ref]
            assert contact.received_on == case.received, ref
            assert contact.closed_on == case.closed, ref
            assert contact.employer_report_received_on == case.report, ref
        if council is EASTBRIDGE:
            # The received cells typed as numbers (Excel serial numbers): a few, spot-checked by hand too.
            serials = [(r[0], r[1]) for r in gen.eastbridge_rows() if isinstance(r[1], int)]
            assert len(serials) > 50
            for ref, serial in serials[:5]:
                assert legacy[ref].received_on == date(1899, 12, 30) + timedelta(days=serial)
        if council is WESTMOOR:
            received = column(council, "Date of contact")
            for ref, text in list(zip(refs, received))[::40]:
                assert legacy[ref].received_on == datetime.strptime(text, "%d-%b-%y").date()


# --- renaming and merging agencies: the statistics agree ----------------------------------------------------

def figures(db: Path, years: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    with opened(db) as t:
        return {y: t.lado_statistics(y).to_dict() for y in years}


def agency_counts(fig: dict[str, Any]) -> dict[str, int]:
    return {r["agency"]: r["count"] for r in fig["by_agency"]}


@pytest.mark.parametrize("adoption", ALL, indirect=True)
def test_statistics_are_the_same_after_a_rename_and_a_merge(adoption):
    c = adoption.council
    years = (c.year_with_historic, c.later_year)
    before = figures(adoption.db, years)
    old, new = c.rename
    source, into = c.merge
    for y in years:
        counts = agency_counts(before[y])
        assert counts[old] and counts[source] and counts[into], (y, counts)
    ok(adoption.db, "vocab", "agencies", "rename", old, new, "--yes")
    ok(adoption.db, "vocab", "agencies", "merge", source, into, "--yes")
    after = figures(adoption.db, years)
    for y in years:
        b, a = before[y], after[y]
        for key in ("total_contacts", "by_category", "outcomes", "by_harm", "timescales", "referral_percent",
                    "escalated"):
            assert a[key] == b[key], (y, key)
        bc, ac = agency_counts(b), agency_counts(a)
        assert ac[new] == bc[old] and old not in ac
        assert ac[into] == bc[into] + bc[source] and source not in ac
        assert sum(ac.values()) == sum(bc.values()) == b["total_contacts"]
        assert {k: v for k, v in ac.items() if k not in (new, into)} == \
            {k: v for k, v in bc.items() if k not in (old, source, into)}
    with opened(adoption.db) as t:
        assert all(x.agency not in (old, source) for x in t.contacts())


# --- the suggestions, on the board's list (the demo store) --------------------------------------------------

@pytest.fixture
def demo_db(tmp_path: Path) -> Path:
    demo_copy(tmp_path / "demo.json").close()
    return tmp_path / "demo.json"


def add_contact(db: Path, agency: str) -> tuple[int, str, str]:
    code, out, err = run(db, "contact", "add", "--received", "05/01/2018", "--agency", agency, "--category",
                         "enquiry", "--rationale", "advice only")
    return code, out, err


EDUCATION = {"School - Primary", "School - Secondary", "School - Private", "School - Special", "School - PRU",
             "School \u2013 Alternative (e.g. NOVUS)", "College"}


@pytest.mark.parametrize("typed, resolves", [
    ("Medway CCG", "Medway Clinical Commissioning Group (CCG)"),     # aliases in the board preset
    ("Kent Police", "Police"),
    ("PRU", "School - PRU"),
])
def test_a_name_with_an_alias_resolves(demo_db, typed, resolves):
    code, out, err = add_contact(demo_db, typed)
    assert code == 0, err
    ref = out.split()[1]
    with st.open_tracker(demo_db, user="a.lado") as t:
        assert t.get_contact(ref).agency == resolves


def first_suggestion(err: str) -> str:
    m = re.search(r"did you mean '([^']+)'", err)
    assert m, err
    return m.group(1)


@pytest.mark.parametrize("typed, useful", [
    ("NHS Trust", {"Medway NHS Foundation Trust"}),
    ("Education", EDUCATION),                              # never 'Probation'
])
def test_a_name_without_an_alias_gets_a_useful_first_suggestion(demo_db, typed, useful):
    code, out, err = add_contact(demo_db, typed)
    assert code == 2 and not out
    assert f"--agency '{typed}' is not valid" in err
    assert first_suggestion(err) in useful
    with st.open_tracker(demo_db, user="a.lado") as t:
        assert t.count_contacts() == 1015                  # nothing added


# --- a word nobody mapped -----------------------------------------------------------------------------------

def write_like(council: Council, source: Path, target: Path, header: list[str], rows: list[list[str]]) -> None:
    """``rows`` saved the way the council saves its log (the workbook: the original, cells changed)."""
    if source.suffix == ".xlsx":
        from openpyxl import load_workbook
        wb = load_workbook(source)
        ws = wb[council.sheet]
        original = log_table(council)[1]
        for i, (old, new) in enumerate(zip(original, rows), start=2):
            for j, (x, y) in enumerate(zip(old, new), start=1):
                if x != y:
                    ws.cell(row=i, column=j, value=y)
        wb.save(target)
    else:
        buffer = io.StringIO()
        csv.writer(buffer, delimiter="\t" if source.suffix == ".txt" else ",", lineterminator="\r\n").writerows(
            [header, *rows])
        if source.suffix == ".txt":
            target.write_bytes(b"\xff\xfe" + buffer.getvalue().encode("utf-16-le"))
        else:
            target.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))


@pytest.mark.parametrize("adoption", ALL, indirect=True)
def test_a_word_nobody_mapped_is_refused_with_its_row_and_a_suggestion(adoption, tmp_path):
    c = adoption.council
    header, rows = log_table(c)
    agency_at = header.index(heading_of(c, "agency"))
    at = len(rows) - 7                                     # a recent row, well after the historic date
    rows[at][agency_at] = c.typo[0]
    changed = tmp_path / f"next-month{Path(c.log).suffix}"
    write_like(c, COUNCILS / c.log, changed, header, rows)
    sheet = ("--sheet", c.sheet) if c.sheet else ()
    for db in (adoption.before_import, adoption.db):       # a first import, and next month's
        with opened(db) as t:
            before = {r: dict(d) for r, d in t.contact_docs().items()}
        code, out, err = run(db, "import", "contacts", str(changed), "--mapping", c.name, *sheet)
        assert code == 2, (out, err)
        assert f"{changed.name}: 1 problem(s), nothing was imported" in err
        # the heading is row 1; the column is named by the field and by the council's own heading
        assert f"row {at + 2}: agency (their '{heading_of(c, 'agency')}') '{c.typo[0]}' is not valid" in err
        assert first_suggestion(err) == c.typo[1]
        with opened(db) as t:
            assert {r: dict(d) for r, d in t.contact_docs().items()} == before     # nothing written
    code, out, err = run(adoption.db, "import", "contacts", str(changed), "--mapping", c.name, "--dry-run", *sheet)
    assert f"'{c.typo[0]}' (1 row(s)) -> ? to decide; it could be '{c.typo[1]}'" in out


# --- one run as a LADO runs it: a separate process ----------------------------------------------------------

def test_the_installed_command_imports_a_log_with_a_saved_mapping(adopted, tmp_path):
    import subprocess
    a = adopted["northshire"]
    shutil.copytree(a.before_import.parent, tmp_path / "store")
    db = tmp_path / "store" / "store.json"
    done = subprocess.run([sys.executable, "-m", "safeguard_tracker", "--db", str(db), *TODAY_ARGS, "import",
                           "contacts", str(COUNCILS / NORTHSHIRE.log), "--mapping", "northshire"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{NORTHSHIRE.log}: 360 row(s): added 360, updated 0, 0 unchanged")
