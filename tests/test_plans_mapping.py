"""Reviews and action plans in a council's own words (issue 12): the usual plan headings, a mapping that a dry
run proposes and the user saves, value maps, legacy references, extra fields, Excel workbooks.

The councils' files are tests/data/councils/*-reviews.csv and *-action-plan.csv (their README says
what each holds).  Every store here is fresh, its lists set as a council would set them, and "today"
is 30/06/2020 so that every date in the plans is in the past.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path

import pytest

import safeguard_tracker as st
from safeguard_tracker.cli import main
from safeguard_tracker.errors import ImportFailed
from safeguard_tracker.io.mapping import ImportMapping

COUNCILS = Path(__file__).resolve().parent / "data" / "councils"
TODAY = date(2020, 6, 30)
ROWS = {"northshire": 17, "eastbridge": 12, "westmoor": 14, "medway": 8}


@pytest.fixture
def run(store_path, capsys):
    st.open_tracker(store_path, user="t.chair").close()          # the store exists before its lists are set

    def run(*argv, code=0):
        rc = main(["--db", str(store_path), "--user", "t.chair", "--today", "30/06/2020", *argv])
        out, err = capsys.readouterr()
        assert rc == code, (argv, out, err)
        return out, err
    return run


def _lists(run, council: str) -> None:
    """The council's lists, set as its README says (not one of the three import commands)."""
    if council == "medway":
        run("vocab", "preset", "board", "--yes")
        return
    run("vocab", "preset", "england", "--yes")
    run("vocab", "agencies", "import", str(COUNCILS / f"{council}-agencies.csv"), "--yes")
    run("vocab", "partners", "import", str(COUNCILS / f"{council}-partners.csv"), "--yes")


def _open(store_path):
    return st.open_tracker(store_path, user="t.chair", today=lambda: TODAY)


@pytest.mark.parametrize("council", list(ROWS))
def test_each_councils_plan_imports_in_three_commands_and_again_changes_nothing(run, store_path, council):
    _lists(run, council)
    reviews, plan = COUNCILS / f"{council}-reviews.csv", COUNCILS / f"{council}-action-plan.csv"
    # 1-3: the reviews, the plan's dry run saving its mapping, the plan with the mapping
    run("import", "reviews", str(reviews))
    out, _ = run("import", "actions", str(plan), "--dry-run", "--save-mapping", f"{council} plan")
    assert "to decide" not in out and f"would add {ROWS[council]}" in out, out
    assert "kept on each record as an extra field (the council's own rating" in out
    out, _ = run("import", "actions", str(plan), "--mapping", f"{council} plan")
    assert f"added {ROWS[council]}," in out
    # again: nothing changes
    assert "added 0, updated 0, " in run("import", "reviews", str(reviews))[0]
    assert f"added 0, updated 0, {ROWS[council]} unchanged" in run("import", "actions", str(plan), "--mapping",
                                                                   f"{council} plan")[0]
    with _open(store_path) as t:
        assert t.import_mapping(f"{council} plan").kind == "actions"
        actions = t.actions()
        assert len(actions) == ROWS[council]
        first = next(csv.DictReader(io.StringIO(plan.read_text(encoding="utf-8"))))
        a = actions[0]
        assert a.lead_officer == next(v for k, v in first.items() if k in ("Lead officer", "Responsible officer",
                                                                             "Owner"))
        rag = first.get("RAG") or first["RAG rating"]
        assert a.extra[("RAG" if "RAG" in first else "RAG rating")] == rag     # the council's own rating, kept
        review = t.get_review(a.review)
        assert review.recommendation(1).text == next(v for k, v in first.items() if k.startswith("Recommendation")
                                                     and k != "Recommendation number")
        assert t.check() == []


def test_medways_plan_resolves_partners_as_people_write_them(run, store_path):
    _lists(run, "medway")
    run("import", "reviews", str(COUNCILS / "medway-reviews.csv"))
    run("import", "actions", str(COUNCILS / "medway-action-plan.csv"))     # the usual headings need no mapping
    with _open(store_path) as t:
        leads = {a.description + "|" + a.lead_officer: a.lead_agency for a in t.actions()}
        by_officer = {k.split("|")[1]: v for k, v in leads.items()}
        assert by_officer["Chris Stubbins"] == "Police"                                    # Kent Police
        assert by_officer["Drew Sampleton"] == "Medway Clinical Commissioning Group (CCG)"  # Medway CCG
        assert by_officer["Taylor Exampleby"] == "Safeguarding Children Board"             # MSCB
        assert by_officer["Jo Fakename"] == "Medway NHS Foundation Trust"                   # MFT
        teal = t.get_review("Child Teal")
        assert "Police" in teal.recommendation(4).owner_agencies


