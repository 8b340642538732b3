"""The action-plan report's figures and formats, the chase letters, the chase list, and the demo's plans."""

import csv
import io
import json
import re
from collections import Counter
from datetime import date

import pytest

import safeguard_tracker as st
from safeguard_tracker.demo import build_demo
from safeguard_tracker.errors import ValidationError


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    t = build_demo(tmp_path_factory.mktemp("demo") / "demo.json")
    yield t
    t.close()


def test_demo_plans_have_every_rag_state_and_dawn_is_overdue(demo):
    rags = Counter(demo.rag(a).value for a in demo.actions())
    assert set(rags) == {"red", "amber", "green", "blue"}
    dawn = demo.get_review("SCR Dawn")
    assert dawn.published_on == date(2018, 3, 29) and len(dawn.recommendations) == 6
    overdue = [a for a in demo.actions(review="Dawn") if demo.days_overdue(a) > 0]
    assert len(overdue) >= 2
    ellie = demo.get_review("Ellie")
    assert ellie.published_on == date(2018, 1, 24) and len(ellie.recommendations) == 3
    audit = [a for a in demo.actions(review="Ellie", recommendation=3) if a.follow_up_of]
    assert len(audit) == 1 and audit[0].due_rule.period == "3 months"
    kinds = Counter(r.kind.value for r in demo.reviews())
    assert kinds["scr"] == 4 and kinds["llr"] == 2 and kinds["audit"] == 1 and kinds["other_board"] == 1
    stc = [r for r in demo.reviews(kind="scr", status="in progress") if any("Secure Training" in t for t in r.themes)]
    assert len(stc) == 1
    assert demo.check() == []


def test_demo_names_are_invented():
    from safeguard_tracker.demo import reviews as demo_reviews
    officers = {f"{a} {b}" for a in demo_reviews.FIRST for b in demo_reviews.LAST}
    assert len(officers) > 400   # combinations of made-up first and last names only


def test_demo_scales_in_one_transaction(tmp_path):
    t = st.open_tracker(tmp_path / "s.json", today=lambda: date(2018, 6, 15))
    from safeguard_tracker.demo.reviews import add_demo_reviews
    import random
    seq = t.store.last_seq
    add_demo_reviews(t, random.Random(1), scale=3)
    assert t.store.last_seq == seq + 1
    assert len(t.reviews()) == 60 and 550 <= len(t.actions()) <= 650
    assert t.check() == []


def test_report_figures_match_the_tracker(demo):
    d = demo.action_plan_data()
    everything = demo.actions()
    expected = Counter(demo.rag(a).value for a in everything)
    assert d["summary"]["total_actions"] == len(everything)
    assert d["summary"]["by_rag"] == {k: expected[k] for k in ("red", "amber", "green", "blue")}
    late = sorted((a for a in everything if demo.days_overdue(a) > 0), key=lambda a: -demo.days_overdue(a))
    assert [e["reference"] for e in d["overdue_actions"]] == [a.reference for a in late]
    assert d["summary"]["overdue"] == len(late)
    assert [e["days_overdue"] for e in d["overdue_actions"]] == sorted((e["days_overdue"] for e in d["overdue_actions"]),
                                                                      reverse=True)
    by_agency = {r["agency"]: r for r in d["summary"]["by_agency"]}
    assert sum(r["total"] for r in by_agency.values()) == len(everything)
    for r in by_agency.values():
        assert r["total"] == r["red"] + r["amber"] + r["green"] + r["blue"]


def test_report_json_keys(demo):
    d = json.loads(demo.report_action_plan("json"))
    assert {"as_of", "reviews", "summary"} <= set(d) and d["as_of"] == "2018-06-15"
    assert {"total_actions", "by_rag", "overdue"} <= set(d["summary"])
    assert set(d["summary"]["by_rag"]) == {"red", "amber", "green", "blue"}
    review = next(r for r in d["reviews"] if r["name"] == "Dawn")
    assert {"name", "kind", "status", "rapid_review_due", "publication_due", "recommendations"} <= set(review)
    assert review["publication_due"] == "2017-10-03"
    rec = review["recommendations"][0]
    assert {"number", "text", "actions"} <= set(rec)
    action = rec["actions"][0]
    assert {"description", "agency", "officer", "due", "status", "rag", "overdue", "days_overdue"} <= set(action)
    assert action["overdue"] is True and action["days_overdue"] == 15 and action["rag"] == "red"


def test_report_filters(demo):
    d = demo.action_plan_data(review="Dawn")
    assert [r["title"] for r in d["reviews"]] == ["SCR Dawn"] and d["filters"]["review"] == "SCR Dawn"
    assert d["summary"]["total_actions"] == len(demo.actions(review="Dawn"))
    d = demo.action_plan_data(agency="police")
    assert d["filters"]["agency"] == "Police"
    agencies = {a["agency"] for r in d["reviews"] for rec in r["recommendations"] for a in rec["actions"]}
    assert agencies == {"Police"}
    assert all(rec["actions"] for r in d["reviews"] for rec in r["recommendations"])
    later = demo.action_plan_data(as_of="01/09/2018")
    assert later["summary"]["overdue"] > demo.action_plan_data()["summary"]["overdue"]
    with pytest.raises(ValidationError, match="did you mean"):
        demo.action_plan_data(agency="Polise")


