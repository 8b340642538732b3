"""Issue 12, the CLI's part: ``vocab KIND list|add|rename|merge|retire|unretire|alias|unalias|group|export|
import``, ``vocab preset``, ``vocab groups`` and ``init``, driven in-process on a copy of the demo store.

A rename or merge shows the new name on old records and leaves the annual statistics' totals as they
were; a change that rewrites records or a whole list asks first at a terminal and, in a script, is
refused without --yes (saying what it would do); the fixed lists take local labels only as aliases."""

from __future__ import annotations

import builtins
import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import safeguard_tracker as st
from safeguard_tracker.cli import main

from demo_store import demo_copy

TODAY = ["--today", "15/06/2018"]


@pytest.fixture
def db(tmp_path):
    demo_copy(tmp_path / "demo.json").close()
    return str(tmp_path / "demo.json")


def cli(db, capsys, *argv):
    code = main(["--db", db, "--user", "a.lado", *TODAY, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def ok(db, capsys, *argv):
    code, out, err = cli(db, capsys, *argv)
    assert code == 0, (argv, err)
    return out


def refused(db, capsys, *argv):
    """Exit 2 with one line on stderr."""
    code, out, err = cli(db, capsys, *argv)
    assert code == 2, (argv, code, out, err)
    assert err.count("\n") == 1 and err.startswith("safeguard-tracker: ") and "Traceback" not in err, err
    return err


def annual(db, capsys):
    return json.loads(ok(db, capsys, "report", "lado-annual", "--year", "2017-18", "--format", "json"))


def by_agency(report):
    return {row["agency"]: row["count"] for row in report["by_agency"]}


def totals(report):
    return (report["total_contacts"], report["by_category"], report["outcomes"], report["by_harm"],
            sum(by_agency(report).values()))


def stored_agencies(db):
    with st.open_tracker(db, user="checker") as t:
        return {c.reference: c.agency for c in t.contacts()}


def list_names(out):
    """The NAME column of a text list: everything before the first run of two spaces."""
    return [line.split("  ")[0] for line in out.splitlines()[1:] if line and not line[0] in "(0123456789"]


# --- list -------------------------------------------------------------------------------------------------

def test_list_shows_each_entry_with_its_group_aliases_and_records(db, capsys):
    out = ok(db, capsys, "vocab", "agencies", "list")
    head, *rows = out.splitlines()
    assert head.split() == ["NAME", "GROUP", "RECORDS", "ALIASES"]
    pru = next(r for r in rows if r.startswith("School - PRU "))
    assert "Education" in pru and "Pupil Referral Unit" in pru
    with st.open_tracker(db) as t:
        held = t.vocabulary_usage("agencies")["School - PRU"]
    assert f" {held} " in pru and held > 0
    # singular, plural and unique starts name the same list
    assert ok(db, capsys, "vocab", "agency", "list") == out == ok(db, capsys, "vocab", "agen", "list")
    assert "Founded" in ok(db, capsys, "vocab", "outc", "list")


def test_list_hides_retired_entries_and_says_how_many_until_all(db, capsys):
    assert "retired 'Transport Provider'" in ok(db, capsys, "vocab", "agencies", "retire", "Transport Provider")
    out = ok(db, capsys, "vocab", "agencies", "list")
    assert "Transport Provider" not in list_names(out)
    assert out.splitlines()[-1] == "1 retired entry hidden: --all shows them"
    every = ok(db, capsys, "vocab", "agencies", "list", "--all")
    assert "RETIRED" in every.splitlines()[0]
    row = next(r for r in every.splitlines() if r.startswith("Transport Provider "))
    assert "retired" in row and "hidden" not in every
    # still valid where recorded: a retired name is accepted on the records that hold it
    with st.open_tracker(db) as t:
        assert t.taxonomy.canonical("transport provider") == "Transport Provider"
    ok(db, capsys, "vocab", "agencies", "unretire", "Transport Provider")
    assert "Transport Provider" in list_names(ok(db, capsys, "vocab", "agencies", "list"))


def test_list_as_csv(db, capsys):
    ok(db, capsys, "vocab", "agencies", "retire", "Transport Provider")
    code, out, err = cli(db, capsys, "vocab", "agencies", "list", "--format", "csv")
    assert code == 0 and "1 retired entry hidden" in err          # the note stays out of the CSV
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["name", "group", "aliases", "retired", "records"]
    police = next(r for r in rows if r["name"] == "Police")
    assert police["group"] == "police" and "Kent Police" in police["aliases"].split(" | ")
    assert int(police["records"]) > 0 and "Transport Provider" not in {r["name"] for r in rows}
    rows = list(csv.DictReader(io.StringIO(ok(db, capsys, "vocab", "agencies", "list", "--all", "--format", "csv"))))
    assert next(r for r in rows if r["name"] == "Transport Provider")["retired"] == "yes"


def test_groups_lists_every_sector_group(db, capsys):
    out = ok(db, capsys, "vocab", "groups")
    assert out.splitlines()[0].split() == ["KEY", "LABEL"]
    assert any(line.split()[0] == "early_years" and line.endswith("Early years") for line in out.splitlines())
    assert len(out.splitlines()) == 13


def test_a_kind_that_is_no_list_is_one_line(db, capsys):
    err = refused(db, capsys, "vocab", "agenices", "list")
    assert "'agenices'" in err and "agencies, partners" in err
    assert "could be partners or preset" in refused(db, capsys, "vocab", "p", "list")


# --- add, alias, group ----------------------------------------------------------------------------------

def test_add_with_a_group_and_an_alias_then_a_contact_by_the_alias_records_the_name(db, capsys):
    out = ok(db, capsys, "vocab", "agencies", "add", "Northshire Academy Trust", "--group", "Education",
             "--alias", "NAT", "--alias", "Northshire AT")
    assert out.strip() == "added 'Northshire Academy Trust' to the agencies"
    row = next(r for r in ok(db, capsys, "vocab", "agencies", "list").splitlines()
               if r.startswith("Northshire Academy Trust"))
    assert "Education" in row and "NAT | Northshire AT" in row
    out = ok(db, capsys, "contact", "add", "--received", "05/06/2018", "--agency", "NAT", "--category",
             "consultation", "--rationale", "practice issue for the employer")
    ref = out.split("added ", 1)[1].split()[0]
    assert stored_agencies(db)[ref] == "Northshire Academy Trust"
    assert "now in the sector group Health" in ok(db, capsys, "vocab", "agencies", "group", "NAT", "health")
    assert "GROUP 'bogus'" in refused(db, capsys, "vocab", "agencies", "group", "NAT", "bogus")
    assert "no longer means" in ok(db, capsys, "vocab", "agencies", "unalias", "Northshire AT")
    # a name that already means another entry is refused, naming it
    assert "'Police'" in refused(db, capsys, "vocab", "agencies", "add", "Kent Police")


def test_fixed_kinds_take_local_labels_as_aliases_only(db, capsys):
    err = refused(db, capsys, "vocab", "outcomes", "add", "Founded")
    assert "alias" in err and "substantiated" in err
    assert "renamed" in refused(db, capsys, "vocab", "outcomes", "rename", "false", "fake")
    assert "merged" in refused(db, capsys, "vocab", "harms", "merge", "neglect", "physical", "--yes")
    ok(db, capsys, "vocab", "outcomes", "unalias", "Founded")
    with st.open_tracker(db) as t:
        assert t.vocabulary("outcomes").lookup("Founded") is None
    assert "'Founded' now means 'substantiated'" in ok(db, capsys, "vocab", "outcomes", "alias", "substantiated",
                                                       "Founded")
    ok(db, capsys, "vocab", "harms", "alias", "suit", "Online grooming", "Online conduct")
    with st.open_tracker(db) as t:
        assert t.vocabulary("outcomes").lookup("founded") == "substantiated"
        assert t.vocabulary("harms").lookup("online conduct") == "suitability"


# --- rename and merge keep the statistics -------------------------------------------------------------

def test_rename_shows_the_new_name_and_keeps_the_annual_totals(db, capsys):
    before = annual(db, capsys)
    old_count = by_agency(before)["School - Primary"]
    refs = [r for r, a in stored_agencies(db).items() if a == "School - Primary"]
    assert old_count > 0 and refs
    out = ok(db, capsys, "vocab", "agencies", "rename", "School - Primary", "Primary Schools (Northshire)", "--yes")
    assert "renamed 'School - Primary' to 'Primary Schools (Northshire)'" in out
    assert f"{len(refs)} record(s) now show the new name" in out
    listed = ok(db, capsys, "contacts", "--year", "2017-18")
    assert "Primary Schools (Northshire)" in listed and "School - Primary" not in listed
    after = annual(db, capsys)
    assert totals(after) == totals(before)
    assert by_agency(after)["Primary Schools (Northshire)"] == old_count and "School - Primary" not in by_agency(after)
    # the old name stays an alias, and the change is in each record's history
    with st.open_tracker(db) as t:
        assert t.taxonomy.canonical("School - Primary") == "Primary Schools (Northshire)"
    assert "Primary Schools (Northshire)" in ok(db, capsys, "history", refs[0])


def test_merge_combines_the_two_counts_and_keeps_the_totals(db, capsys):
    before = annual(db, capsys)
    counts = by_agency(before)
    gone, kept = counts["Recruitment Agency"], counts["Other"]
    assert gone > 0 and kept > 0
    out = ok(db, capsys, "vocab", "agencies", "merge", "Recruitment Agency", "Other", "--yes")
    assert "merged 'Recruitment Agency' into 'Other'" in out
    after = annual(db, capsys)
    assert totals(after) == totals(before)
    assert by_agency(after)["Other"] == gone + kept and "Recruitment Agency" not in by_agency(after)
    assert "Recruitment Agency" not in list_names(ok(db, capsys, "vocab", "agencies", "list", "--all"))


def test_a_change_to_records_needs_yes_when_not_at_a_terminal(db, capsys):
    """pytest's stdin is no terminal: without --yes nothing changes, and the line says what would."""
    held = sum(1 for a in stored_agencies(db).values() if a == "Police")
    with st.open_tracker(db) as t:
        plans = sum(1 for a in t.actions() if a.lead_agency == "Police") + sum(
            1 for r in t.reviews() if any("Police" in rec.owner_agencies for rec in r.recommendations))
    err = refused(db, capsys, "vocab", "agencies", "rename", "Police", "Northshire Police")
    assert f"{held + plans} records will show 'Northshire Police'" in err and "add --yes" in err
    assert "add --yes" in refused(db, capsys, "vocab", "agencies", "merge", "Recruitment Agency", "Other")
    assert "add --yes" in refused(db, capsys, "vocab", "preset", "england")
    path = Path(db).with_name("agencies.csv")
    ok(db, capsys, "vocab", "agencies", "export", str(path))
    assert "add --yes" in refused(db, capsys, "vocab", "agencies", "import", str(path))
    with st.open_tracker(db) as t:
        assert "Police" in t.vocabulary("agencies").names and "Recruitment Agency" in t.vocabulary("agencies").names
        assert t.vocabulary("agencies").lookup("Primary School") == "School - Primary"    # not the england list


def test_at_a_terminal_the_question_is_asked(db, capsys, monkeypatch):
    asked = []
    answers = iter(["n", "y"])
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(builtins, "input", lambda q: asked.append(q) or next(answers))
    code, _, err = cli(db, capsys, "vocab", "agencies", "rename", "Police", "Northshire Police")
    assert code == 1 and "nothing changed" in err
    assert asked[0].startswith("renaming 'Police' to 'Northshire Police' in the agencies: ")
    assert asked[0].endswith("records will show 'Northshire Police'. Go ahead? [y/N] ")
    with st.open_tracker(db) as t:
        assert "Police" in t.vocabulary("agencies").names
    code, out, _ = cli(db, capsys, "vocab", "agencies", "rename", "Police", "Northshire Police")
    assert code == 0 and "renamed 'Police'" in out


def test_a_name_that_is_not_in_the_list_is_refused_before_any_question(db, capsys):
    err = refused(db, capsys, "vocab", "agencies", "rename", "Polxce", "Northshire Police")
    assert "OLD 'Polxce'" in err and "did you mean 'Police'" in err


# --- export, import, preset ---------------------------------------------------------------------------

def test_export_edit_import_round_trip(db, capsys, tmp_path):
    text = ok(db, capsys, "vocab", "agencies", "export")
    target = tmp_path / "agencies.csv"
    code, _, err = cli(db, capsys, "vocab", "agencies", "export", str(target))
    assert code == 0 and f"wrote {target}" in err and target.read_text() == text
    assert "store itself" in refused(db, capsys, "vocab", "agencies", "export", db)     # never over the store
    rows = list(csv.DictReader(io.StringIO(text)))
    for row in rows:                     # the edit: a new name for the police, and a new agency
        if row["name"] == "Police":
            row["name"], row["aliases"] = "Northshire Police", row["aliases"] + " | Police"
    rows.append({"name": "Westmoor Sailing Club", "group": "sport_leisure", "aliases": "WSC", "retired": ""})
    edited = tmp_path / "edited.csv"
    with edited.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["name", "group", "aliases", "retired"], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    before = annual(db, capsys)
    out = ok(db, capsys, "vocab", "agencies", "import", str(edited), "--yes")
    assert "replaced the agencies" in out and "now show the new name" in out
    exported = list(csv.DictReader(io.StringIO(ok(db, capsys, "vocab", "agencies", "export"))))
    assert [r["name"] for r in exported if not r["retired"]] == [r["name"] for r in rows]
    assert next(r for r in exported if r["name"] == "Westmoor Sailing Club")["group"] == "sport_leisure"
    assert "Police" not in stored_agencies(db).values()
    assert totals(annual(db, capsys)) == totals(before)
    # importing what was exported changes nothing more
    again = tmp_path / "again.csv"
    ok(db, capsys, "vocab", "agencies", "export", str(again))
    ok(db, capsys, "vocab", "agencies", "import", str(again), "--yes")
    assert ok(db, capsys, "vocab", "agencies", "export") == again.read_text()


def test_an_import_missing_a_recorded_name_keeps_it_retired_and_says_so(db, capsys, tmp_path):
    text = ok(db, capsys, "vocab", "agencies", "export")
    short = tmp_path / "short.csv"
    short.write_text("".join(line + "\n" for line in text.splitlines() if not line.startswith("Unknown,")))
    err = refused(db, capsys, "vocab", "agencies", "import", str(short))
    assert "kept as retired entries" in err and "'Unknown'" in err
    out = ok(db, capsys, "vocab", "agencies", "import", str(short), "--yes")
    assert "kept" in out and "Unknown" in out
    assert "Unknown" not in list_names(ok(db, capsys, "vocab", "agencies", "list"))
    rows = list(csv.DictReader(io.StringIO(ok(db, capsys, "vocab", "agencies", "list", "--all", "--format", "csv"))))
    unknown = next(r for r in rows if r["name"] == "Unknown")
    assert unknown["retired"] == "yes" and int(unknown["records"]) > 0


def test_a_bad_import_file_is_one_line_and_changes_nothing(db, capsys, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,group\nNorthshire Youth Club,bowls\n")
    before = ok(db, capsys, "vocab", "agencies", "export")
    err = refused(db, capsys, "vocab", "agencies", "import", str(bad), "--yes")
    assert "'bowls'" in err and "education" in err
    assert ok(db, capsys, "vocab", "agencies", "export") == before


def test_preset_england_sets_every_list_and_keeps_recorded_names(db, capsys):
    before = annual(db, capsys)
    out = ok(db, capsys, "vocab", "preset", "england", "--yes")
    assert len(out.splitlines()) == 5 and "replaced the agencies" in out
    with st.open_tracker(db) as t:
        agencies = t.vocabulary("agencies")
        assert "Education - other" in agencies.offered and agencies.lookup("Education") == "Education - other"
        # a name the board's list had and the england one does not is kept, retired, where it is recorded
        assert "Medway Council" in agencies.names and "Medway Council" not in agencies.offered
    assert totals(annual(db, capsys)) == totals(before)


# --- init ---------------------------------------------------------------------------------------------

def test_init_makes_a_new_store_with_the_preset(tmp_path, capsys):
    path = str(tmp_path / "northshire.json")
    out = ok(path, capsys, "init")
    assert f"a new store at {path} with the england preset" in out
    with st.open_tracker(path) as t:
        n = len(t.vocabulary("agencies").offered)
        assert t.vocabulary("agencies").lookup("Education") == "Education - other"
        assert not t.contact_docs()
    assert f"{n} agencies in 12 sector groups" in out and "7 outcomes" in out
    board = str(tmp_path / "eastbridge.json")
    assert "with the board preset: 30 agencies" in ok(board, capsys, "init", "--preset", "board")


def test_init_refuses_a_store_that_holds_records(db, capsys):
    before = Path(db).read_bytes()
    err = refused(db, capsys, "init")
    assert f"init: {db} already holds" in err and " contacts, " in err
    assert "use `vocab preset NAME`" in err
    assert Path(db).read_bytes() == before


# --- the entry point ----------------------------------------------------------------------------------

def test_the_installed_command_runs_vocab(db):
    exe = Path(sys.executable).with_name("safeguard-tracker")
    command = str(exe) if exe.exists() else shutil.which("safeguard-tracker")
    assert command, "the safeguard-tracker entry point is not installed"
    proc = subprocess.run([command, "--db", db, "vocab", "agencies", "list"], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "COLUMNS": "200"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0].split()[0] == "NAME" and "School - PRU" in proc.stdout