def test_an_unknown_lead_agency_is_refused_with_the_names_it_likely_means(run, store_path, tmp_path):
    _lists(run, "northshire")
    run("import", "reviews", str(COUNCILS / "northshire-reviews.csv"))
    text = (COUNCILS / "northshire-action-plan.csv").read_text(encoding="utf-8")
    bad = tmp_path / "plan.csv"
    bad.write_text(text.replace(",CSC,", ",Childrens Social Care,", 1).replace(",LSCP,", ",NSCB,", 1),
                   encoding="utf-8")
    _, err = run("import", "actions", str(bad), code=2)
    assert "agency 'Childrens Social Care' is not valid" in err and "did you mean 'Children's Social Care'" in err
    assert "agency 'NSCB' is not valid" in err and "'Northshire Safeguarding Children Partnership'" in err
    out, _ = run("import", "actions", str(bad), "--dry-run", code=2)    # the plan, then the rows it would refuse
    assert "'NSCB' (1 row(s)) -> ? to decide; it could be 'Northshire Safeguarding Children Partnership'" in out
    # mapped, the words go in as the partners they mean
    run("import", "actions", str(bad), "--value", "agency:NSCB=Northshire Safeguarding Children Partnership",
        "--value", "agency:Childrens Social Care=Children's Social Care", "--save-mapping", "northshire")
    with _open(store_path) as t:
        assert len(t.actions(agency="Northshire Safeguarding Children Partnership")) == 1
        assert len(t.actions(agency="Children's Social Care")) == 4
        assert t.import_mapping("northshire").value_map("agency")["nscb"] == "Northshire Safeguarding Children Partnership"


PLAN = ("Action No,Case review,Rec No,Recommendation,Action to be taken,Agency responsible,Due by,RAG,Update,"
        "Progress status,Date completed,Team notes\r\n"
        "HER/1.1,Child Heron,1,Share allegations within a day,Brief the front desk,Northshire Police,"
        "31 January 2019,Red,Booked,Started,,ask the chair\r\n"
        "HER/1.2,Child Heron,1,,Audit ten files,Health,28/02/2019,Green,,Done,14/02/2019,\r\n")
# Reviews with the board's own references.
REVIEWS = "Review ref,Learning review,Review type,Date published\r\nNSCP-2017-04,Child Heron,SCR,20/11/2017\r\n"


def _heron(run, tmp_path):
    _lists(run, "northshire")
    (tmp_path / "reviews.csv").write_text(REVIEWS, encoding="utf-8")
    run("import", "reviews", str(tmp_path / "reviews.csv"))
    path = tmp_path / "plan.csv"
    path.write_text(PLAN, encoding="utf-8")
    return path


def test_an_unknown_heading_is_refused_without_a_mapping_and_kept_when_it_says_extra(run, store_path, tmp_path):
    path = _heron(run, tmp_path)
    _, err = run("import", "actions", str(path), code=2)
    assert "unknown column(s) 'Team notes'" in err and "--dry-run" in err and "'HEADING=extra'" in err
    out, _ = run("import", "actions", str(path), "--dry-run", "--save-mapping", "heron")
    assert "Team notes" in out and "a heading the tracker does not know" in out
    assert re.search(r"\n  Recommendation +-> recommendation_text   \[its heading\]", out)
    run("import", "actions", str(path), "--mapping", "heron")
    with _open(store_path) as t:
        first, second = t.actions()
        assert first.extra == {"RAG": "Red", "Update": "Booked", "Team notes": "ask the chair"}
        assert second.extra == {"RAG": "Green"}                     # blank cells are not kept
        assert first.due_on == date(2019, 1, 31) and second.status.value == "complete"
        assert first.lead_agency == "Police"                         # "Northshire Police" is its alias
        assert t.get_review("Child Heron").recommendation(1).text == "Share allegations within a day"
    # ignoring the column instead: nothing is refused, nothing is kept
    run("import", "actions", str(path), "--map", "Team notes=ignore", "--dry-run")


