"""docs/lado.md's library example runs as written, and makes what the page says it makes: the store
it leaves, reopened, holds the one contact with its escalation, JEM and outcome, and the settings
it changed; its statistics, dry-run import, export and report say what the comments say."""

import json
import re
from datetime import date
from pathlib import Path

import safeguard_tracker as st

DOC = Path(__file__).resolve().parent.parent / "docs" / "lado.md"


def test_the_library_example_runs(tmp_path, monkeypatch):
    text = DOC.read_text(encoding="utf-8")
    code = re.search(r"## The library\n\n```python\n(.*?)```", text, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "spreadsheet.csv").write_text("received,agency,category\n05/01/2018,Police,enquiry\n")
    scope: dict = {}
    exec(compile(code, str(DOC), "exec"), scope)
    t = scope["t"]
    assert scope["c"].reference == "L-2018-0001"

    figures = scope["s"].to_dict()
    assert (figures["year"], figures["total_contacts"], figures["referral_percent"]) == ("2017-18", 1, 100.0)
    assert figures["by_category"] == {"enquiry": 0, "consultation": 0, "referral": 1}
    assert {r["agency"]: r["count"] for r in figures["by_agency"]}["School - Primary"] == 1

    result = scope["result"]                               # a dry run: says what it would add, adds nothing
    assert result.dry_run and result.rows == 1 and len(result.added) == 1 and not result.updated

    [exported] = json.loads(scope["text"])["contacts"]
    assert exported["reference"] == "L-2018-0001" and exported["category"] == "referral"

    md = scope["md"]                                       # the board's table, no names
    assert md.startswith("## ") and "2017-18" in md and "| Agency |" in md
    assert "Casey Dunmore" not in md and "Dunmore" not in md and "Hillcrest" not in md
    assert t.deadline_rules().employer_report == "15 working days"

    # What it left in the store, read back from the file.
    with st.open_tracker(tmp_path / "lado.json", user="reader", today=lambda: date(2018, 6, 15)) as again:
        assert again.check() == []
        assert [c.reference for c in again.contacts()] == ["L-2018-0001"], "the dry-run import added nothing"
        c = again.get_contact("L-2018-0001")
        assert (c.received_on, c.agency, c.subject.name, c.subject.employer) == \
            (date(2018, 3, 28), "School - Primary", "Casey Dunmore", "Hillcrest Academy")
        assert [(h.on, h.kind.value, h.to.value, h.rationale) for h in c.category_history] == [
            (date(2018, 3, 28), "categorised", "consultation", "practice issue"),
            (date(2018, 3, 29), "escalated", "referral", "a second pupil")]
        assert c.category.value == "referral"
        [jem] = c.meetings
        assert (jem.kind.value, jem.held_on, jem.agencies_present, jem.decisions) == \
            ("jem", date(2018, 4, 6), ("Police", "Employer"), "Police to investigate")
        assert [(a.description, a.owner, a.due_on, a.done_on) for a in jem.actions] == \
            [("Share the CCTV", "Employer", date(2018, 4, 13), None)]
        assert (c.outcome.value, c.closed_on) == ("unsubstantiated", date(2018, 4, 30))
        assert again.deadline_rules().employer_report == "15 working days"
        assert again.settings["employer_threshold"] == 4
        assert {ch.user for ch in again.history(c.reference)} == {"a.lado"}
