"""Board and public reports name no subject, referrer, case manager or child.

Every report is rendered in every format from the full demo store, and each
is scanned for every person's name in the demo contacts (full names, and
surnames as whole words) and for their dates of birth.  Any hit fails.

The reports and their formats are listed here explicitly, and the list is
checked against the CLI's and the TUI's registries, so a report added later
cannot be left out of the scan.  And the scan is shown to catch a leak: the
real report code is made to show a contact's personal fields, and every
report in every format must then be flagged.
"""

import argparse
import html
import re
from collections.abc import Callable
from typing import NamedTuple

from pathlib import Path

import attrs
import pytest

from safeguard_tracker.cli import build_parser, main
from safeguard_tracker.dates import fmt
from safeguard_tracker.demo import build_demo
from safeguard_tracker.reports.docx_render import docx_text
from safeguard_tracker.lado import annual_report, statistics
from safeguard_tracker.plans import action_plan_report, chase_letters
from tui.reports.specs import REPORTS as TUI_REPORTS

YEARS = ("2016-17", "2017-18", "2018-19")
# Synthetic, and spelt so that HTML and Markdown escape it: the scan must see through escaping.
ESCAPED_NAME = "Rory O'Dea-Quinn"

# Every report, with every format it has, and how the library renders it (one text per period).
def _text(report: str | bytes) -> str:
    """A report as the text a reader sees: a Word document's every paragraph and cell."""
    return docx_text(report) if isinstance(report, bytes) else report


REPORTS: dict[str, tuple[tuple[str, ...], Callable]] = {
    "lado-annual": (("md", "html", "csv", "json", "docx"),
                    lambda t, f: [(f"lado-annual {y}.{f}", _text(t.report_lado_annual(y, None, f))) for y in YEARS]),
    "action-plan": (("md", "html", "csv", "json", "docx"),
                    lambda t, f: [(f"action-plan.{f}", _text(t.report_action_plan(f)))]),
    "chase-letters": (("md", "html", "json"), lambda t, f: [(f"chase-letters.{f}", t.report_chase_letters(f))]),
}


class People(NamedTuple):
    names: set[str]
    surnames: set[str]
    dobs: set[str]
    surname_word: re.Pattern


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    t = build_demo(tmp_path_factory.mktemp("demo") / "store.json")
    t.add_contact(received_on="05/01/2018", agency="Police", category="enquiry", rationale="synthetic",
                  subject_name=ESCAPED_NAME, subject_dob="09/03/1971", employer="Synthetic Academy")
    return t


@pytest.fixture(scope="module")
def people(demo) -> People:
    return _people(demo)


def _people(t) -> People:
    """Full names, surnames and dates of birth of everyone the LADO records hold about."""
    names: set[str] = set()
    dobs: set[str] = set()
    for c in t.contacts():
        for name in (c.subject.name, c.referrer.name, c.case_manager):
            if name.strip():
                names.add(name.strip())
        if c.subject.date_of_birth:
            dobs |= {fmt(c.subject.date_of_birth), c.subject.date_of_birth.isoformat()}
    # Plan reports may name lead officers, chairs and authors (staff, by design): never confuse them.
    staff: set[str] = set()
    for a in t.actions():
        staff |= {a.lead_officer, a.signed_off_by}
    for r in t.reviews():
        staff |= {r.chair, r.author}
    staff_words = {w for s in staff for w in s.split()}
    surnames = {n.split()[-1] for n in names} - staff_words
    word = re.compile(r"\b(" + "|".join(map(re.escape, sorted(surnames, key=len, reverse=True))) + r")\b")
    return People(names - staff, surnames, dobs, word)


def _unescaped(text: str) -> str:
    """What a reader sees: HTML entities and Markdown backslash escapes undone."""
    return re.sub(r"\\([\\`*_{}\[\]()#+\-.!|'])", r"\1", html.unescape(text))


def _hits(text: str, p: People) -> list[str]:
    """Every name, surname (as a word) and date of birth in ``text``, as written or as shown."""
    found = []
    for seen in {text, _unescaped(text)}:
        found += [n for n in p.names if n in seen]
        found += [m.group(0) for m in p.surname_word.finditer(seen)]
        found += [d for d in p.dobs if d in seen]
    return found


def _board_reports(t) -> list[tuple[str, str]]:
    out = []
    for formats, render in REPORTS.values():
        for f in formats:
            out += render(t, f)
    out.append(("lado_statistics().to_dict()", repr(t.lado_statistics("2017-18").to_dict())))
    return out


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices


def _format_choices(parser: argparse.ArgumentParser) -> tuple[str, ...]:
    return tuple(next(a for a in parser._actions if a.dest == "format").choices)


def test_every_report_there_is_is_scanned():
    """The list above is the CLI's `report` commands and the TUI's reports, formats included."""
    ours = {kind: formats for kind, (formats, _) in REPORTS.items()}
    cli = {name: _format_choices(p) for name, p in _subcommands(_subcommands(build_parser())["report"]).items()}
    tui = {spec.id: tuple(spec.formats) for spec in TUI_REPORTS}
    assert cli == ours, "a report (or format) the CLI offers is not scanned here, or no longer exists"
    assert tui == ours, "a report (or format) the TUI offers is not scanned here, or no longer exists"


