"""Every path to one store file reaches one store: one journal, one lock, one set of backups.

A symbolic link to the file, a link to its folder and a path through ``..``
are resolved to the real file, so edits through any of them land in one
journal under one lock, and a compaction replaces the real file, never the
link.  A hard link cannot be told from its twin by name, so it is refused with
a message saying why and what to do instead.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import safeguard_tracker as st
from safeguard_tracker.cli import main
from safeguard_tracker.errors import StoreError, StoreLocked
from safeguard_tracker.store import FileStore

WRITER = str(Path(__file__).with_name("writer.py"))


def _add(t, summary: str) -> str:
    return t.add_contact(received_on="05/01/2018", agency="Police", category="enquiry", summary=summary).reference


@pytest.fixture
def real(tmp_path) -> Path:
    folder = tmp_path / "real"
    folder.mkdir()
    path = folder / "st.json"
    with st.open_tracker(path, user="seed") as t:
        _add(t, "seed")
        t.store.compact()
    return path


def _names(real: Path, tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "link.json").symlink_to(real)
    (tmp_path / "linked-folder").symlink_to(real.parent)
    (tmp_path / "other").mkdir()
    return {
        "a link to the file": tmp_path / "link.json",
        "a link to its folder": tmp_path / "linked-folder" / "st.json",
        "a path through ..": tmp_path / "other" / ".." / "real" / "st.json",
        "a relative path": Path(os.path.relpath(real)),
    }


def test_every_name_of_the_store_reaches_one_journal_one_lock_one_backup_folder(real, tmp_path):
    names = _names(real, tmp_path)
    stores = {name: FileStore(path) for name, path in names.items()}
    for name, s in stores.items():
        assert (s.path, s.journal_path, s.lock_path, s.backup_dir) == (
            real, real.with_name("st.json.journal"), real.with_name("st.json.lock"),
            real.with_name("st.json.backups")), name


def test_edits_through_every_name_land_in_one_store(real, tmp_path):
    names = _names(real, tmp_path)
    added = {}
    for name, path in names.items():
        with st.open_tracker(path, user="via") as t:
            added[name] = _add(t, name)
    assert len(set(added.values())) == len(names)            # one numbering: no reference issued twice
    with st.open_tracker(real, user="checker") as t:
        assert {t.get_contact(ref).summary for ref in added.values()} == set(names)
        assert t.check() == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "linked-folder", "other", "real"]
    assert list((tmp_path / "other").iterdir()) == []          # nothing created beside a link or on the way


def test_a_writer_through_a_link_holds_the_lock_that_the_real_path_waits_for(real, tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to(real)
    holder = subprocess.Popen([sys.executable, WRITER, str(link), "holder", "60", "hold"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "READY\n", holder.stderr.read()
        assert holder.stdout.readline().startswith("HELD"), holder.stderr.read()
        with pytest.raises(StoreLocked, match="locked by holder"):
            st.open_tracker(real, user="second", lock_timeout=0.2)
    finally:
        holder.kill()
        holder.communicate()


@pytest.mark.parametrize("how", ["compaction", "big transaction", "restore"])
def test_a_link_is_never_replaced_by_a_file(real, tmp_path, how):
    link = tmp_path / "link.json"
    link.symlink_to(real)
    folder_link = tmp_path / "linked-folder"
    folder_link.symlink_to(real.parent)
    with st.open_tracker(link, user="via-link") as t:
        _add(t, "before")
        if how == "compaction":
            t.store.compact()
        elif how == "big transaction":
            import attrs
            from safeguard_tracker.demo import demo_contacts
            batch = demo_contacts(seed=4, contacts=1100)
            t.add_contacts([attrs.evolve(c, reference=f"L-2016-{i:04d}") for i, c in enumerate(batch, 1)])
        else:
            t.store.restore(t.store.newest_backup())
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert folder_link.is_symlink()
    assert not real.is_symlink() and real.stat().st_nlink == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "linked-folder", "real"]
    with st.open_tracker(real, user="checker") as t:
        assert t.check() == []


def test_a_hard_link_to_the_store_is_refused_saying_why(real, tmp_path, capsys):
    twin = tmp_path / "twin.json"
    os.link(real, twin)
    before = {p: p.read_bytes() for p in real.parent.iterdir() if p.is_file()}
    for path in (real, twin):
        with pytest.raises(StoreError, match="has 2 names \\(hard links\\).*open it by one name only"):
            st.open_tracker(path, user="x")
        assert main(["--db", str(path), "check"]) == 1
        out = capsys.readouterr().out
        assert out.startswith("NOT SOUND:") and out.count("\n") == 1 and "hard links" in out
        assert main(["--db", str(path), "contacts"]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "hard links" in err and "Traceback" not in err
    assert {p: p.read_bytes() for p in real.parent.iterdir() if p.is_file()} == before
    assert not Path(str(twin) + ".journal").exists()
    twin.unlink()                                              # as the message says: one name only
    with st.open_tracker(real, user="x") as t:
        assert t.check() == []


def test_a_hard_link_to_the_journal_is_refused(real, tmp_path):
    os.link(real.with_name("st.json.journal"), tmp_path / "journal-twin")
    with pytest.raises(StoreError, match="hard links"):
        st.open_tracker(real, user="x")


def test_a_journal_that_is_a_symbolic_link_is_refused_and_left_alone(real, tmp_path):
    journal = real.with_name("st.json.journal")
    elsewhere = tmp_path / "journal-elsewhere"
    shutil.move(journal, elsewhere)
    journal.symlink_to(elsewhere)
    before = elsewhere.read_bytes()
    with pytest.raises(StoreError, match="journal must be a plain file"):
        st.open_tracker(real, user="x")
    assert journal.is_symlink() and elsewhere.read_bytes() == before


def test_a_loop_of_links_is_one_clear_line(tmp_path, capsys):
    (tmp_path / "a.json").symlink_to(tmp_path / "b.json")
    (tmp_path / "b.json").symlink_to(tmp_path / "a.json")
    with pytest.raises(StoreError, match="cannot be resolved"):
        st.open_tracker(tmp_path / "a.json")
    assert main(["--db", str(tmp_path / "a.json"), "contact", "add", "--received", "05/01/2018", "--agency", "Police",
                 "--category", "enquiry"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot be resolved" in err


def test_a_link_to_a_store_not_yet_created_creates_it_at_the_target(tmp_path):
    (tmp_path / "real").mkdir()
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "real" / "st.json")
    with st.open_tracker(link, user="x") as t:
        _add(t, "first")
        t.store.compact()
    assert link.is_symlink() and (tmp_path / "real" / "st.json").is_file()
    assert (tmp_path / "real" / "st.json.journal").is_file() and not (tmp_path / "link.json.journal").exists()
