"""Export paths cannot be tricked into overwriting the store, its journal, its lock or its backups."""

import os
from pathlib import Path

import pytest

import safeguard_tracker as st
from safeguard_tracker.cli import main
from safeguard_tracker.errors import ValidationError
from safeguard_tracker.outputs import guard_output_path


@pytest.fixture
def setup(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    t = st.open_tracker(folder / "store.json", user="x")
    t.add_contact(received_on="05/01/2018", agency="Police", category="enquiry")
    t.store.compact()                     # a backup exists, and the journal is empty
    return t, folder


def _files(folder: Path) -> dict:
    return {str(p): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _tricks(t, folder: Path, tmp_path: Path, monkeypatch) -> dict[str, Path]:
    backup = t.store.newest_backup()
    (tmp_path / "link-to-store").symlink_to(folder / "store.json")
    (tmp_path / "linked-folder").symlink_to(folder)
    (tmp_path / "link-to-backups").symlink_to(t.store.backup_dir)
    monkeypatch.chdir(folder / "store.json.backups")
    return {
        "the store": folder / "store.json",
        "its journal": folder / "store.json.journal",
        "its lock": folder / "store.json.lock",
        "a backup": backup,
        "a new file among the backups": t.store.backup_dir / "mine.csv",
        "the damaged-copies folder": t.store.backup_dir / "damaged" / "x.csv",
        "the backups folder's own name": folder / "store.json.backups",
        "a dot-dot path to the store": folder / "store.json.backups" / ".." / "store.json",
        "a relative path to the store": Path("../store.json"),
        "a symlink to the store": tmp_path / "link-to-store",
        "the store through a symlinked folder": tmp_path / "linked-folder" / "store.json",
        "the journal through a symlinked folder": tmp_path / "linked-folder" / "store.json.journal",
        "a backup through a symlinked folder": tmp_path / "link-to-backups" / backup.name,
        "a folder": Path("~") / "..",
    }


def test_every_trick_is_refused_and_nothing_is_touched(setup, tmp_path, monkeypatch):
    t, folder = setup
    tricks = _tricks(t, folder, tmp_path, monkeypatch)
    before = _files(folder)
    for name, path in tricks.items():
        with pytest.raises(ValidationError) as err:
            t.write_output(path, "=cmd|' /C calc'!A0\n", what="export contacts", personal=True, records=1)
        assert "output" in str(err.value), name
    assert _files(folder) == before
    assert t.check() == []
    assert t.store.all("access_log") == {}


def test_a_journal_not_yet_created_is_protected_too(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (tmp_path / "alias").symlink_to(folder)
    t = st.open_tracker(tmp_path / "alias" / "store.json", user="x")   # opened through a link; no journal yet
    assert not (folder / "store.json.journal").exists()
    with pytest.raises(ValidationError):
        t.write_output(folder / "store.json.journal", "garbage\n", what="x", personal=False)
    assert not (folder / "store.json.journal").exists()
    t.add_contact(received_on="05/01/2018", agency="Police", category="enquiry")   # the store still works


def test_a_hard_link_to_the_store_is_refused(setup, tmp_path):
    t, folder = setup
    link = tmp_path / "innocent.csv"
    os.link(folder / "store.json", link)
    with pytest.raises(ValidationError):
        guard_output_path(t.store, link)


def test_ordinary_outputs_are_written_privately(setup, tmp_path):
    t, folder = setup
    out = t.write_output(tmp_path / "report.md", "# figures\n", what="report", personal=False)
    assert out.read_text() == "# figures\n"
    assert out.stat().st_mode & 0o777 == 0o600
    beside = t.write_output(folder / "store-export.csv", "a\n", what="export", personal=True, records=1)
    assert beside.read_text() == "a\n" and t.check() == []


def test_cli_refuses_with_one_line_and_exit_2(setup, capsys):
    t, folder = setup
    for argv in (["report", "lado-annual", "--year", "2017-18", "-o", str(folder / "store.json")],
                 ["export", "reviews", "--format", "csv", "-o", str(t.store.newest_backup())]):
        code = main(["--db", str(t.path), *argv])
        err = capsys.readouterr().err
        if "invalid choice" in err:          # the area's command is not there yet
            continue
        assert code == 2, err
        assert err.count("\n") == 1 and "output" in err and "Traceback" not in err
    assert t.check() == []


# --- names the store owns, even before it creates them -----------------------------------------------------------

OWNED = [".store.json.a1b2c3d4.tmp", ".store.json.journal.a1b2c3d4.tmp", "store.json.redactions", "store.json.tmp",
         "store.json.anything", "STORE.JSON.LOCK", ".store.json.x", "store.json.backups/new.csv"]


@pytest.mark.parametrize("name", OWNED)
def test_a_name_the_store_owns_is_refused_before_anything_is_written(setup, tmp_path, name):
    """The store sweeps .store.json.*.tmp as orphans and keeps sidecars as store.json.*: an export there
    would be deleted by the next command, or taken for the store's own file."""
    t, folder = setup
    (tmp_path / "alias").symlink_to(folder)
    before = _files(folder)
    for path in (folder / name, tmp_path / "alias" / name):
        with pytest.raises(ValidationError) as err:
            t.write_output(path, "a,b\n", what="export contacts", personal=True, records=1)
        assert "output" in str(err.value) and "store" in str(err.value)
    assert _files(folder) == before and t.store.all("access_log") == {}


def test_names_beside_the_store_that_it_does_not_own_are_fine(setup):
    t, folder = setup
    for name in ("store-export.csv", "store.json-copy.csv", "my.store.json.csv", ".store.jsonx"):
        assert t.write_output(folder / name, "a\n", what="export", personal=False).read_text() == "a\n"
    assert t.check() == []


def test_the_cli_refuses_a_temp_file_name_in_one_line(setup, capsys):
    t, folder = setup
    code = main(["--db", str(t.path), "export", "contacts", "-o", str(folder / ".store.json.a1b2c3d4.tmp")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and ".store.json.a1b2c3d4.tmp" in err
    assert not (folder / ".store.json.a1b2c3d4.tmp").exists()