def test_markdown_puts_overdue_first(demo):
    md = demo.report_action_plan("md")
    assert md.index("## Overdue actions") < md.index("## Reviews")
    overdue = md[md.index("## Overdue actions"):md.index("## Reviews")]
    assert "SCR Dawn, 3" in overdue and "| 46 |" in overdue and "Draft report with the trust" in overdue
    assert "| Red | 3 |" in md


def test_html_is_self_contained_escaped_and_charted(tracker):
    tracker.add_review(name="Esc", kind="llr", initiated_on="01/01/2018")
    tracker.add_recommendation("Esc", text="<b>bold</b> claim", owner_agencies="Police")
    tracker.add_action("Esc", 1, description="<script>alert(1)</script>", lead_agency="Police", due="01/06/2018")
    html = tracker.report_action_plan("html")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<svg" in html and "Actions by RAG and lead agency" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "<link" not in html and "@import" not in html


def test_csv_report_defends_against_formulas(tracker):
    tracker.add_review(name="Esc", kind="llr", initiated_on="01/01/2018")
    tracker.add_recommendation("Esc", text="=HYPERLINK(\"x\")", owner_agencies="Police")
    tracker.add_action("Esc", 1, description="+cmd|' /C calc'!A0", lead_agency="Police", due="01/06/2018",
                       lead_officer="@officer")
    rows = list(csv.DictReader(io.StringIO(tracker.report_action_plan("csv"))))
    assert rows[0]["action"].startswith("'+cmd") and rows[0]["recommendation_text"].startswith("'=")
    assert rows[0]["officer"] == "'@officer" and rows[0]["rag"] == "red" and rows[0]["days_overdue"] == "14"
    assert rows[0]["due"] == "01/06/2018"


def test_custom_template_folder(demo, tmp_path):
    (tmp_path / "action-plan.md.j2").write_text("Total {{ d.summary.total_actions }}, red {{ d.summary.by_rag.red }}\n")
    assert demo.report_action_plan("md", templates=tmp_path) == "Total 20, red 3\n"
    (tmp_path / "action-plan.md.j2").write_text("{{ ''.__class__.__mro__ }}")
    with pytest.raises(ValidationError, match="sandbox"):
        demo.report_action_plan("md", templates=tmp_path)


def test_chase_letters_one_per_lead_agency(demo):
    d = demo.chase_letters_data()
    agencies = [l["agency"] for l in d["letters"]]
    assert len(agencies) == len(set(agencies))
    for letter in d["letters"]:
        for a in letter["overdue"]:
            assert a["overdue"] and a["agency"] == letter["agency"]
        for a in letter["due_soon"]:
            assert not a["overdue"] and a["due"] <= date(2018, 7, 15)
    nhs = next(l for l in d["letters"] if l["agency"] == "Medway NHS Foundation Trust")
    assert [a["days_overdue"] for a in nhs["overdue"]] == [15]
    police = demo.chase_letters_data(agency="police")["letters"]
    assert [l["agency"] for l in police] == ["Police"] and police[0]["off_track"]
    md = demo.report_chase_letters("md", agency="Medway NHS Foundation Trust")
    assert "the lead for Medway NHS Foundation Trust" in md and "29/06/2018" in md   # reply in 10 working days
    assert md.count("**To:**") == 1
    assert demo.report_chase_letters("html").count('<section class="letter">') == len(d["letters"])
    quiet = demo.chase_letters_data(agency="Probation")["letters"]
    assert quiet == [{"agency": "Probation", "overdue": [], "due_soon": [], "off_track": [], "count": 0}]


def test_chase_list_includes_plans(demo):
    items = demo.due()
    areas = Counter(i.area for i in items)
    assert areas["action"] >= 3 and areas["review"] >= 2
    whats = " ".join(i.what for i in items)
    assert "SCR Jay: Publication" in whats and "impact review" in whats
    # Leo's incident became known before the Panel duty (29/06/2018): no rapid review to chase
    assert "Rapid Review Leo: Rapid review" not in whats
    overdue = [i for i in items if i.overdue]
    assert overdue == sorted(overdue, key=lambda i: -i.days_overdue)
    dawn = [i for i in items if i.area == "action" and i.what.startswith("SCR Dawn") and i.overdue]
    assert {i.reference for i in dawn} == {a.reference for a in demo.actions(review="Dawn")
                                           if demo.days_overdue(a) > 0}
    assert all(i.area == "action" for i in demo.due(areas=("action",)))
