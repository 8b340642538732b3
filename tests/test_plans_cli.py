"""The Learning Lessons CLI: every step reachable, reports written, usage errors exit 2 with one line."""

import json

import pytest

import safeguard_tracker as st
from safeguard_tracker.cli import main


@pytest.fixture
def run(store_path, capsys):
    def run(*argv, code=0):
        rc = main(["--db", str(store_path), "--user", "t.chair", "--today", "15/06/2018", *argv])
        out, err = capsys.readouterr()
        assert rc == code, (argv, out, err)
        return out, err
    return run


def test_a_plan_from_the_command_line(run, store_path, tmp_path):
    assert "added R-2017-001: SCR Dawn" in run("review", "add", "Dawn", "--kind", "scr", "--initiated", "03/04/2017",
                                                 "--published", "29/03/2018", "--themes", "adolescents")[0]
    run("review", "recommend", "Dawn", "Health providers assure the board", "--agency", "Medway NHS Foundation Trust",
        "--agency", "Medway Community Health Care")
    out, _ = run("action", "add", "SCR Dawn", "1", "Assurance report", "--agency", "medway nhs foundation trust",
                 "--officer", "Kit Tester", "--due", "31/05/2018")
    assert "A-000001" in out and "31/05/2018" in out
    out, _ = run("action", "add", "Dawn", "1", "Audit", "--agency", "Police", "--due", "3 months after publication")
    assert "due 29/06/2018" in out
    assert "RED" in run("action", "update", "A-000001", "Draft with the committee")[0]
    out, _ = run("action", "revise", "A-000001", "--to", "31/07/2018", "--reason", "new named nurse")
    assert "AMBER" in out and "31/07/2018*" in out
    out, _ = run("action", "complete", "A-000001", "--on", "14/06/2018", "--evidence", "Report tabled",
                 "--follow-up", "Audit after 3 months")
    assert "GREEN" in out and "follow-up A-000003 due 14/09/2018" in out
    assert "BLUE" in run("action", "sign-off", "A-000001", "--by", "Sub group chair")[0]
    run("action", "off-track", "A-000002", "--reason", "consultation paused")
    assert "RED" in run("actions", "--rag", "red")[0]
    run("action", "on-track", "A-000002")
    out, _ = run("action", "show", "A-000001")
    assert "revised 15/06/2018 by t.chair: 31/05/2018 -> 31/07/2018 because new named nurse" in out
    assert "signed off 15/06/2018 by Sub group chair" in out and "follow-up: A-000003" in out
    out, _ = run("review", "show", "Dawn")
    assert "Recommendation 1" in out and "A-000003" in out

    html = tmp_path / "plan.html"
    run("report", "action-plan", "--format", "html", "-o", str(html))
    assert "<svg" in html.read_text() and "SCR Dawn" in html.read_text()
    data = json.loads(run("report", "action-plan", "--format", "json", "--review", "Dawn")[0])
    assert data["summary"]["by_rag"] == {"red": 0, "amber": 2, "green": 0, "blue": 1}
    out, _ = run("report", "chase-letters", "--agency", "Police")
    assert "the lead for Police" in out and "A-000002" in out

    exported = tmp_path / "actions.json"
    run("export", "actions", "--format", "json", "-o", str(exported))
    assert len(json.loads(exported.read_text())["actions"]) == 3
    out, _ = run("import", "actions", str(exported), "--dry-run")
    assert "would add 0, would update 0, 3 unchanged (dry run" in out
    assert "sound" in run("check")[0]
    with st.open_tracker(store_path) as t:
        log = [a["what"] for a in t.store.all("access_log").values()]
    assert "export actions (json)" in log and not any(w.startswith("report") for w in log)


def test_import_from_the_command_line(run, tmp_path):
    reviews = tmp_path / "r.csv"
    reviews.write_text("Review name,Type,Initiated\nDawn,SCR,03/04/2017\n")
    actions = tmp_path / "a.csv"
    actions.write_text("review,recommendation,recommendation_text,action,agency,due\n"
                       "Dawn,1,Assure the board,Report,Police,31/05/2018\n")
    assert "would add 1" in run("import", "reviews", str(reviews), "--dry-run")[0]
    assert "no reviews match" in run("reviews")[0]
    assert "added 1" in run("import", "reviews", str(reviews))[0]
    assert "added 1" in run("import", "actions", str(actions))[0]
    assert "added 0, updated 0, 1 unchanged" in run("import", "actions", str(actions))[0]
    out, _ = run("actions", "--format", "json")
    assert json.loads(out)[0]["days_overdue"] == 15


@pytest.mark.parametrize("argv,needle", [
    (("action", "revise", "A-000001", "--to", "01/07/2018"), "--reason"),
    (("actions", "--rag", "purple"), "rag 'purple'"),
    (("review", "show", "Dwan"), "did you mean 'Dawn'"),
    (("action", "show", "A-000009"), "no action with reference 'A-000009'"),
    (("action", "show", "banana"), "action 'banana'"),
    (("action", "sign-off", "A-000001", "--by", "Chair"), "only a complete action"),
    (("action", "add", "Dawn", "1", "x", "--agency", "Polcie"), "did you mean 'Police'"),
    (("action", "edit", "A-000001"), "at least one of"),
    (("review", "add", "Eve", "--kind", "survey"), "kind 'survey'"),
    (("report", "action-plan", "--format", "pdf"), "invalid choice"),
    (("report", "chase-letters", "--as-of", "31/02/2018"), "--as-of '31/02/2018'"),
    (("export", "reviews", "--format", "xml"), "invalid choice"),
    (("export", "reviews", "-o", "bad\x00name"), "not a file name"),
    (("report", "action-plan", "-o", "bad\x00name"), "not a file name"),
    (("import", "actions", "bad\x00name.csv"), "without a NUL"),
    (("report", "chase-letters", "--within", "999999999999"), "--within"),
    (("action", "complete", "A-000001", "--follow-up", "Audit", "--follow-up-after", "999999 years"), "few years"),
    (("action", "add", "Dawn", "1", "y", "--agency", "Police", "--due", "9999 years after publication"), "few years"),
])
def test_usage_errors_exit_2_with_one_line(run, argv, needle):
    run("review", "add", "Dawn", "--kind", "scr")
    run("review", "recommend", "Dawn", "text", "--agency", "Police")
    run("action", "add", "Dawn", "1", "Report", "--agency", "Police")
    out, err = run(*argv, code=2)
    assert needle in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_demo_dawn_overdue_from_the_command_line(tmp_path, capsys):
    db = tmp_path / "demo.json"
    assert main(["--db", str(db), "demo"]) == 0
    capsys.readouterr()
    assert main(["--db", str(db), "actions", "--review", "SCR Dawn", "--rag", "red"]) == 0
    out = capsys.readouterr().out
    assert "46d late" in out and "15d late" in out
    assert out.index("46d late") < out.index("15d late")   # most overdue first
