"""Progress on long work: the library reports through ``safeguard_tracker.progress``; the CLI draws a
rich bar on stderr only at a terminal, and the command's stdout is the same with a bar or without."""

from __future__ import annotations

import csv
import io
import json
import sys
from typing import Optional

import pytest
from rich.console import Console

from safeguard_tracker.cli import main
from safeguard_tracker.cli import progress_bar
from safeguard_tracker.progress import NO_PROGRESS, counted, counted_list


class Recorder:
    """A Progress that remembers every call."""

    def __init__(self) -> None:
        self.phases: list[tuple[str, Optional[int]]] = []
        self.advanced: dict[str, int] = {}
        self.calls = 0
        self.open = False

    def start(self, label: str, total: Optional[int]) -> None:
        assert not self.open, "a phase started before the last one was done"
        self.phases.append((label, total))
        self.advanced[label] = 0
        self.open = True

    def advance(self, n: int = 1) -> None:
        assert self.open and n > 0
        self.advanced[self.phases[-1][0]] += n
        self.calls += 1

    def done(self) -> None:
        self.open = False

    def ended(self, label: str) -> tuple[int, Optional[int]]:
        """(the count reached, the total announced) for the phase called ``label``."""
        return self.advanced[label], dict(self.phases)[label]


class TerminalStderr(io.StringIO):
    def isatty(self) -> bool:
        return True


# --- counted --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("n", [0, 1, 7, 100, 99_999, 100_000])
def test_counted_ends_at_the_total_advancing_about_every_percent(n):
    rec = Recorder()
    assert list(counted(range(n), n, rec, "work")) == list(range(n))
    assert rec.ended("work") == (n, n)
    assert rec.calls <= 101 and not rec.open


def test_counted_is_the_iterable_itself_without_progress():
    items = [1, 2, 3]
    assert counted(items, 3, NO_PROGRESS, "work") is items
    assert counted_list(items, NO_PROGRESS, "work") is items


def test_counted_is_done_when_the_loop_stops_early():
    rec = Recorder()
    loop = counted(range(1000), 1000, rec, "work")
    for i in loop:
        if i == 500:
            break
    loop.close()            # type: ignore[attr-defined]
    assert not rec.open and 0 < rec.advanced["work"] <= 500


def test_a_counted_list_encodes_exactly_as_the_list():
    data = [{"b": i, "a": [i, str(i)]} for i in range(250)]
    rec = Recorder()
    shown = json.dumps({"x": counted_list(data, rec, "encode")}, indent=1, sort_keys=True, ensure_ascii=False)
    assert shown == json.dumps({"x": data}, indent=1, sort_keys=True, ensure_ascii=False)
    assert rec.ended("encode") == (250, 250)


# --- the library reports the right totals ---------------------------------------------------------------

def test_exports_count_every_contact(demo):
    n = demo.count_contacts()
    year = demo.count_contacts("2017-18")
    for fmt in ("csv", "json"):
        rec = Recorder()
        text = demo.export_contacts(fmt, progress=rec)
        assert text == demo.export_contacts(fmt)
        assert rec.ended("exporting contacts") == (n, n)
    rec = Recorder()
    rows = list(csv.DictReader(io.StringIO(demo.export_contacts("csv", year="2017-18", progress=rec))))
    assert rec.ended("exporting contacts") == (len(rows), year) == (year, year)
    rec = Recorder()
    demo.export_contacts_xlsx(year="2017-18", progress=rec)
    assert rec.ended("preparing contacts") == (year, year)
    assert rec.ended("writing contacts (xlsx)") == (year, year)


def test_plans_exports_reports_and_check_count_their_records(demo):
    actions, reviews = len(demo.action_docs()), len(demo.review_docs())
    for fmt in ("csv", "json"):
        rec = Recorder()
        assert demo.export_plans("actions", fmt, progress=rec) == demo.export_plans("actions", fmt)
        assert rec.ended("exporting actions") == (actions, actions)
    rec = Recorder()
    demo.export_plans_xlsx("reviews", progress=rec)
    assert rec.ended("writing reviews (xlsx)") == (reviews, reviews)

    rec = Recorder()
    assert demo.report_lado_annual("2017-18", fmt="json", progress=rec) == demo.report_lado_annual("2017-18",
                                                                                                   fmt="json")
    assert rec.ended("counting contacts") == (demo.count_contacts(),) * 2
    rec = Recorder()
    demo.report_action_plan("json", progress=rec)
    assert rec.ended("reporting on reviews") == (reviews, reviews)

    rec = Recorder()
    assert demo.check(progress=rec) == [] == demo.check()
    audit = len(demo.store.all("audit"))
    assert rec.ended("replaying the audit trail") == (audit, audit)
    records = demo.count_contacts() + actions + reviews
    assert rec.ended("comparing records with the trail") == (records, records)


