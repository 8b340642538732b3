"""A ``--templates`` folder is untrusted code: what it may read, and how long and how big it may run.

Templates are read only from regular files inside the folder (links resolved; nothing absolute,
no ``..``, no link out, no FIFO, device, folder or huge file).  A user template renders in a
worker process with a CPU-time, memory and output budget.  Every failure is one line naming the
template, exit 2 in the CLI, and nothing is written.
"""

import importlib
import os

import pytest

import safeguard_tracker as st
from safeguard_tracker.cli import main
from safeguard_tracker.errors import ValidationError
from safeguard_tracker.reports.template_files import TEMPLATE_MAX_BYTES

render_module = importlib.import_module("safeguard_tracker.reports.render")
SECRET = "Secret Subject Surname"


@pytest.fixture
def council(tmp_path):
    folder = tmp_path / "council"
    folder.mkdir()
    (tmp_path / "secret.txt").write_text(SECRET)
    return folder


def _refusal(folder, source=None, name="probe") -> str:
    """Render ``name``.md.j2 from ``folder`` (written from ``source`` if given) and return the one-line refusal."""
    if source is not None:
        (folder / f"{name}.md.j2").write_text(source)
    with pytest.raises(ValidationError) as err:
        render_module.render(name, "md", {"data": {}, "d": {"x": 1}}, templates=folder)
    message = str(err.value)
    assert "\n" not in message and f"'{name}.md.j2" in message and SECRET not in message, message
    return message


# --- what a template may read ------------------------------------------------------------------------------------

def test_a_symlink_in_the_folder_cannot_put_the_store_journal_into_a_report(tmp_path, council, capsys):
    db = tmp_path / "store.json"
    t = st.open_tracker(db, user="x")
    t.add_contact(received_on="05/01/2018", agency="Police", category="referral", subject_name=SECRET,
                  rationale="allegation")
    assert SECRET in (tmp_path / "store.json.journal").read_text()
    (council / "lado-annual.md.j2").symlink_to(tmp_path / "store.json.journal")
    out = tmp_path / "report.md"
    code = main(["--db", str(db), "report", "lado-annual", "--year", "2017-18", "--templates", str(council),
                 "-o", str(out)])
    captured = capsys.readouterr()
    assert code == 2, captured.err
    assert captured.err.count("\n") == 1 and "lado-annual.md.j2" in captured.err and "outside" in captured.err
    assert SECRET not in captured.out + captured.err and "Traceback" not in captured.err
    assert not out.exists()


def test_a_link_to_a_folder_outside_cannot_be_included_through(tmp_path, council):
    (council / "sub").symlink_to(tmp_path)
    message = _refusal(council, "{% include 'sub/secret.txt' %}")
    assert "sub/secret.txt" in message and "outside" in message


