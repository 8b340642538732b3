"""Every subcommand, given bad arguments, exits 2 with one clear line and no traceback.

The subcommands are discovered from the parser, so a command added later is
covered without touching this file.  For each: an unknown option, missing
required arguments, an option without its value, a value outside its choices,
a word where a number goes, an impossible date (31/02/2018) where a date goes,
and random junk (hypothesis).

Every command runs in a working folder inside tmp_path (with HOME there too), absolute
paths in the junk are moved inside tmp_path, and a file written anywhere else fails the test
before it is written; afterwards nothing the commands were given may have appeared in the
repository or the folder the tests were started from.
"""

import argparse
import contextlib
import os
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as hs

from safeguard_tracker import outputs
from safeguard_tracker.cli import build_parser, main
from safeguard_tracker.demo import build_demo

ROOT = Path(__file__).resolve().parent.parent


def _commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """(path, parser) for every subcommand, groups included, depth first."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield path + (name,), sub
                yield from _commands(sub, path + (name,))


COMMANDS = sorted(_commands(build_parser()), key=lambda c: c[0])
DATE_DESTS = {"as_of", "on", "date", "received", "due", "held", "closed", "published", "incident", "known",
              "notified", "decision", "initiated", "dob", "subject_dob", "today"}


def _is_date_option(a: argparse.Action) -> bool:
    return (a.metavar == "DATE" or a.dest in DATE_DESTS or a.dest.endswith(("_on", "_date"))) and a.type is not int


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    t = build_demo(folder / "pristine.json")
    return folder, t


@pytest.fixture
def db(demo, tmp_path):
    folder, t = demo
    target = tmp_path / "store.json"
    shutil.copyfile(t.path, target)
    shutil.copyfile(str(t.path) + ".journal", str(target) + ".journal")   # a store is its file and its journal
    for p in (target, Path(str(target) + ".journal")):
        os.chmod(p, 0o600)                   # as the tool made it (a copy gets the umask's mode, and a warning)
    return target


def _positionals(parser, demo_tracker) -> list[str]:
    """Plausible values for the required positionals, so the bad option is what gets judged."""
    values = []
    for a in parser._actions:
        if a.option_strings or isinstance(a, argparse._SubParsersAction) or a.nargs in ("?", "*"):
            continue
        meta = (a.metavar or a.dest or "").upper()
        if "REF" in meta and "REVIEW" not in meta:
            values.append(sorted(demo_tracker.store.all("contacts"))[0])
        elif "REVIEW" in meta:
            values.append("Dawn")
        elif "ACTION" in meta:
            values.append(sorted(demo_tracker.store.all("actions"))[0])
        elif "FILE" in meta or "PATH" in meta:
            values.append("no-such-file.csv")
        elif a.type is int or "NUMBER" in meta:
            values.append("1")
        elif a.choices:
            values.append(sorted(a.choices)[0])
        else:
            values.append("x")
    return values


def _bad_argvs(path, parser, demo_tracker):
    pos = _positionals(parser, demo_tracker)
    yield "unknown option", [*path, *pos, "--no-such-option"]
    if pos or any(a.required for a in parser._actions if a.option_strings):
        yield "missing arguments", [*path]
    for a in parser._actions:
        if not a.option_strings or a.nargs == 0 or a.dest in ("help",):
            continue
        opt = a.option_strings[-1]
        if a.nargs != "?":                    # an optional value: leaving it out is not an error
            yield f"{opt} without a value", [*path, *pos, opt]
        if a.choices:
            yield f"{opt} outside its choices", [*path, *pos, opt, "bogus-choice"]
        if a.type is int:
            yield f"{opt} not a number", [*path, *pos, opt, "many"]
        if _is_date_option(a):
            yield f"{opt} an impossible date", [*path, *pos, opt, "31/02/2018"]


CASES = []
for _path, _parser in COMMANDS:
    CASES.append(pytest.param(_path, id=" ".join(_path)))


class Sandbox:
    """Where the commands run, and what they were given that could name a file."""

    def __init__(self, tmp_path: Path):
        self.tmp = tmp_path.resolve()
        # Five folders down: 12 characters of junk ("../../../x") cannot climb out of tmp_path.
        self.cwd = self.tmp / "w" / "o" / "r" / "k" / "d"
        self.cwd.mkdir(parents=True)
        self.given: set[str] = set()

    def inside(self, path) -> bool:
        return Path(os.path.realpath(path)).is_relative_to(self.tmp)

    def confine(self, arg: str) -> str:
        """An absolute path (also after -o or --option=) moved inside tmp_path; a leading ~ made literal."""
        return re.sub(r"^(-o|--[^=]*=)?([/~])",
                      lambda m: (m.group(1) or "") + (str(self.tmp) if m.group(2) == "/" else "./") + m.group(2), arg)

    def main(self, argv: list[str]) -> int:
        self.given.update(argv)
        with contextlib.chdir(self.cwd):
            return main(argv)


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    box = Sandbox(tmp_path)
    monkeypatch.setenv("HOME", str(box.tmp / "home"))
    real_write = outputs.atomic_write

    def write_inside(path, data):
        assert box.inside(path), f"an output was about to be written outside tmp_path: {path}"
        return real_write(path, data)
    monkeypatch.setattr(outputs, "atomic_write", write_inside)
    folders = {ROOT, Path.cwd()}
    before = {folder: set(os.listdir(folder)) for folder in folders}
    yield box
    for folder in folders:
        new = set(os.listdir(folder)) - before[folder]
        # Anything the commands were given that names a new entry here (a name, or its first folder).
        named = {a.split("/")[0] for a in box.given} | {a.split("=", 1)[-1].split("/")[0] for a in box.given} \
            | {a[2:].split("/")[0] for a in box.given if a.startswith("-o")}
        assert not new & named, f"the commands wrote into {folder}: {sorted(new & named)}"


def _run(db, argv, capsys, sandbox):
    code = sandbox.main(["--db", str(db), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _assert_one_clear_line(code, err, why):
    assert code == 2, f"{why}: exit {code}; stderr: {err!r}"
    lines = err.splitlines()
    assert len(lines) == 1, f"{why}: {len(lines)} lines: {err!r}"
    assert lines[0].startswith("safeguard-tracker: ") and len(lines[0]) > 30, why
    assert "Traceback" not in err


@pytest.mark.parametrize("path", [c[0] for c in COMMANDS], ids=[" ".join(c[0]) for c in COMMANDS])
def test_bad_arguments_exit_2_with_one_clear_line(path, demo, db, capsys, sandbox):
    parser = dict(COMMANDS)[path]
    checked = 0
    for why, argv in _bad_argvs(path, parser, demo[1]):
        code, out, err = _run(db, argv, capsys, sandbox)
        if why.endswith("impossible date") and code == 0:
            pytest.fail(f"{' '.join(argv)}: accepted 31/02/2018")
        _assert_one_clear_line(code, err, f"{' '.join(argv)} ({why})")
        checked += 1
    assert checked >= 1


def test_the_global_options_too(db, capsys, sandbox):
    for argv in (["--no-such-option"], ["--today", "31/02/2018", "check"], ["--db"], ["no-such-command"]):
        code = sandbox.main(argv if argv[0] == "--db" else ["--db", str(db), *argv])
        _, err = capsys.readouterr()
        _assert_one_clear_line(code, err, " ".join(argv))


def test_there_are_commands_to_check():
    names = {" ".join(p) for p, _ in COMMANDS}
    assert {"check", "history", "restore", "retention", "redact", "access-log"} <= names


def test_an_output_named_on_the_command_line_lands_in_tmp_path(db, capsys, sandbox):
    """The sandbox works: a relative -o is written in the working folder inside tmp_path, an absolute one
    inside tmp_path, and neither in the repository."""
    for target, where in (("fuzz-export.csv", sandbox.cwd / "fuzz-export.csv"),
                          (sandbox.confine("/fuzz-export.json"), sandbox.tmp / "fuzz-export.json")):
        code = sandbox.main(["--db", str(db), "export", "contacts", "-o", target])
        _, err = capsys.readouterr()
        assert code == 0, err
        assert where.is_file() and f"wrote {where}" in err
    assert not (ROOT / "fuzz-export.csv").exists()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(junk=hs.lists(hs.one_of(hs.text(min_size=0, max_size=12),
                               hs.sampled_from(["--as-of", "--format", "--year", "-o", "--", "-", "--yes", "=1"])),
                     max_size=4),
       command=hs.sampled_from([c[0] for c in COMMANDS]))
@example(command=("export", "contacts"), junk=["-o", "junk-out.csv"])
@example(command=("report", "action-plan"), junk=["-o", "/junk-out.md"])
def test_random_junk_never_raises_a_traceback(db, capsys, sandbox, command, junk):
    junk = [sandbox.confine(j) for j in junk]
    argv = [*command, *junk]
    if "--yes" in junk and command[0] in ("restore", "redact", "demo"):
        argv.remove("--yes")                   # keep the fuzzing from doing real work on the store
    try:
        code = sandbox.main(["--db", str(db), *argv])
    except SystemExit as exc:                  # --help prints and exits 0: acceptable
        assert exc.code in (0, None)
        capsys.readouterr()
        return
    out, err = capsys.readouterr()
    for written in re.findall(r"^wrote (.+)$", err, re.MULTILINE):
        assert sandbox.inside(written), f"{' '.join(argv)}: wrote {written}, outside tmp_path"
    assert "Traceback" not in err
    if code != 0:
        assert code in (1, 2) and err.strip(), f"exit {code} without a reason"
        assert err.startswith("safeguard-tracker: ")     # an import's bad rows follow on further lines
