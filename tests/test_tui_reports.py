"""The reports tab: preview in the terminal, save as md, html, csv or json to a typed path; the file
is written whole, the screen says where it went, and wrong fields are refused in words."""

from __future__ import annotations

import csv
import io
import json

import pytest

from safeguard_tracker.errors import ValidationError
from safeguard_tracker.reports.docx_render import docx_text
from tui.forms import FormScreen
from tui.main import MainScreen
from tui.reports.specs import output_path
from tui.testing import fill as paste
from tui.testing import screen_text

from test_tui_plans import app_for, field_error, fill, make_demo, settle, status, sync_tests, tab


@pytest.fixture
def demo(tmp_path):
    tracker = make_demo(tmp_path)
    yield tracker
    tracker.close()


async def save_as(pilot, fmt: str, path: str) -> None:
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert isinstance(pilot.app.screen, FormScreen), screen_text(pilot.app)
    await fill(pilot, "format", fmt)
    await paste(pilot, "path", path)        # a long path typed key by key costs seconds, and proves nothing more
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_action_plan_preview_then_save_as_html(demo, tmp_path):
    app = app_for(demo)
    target = tmp_path / "out" / "plan.html"
    target.parent.mkdir()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = await tab(pilot, "reports")
        assert view.spec.id == "action-plan"
        assert "Learning Lessons: action plan progress report" in view.preview_text
        assert "As of 15/06/2018" in screen_text(app)
        await save_as(pilot, "htm", str(target))          # the first letters are enough: html
        assert isinstance(app.screen, MainScreen), screen_text(app)
        assert f"to {target}" in status(app)
        # The tab says where the file went, whole (wrapped when the path is longer than the line).
        assert str(target) in str(view.query_one("#report-note").render())
        assert "\u2713 Saved to /" in screen_text(app)
    html = target.read_text()
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "A-000009" in html and "SCR Dawn" in html and "<svg" in html
    assert oct(target.stat().st_mode & 0o777) == "0o600"


async def test_filters_narrow_the_report(demo, tmp_path):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = await tab(pilot, "reports")
        view.choose("action-plan", review="Ellie", agency="", as_of="01/05/2018")
        await settle(pilot)
        assert "SCR Ellie" in view.preview_text and "SCR Dawn" not in view.preview_text
        assert "As of 01/05/2018" in view.preview_text
        await save_as(pilot, "csv", str(tmp_path / "ellie"))   # no suffix: the format's is added
    rows = list(csv.DictReader(io.StringIO((tmp_path / "ellie.csv").read_text())))
    assert rows and {r["review"] for r in rows} == {"SCR Ellie"}
    assert {r["reference"] for r in rows} == {a.reference for a in demo.actions(review="Ellie")}


async def lado_annual_2017_18(pilot):
    """The reports tab with the LADO annual report for 2017-18 chosen and previewed."""
    await settle(pilot)
    view = await tab(pilot, "reports")
    view.choose("lado-annual", year="2017-18")
    await settle(pilot)
    return view


async def test_lado_annual_section_saved_as_markdown(demo, tmp_path):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await lado_annual_2017_18(pilot)
        assert "received 495 contacts" in view.preview_text
        assert view.query_one("#param-year").display and not view.query_one("#param-review").display
        await save_as(pilot, "md", str(tmp_path / "lado.md"))
        assert "Saved" in status(app)
    text = (tmp_path / "lado.md").read_text()
    assert "2017-18" in text and "495" in text and "School - Primary" in text


async def test_lado_annual_section_saved_as_a_word_document_and_html(demo, tmp_path):
    """The whole section, every measure included, from the reports tab: Word for the board, HTML to print."""
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await lado_annual_2017_18(pilot)
        assert "Suspension and its alternatives" in view.preview_text
        await save_as(pilot, "docx", str(tmp_path / "lado"))      # no suffix: .docx is added
        assert "Saved" in status(app) and "DOCX" in status(app), status(app)
        await save_as(pilot, "html", str(tmp_path / "lado.html"))
        assert "Saved" in status(app)
    text = docx_text((tmp_path / "lado.docx").read_bytes())
    assert "received 495 contacts" in text and "Referrals resolved against the guidance's expectations" in text
    assert text == docx_text(demo.report_lado_annual("2017-18", None, "docx"))
    html = (tmp_path / "lado.html").read_text()
    assert "Referrals to the DBS and regulators, by body" in html and "@page" in html


async def test_chase_letters_as_json(demo, tmp_path):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = await tab(pilot, "reports")
        view.choose("chase-letters", agency="police", within="30")
        await settle(pilot)
        assert "Action plan progress: Police" in view.preview_text
        await save_as(pilot, "json", str(tmp_path / "letters.json"))
    data = json.loads((tmp_path / "letters.json").read_text())
    assert [letter["agency"] for letter in data["letters"]] == ["Police"]
    assert data["as_of"] == "2018-06-15"


async def test_wrong_fields_are_refused_in_words_and_nothing_is_written(demo, tmp_path):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = await tab(pilot, "reports")
        view.choose("lado-annual", year="2017-1x")
        await settle(pilot)
        note = str(view.query_one("#report-note").render())
        assert "\u2717" in note and "2017-1x" in note
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen), "no save form for a report that cannot render"
        assert "Not saved" in status(app)
        view.choose("action-plan", review="", agency="", as_of="today")
        await settle(pilot)
        await save_as(pilot, "html", str(tmp_path / "plan.csv"))     # suffix and format disagree
        form = app.screen
        assert isinstance(form, FormScreen)
        assert ".html" in field_error(form, "path")
        await fill(pilot, "format", "json")
        await paste(pilot, "path", str(demo.path))                    # never over the store
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and "store" in field_error(form, "path")
        await paste(pilot, "path", str(tmp_path / "missing" / "plan.json"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and "does not exist" in field_error(form, "path")
    assert not (tmp_path / "plan.csv").exists() and not (tmp_path / "missing").exists()
    assert demo.check() == []


def test_output_path_rules(tmp_path):
    assert output_path("", "html", "action-plan-2018-06-15.html", cwd=tmp_path) == \
        tmp_path / "action-plan-2018-06-15.html"
    assert output_path("report", "md", "x.md", cwd=tmp_path) == tmp_path / "report.md"
    assert output_path(str(tmp_path) + "/", "csv", "x.csv", cwd=tmp_path) == tmp_path / "x.csv"
    assert output_path("r.htm", "html", "x.html", cwd=tmp_path) == tmp_path / "r.htm"
    with pytest.raises(ValidationError) as err:
        output_path("r.json", "csv", "x.csv", cwd=tmp_path)
    assert err.value.field == "path"


sync_tests(globals())