@pytest.mark.parametrize("source, words", [
    ("{% include '/etc/passwd' %}", "absolute"),
    ("{% include '../secret.txt' %}", "'..'"),
    ("{% include 'x/../../secret.txt' %}", "'..'"),
    ("{% extends '../secret.txt' %}", "'..'"),
    ("{% import '/etc/hostname' as h %}", "absolute"),
    ("{% from '../secret.txt' import x %}", "'..'"),
    ("{% include 'nope.j2' %}", "'nope.j2' is not"),
    ("{% include 'probe.md.j2' %}", "itself"),
    ("{% include 'other.md.j2' %}", "itself"),
    ("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "itself"),
    ("{{ 1 / 0 }}", "ZeroDivisionError"),
], ids=["absolute", "dotdot", "dotdot deeper", "extends", "import", "from-import", "missing", "itself",
        "each other", "recursive macro", "an error"])
def test_a_bad_include_or_a_template_that_fails_is_one_line(council, source, words):
    (council / "other.md.j2").write_text("{% include 'probe.md.j2' %}")
    message = _refusal(council, source)
    assert words in message, message


def test_a_template_is_read_only_from_a_regular_file(council):
    os.mkfifo(council / "probe.md.j2")               # opening it to read would wait for a writer for ever
    assert "a FIFO" in _refusal(council)
    os.unlink(council / "probe.md.j2")
    (council / "probe.md.j2").mkdir()
    assert "a folder" in _refusal(council)
    os.rmdir(council / "probe.md.j2")
    with open(council / "probe.md.j2", "wb") as fh:   # sparse: no disk used
        fh.truncate(TEMPLATE_MAX_BYTES + 1)
    assert "at most" in _refusal(council)
    (council / "probe.md.j2").write_bytes(b"\xff\xfe{{ d.x }}")
    assert "UTF-8" in _refusal(council)
    os.unlink(council / "probe.md.j2")
    (council / "probe.md.j2").symlink_to(council / "missing.md.j2")
    assert "does not exist" in _refusal(council)


def test_links_that_stay_inside_the_folder_are_followed(council):
    (council / "parts").mkdir()
    (council / "parts" / "head.j2").write_text("Our Council {{ d.x }}")
    (council / "heading.j2").symlink_to(council / "parts" / "head.j2")
    (council / "probe.md.j2").symlink_to(council / "parts" / ".." / "main.j2")
    (council / "main.j2").write_text("{% include 'heading.j2' %}: {% include 'parts/head.j2' %}")
    out = render_module.render("probe", "md", {"data": {}, "d": {"x": 1}}, templates=council)
    assert out == "Our Council 1: Our Council 1"


def test_a_council_copy_of_every_shipped_template_renders_the_same_in_the_worker(demo, tmp_path):
    copy = tmp_path / "copy"
    copy.mkdir()
    for p in render_module.shipped_templates().glob("*.j2"):
        (copy / p.name).write_bytes(p.read_bytes())
    for f in ("md", "html", "csv"):
        assert demo.report_lado_annual("2017-18", None, f, templates=copy) == demo.report_lado_annual("2017-18",
                                                                                                 None, f)
    for f in ("md", "html"):
        assert demo.report_action_plan(f, templates=copy) == demo.report_action_plan(f)
        assert demo.report_chase_letters(f, templates=copy) == demo.report_chase_letters(f)


# --- how long and how big it may run -----------------------------------------------------------------------------

@pytest.fixture
def small_budget(monkeypatch):
    """A two-second CPU budget, a 256 MB worker and a 100,000-character output, so the tests are quick.  (One
    second was too tight: the worker's start-up takes a third of a second of CPU, and on a loaded machine the
    doubling template was stopped for time before it reached the memory ceiling it exists to test.)"""
    monkeypatch.setattr(render_module, "RENDER_CPU_SECONDS", 2)
    monkeypatch.setattr(render_module, "RENDER_MEMORY_BYTES", 256 << 20)
    monkeypatch.setattr(render_module, "RENDER_OUTPUT_CHARS", 100_000)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("source, words", [
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "CPU"),
    ("{% for i in range(100000) %}{% for j in range(100000) %}{{ j }}{% endfor %}{% endfor %}", "output"),
    ("{{ 'a' | center(600000000) }}", "memory"),
    ("{% set ns = namespace(s='ab') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}"
     "{{ ns.s | length }}", "memory"),
    ("{% for i in range(10**9) %}{{ i }}{% endfor %}", "Range too big"),
    ("{{ 'x' * 10**9 }}", "repeating"),
    ("{{ 10**9 * 'x' }}", "repeating"),
    ("{{ [0] * 10**5 * 10**5 }}", "repeating"),
    ("{{ 9 ** (9 ** 9) }}", "power"),
], ids=["nested loops", "printing for ever", "a huge filter", "doubling", "range", "string times n",
        "n times string", "list repeated twice", "power"])
def test_a_template_that_would_run_for_ever_or_fill_memory_is_stopped(council, small_budget, source, words):
    assert words in _refusal(council, source)


@pytest.mark.timeout(120)
def test_the_cli_stops_a_runaway_template_in_one_line_and_writes_nothing(demo, council, small_budget, capsys,
                                                                        tmp_path):
    out = tmp_path / "plan.md"
    for source in ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
                   "{% include 'action-plan.md.j2' %}", "{% include '../secret.txt' %}"):
        (council / "action-plan.md.j2").write_text(source)
        code = main(["--db", str(demo.path), "report", "action-plan", "--templates", str(council), "-o", str(out)])
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1 and "action-plan.md.j2" in err, err
        assert "Traceback" not in err and SECRET not in err
        assert not out.exists()
