"""Every CSV importer fed random and malformed files either imports, or reports row-level errors and
writes nothing.  It never raises anything else.

Files are built from the importer's own columns (in any case and spacing,
some missing, unknown or doubled) and from cells that are right, nearly right
or hostile: dates like 31/02/2018, unknown enums, misspelt agencies, formulas,
huge fields, stray quotes, embedded line breaks, NUL bytes; written as UTF-8
with and without a byte-order mark, Windows-1252 or UTF-16, comma- or tab-separated, with CRLF
or LF, sometimes cut off mid-row.  Plain random bytes too.

And the property behind a swallowed-rows bug: whatever quote marks a file holds (as a
spreadsheet writes them, or with one of them lost), an import either has exactly the file's
rows with exactly their text, or refuses the file.
"""

import argparse
import csv
import io
import os
import shutil
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

import safeguard_tracker as st
from safeguard_tracker.cli import build_parser
from safeguard_tracker.demo import build_demo
from safeguard_tracker.errors import ImportFailed
from safeguard_tracker.lado import contacts_csv
from safeguard_tracker.plans import plans_csv

GOOD = {
    "received": ["05/01/2018", "2018-01-05", "5/1/2018", "01/06/2018"],
    "closed": ["06/01/2018", "2018-02-01", ""],
    "subject_dob": ["09/03/1971", ""], "responded": ["08/01/2018", ""],
    "agency": ["Police", "school - primary", "  College ", "Foster Carers – Local Authority", "School – PRU"],
    "category": ["enquiry", "Consultation", "REFERRAL", " referral "],
    "outcome": ["unsubstantiated", "false", "advice_given", "no_further_action", ""],
    "harm": ["physical", "Sexual", ""], "threshold": ["1;2", "harmed, offence", ""],
    "children_count": ["2", "0", ""], "children_ages": ["7, 9", "15", ""], "police_involved": ["yes", "n", ""],
    "reference": ["", "L-2018-0001", "L-2017-0420", "L-2018-9999"],
    "name": ["Ellie", "Fuzz Review", "Dawn"], "kind": ["scr", "LLR", "rapid_review", "audit"],
    "status": ["in_progress", "published", "complete", "not_started", ""],
    "review": ["Dawn", "SCR Ellie", "R-2018-001", "Fuzz Review"], "recommendation": ["1", "2", "9"],
    "action": ["Audit GP registrations", "Share the protocol"], "due": ["31/07/2018", "3 months after publication", ""],
    "published": ["24/01/2018", ""], "initiated": ["14/11/2016", ""], "officer": ["An Officer", ""],
}
BAD = ["31/02/2018", "2018-13-40", "05/01/18", "tomorrow", "0", "-1", "1e9", "Scool - Primary", "enquiryy",
       "=cmd|' /C calc'!A0", "+1", "@SUM(A1)", "\ttab", "'quoted", '"', 'a "b" c', "line\nbreak", "cr\rline",
       "ü café – naïve", "名前", "🙂", " ", "\x00", "NaN", "None", "L-2018-0001", "l-2018-0001 ", "R-9999-999",
       "x" * 70_000]


def _spell(name: str, style: int) -> str:
    return [name, name.upper(), name.replace("_", " ").title(), f"  {name} ", name.replace("_", "-")][style]


