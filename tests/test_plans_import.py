"""Importing reviews and action plans: tolerant headers, UK dates, all or nothing with row-level errors,
idempotent re-import, dry run; exports defended against formulas; JSON round trips losslessly."""

import csv
import io
import json
from datetime import date

import attrs
import pytest

import safeguard_tracker as st
from safeguard_tracker.errors import ImportFailed
from safeguard_tracker.model import ActionStatus

REVIEWS_CSV = """\ufeffName,Kind,Lead Board,Status,Incident,Notified,Initiated,Published,Chair,Author,Themes\r
Dawn,SCR,Example Board,published,13/02/2017,24/02/2017,03/04/2017,29/03/2018,Rowan Tester,Ash Tester,complex health needs; adolescents\r
Ellie,Serious Case Review,,,,,14/11/2016,24/01/2018,,,\r
Neglect six families,case file audit,,in progress,,,03/10/2016,,,,recognising neglect\r
"""

ACTIONS_CSV = """Review,Rec No,Recommendation Text,Action,Lead Agency,Lead Officer,Target Date,Status,Evidence,Completed\r
SCR Dawn,1,Health providers should assure the board on complex health needs,Trust assurance report,medway nhs foundation trust,Kit Tester,31/05/2018,in progress,,\r
SCR Dawn,1,,Community health assurance report,Medway Community Health Care,Sam Tester,3 months after publication,,,\r
Dawn,5,Police should record every child at domestic abuse incidents,Change the incident form,Police,Jo Tester,31/03/2018,complete,New form live 26/03/2018,26/03/2018\r
Ellie,3,The CCG should review GP registration protocols,Review the protocol,Medway Clinical Commissioning Group (CCG),,31/03/2018,,Protocol reissued,21/03/2018\r
"""


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8", newline="")
    return p


@pytest.fixture
def plans(tracker, tmp_path):
    tracker.import_reviews(_write(tmp_path, "reviews.csv", REVIEWS_CSV))
    tracker.import_actions(_write(tmp_path, "actions.csv", ACTIONS_CSV))
    return tracker


def test_import_reviews_with_tolerant_headers_and_uk_dates(tracker, tmp_path):
    result = tracker.import_reviews(_write(tmp_path, "reviews.csv", REVIEWS_CSV))
    assert len(result.added) == 3 and not result.updated
    dawn = tracker.get_review("SCR Dawn")
    assert (dawn.notified_on, dawn.published_on, dawn.lead_board) == (date(2017, 2, 24), date(2018, 3, 29),
                                                                      "Example Board")
    assert dawn.themes == ("complex health needs", "adolescents")
    assert tracker.get_review("SCR Ellie").status.value == "published"   # a publication date publishes it
    assert tracker.get_review("Audit: Neglect six families").kind.value == "audit"
    assert tracker.check() == []


def test_import_actions_builds_recommendations_and_plans(plans):
    dawn = plans.get_review("Dawn")
    assert [r.number for r in dawn.recommendations] == [1, 5]
    assert dawn.recommendation(1).owner_agencies == ("Medway NHS Foundation Trust", "Medway Community Health Care")
    trust, community, form = plans.actions(review="Dawn")
    assert trust.status is ActionStatus.IN_PROGRESS and trust.lead_agency == "Medway NHS Foundation Trust"
    assert community.due_rule.event == "publication" and community.due_on == date(2018, 6, 29)
    assert form.status is ActionStatus.COMPLETE and form.completed_on == date(2018, 3, 26)
    [protocol] = plans.actions(review="Ellie")
    assert protocol.status is ActionStatus.COMPLETE     # a completion date means complete
    assert plans.rag(trust).value == "red" and plans.rag(form).value == "green"
    assert plans.check() == []


def test_reimport_is_idempotent_and_dry_run_writes_nothing(plans, tmp_path):
    seq = plans.store.last_seq
    for name, text, method in (("reviews.csv", REVIEWS_CSV, plans.import_reviews),
                               ("actions.csv", ACTIONS_CSV, plans.import_actions)):
        result = method(_write(tmp_path, name, text))
        assert result.added == () and result.updated == {} and len(result.unchanged) >= 3
    assert plans.store.last_seq == seq
    changed = ACTIONS_CSV.replace("31/05/2018,in progress,,", "31/05/2018,complete,Report tabled,14/06/2018")
    dry = plans.import_actions(_write(tmp_path, "changed.csv", changed), dry_run=True, overwrite=True)  # no revisions
    assert dry.dry_run and list(dry.updated.values()) == [("status", "evidence", "completed_on")]
    assert plans.store.last_seq == seq and plans.actions(status="complete")[0].description != "Trust assurance report"
    plans.import_actions(_write(tmp_path, "changed.csv", changed), overwrite=True)
    assert plans.actions(review="Dawn")[0].status is ActionStatus.COMPLETE