def test_legacy_references_round_trip_and_key_a_reimport(run, store_path, tmp_path):
    path = _heron(run, tmp_path)
    run("import", "actions", str(path), "--map", "Team notes=extra")
    with _open(store_path) as t:
        assert t.get_review("Child Heron").legacy_reference == "NSCP-2017-04"
        assert [(a.reference, a.legacy_reference) for a in t.actions()] == [("A-000001", "HER/1.1"),
                                                                             ("A-000002", "HER/1.2")]
        exported = t.export_plans("actions")
        reviews_out = t.export_plans("reviews")
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [r["legacy_reference"] for r in rows] == ["HER/1.1", "HER/1.2"]
    assert rows[0]["extra"] == "RAG: Red; Update: Booked; Team notes: ask the chair"
    assert (rows[0]["rag"], rows[1]["rag"]) == ("red", "amber")     # the tracker's own RAG (not signed off yet)
    assert next(csv.DictReader(io.StringIO(reviews_out)))["legacy_reference"] == "NSCP-2017-04"
    # the council's next file: its reference finds the action even though the wording changed
    changed = PLAN.replace("Brief the front desk", "Brief the front desk and the control room")
    path.write_text(changed, encoding="utf-8")
    out, _ = run("import", "actions", str(path), "--map", "Team notes=extra", "--overwrite")
    assert "added 0, updated 1, 1 unchanged" in out and "updated A-000001: description" in out
    out, _ = run("import", "reviews", str(tmp_path / "reviews.csv"))
    assert "added 0, updated 0, 1 unchanged" in out
    renamed = tmp_path / "renamed.csv"                      # the board's reference finds the review, not its name
    renamed.write_text(REVIEWS.replace(",Child Heron,", ",Child H,"), encoding="utf-8")
    out, _ = run("import", "reviews", str(renamed), "--overwrite")
    assert "added 0, updated 1, 0 unchanged" in out and "updated R-2017-001: name" in out
    # the export reads back into a fresh store with its legacy references, and the council's file then matches
    fresh = tmp_path / "fresh.json"
    (tmp_path / "reviews-out.csv").write_text(reviews_out, encoding="utf-8")
    (tmp_path / "actions-out.csv").write_text(exported, encoding="utf-8")
    with st.open_tracker(fresh, user="t.chair", today=lambda: TODAY) as t:
        t.vocab_import("agencies", COUNCILS / "northshire-agencies.csv")
        t.vocab_import("partners", COUNCILS / "northshire-partners.csv")
        t.import_reviews(tmp_path / "reviews-out.csv")
        t.import_actions(tmp_path / "actions-out.csv")
        assert [a.legacy_reference for a in t.actions()] == ["HER/1.1", "HER/1.2"]
        assert t.actions()[0].extra == {}                # the CSV's extra column is for reading (JSON is lossless)
        path.write_text(PLAN, encoding="utf-8")
        again = t.import_actions(path, mapping=ImportMapping(kind="actions", columns={"Team notes": "extra"}),
                                 overwrite=True)
        assert again.added == () and again.updated == {"A-000001": ("extra",), "A-000002": ("extra",)}


def test_a_legacy_reference_is_on_one_row_only(run, tmp_path):
    path = _heron(run, tmp_path)
    path.write_text(PLAN.replace("HER/1.2", "her/1.1"), encoding="utf-8")
    _, err = run("import", "actions", str(path), "--map", "Team notes=extra", code=2)
    assert "row 3: reference 'her/1.1' is not valid: a reference used once in the file (it is also on row 2)" in err


def test_value_maps_translate_the_councils_words(run, store_path, tmp_path):
    path = _heron(run, tmp_path)
    path.write_text(PLAN.replace("Started", "Underway").replace("Northshire Police", "Force"), encoding="utf-8")
    out, _ = run("import", "actions", str(path), "--map", "Team notes=extra", "--dry-run", code=2)
    assert "'Underway' (1 row(s)) -> ? to decide" in out and "'Force' (1 row(s)) -> ? to decide" in out
    run("import", "actions", str(path), "--map", "Team notes=extra", "--value", "status:underway=in progress",
        "--value", "agency:Force=Police")
    with _open(store_path) as t:
        first = t.actions()[0]
        assert (first.status.value, first.lead_agency) == ("in_progress", "Police")


def test_a_plain_recommendation_column_is_the_number_unless_another_column_is(run, store_path, tmp_path):
    _heron(run, tmp_path)
    alone = tmp_path / "alone.csv"
    alone.write_text("Review,Recommendation,Recommendation text,Action,Lead agency\r\n"
                     "Child Heron,2,Train governors,Run a session,Education\r\n", encoding="utf-8")
    run("import", "actions", str(alone))
    with _open(store_path) as t:
        assert t.get_review("Child Heron").recommendation(2).text == "Train governors"
    # a mapping can say what the plain heading is
    swapped = tmp_path / "swapped.csv"
    swapped.write_text("Review,Number,Recommendation,Action,Lead agency\r\n"
                       "Child Heron,3,Audit files,Run an audit,Education\r\n", encoding="utf-8")
    run("import", "actions", str(swapped))
    run("import", "actions", str(swapped), "--map", "Recommendation=recommendation_text")
    with _open(store_path) as t:
        assert t.get_review("Child Heron").recommendation(3).text == "Audit files"


