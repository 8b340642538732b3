"""Hostile text in every field: HTML is autoescaped, template syntax in data is never run, every
exported CSV text column is defended against formula injection, and user templates are sandboxed.

The demo store is rewritten so that every text field of every contact, review,
recommendation and action (and every agency name) carries a payload that
starts with a spreadsheet formula character and contains ``<script>`` and
``{{ }}``.  Then every report is rendered in every format and every export is
written.
"""

import argparse
import csv
import io
import itertools
import json
import re
from enum import Enum
from types import SimpleNamespace

import attrs
import linkify_it  # noqa: F401  (markdown-it's linkify: a dependency of textual, so always here)
import pytest
from markdown_it import MarkdownIt

from safeguard_tracker.cli import build_parser, main
from safeguard_tracker.demo import build_demo
from safeguard_tracker.errors import ValidationError
from safeguard_tracker.io.csvfiles import FORMULA_PREFIXES
from safeguard_tracker.reports.docx_render import docx_text
from safeguard_tracker.reports.render import render
from safeguard_tracker.taxonomy import DEFAULT_AGENCIES
from tui.reports.specs import REPORTS as TUI_REPORTS

SCRIPT = "<script>alert(1)</script>"
EVALUATED = "42042"                          # what {{ 6006*7 }} would become if data were run as a template
# Link and image syntax of every kind; the reference definition starts a line of its own.  The bare
# www. link has a real top-level domain (the reserved example.org): linkify ignores unknown ones.
LINKS = ("![i](http://x.invalid/p.png) [c](javascript:alert(1)) [r][1] <http://x.invalid/a> www.example.org "
         "JAVA\tSCRIPT:alert(2)\n[1]: http://x.invalid/ref")
TAIL = f"{SCRIPT}{{{{ 6006*7 }}}} {LINKS}"
KEEP_AS_IS = {"reference", "review", "follow_up_of", "period", "event", "action"}
AGENCY_FIELDS = {"agency", "lead_agency", "owner_agencies", "agencies_present"}


def poisoned_agency(name: str) -> str:
    return f"={name} {SCRIPT} {{{{ 6006*7 }}}} {LINKS.splitlines()[0]}"


AGENCY_MAP = {a: poisoned_agency(a) for a in DEFAULT_AGENCIES}


def _poison(value, name: str, prefixes):
    if isinstance(value, str) and not isinstance(value, Enum):
        if name in KEEP_AS_IS:
            return value
        if name in AGENCY_FIELDS:
            return AGENCY_MAP.get(value, value)
        return f"{next(prefixes)}{value or 'x'} {TAIL}"
    if isinstance(value, tuple):
        return tuple(_poison(v, name, prefixes) for v in value)
    if attrs.has(type(value)):
        return attrs.evolve(value, **{f.name: _poison(getattr(value, f.name), f.name.lstrip("_"), prefixes)
                                      for f in attrs.fields(type(value)) if f.init and f.name != "rev"})
    return value


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "store.json"
    t = build_demo(path)
    prefixes = itertools.cycle(FORMULA_PREFIXES)
    t.set_agencies(list(AGENCY_MAP.values()))
    plan_extra = [a for a in t.settings.get("plan_agencies", []) if a not in AGENCY_MAP]
    if plan_extra:
        t.update_settings(plan_agencies=[poisoned_agency(a) for a in plan_extra])
        AGENCY_MAP.update({a: poisoned_agency(a) for a in plan_extra})
    t.add_contacts([_poison(c, "", prefixes) for c in t.contacts()], upsert=True)
    reviews = [_poison(r, "", prefixes) for r in t.reviews()]
    actions = [_poison(a, "", prefixes) for a in t.actions()]
    t.add_plan_records(reviews, actions, upsert=True)
    assert t.check() == []
    return t


# Every report and every export, with every format each has: checked against the CLI's and the TUI's
# registries below, so one added later cannot be left out of these tests.
def _text(report: str | bytes) -> str:
    """A Word document as its paragraphs and cells, so the checks on text reach it too."""
    return docx_text(report) if isinstance(report, bytes) else report


REPORTS = {
    "lado-annual": (("md", "html", "csv", "json", "docx"),
                    lambda t, f: _text(t.report_lado_annual("2017-18", None, f))),
    "action-plan": (("md", "html", "csv", "json", "docx"), lambda t, f: _text(t.report_action_plan(f))),
    "chase-letters": (("md", "html", "json"), lambda t, f: t.report_chase_letters(f)),
}
EXPORTS = {
    "contacts": (("csv", "json", "xlsx"), lambda t, f: t.export_contacts(f)),
    "reviews": (("csv", "json", "xlsx"), lambda t, f: t.export_plans("reviews", f)),
    "actions": (("csv", "json", "xlsx"), lambda t, f: t.export_plans("actions", f)),
}


def _cli_group(name: str) -> dict[str, tuple[str, ...]]:
    """{command: its --format choices} for the CLI's ``report`` or ``export`` group."""
    def subcommands(parser):
        return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    return {cmd: tuple(next(a for a in p._actions if a.dest == "format").choices)
            for cmd, p in subcommands(subcommands(build_parser())[name]).items()}