@hs.composite
def csv_file(draw, known, required, aliases):
    if draw(hs.integers(0, 9)) == 0:
        return draw(hs.binary(max_size=3000))               # anything at all
    from safeguard_tracker.io.csvfiles import header_key

    def key(name: str) -> str:
        return aliases.get(header_key(name), header_key(name))
    optional = [n for n in list(known) + list(aliases) if key(n) not in required]
    columns = list(required) + draw(hs.lists(hs.sampled_from(optional), max_size=8, unique_by=key))
    columns = draw(hs.permutations(columns))
    damage = draw(hs.integers(0, 9))
    if damage == 0 and columns:
        columns.pop(draw(hs.integers(0, len(columns) - 1)))  # maybe a required column goes missing
    elif damage == 1:
        columns.append("Notes (internal)")                   # unknown
    elif damage == 2 and columns:
        columns.append(draw(hs.sampled_from(columns)))       # doubled
    header = [_spell(c, draw(hs.integers(0, 4))) for c in columns]
    rows = []
    for _ in range(draw(hs.integers(0, 6))):
        row = []
        for c in columns:
            good = GOOD.get(key(c), ["some text", ""])
            row.append(draw(hs.sampled_from(BAD if draw(hs.integers(0, 7)) == 0 else good)))
        if draw(hs.integers(0, 9)) == 0:                      # a row too short or too long
            cut = draw(hs.integers(-2, 2))
            row = row[:len(row) + cut] if cut < 0 else row + ["extra"] * cut
        rows.append(row)
    newline = draw(hs.sampled_from(["\r\n", "\n"]))
    sep = draw(hs.sampled_from([",", ",", "\t"]))            # Excel's "Unicode text" is tab-separated
    text = newline.join(sep.join(_quote(cell, draw(hs.booleans()), sep) for cell in r)
                        for r in [header, *rows]) + newline
    encoding = draw(hs.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    raw = text.encode(encoding, errors="replace")
    if draw(hs.integers(0, 9)) == 0:
        raw = raw[: draw(hs.integers(0, len(raw)))]          # cut off mid-file
    return raw


def _quote(cell: str, always: bool, sep: str = ",") -> str:
    if always or any(ch in cell for ch in sep + '"\r\n'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz-csv")
    t = build_demo(folder / "store.json", contacts=60)
    t.add_review(name="Fuzz Review", kind="llr")
    t.add_recommendation("Fuzz Review", text="Share information", owner_agencies=["Police"])
    t.store.compact()                         # everything in the one file the tests copy
    return folder / "store.json"


def _copy_store(pristine: Path, path: Path) -> None:
    """The store file and its journal (a store is both), private to the copy."""
    for suffix in ("", ".journal"):
        source = pristine.with_name(pristine.name + suffix)
        if source.exists():
            target = path.with_name(path.name + suffix)
            shutil.copyfile(source, target)
            os.chmod(target, 0o600)


def _state(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in folder.iterdir()
            if p.is_file() and not p.name.endswith((".lock", ".csv", ".json")) or p.name == "store.json"}


def _fuzz(pristine: Path, raw: bytes, importer: str, dry_run: bool, suffix: str = ".csv") -> None:
    folder = Path(tempfile.mkdtemp(prefix="sgt-csv-"))
    try:
        path = folder / "store.json"
        _copy_store(pristine, path)
        source = folder / f"input{suffix}"
        source.write_bytes(raw)
        t = st.open_tracker(path, user="importer")
        before, seq = _state(folder), t.store.last_seq
        call = {"contacts": t.import_contacts, "reviews": t.import_reviews, "actions": t.import_actions}[importer]
        try:
            call(source, dry_run=dry_run)
        except ImportFailed as exc:
            assert exc.problems, "an import refused without saying why"
            for p in exc.problems:
                assert p.strip() and "Traceback" not in p
            t.refresh()
            assert _state(folder) == before and t.store.last_seq == seq, "a refused import wrote something"
            return
        t.refresh()
        if dry_run:
            assert _state(folder) == before, "a dry run wrote something"
        assert t.check() == []
    finally:
        shutil.rmtree(folder, ignore_errors=True)


IMPORTERS = {
    "contacts": (contacts_csv.KNOWN, contacts_csv.REQUIRED, contacts_csv.ALIASES),
    "reviews": (plans_csv.REVIEW_KNOWN, plans_csv.REVIEW_REQUIRED, plans_csv.REVIEW_ALIASES),
    "actions": (plans_csv.ACTION_KNOWN, plans_csv.ACTION_REQUIRED, plans_csv.ACTION_ALIASES),
}


def test_every_importer_there_is_is_fuzzed():
    """The importers above are the CLI's `import` commands, so one added later cannot be left out."""
    def subcommands(parser):
        return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert set(subcommands(subcommands(build_parser())["import"])) == set(IMPORTERS)
    for importer in IMPORTERS:
        assert callable(getattr(st.Tracker, f"import_{importer}"))


FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.large_base_example, HealthCheck.data_too_large])


@pytest.mark.parametrize("importer", list(IMPORTERS))
def test_importers_import_or_refuse_cleanly(pristine, importer):
    known, required, aliases = IMPORTERS[importer]

    @FUZZ
    @given(raw=csv_file(known, required, aliases), dry_run=hs.booleans())
    def run(raw, dry_run):
        _fuzz(pristine, raw, importer, dry_run)
    run()


@pytest.mark.parametrize("importer", list(IMPORTERS))
def test_a_good_file_still_imports(pristine, importer, tmp_path):
    """The fuzzing is not all refusals: a clean file of each kind goes in."""
    files = {
        "contacts": "Reference,Received,Agency,Category,Summary\r\n,05/01/2018,Police,enquiry,fuzz seed\r\n",
        "reviews": "name,kind\r\nAnother Review,llr\r\n",
        "actions": "review,recommendation,action,agency,due\r\nFuzz Review,1,A fuzz seed action,Police,31/07/2018\r\n",
    }
    folder = tmp_path / "s"
    folder.mkdir()
    _copy_store(pristine, folder / "store.json")
    (folder / "in.csv").write_text(files[importer])
    t = st.open_tracker(folder / "store.json", user="importer")
    before = {k: len(t.store.all(k)) for k in ("contacts", "reviews", "actions")}
    getattr(t, f"import_{importer}")(folder / "in.csv")
    assert len(t.store.all(importer)) == before[importer] + 1
    assert t.check() == []