def test_the_trackers_own_export_still_ignores_its_rag_column(run, store_path, tmp_path):
    path = _heron(run, tmp_path)
    run("import", "actions", str(path), "--map", "Team notes=extra")
    out_path = tmp_path / "out.csv"
    run("export", "actions", "-o", str(out_path))
    out, _ = run("import", "actions", str(out_path))
    assert "added 0, updated 0, 2 unchanged" in out
    out, _ = run("import", "actions", str(out_path), "--dry-run")
    assert "written by the tracker's export for reading only" in out


def test_a_workbook_imports_from_its_sheet_with_the_mapping(run, store_path, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    _heron(run, tmp_path)
    wb = openpyxl.Workbook()
    wb.active.title = "Read me"
    wb.active.append(["This workbook is the Heron plan"])
    ws = wb.create_sheet("Plan 2019")
    rows = list(csv.reader(io.StringIO(PLAN)))
    ws.append(rows[0])
    first = rows[1]
    first[6] = datetime(2019, 1, 31)                  # a real date cell
    ws.append(first)
    second = rows[2]
    second[6] = 43524                                # an Excel serial number: 28/02/2019
    ws.append(second)
    book = tmp_path / "plan.xlsx"
    wb.save(book)
    out, _ = run("import", "actions", str(book), "--sheet", "Plan 2019", "--map", "Team notes=extra", "--dry-run",
                 "--save-mapping", "heron book")
    assert "would add 2" in out
    run("import", "actions", str(book), "--mapping", "heron book")            # the mapping remembers the sheet
    with _open(store_path) as t:
        assert [a.due_on for a in t.actions()] == [date(2019, 1, 31), date(2019, 2, 28)]
        assert t.import_mapping("heron book").sheet == "Plan 2019"
    xlsx = tmp_path / "out.xlsx"
    run("export", "actions", "--format", "xlsx", "-o", str(xlsx))
    assert "added 0, updated 0, 2 unchanged" in run("import", "actions", str(xlsx))[0]
    run("export", "reviews", "--format", "xlsx", "-o", str(tmp_path / "reviews.xlsx"))
    assert "1 unchanged" in run("import", "reviews", str(tmp_path / "reviews.xlsx"))[0]


def test_usage_errors_exit_2(run, tmp_path):
    path = _heron(run, tmp_path)
    _, err = run("import", "actions", str(path), "--historic-before", "01/01/2018", code=2)
    assert "--historic-before is for contacts" in err
    _, err = run("export", "actions", "--format", "xlsx", code=2)
    assert "-o FILE.xlsx" in err
    run("import", "reviews", str(tmp_path / "reviews.csv"), "--dry-run", "--save-mapping", "heron reviews")
    _, err = run("import", "actions", str(path), "--mapping", "heron reviews", code=2)
    assert "reads reviews, not actions" in err


def test_the_dry_run_reads_an_unknown_column_by_what_it_holds(tmp_path):
    with st.open_tracker(tmp_path / "s.json", user="t.chair", today=lambda: TODAY) as t:
        t.add_review(name="Heron", kind="scr", published_on="2017-11-20")
        path = tmp_path / "plan.csv"
        path.write_text("Review,Rec No,Recommendation,Action,Who,Colour\r\n"
                        "SCR Heron,1,Share,Brief staff,Kent Police,blue\r\n"
                        "SCR Heron,1,,Audit,Medway CCG,green\r\n", encoding="utf-8")
        with pytest.raises(ImportFailed, match="missing required column"):
            t.import_actions(path)
        plan = t.plan_plans_import("actions", path)
        assert [(c.heading, c.target, c.how) for c in plan.columns][-2:] == [("Who", "agency", "content"),
                                                                              ("Colour", "extra", "unknown")]
        assert plan.ready and plan.result is not None and len(plan.result.added) == 2
        assert plan.mapping.kind == "actions" and plan.mapping.columns["Who"] == "agency"
        assert t.actions() == []                                     # a dry run writes nothing
        t.import_actions(path, mapping=plan.mapping)
        assert [a.lead_agency for a in t.actions()] == ["Police", "Medway Clinical Commissioning Group (CCG)"]
        assert t.actions()[0].extra == {"Colour": "blue"}


def test_the_dry_run_of_the_trackers_own_export_ignores_its_read_only_columns_as_the_import_does(run, store_path,
                                                                                                  tmp_path):
    path = _heron(run, tmp_path)
    run("import", "actions", str(path), "--map", "Team notes=extra")
    exported = tmp_path / "export.csv"
    with _open(store_path) as t:
        exported.write_text(t.export_plans("actions"), encoding="utf-8")
    out, _ = run("import", "actions", str(exported), "--dry-run")
    assert re.search(r"\n  extra +-> ignored \(written by the tracker's export for reading only", out)
    assert "result: would add 0, update 0, leave 2 unchanged" in out
    out, _ = run("import", "actions", str(exported))
    assert "added 0, updated 0, 2 unchanged" in out