def test_import_errors_are_row_level_and_all_or_nothing(plans, tmp_path):
    bad = ACTIONS_CSV + "\r\n".join([
        "Dwan,1,,Something,Police,,31/05/2018,,,",
        "Dawn,2,,New rec without text,Police,,31/05/2018,,,",
        "Dawn,1,,Bad agency,Polcie,,31/05/2018,,,",
        "Dawn,1,,Bad date,Police,,31/02/2018,,,",
        "Dawn,1,,Bad status,Police,,31/05/2018,finished,,",
        "Dawn,x,,Bad number,Police,,31/05/2018,,,",
        "Dawn,1,,Signed off without who,Police,,31/05/2018,signed off,Evidence,01/05/2018",
        "Dawn,1,,Completed but in progress,Police,,31/05/2018,in progress,,01/05/2018",
        "Dawn,1,,Rule on a missing action,Police,,3 months after A-000099 is complete,,,",
        "Dawn,1,,Future completion,Police,,31/05/2018,complete,x,01/07/2018",
    ]) + "\r\n"
    seq = plans.store.last_seq
    with pytest.raises(ImportFailed) as err:
        plans.import_actions(_write(tmp_path, "bad.csv", bad))
    text = str(err.value)
    for row, needle in [(6, "did you mean 'Dawn'"), (7, "recommendation_text"), (8, "did you mean 'Police'"),
                        (9, "due '31/02/2018'"), (10, "status 'finished'"), (11, "recommendation 'x'"),
                        (12, "signed_off_by"), (13, "status 'in progress'"), (14, "A-000099"),
                        (15, "no later than today")]:
        assert f"row {row}: " in text and needle in text.split(f"row {row}: ")[1].split("\n")[0], (row, needle)
    assert len(err.value.problems) == 10
    assert plans.store.last_seq == seq


def test_cli_import_errors_exit_2(plans, tmp_path, store_path, capsys):
    from safeguard_tracker.cli import main
    bad = _write(tmp_path, "bad.csv", "Review,Recommendation,Action\r\nDawn,1,x\r\n")
    assert main(["--db", str(store_path), "import", "actions", str(bad)]) == 2
    assert "missing required column(s) agency" in capsys.readouterr().err


def test_review_import_errors(tracker, tmp_path):
    bad = ("name,kind,published,initiated,status\r\n"
           "Dawn,scr,29/03/2018,03/04/2017,\r\n"
           "Dawn,SCR,,,\r\n"
           ",scr,,,\r\n"
           "Eve,survey,,,\r\n"
           "Fay,scr,01/01/2018,01/02/2018,\r\n"
           "Gus,llr,,,half done\r\n")
    with pytest.raises(ImportFailed) as err:
        tracker.import_reviews(_write(tmp_path, "r.csv", bad))
    problems = err.value.problems
    assert len(problems) == 5
    assert problems[0].startswith("row 3:") and "one row per review" in problems[0]
    assert problems[1].startswith("row 4:") and "name" in problems[1]
    assert problems[2].startswith("row 5:") and "kind 'survey'" in problems[2]
    assert problems[3].startswith("row 6:") and "published_on" in problems[3]
    assert problems[4].startswith("row 7:") and "status 'half done'" in problems[4]
    assert tracker.reviews() == []
    with pytest.raises(ImportFailed, match="unknown column"):
        tracker.import_reviews(_write(tmp_path, "r2.csv", "name,kind,colour\r\nA,scr,red\r\n"))


def test_changing_an_original_due_date_needs_a_revision(plans, tmp_path):
    moved = ACTIONS_CSV.replace("Kit Tester,31/05/2018", "Kit Tester,30/06/2018")
    with pytest.raises(ImportFailed, match="revised_due and revision_reason"):
        plans.import_actions(_write(tmp_path, "moved.csv", moved))
    header, first = ACTIONS_CSV.splitlines()[:2]
    revised = (header + ",Revised Date,Reason for revision\r\n" + first + ",31/07/2018,new lead officer\r\n")
    plans.import_actions(_write(tmp_path, "revised.csv", revised), overwrite=True)
    a = plans.actions(review="Dawn")[0]
    assert a.due_on == date(2018, 5, 31) and a.current_due_on == date(2018, 7, 31)
    assert a.revisions[0].reason == "new lead officer"
    again = plans.import_actions(_write(tmp_path, "revised.csv", revised))
    assert again.updated == {}
    back = ACTIONS_CSV.replace("Kit Tester,31/05/2018,in progress", "Kit Tester,31/05/2018,not started")
    with pytest.raises(ImportFailed, match="reopen it with a reason"):
        plans.import_actions(_write(tmp_path, "back.csv", back))


def test_publication_imported_later_moves_relative_dates(tracker, tmp_path):
    tracker.import_reviews(_write(tmp_path, "r.csv", "name,kind,initiated\r\nDawn,scr,03/04/2017\r\n"))
    tracker.import_actions(_write(tmp_path, "a.csv", ACTIONS_CSV.split("Dawn,5")[0].rstrip("S")))
    community = tracker.actions(text="community")[0]
    assert community.due_on is None
    tracker.import_reviews(_write(tmp_path, "r.csv", "name,kind,published\r\nDawn,scr,29/03/2018\r\n"), overwrite=True)
    assert tracker.get_action(community.reference).due_on == date(2018, 6, 29)
    assert tracker.check() == []