@pytest.mark.parametrize("bad", ["31/02/2018", "Scool - Primary", "enquiryy", "x" * 70_000])
def test_one_bad_row_names_its_row_and_column_and_nothing_is_written(pristine, tmp_path, bad):
    folder = tmp_path / "s"
    folder.mkdir()
    _copy_store(pristine, folder / "store.json")
    rows = [["05/01/2018", "Police", "enquiry"]] * 3
    column = {"31/02/2018": 0, "Scool - Primary": 1, "enquiryy": 2}.get(bad, 0)
    rows[1] = list(rows[1])
    rows[1][column] = bad
    (folder / "in.csv").write_text("received,agency,category\n" + "\n".join(",".join(r) for r in rows) + "\n")
    t = st.open_tracker(folder / "store.json", user="importer")
    before = _state(folder)
    with pytest.raises(ImportFailed) as err:
        t.import_contacts(folder / "in.csv")
    assert any(p.startswith("row 3") for p in err.value.problems), err.value.problems
    assert _state(folder) == before


# --- the JSON imports (the lossless exports read back) -------------------------------------------------------

JSON_VALUES = hs.recursive(hs.none() | hs.booleans() | hs.integers(-10, 10**12) | hs.floats(allow_nan=True)
                           | hs.text(max_size=20) | hs.sampled_from(BAD[:-1]),
                           lambda inner: hs.lists(inner, max_size=4) | hs.dictionaries(hs.text(max_size=8), inner,
                                                                                       max_size=4), max_leaves=12)


@hs.composite
def json_file(draw, export: str):
    import json
    if draw(hs.integers(0, 5)) == 0:
        return json.dumps(draw(JSON_VALUES)).encode()
    data = json.loads(export)
    records = data if isinstance(data, list) else next((v for v in data.values() if isinstance(v, list)), [])
    for _ in range(draw(hs.integers(1, 6))):
        if not records:
            break
        rec = records[draw(hs.integers(0, len(records) - 1))]
        if not isinstance(rec, dict) or not rec:
            continue
        key = draw(hs.sampled_from(sorted(rec)))
        if draw(hs.booleans()):
            rec[key] = draw(JSON_VALUES)                     # a wrong type or value
        else:
            del rec[key]                                      # a missing field
    raw = json.dumps(data).encode()
    if draw(hs.integers(0, 5)) == 0:
        raw = raw[: draw(hs.integers(0, len(raw)))]           # cut off
    return raw


@pytest.mark.parametrize("importer", list(IMPORTERS))
def test_json_imports_import_or_refuse_cleanly(pristine, importer):
    t = st.open_tracker(pristine, user="reader")
    if importer == "contacts":
        export = t.export_contacts("json")
    else:
        export = t.export_plans(importer, "json")

    @FUZZ
    @given(raw=json_file(export), dry_run=hs.booleans())
    def run(raw, dry_run):
        _fuzz(pristine, raw, importer, dry_run, suffix=".json")
    run()


# --- no row is ever swallowed ----------------------------------------------------------------------------

@FUZZ
@given(summaries=hs.lists(hs.text(alphabet='ab ,"\n\t', max_size=14), min_size=1, max_size=5),
       lost=hs.none() | hs.integers(0, 1000), sep=hs.sampled_from([",", "\t"]),
       encoding=hs.sampled_from(["utf-8", "utf-16"]))
def test_an_import_has_exactly_the_files_rows_or_refuses_it(summaries, lost, sep, encoding):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    writer.writerow(["received", "agency", "category", "summary"])
    for i, summary in enumerate(summaries, 1):
        writer.writerow([f"{i:02d}/01/2018", "Police", "enquiry", summary])
    text = out.getvalue()
    quotes = [i for i, c in enumerate(text) if c == '"']
    damaged = lost is not None and bool(quotes)
    if damaged:                                   # one quote mark lost, as a hand edit loses it
        at = quotes[lost % len(quotes)]
        text = text[:at] + text[at + 1:]
    folder = Path(tempfile.mkdtemp(prefix="sgt-rows-"))
    try:
        (folder / "in.csv").write_bytes(text.encode(encoding))
        t = st.open_tracker(folder / "store.json", user="importer", today=lambda: date(2018, 6, 15))
        try:
            result = t.import_contacts(folder / "in.csv")
        except ImportFailed as exc:
            assert len(exc.problems) >= 1 and all("\n" not in p for p in exc.problems)
            assert t.contacts() == []
            if not damaged:   # a sound file is refused only when a cell's lines read as rows (said so)
                assert "look like rows" in exc.problems[0] or "received" in exc.problems[0], exc.problems
            return
        assert result.rows == len(summaries), (text, result.summary())
        got = [c.summary for c in t.contacts()]
        assert len(got) == len(summaries)
        if not damaged:
            assert got == [s.strip() for s in summaries]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
