"""The analysts' examples (examples/*.py) run as an analyst runs them, and say what the library says.

One demo store is built for the session (with one extra overdue action whose text is a spreadsheet
formula); each example runs as a subprocess on its own copy, all at once, and its output is checked
against tracker.lado_statistics() and tracker.due() on the same store: the numbers, not just the
exit code.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import safeguard_tracker as st
from safeguard_tracker.dates import add_period
from safeguard_tracker.demo import build_demo

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FORMULA = '=HYPERLINK("http://example.invalid","open")'
# name -> (script, extra arguments, whether it runs on a copy of the session's store)
RUNS = {
    "quarterly": ("quarterly_lado_dataset.py", [], True),
    "pivot": ("annual_pivot.py", [], True),
    "foi": ("foi_schools.py", [], True),
    "foi_own_demo": ("foi_schools.py", [], False),          # no --db: a demo store in a temporary folder, to stdout
    "mailmerge": ("overdue_actions_mailmerge.py", [], True),
}


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("examples-demo")
    with build_demo(folder / "demo.json", user="a.lado") as t:
        review = t.reviews()[0]
        t.add_action(review.reference, review.recommendations[0].number, description=FORMULA,
                     lead_agency="Police", lead_officer="Sam Example", due="01/05/2018")
    return folder


@pytest.fixture(scope="module")
def runs(demo_dir, tmp_path_factory) -> dict[str, dict]:
    """Every example, started at once (each on its own copy of the store), then waited for."""
    started = {}
    for name, (script, extra, with_db) in RUNS.items():
        work = tmp_path_factory.mktemp(name)
        args = [sys.executable, str(EXAMPLES / script), *extra]
        out = None
        if with_db:
            shutil.copytree(demo_dir, work / "store")
            out = work / "out.csv"
            args += ["--db", str(work / "store" / "demo.json"), "--out", str(out)]
        proc = subprocess.Popen(args, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        started[name] = (proc, out, work)
    finished = {name: (proc.communicate(), proc.returncode) for name, (proc, _, _) in started.items()}
    results = {}
    for name, (_, out, work) in started.items():
        (stdout, stderr), returncode = finished[name]
        assert returncode == 0, f"{RUNS[name][0]} failed:\n{stderr}"
        text = out.read_text(encoding="utf-8") if out is not None else stdout
        results[name] = {"text": text, "rows": list(csv.DictReader(io.StringIO(text))), "work": work,
                         "stdout": stdout}
    return results


@pytest.fixture(scope="module")
def oracle(demo_dir, tmp_path_factory):
    copy = tmp_path_factory.mktemp("oracle") / "store"
    shutil.copytree(demo_dir, copy)
    with st.open_tracker(copy / "demo.json", user="a.lado") as t:
        yield t


def test_every_example_is_run_here_and_listed_in_the_readme():
    scripts = sorted(p.name for p in EXAMPLES.glob("*.py"))
    assert scripts == sorted({script for script, _, _ in RUNS.values()})
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    assert all(f"examples/{s}" in readme for s in scripts)


# --- quarterly_lado_dataset.py ---------------------------------------------------------------------------

def _measures(rows: list[dict], measure: str) -> dict[str, int]:
    return {r["value"]: int(r["contacts"]) for r in rows if r["measure"] == measure}


def test_quarterly_dataset_defaults_to_the_latest_complete_quarter_and_counts_it(runs, oracle):
    rows = runs["quarterly"]["rows"]
    assert {(r["year"], r["quarter"]) for r in rows} == {("2017-18", "4")}    # demo frozen 15/06/2018: Jan-Mar 2018
    quarter = [c for c in oracle.contacts(year="2017-18") if date(2018, 1, 1) <= c.received_on <= date(2018, 3, 31)]
    assert _measures(rows, "total") == {"contacts": len(quarter)} and len(quarter) > 50
    categories = _measures(rows, "category")
    for name in ("enquiry", "consultation", "referral"):
        assert categories[name] == sum(1 for c in quarter if c.category is not None and c.category.value == name)
    agencies = _measures(rows, "agency")
    assert list(agencies) == list(oracle.taxonomy.agencies)                  # every agency, in the board's order
    assert agencies == {a: sum(1 for c in quarter if c.agency == a) for a in oracle.taxonomy.agencies}
    referrals = [c for c in quarter if c.category is not None and c.category.value == "referral"]
    outcomes = _measures(rows, "referral outcome")
    assert outcomes.pop("open") == sum(1 for c in referrals if c.closed_on is None)
    assert outcomes == {k: sum(1 for c in referrals if c.outcome is not None and c.outcome.value == k)
                        for k in outcomes}
    assert sum(outcomes.values()) > 0
    # Timescale bands, worked out here from the deadline rules as the annual statistics define them.
    keys = list(oracle.lado_statistics("2017-18").timescales)              # within_1_month ... over_12_months, open
    periods = oracle.deadline_rules().resolution
    expected = dict.fromkeys(keys, 0)
    for c in quarter:
        if c.closed_on is None:
            expected["open"] += 1
            continue
        band = next((i for i, p in enumerate(periods) if c.closed_on <= add_period(c.received_on, p)), len(periods))
        expected[keys[band]] += 1
    assert _measures(rows, "timescale") == expected


def test_quarterly_dataset_for_the_whole_year_is_the_annual_statistics(oracle):
    spec = importlib.util.spec_from_file_location("quarterly_lado_dataset", EXAMPLES / "quarterly_lado_dataset.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rows = list(csv.DictReader(io.StringIO(module.dataset(oracle, "2017-18", "all"))))
    figures = oracle.lado_statistics("2017-18")
    assert _measures(rows, "total") == {"contacts": figures.total_contacts} == {"contacts": 495}
    assert {k: v for k, v in _measures(rows, "category").items() if k != "uncategorised"} == figures.by_category
    assert _measures(rows, "agency") == {r.agency: r.count for r in figures.by_agency}
    assert {k: v for k, v in _measures(rows, "referral outcome").items() if k in figures.outcomes} == figures.outcomes
    assert sum(_measures(rows, "referral outcome").values()) == figures.by_category["referral"]
    assert _measures(rows, "timescale") == figures.timescales
    assert module.latest_complete_quarter(date(2018, 4, 1)) == ("2017-18", 4)
    assert module.latest_complete_quarter(date(2018, 3, 31)) == ("2017-18", 3)
    assert module.latest_complete_quarter(date(2019, 1, 2)) == ("2018-19", 3)


# --- annual_pivot.py ------------------------------------------------------------------------------------

def test_annual_pivot_is_agency_against_year_and_agrees_with_the_statistics(runs, oracle):
    rows = runs["pivot"]["rows"]
    assert list(rows[0]) == ["agency", "2016-17", "2017-18", "2018-19", "Total"]
    by_agency = {r["agency"]: r for r in rows}
    figures = oracle.lado_statistics("2017-18", compare_with="2016-17")
    for row in figures.by_agency:
        assert int(by_agency[row.agency]["2017-18"]) == row.count
        assert int(by_agency[row.agency]["2016-17"]) == row.compare_count
    assert [r["agency"] for r in rows] == [*oracle.taxonomy.agencies, "Total"]
    assert int(by_agency["Total"]["2017-18"]) == figures.total_contacts
    assert int(by_agency["Total"]["2016-17"]) == figures.compare_total
    assert int(by_agency["Total"]["Total"]) == len(oracle.contacts())
    assert all(int(r["Total"]) == sum(int(r[y]) for y in ("2016-17", "2017-18", "2018-19")) for r in rows)


# --- foi_schools.py -------------------------------------------------------------------------------------

def test_foi_schools_gives_five_years_of_school_contacts(runs, oracle):
    answer = {r["financial_year"]: int(r["contacts_from_schools"]) for r in runs["foi"]["rows"]}
    figures = oracle.lado_statistics("2017-18", compare_with="2016-17")
    schools = [r for r in figures.by_agency if r.agency.startswith("School")]
    assert len(schools) == 6
    assert answer == {"2013-14": 0, "2014-15": 0, "2015-16": 0,
                      "2016-17": sum(r.compare_count for r in schools), "2017-18": sum(r.count for r in schools)}
    assert answer["2017-18"] > 100


def test_foi_schools_without_db_runs_on_its_own_demo_store(runs):
    assert runs["foi_own_demo"]["stdout"] == runs["foi"]["text"]        # the same seeded demo, printed


def test_foi_schools_is_about_ten_lines():
    source = (EXAMPLES / "foi_schools.py").read_text(encoding="utf-8")
    body = source.split("def schools_by_year", 1)[1].split("\ndef ", 1)[0]
    assert len([line for line in body.splitlines() if line.strip()]) <= 10


# --- overdue_actions_mailmerge.py -------------------------------------------------------------------------

def test_mailmerge_has_one_row_per_overdue_action_as_the_chase_list_has_it(runs, oracle):
    rows = runs["mailmerge"]["rows"]
    overdue = {i.reference: i for i in oracle.due() if i.area == "action" and i.overdue}
    assert len(overdue) >= 3
    assert sorted(r["reference"] for r in rows) == sorted(overdue)
    for r in rows:
        item = overdue[r["reference"]]
        action = oracle.get_action(r["reference"])
        assert (r["agency"], int(r["days_overdue"])) == (item.agency, item.days_overdue)
        assert r["due_date"] == item.due_on.strftime("%d/%m/%Y")
        assert r["owner"] == action.lead_officer and r["owner"]
        assert r["review"] == oracle.get_review(action.review).title
    agencies = [r["agency"] for r in rows]
    assert agencies == sorted(agencies, key=list(oracle.plan_agencies.agencies).index)   # grouped by lead agency


def test_mailmerge_guards_a_formula_and_logs_the_personal_data(runs):
    row = next(r for r in runs["mailmerge"]["rows"] if r["owner"] == "Sam Example")
    assert row["action"] == "'" + FORMULA                  # the spreadsheet shows the text, never runs it
    with st.open_tracker(runs["mailmerge"]["work"] / "store" / "demo.json", user="auditor") as t:
        log = [(e.what, e.records) for e in t.access_log()]
    rows = len(runs["mailmerge"]["rows"])
    assert ("overdue actions mail merge", rows) in log
    assert any(what.startswith("frame actions") for what, _ in log)


def test_the_readme_foi_snippet_gives_the_examples_answer(runs, demo_dir, tmp_path, monkeypatch, capsys):
    """A new analyst answers the FOI question from the README alone: its snippet runs and agrees with the script."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### For analysts", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert 'open_tracker("lado.json"' in code and "frame(" in code
    shutil.copytree(demo_dir, tmp_path / "store")
    monkeypatch.chdir(tmp_path)
    exec(compile(code.replace('"lado.json"', repr("store/demo.json")), "README.md", "exec"), {})
    printed = dict(line.split() for line in capsys.readouterr().out.splitlines()[1:-1])
    answer = {r["financial_year"]: r["contacts_from_schools"] for r in runs["foi"]["rows"]}
    assert printed == answer