def test_the_scan_has_names_to_look_for(people):
    assert len(people.names) > 500 and len(people.surnames) >= 20 and len(people.dobs) > 100
    assert ESCAPED_NAME in people.names and "O'Dea-Quinn" in people.surnames


def test_no_board_or_public_report_names_a_person_from_the_lado_records(demo, people):
    reports = _board_reports(demo)
    assert len(reports) == 3 * 5 + 5 + 3 + 1
    hits = [(name, h) for name, text in reports for h in _hits(text, people)]
    assert not hits, f"names or dates of birth in board reports: {hits[:10]}"


def _cli_commands(folder) -> list[list[str]]:
    """Every report command in every format; a Word document goes to a file in ``folder`` (read by ``_cli_out``)."""
    out = []
    for kind, (formats, _) in REPORTS.items():
        for f in formats:
            to_file = ["-o", str(folder / f"{kind}.{f}")] if f == "docx" else []
            if kind == "lado-annual":
                out += [["report", kind, "--year", y, "--format", f, *to_file] for y in YEARS]
            else:
                out.append(["report", kind, "--format", f, *to_file])
    return out


def _cli_out(argv: list[str], printed: str) -> str:
    """What the command gave: its output, or the Word document it wrote to ``-o FILE``."""
    return docx_text(Path(argv[argv.index("-o") + 1]).read_bytes()) if "-o" in argv else printed


def test_the_cli_report_commands_name_nobody_either(demo, people, capsys, tmp_path):
    for argv in _cli_commands(tmp_path):
        code = main(["--db", str(demo.path), *argv])
        out, err = capsys.readouterr()
        out = _cli_out(argv, out)
        assert code == 0, f"{' '.join(argv)}: {err}"
        assert out.strip(), f"{' '.join(argv)}: printed nothing, so the scan proves nothing"
        assert not _hits(out, people), f"{' '.join(argv)}: {_hits(out, people)[:5]}"


# --- the scan is not vacuous ----------------------------------------------------------------------------------

@pytest.fixture
def leak(monkeypatch):
    """Make the real report code show ``text``: in the LADO figures (a reconciliation note, which every
    format of the annual report and the statistics print) and in every action entry (which the
    action plan and the chase letters print, in every format)."""
    def install(text: str) -> None:
        real_stats, real_entry = statistics.lado_statistics, action_plan_report.action_entry

        def leaky_stats(*args, **kwargs):
            s = real_stats(*args, **kwargs)
            return attrs.evolve(s, reconciliation=(*s.reconciliation, f"check the contact about {text}"))

        def leaky_entry(*args, **kwargs):
            entry = real_entry(*args, **kwargs)
            return {**entry, "description": f"{entry['description']} (re {text})"}
        monkeypatch.setattr(statistics, "lado_statistics", leaky_stats)
        monkeypatch.setattr(annual_report, "lado_statistics", leaky_stats)
        monkeypatch.setattr(action_plan_report, "action_entry", leaky_entry)
        monkeypatch.setattr(chase_letters, "action_entry", leaky_entry)
    return install


def _personal_fields(demo) -> dict[str, str]:
    """One value of each kind the reports must not show, taken from a stored contact."""
    contacts = demo.contacts(year="2017-18")
    subject = next(c for c in contacts if c.subject.name and c.subject.date_of_birth)
    referrer = next(c for c in contacts if c.referrer.name)
    managed = next(c for c in contacts if c.case_manager)
    surname = next(c.subject.name.split()[-1] for c in contacts if c.subject.name and c.subject.name != ESCAPED_NAME)
    return {"subject name": subject.subject.name, "referrer name": referrer.referrer.name,
            "case manager": managed.case_manager, "surname alone": f"Mx {surname}",
            "date of birth": fmt(subject.subject.date_of_birth),
            "date of birth (ISO)": subject.subject.date_of_birth.isoformat(),
            "a name HTML and Markdown escape": ESCAPED_NAME}


@pytest.mark.parametrize("field", ["subject name", "referrer name", "case manager", "surname alone",
                                   "date of birth", "date of birth (ISO)", "a name HTML and Markdown escape"])
def test_a_report_that_showed_a_personal_field_would_be_caught(demo, people, leak, field):
    """Every report in every format, made by the real code to show a contact's personal field, is flagged."""
    value = _personal_fields(demo)[field]
    leak(value)
    reports = _board_reports(demo)
    missed = [name for name, text in reports if not _hits(text, people)]
    assert not missed, f"{field} {value!r} leaked into these reports and the scan did not see it: {missed}"


def test_the_leak_itself_is_no_hit_without_a_personal_field(demo, people, leak):
    """The control: the same leak carrying a value that is no one's flags nothing, so the hits above are
    the personal field's."""
    leak("nobody in particular, 01/01/1900")
    assert not [(name, _hits(text, people)) for name, text in _board_reports(demo) if _hits(text, people)]


def test_the_cli_scan_would_catch_a_leak_too(demo, people, leak, capsys, tmp_path):
    leak(_personal_fields(demo)["subject name"])
    for argv in _cli_commands(tmp_path):
        assert main(["--db", str(demo.path), *argv]) == 0
        out, _ = capsys.readouterr()
        out = _cli_out(argv, out)
        assert _hits(out, people), f"{' '.join(argv)}: a leaked name was not seen"