def test_every_report_and_export_there_is_is_listed_here():
    assert _cli_group("report") == {k: formats for k, (formats, _) in REPORTS.items()}
    assert {s.id: tuple(s.formats) for s in TUI_REPORTS} == {k: formats for k, (formats, _) in REPORTS.items()}
    assert _cli_group("export") == {k: formats for k, (formats, _) in EXPORTS.items()}


_RENDERED: dict[object, list] = {}       # keyed by the store itself, so no other store can share its entry


def _reports(t):
    """(name, format, text) for every report in every format it has: rendered once per store (the hostile
    store is the module's, and nothing here changes it)."""
    if t not in _RENDERED:
        _RENDERED[t] = [(name, f, render_(t, f)) for name, (formats, render_) in REPORTS.items()
                            for f in formats]
    return _RENDERED[t]


def _exports(t, fmt_: str = "csv"):
    return [(name, export(t, fmt_)) for name, (formats, export) in EXPORTS.items()]


def test_no_cell_of_an_exported_workbook_is_a_formula(hostile, tmp_path):
    import openpyxl
    for name, data in (("contacts", hostile.export_contacts_xlsx()), ("reviews", hostile.export_plans_xlsx("reviews")),
                       ("actions", hostile.export_plans_xlsx("actions"))):
        path = tmp_path / f"{name}.xlsx"
        path.write_bytes(data)
        sheet = openpyxl.load_workbook(path).worksheets[0]
        texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
        assert any(t.startswith("'=") for t in texts), f"{name}: no hostile value reached the workbook"
        assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"], name


def test_html_reports_escape_every_field_and_never_run_data_as_a_template(hostile):
    html = [(n, text) for n, f, text in _reports(hostile) if f == "html"]
    assert html, "no HTML report to check"
    for name, text in html:
        assert "&lt;script&gt;" in text, f"{name}: the payload is not in the report, so this proves nothing"
        assert "<script" not in text.lower(), f"{name}: a <script> reached the HTML unescaped"
        assert EVALUATED not in text, f"{name}: data was evaluated as a template"
        assert "{{ 6006*7 }}" in text
        assert not re.search(r"<[a-z]+[^>]*\son\w+=", text, re.I), f"{name}: an event handler attribute appeared"


def test_markdown_reports_carry_no_raw_html(hostile):
    md = [(n, text) for n, f, text in _reports(hostile) if f == "md"]
    assert md, "no Markdown report to check"
    for name, text in md:
        assert "&lt;script&gt;" in text, f"{name}: the payload is not in the report, so this proves nothing"
        assert "<script" not in text.lower(), f"{name}: a <script> reached the Markdown raw (a viewer would run it)"


def _markdown_viewer():
    """A GitHub-like Markdown viewer: tables, and bare URLs linked (linkify)."""
    return MarkdownIt("gfm-like")


def _links_and_html(tokens) -> list[str]:
    found = []
    for tok in tokens:
        for t in (tok, *(tok.children or ())):
            if t.type in ("link_open", "image", "html_inline", "html_block"):
                found.append(f"{t.type} {t.attrs or t.content!r}")
    return found


def test_markdown_reports_turn_no_value_into_a_link_or_an_image(hostile):
    """Inline, reference-style and auto links, images, bare URLs and javascript: in every field stay words."""
    viewer = _markdown_viewer()
    md = [(n, text) for n, f, text in _reports(hostile) if f == "md"]
    assert md, "no Markdown report to check"
    for name, text in md:
        shown = viewer.render(text)
        assert "[c](javascript:alert(1))" in shown, f"{name}: the payload is not shown as text, so this proves nothing"
        assert "![i](http://x.invalid/p.png)" in shown, f"{name}: the image syntax is not shown as text"
        assert not _links_and_html(viewer.parse(text)), f"{name}: {_links_and_html(viewer.parse(text))[:3]}"
        lowered = text.lower()
        assert "javascript:" not in lowered and "java\tscript:" not in lowered, f"{name}: a bare javascript: scheme"
        assert "](" not in text.replace("\\]", ""), f"{name}: link syntax reached the Markdown"


def test_no_report_runs_data_as_a_template(hostile):
    for name, fmt_, text in _reports(hostile):
        assert EVALUATED not in text, f"{name}.{fmt_}"


def _cells(text: str):
    return [row for row in csv.reader(io.StringIO(text, newline=""))]


def _defended_columns(name: str, text: str) -> set[str]:
    """Check every cell; return the columns where hostile text arrived and was defended."""
    rows = _cells(text)
    header, body = rows[0], rows[1:]
    for h in header:
        assert not h.startswith(FORMULA_PREFIXES), f"{name}: header {h!r}"
    defended = set()
    for row in body:
        for column, cell in zip(header, row):
            assert not cell.startswith(FORMULA_PREFIXES), f"{name}: column {column!r} would run {cell[:30]!r}"
            if cell.startswith("'") and cell[1:2] in FORMULA_PREFIXES and "script>" in cell:
                defended.add(column)
    return defended