def test_csv_export_reimports_into_a_fresh_store(plans, tmp_path):
    plans.revise_due(plans.actions()[0].reference, "31/07/2018", "new lead")
    reviews = _write(tmp_path, "reviews-out.csv", plans.export_plans("reviews", "csv"))
    actions = _write(tmp_path, "actions-out.csv", plans.export_plans("actions", "csv"))
    with st.open_tracker(tmp_path / "fresh.json", today=lambda: date(2018, 6, 15)) as fresh:
        fresh.import_reviews(reviews)
        fresh.import_actions(actions)
        for a in plans.actions():
            b = fresh.get_action(a.reference)
            assert (b.description, b.lead_agency, b.due_on, b.due_rule, b.current_due_on, b.status, b.evidence,
                    b.completed_on) == (a.description, a.lead_agency, a.due_on, a.due_rule, a.current_due_on,
                                        a.status, a.evidence, a.completed_on)
        assert fresh.import_actions(actions).changed == 0


def test_csv_export_defends_against_formulas(tracker):
    tracker.add_review(name="=cmd", kind="llr")
    tracker.add_recommendation("=cmd", text="-2+3", owner_agencies="Police")
    tracker.add_action("=cmd", 1, description="@SUM(A1)", lead_agency="Police", lead_officer="-officer")
    reviews = list(csv.DictReader(io.StringIO(tracker.export_plans("reviews", "csv"))))
    actions = list(csv.DictReader(io.StringIO(tracker.export_plans("actions", "csv"))))
    assert reviews[0]["name"] == "'=cmd"
    assert (actions[0]["action"], actions[0]["recommendation_text"], actions[0]["officer"]) == \
        ("'@SUM(A1)", "'-2+3", "'-officer")


def test_json_round_trip_is_lossless(plans, tmp_path):
    a = plans.actions()[0]
    plans.add_update(a.reference, "Progress with a “curly” quote and – dash")
    plans.revise_due(a.reference, "31/07/2018", "reason")
    plans.flag_off_track(a.reference, "delay")
    r_json = _write(tmp_path, "r.json", plans.export_plans("reviews", "json"))
    a_json = _write(tmp_path, "a.json", plans.export_plans("actions", "json"))
    with st.open_tracker(tmp_path / "copy.json", today=lambda: date(2018, 6, 15)) as copy:
        copy.import_reviews(r_json)
        copy.import_actions(a_json)
        strip = lambda x: attrs.evolve(x, rev=0)
        assert [strip(x) for x in copy.reviews()] == [strip(x) for x in plans.reviews()]
        assert [strip(x) for x in copy.actions()] == [strip(x) for x in plans.actions()]
        # identical but for the revisions, which count each store's own changes
        assert _without_revisions(copy.export_plans("actions", "json")) == \
            _without_revisions(plans.export_plans("actions", "json"))
        assert copy.import_actions(a_json).changed == 0
        assert copy.check() == []


def test_json_import_refuses_bad_records(tracker, tmp_path):
    bad = {"format": "safeguard-tracker/actions", "version": 1, "actions": [
        {"reference": "A-000001", "review": "R-2099-001", "recommendation": 1, "description": "x",
         "lead_agency": "Police"},
        {"reference": "A-000002", "review": "R-2099-001", "recommendation": 1, "description": "x", "colour": "red"},
        "not an object"]}
    p = _write(tmp_path, "bad.json", json.dumps(bad))
    with pytest.raises(ImportFailed) as err:
        tracker.import_actions(p)
    assert len(err.value.problems) == 3 and "import the reviews first" in err.value.problems[0]
    assert "unknown field(s) colour" in err.value.problems[1]
    with pytest.raises(ImportFailed, match="expected a safeguard-tracker/reviews export"):
        tracker.import_reviews(_write(tmp_path, "wrong.json", json.dumps({"format": "x"})))


def _without_revisions(text: str) -> dict:
    data = json.loads(text)
    for record in data["actions"]:
        assert record.pop("revision") >= 1
    return data


def test_an_export_read_back_changes_no_recommendation_owners(plans, tmp_path):
    """An action led by an agency that does not own its recommendation (added through the API, as the
    sub group does) survives an export and its import unchanged: the import adds owners only to the
    recommendations it creates, so the round trip updates nothing."""
    plans.add_action("Dawn", 5, description="Joint briefing for neighbourhood teams", lead_agency="Probation")
    assert "Probation" not in plans.get_review("Dawn").recommendation(5).owner_agencies
    exported = _write(tmp_path, "exported.csv", plans.export_plans("actions", "csv"))
    seq = plans.store.last_seq
    result = plans.import_actions(exported)
    assert result.updated == {} and result.added == ()
    assert plans.store.last_seq == seq
    assert "Probation" not in plans.get_review("Dawn").recommendation(5).owner_agencies
