"""Corruption: a damaged store is refused, named, never written over, and restorable from a backup.

Each kind of damage is refused with a message naming the problem and the
newest backup, by the API and by ``check`` (exit 1); ``restore --from-backup``
lists the backups and restores one after a confirmation; the damaged file is
kept aside, not lost.
"""

import io
import json
import shutil
import sys
from pathlib import Path

import pytest

import safeguard_tracker as st
from safeguard_tracker.cli import main
from safeguard_tracker.errors import StoreError

DAMAGE = {
    # name: (how, words the refusal must contain)
    "truncated": (lambda raw: raw[: len(raw) * 2 // 3], "do not match the checksum"),
    "byte flipped mid-file": (lambda raw: raw[: len(raw) // 2] + bytes([raw[len(raw) // 2] ^ 0x20]) + raw[len(raw) // 2 + 1:],
                              "do not match the checksum"),
    "future schema": (lambda raw: raw.replace(b'"schema":1', b'"schema":99', 1), "newer safeguard-tracker (schema 99"),
    "empty": (lambda raw: b"", "is empty"),
    "not JSON": (lambda raw: b"Name,DOB\r\nnot,a store\r\n", "not a safeguard-tracker store and not JSON"),
}


def _healthy(path: Path) -> Path:
    with st.open_tracker(path, user="seed") as t:
        for i in range(5):
            t.add_contact(received_on="05/01/2018", agency="Police", category="enquiry", summary=f"kept {i}")
        t.store.compact()                                 # writes a backup of all five
        t.update_contact("L-2018-0001", summary="after the backup")
    return path


class _Terminal(io.StringIO):
    """stdin as a person at a terminal who types ``answer``."""

    def __init__(self, answer: str):
        super().__init__(answer + "\n")

    def isatty(self) -> bool:
        return True


@pytest.fixture(params=list(DAMAGE))
def damaged(request, store_path):
    _healthy(store_path)
    how, words = DAMAGE[request.param]
    raw = how(store_path.read_bytes())
    store_path.write_bytes(raw)
    return store_path, raw, words


def test_damage_is_refused_naming_the_problem_and_the_newest_backup(damaged):
    path, raw, words = damaged
    newest = sorted(Path(str(path) + ".backups").iterdir())[-1].name
    with pytest.raises(StoreError) as err:
        st.open_tracker(path, user="x")
    msg = str(err.value)
    assert str(path) in msg and words in msg
    assert f"the newest backup is {Path(str(path) + '.backups') / newest}" in msg
    assert "restore --from-backup" in msg and "has not been changed" in msg
    assert path.read_bytes() == raw                       # never written over


def test_check_says_not_sound_and_exits_1(damaged, capsys):
    path, raw, words = damaged
    assert main(["--db", str(path), "check"]) == 1
    out, err = capsys.readouterr()
    assert out.startswith("NOT SOUND:") and words in out and "newest backup" in out
    assert "Traceback" not in out + err
    assert path.read_bytes() == raw


def test_restore_lists_then_restores_after_confirmation_keeping_the_damaged_file(damaged, capsys, monkeypatch):
    path, raw, _ = damaged
    assert main(["--db", str(path), "restore", "--from-backup"]) == 0
    listing = capsys.readouterr().out
    backups = [line.split()[0] for line in listing.splitlines() if line.startswith("  ")]
    assert backups and "newest first" in listing

    monkeypatch.setattr(sys, "stdin", _Terminal("no"))
    assert main(["--db", str(path), "restore", "--from-backup", backups[0]]) == 1
    assert "not restored" in capsys.readouterr().out
    assert path.read_bytes() == raw

    monkeypatch.setattr(sys, "stdin", _Terminal("yes"))
    assert main(["--db", str(path), "restore", "--from-backup", backups[0]]) == 0
    out = capsys.readouterr().out
    assert f"Replace {path}" in out and "restored" in out
    with st.open_tracker(path, user="after") as t:
        assert t.check() == []
        assert sorted(t.store.all("contacts")) == [f"L-2018-{i:04d}" for i in range(1, 6)]
        t.add_contact(received_on="06/01/2018", agency="Police", category="enquiry")   # writable again
    kept = list((Path(str(path) + ".backups") / "damaged").iterdir())
    assert any(p.read_bytes() == raw for p in kept), "the damaged file was lost instead of kept aside"
    assert all(p.stat().st_mode & 0o077 == 0 for p in kept)


def test_restore_without_a_terminal_needs_yes(damaged, capsys, monkeypatch):
    path, raw, _ = damaged
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["--db", str(path), "restore", "--from-backup", "newest"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--yes" in err
    assert path.read_bytes() == raw
    assert main(["--db", str(path), "restore", "--from-backup", "newest", "--yes"]) == 0
    assert st.open_tracker(path).check() == []


def test_a_damaged_journal_line_is_refused_and_restorable(store_path, capsys):
    _healthy(store_path)
    journal = Path(str(store_path) + ".journal")
    raw = bytearray(journal.read_bytes())
    raw[len(raw) // 2] ^= 0x04
    journal.write_bytes(bytes(raw))
    with pytest.raises(StoreError, match="journal line fails its checksum.*newest backup"):
        st.open_tracker(store_path)
    assert main(["--db", str(store_path), "restore", "--from-backup", "newest", "--yes"]) == 0
    assert st.open_tracker(store_path).check() == []
    kept = list((Path(str(store_path) + ".backups") / "damaged").iterdir())
    assert any(p.read_bytes() == bytes(raw) for p in kept)


def test_a_damaged_backup_is_refused_by_restore(store_path, capsys):
    _healthy(store_path)
    backup = sorted(Path(str(store_path) + ".backups").iterdir())[-1]
    backup.write_bytes(backup.read_bytes()[:-10])
    before = store_path.read_bytes()
    assert main(["--db", str(store_path), "restore", "--from-backup", backup.name, "--yes"]) == 1
    err = capsys.readouterr().err
    assert "damaged" in err and err.count("\n") == 1
    assert store_path.read_bytes() == before


def test_no_backup_is_said_plainly(store_path):
    store_path.write_bytes(b"{not json")
    with pytest.raises(StoreError, match="there is no backup of it"):
        st.open_tracker(store_path)


def test_restoring_a_healthy_store_keeps_its_current_state_as_a_backup(store_path, capsys):
    _healthy(store_path)
    assert main(["--db", str(store_path), "restore", "--from-backup", "newest", "--yes"]) == 0
    with st.open_tracker(store_path) as t:
        assert t.get_contact("L-2018-0001").summary == "kept 0"       # the backup's state
        newest = t.store.newest_backup()
    assert json.loads(newest.read_bytes().split(b"\n", 1)[0])["format"] == "safeguard-tracker"
    assert main(["--db", str(store_path), "restore", "--from-backup", newest.name, "--yes"]) == 0
    with st.open_tracker(store_path) as t:
        assert t.get_contact("L-2018-0001").summary == "after the backup"  # undone: nothing was lost
        assert t.check() == []


def test_copy_of_damaged_store_opens_nowhere_else(damaged, tmp_path):
    """A damaged store copied elsewhere is still refused (the refusal is about the bytes, not the place)."""
    path, raw, words = damaged
    other = tmp_path / "elsewhere.json"
    shutil.copyfile(path, other)
    with pytest.raises(StoreError, match="there is no backup of it"):
        st.open_tracker(other)
    assert other.read_bytes() == raw