def test_every_exported_csv_is_defended_against_formula_injection(hostile):
    exports = _exports(hostile) + [(f"report {n}", text) for n, f, text in _reports(hostile) if f == "csv"]
    assert exports
    for name, text in exports:
        assert _defended_columns(name, text), f"{name}: no hostile text reached it, so this proves nothing"


@pytest.mark.parametrize("kind", ["contacts", "reviews", "actions"])
def test_each_text_column_of_each_export_carries_the_defence(hostile, kind):
    """Column by column: every free-text column of the export received hostile text and defended it."""
    exports = dict(_exports(hostile))
    defended = _defended_columns(kind, exports[kind])
    expected = {"contacts": {"summary", "subject_name", "subject_role", "employer", "referrer", "referrer_role",
                             "referrer_organisation", "case_manager", "rationale", "police_reference", "agency",
                             "employer_outcome"},
                "reviews": {"name", "lead_board", "chair", "author", "themes"},
                "actions": {"action", "recommendation_text", "agency", "officer", "evidence", "impact_measure",
                            "signed_off_by", "off_track_reason"}}[kind]
    assert expected <= defended, f"{kind}: columns not shown defended: {sorted(expected - defended)}"


@pytest.mark.parametrize("kind, field", [("contacts", "summary"), ("reviews", "chair"), ("actions", "description")])
def test_json_exports_keep_the_text_exactly(hostile, kind, field):
    """JSON is data, not a spreadsheet: it must round-trip the hostile text unchanged."""
    records = json.loads(dict(_exports(hostile, "json"))[kind])[kind]
    exported = {r["reference"]: r[field] for r in records}
    stored = {"contacts": hostile.contacts, "reviews": hostile.reviews, "actions": hostile.actions}[kind]()
    assert stored and len(exported) == len(stored)
    for record in stored:
        value = getattr(record, field)
        assert SCRIPT in value and value[0] in FORMULA_PREFIXES, f"{record.reference}: not poisoned, proves nothing"
        assert exported[record.reference] == value, f"{kind} {record.reference} {field}"


# --- the sandbox for user template folders -------------------------------------------------------------------

ESCAPES = {
    "class walk": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "globals": "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "format string": "{{ '{0.__class__}'.format(d) }}",
    "private attribute": "{{ d.__dict__ }}",
}


@pytest.mark.parametrize("attack", list(ESCAPES))
def test_user_templates_run_in_the_sandbox(tmp_path, attack):
    folder = tmp_path / "council"
    folder.mkdir()
    (folder / "probe.html.j2").write_text(ESCAPES[attack])
    with pytest.raises(ValidationError) as err:       # d has a __dict__, so only the sandbox stops d.__dict__
        render("probe", "html", {"data": {}, "d": SimpleNamespace(x=1), "cycler": None}, templates=folder)
    assert "stays within the sandbox" in str(err.value) and "is unsafe" in str(err.value), str(err.value)


def test_user_templates_cannot_read_files_outside_their_folder(tmp_path):
    folder = tmp_path / "council"
    folder.mkdir()
    (tmp_path / "secret.txt").write_text("not for templates")
    (folder / "probe.html.j2").write_text("{% include '../secret.txt' %}")
    with pytest.raises(ValidationError) as err:
        render("probe", "html", {"data": {}}, templates=folder)
    assert "not for templates" not in str(err.value) and "../secret.txt" in str(err.value)


def test_user_templates_are_still_autoescaped(tmp_path):
    folder = tmp_path / "council"
    folder.mkdir()
    (folder / "probe.html.j2").write_text("<p>{{ d.text }}</p>")
    out = render("probe", "html", {"data": {}, "d": {"text": SCRIPT}}, templates=folder)
    assert out == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"


# The template each report's --templates folder overrides, and what else its command needs.
LETTERHEADS = {"lado-annual": ("lado-annual", ["--year", "2017-18"]), "action-plan": ("action-plan", []),
               "chase-letters": ("chase-letter", [])}


def test_every_report_takes_a_letterhead():
    assert set(LETTERHEADS) == set(REPORTS)


@pytest.mark.parametrize("report", list(LETTERHEADS))
def test_a_council_letterhead_overrides_a_shipped_report(hostile, tmp_path, capsys, report):
    """The override works, in the sandbox, through the CLI, for every report that takes --templates."""
    template, extra = LETTERHEADS[report]
    argv = ["--db", str(hostile.path), "report", report, *extra, "--format", "html"]
    folder = tmp_path / "letterhead"
    folder.mkdir()
    (folder / f"{template}.html.j2").write_text("<h1>Our Council</h1>{{ 'is' if data is defined else 'no' }} data")
    code = main([*argv, "--templates", str(folder)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.startswith("<h1>Our Council</h1>is data"), f"{report}: the letterhead was not used: {out[:80]!r}"

    (folder / f"{template}.html.j2").write_text("<h1>Our Council</h1>{{ ''.__class__.__mro__ }}")
    code = main([*argv, "--templates", str(folder)])
    out, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1 and "sandbox" in err and "Traceback" not in err, err
    assert "Our Council" not in out