def test_the_plan_import_counts_its_rows(demo, tmp_path):
    path = tmp_path / "actions.csv"
    path.write_text(demo.export_plans("actions", "csv"), encoding="utf-8")
    rec = Recorder()
    demo.import_actions(path, dry_run=True, progress=rec)
    n = len(demo.action_docs())
    assert rec.ended("reading actions") == (n, n)
    assert rec.ended("checking actions") == (n, n)


def test_the_demo_counts_what_it_makes(tmp_path):
    from safeguard_tracker.demo import build_demo
    rec = Recorder()
    with build_demo(tmp_path / "d.json", contacts=300, reviews=False, progress=rec) as t:
        assert len(t.contact_docs()) == 300
    assert rec.ended("making demo contacts") == (300, 300)
    assert rec.ended("storing demo contacts") == (300, 300)


# --- the CLI: a bar at a terminal, nothing extra elsewhere, the same stdout ---------------------------------

@pytest.fixture
def db(demo):
    return str(demo.location)


def run(capsys, monkeypatch, argv: list[str], *, terminal: bool) -> tuple[str, str]:
    """(stdout, what reached stderr) of one command, with stderr a terminal or not."""
    capsys.readouterr()
    err = TerminalStderr() if terminal else io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    code = main(argv)
    monkeypatch.undo()
    out = capsys.readouterr().out
    assert code == 0, err.getvalue()
    return out, err.getvalue()


@pytest.fixture
def recorded_console(monkeypatch):
    """rich's output, as a terminal would receive it, whatever TERM the tests run under."""
    monkeypatch.delenv(progress_bar.ENV, raising=False)
    monkeypatch.setattr(progress_bar, "console_for",
                        lambda stream: Console(file=stream, force_terminal=True, width=100, stderr=True))


@pytest.mark.parametrize("argv, total", [
    (["export", "contacts", "--format", "json"], "1,015/1,015"),
    (["report", "lado-annual", "--year", "2017-18", "--format", "json"], "1,015/1,015"),
    (["check"], "replaying the audit trail"),
])
def test_a_bar_at_a_terminal_and_the_same_stdout_without(db, capsys, monkeypatch, recorded_console, argv, total):
    plain_out, plain_err = run(capsys, monkeypatch, ["--db", db, *argv], terminal=False)
    bar_out, bar_err = run(capsys, monkeypatch, ["--db", db, *argv], terminal=True)
    assert bar_out == plain_out
    assert plain_err == ""                  # not a terminal: nothing beyond what the command writes
    assert total in bar_err                 # the bar, drawn to its count
    assert "\x1b[" in bar_err               # ...by rich, as a transient display


def test_no_bar_when_the_environment_says_so(db, capsys, monkeypatch, recorded_console):
    monkeypatch.setenv(progress_bar.ENV, "1")
    capsys.readouterr()
    err = TerminalStderr()
    monkeypatch.setattr(sys, "stderr", err)
    assert main(["--db", db, "export", "contacts", "--format", "json"]) == 0
    assert err.getvalue() == ""


def test_the_bar_is_built_only_for_a_terminal(monkeypatch):
    monkeypatch.delenv(progress_bar.ENV, raising=False)
    with progress_bar.progress_for(io.StringIO()) as p:
        assert p is NO_PROGRESS
    stream = TerminalStderr()
    with progress_bar.progress_for(stream) as p:
        assert isinstance(p, progress_bar.Bar)


def test_opening_a_large_store_says_so_at_a_terminal_only(tmp_path, monkeypatch, recorded_console):
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 10)
    monkeypatch.setattr(progress_bar, "OPENING_FROM", 5)
    stream = TerminalStderr()
    with progress_bar.opening(big, stream):
        pass
    assert "opening big.json" in stream.getvalue()
    quiet = io.StringIO()
    with progress_bar.opening(big, quiet):
        pass
    assert quiet.getvalue() == ""


def test_the_contacts_import_reports_each_phase_and_a_failed_commit_ends_it(tmp_path, monkeypatch):
    import safeguard_tracker as st
    from safeguard_tracker.errors import StoreWriteError
    rows = "".join(f"0{1 + i % 9}/06/2018,Police,enquiry,Summary {i}\n" for i in range(250))
    path = tmp_path / "log.csv"
    path.write_text("received_on,agency,category,summary\n" + rows, encoding="utf-8")
    with st.open_tracker(tmp_path / "s.json", user="a.lado") as t:
        rec = Recorder()
        t.import_contacts(path, progress=rec)
        assert rec.ended("checking the rows") == (250, 250)
        assert rec.ended("making the records") == (250, 250)
        assert rec.ended("checking and staging the records") == (250, 250)
        assert [label for label, _ in rec.phases][-1] == "saving 250 records" and not rec.open

        def refuse() -> None:
            raise StoreWriteError("the disk is full")
        monkeypatch.setattr(t.store, "verify_writable", refuse)
        rec = Recorder()
        path.write_text("received_on,agency,category,summary\n" + rows.replace("Summary", "Another"),
                        encoding="utf-8")
        with pytest.raises(StoreWriteError):
            t.import_contacts(path, progress=rec)
        assert not rec.open, "the saving phase ends when the commit fails"
