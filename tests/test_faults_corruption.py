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
import zlib
from pathlib import Path

import orjson
import pytest

import safeguard_tracker as st
from safeguard_tracker.cli import main
from safeguard_tracker.errors import StoreError
from safeguard_tracker.store.format import SCHEMA_VERSION, encode_snapshot

DAMAGE = {
    # name: (how, words the refusal must contain)
    "truncated": (lambda raw: raw[: len(raw) * 2 // 3], "do not match the checksum"),
    "byte flipped mid-file": (lambda raw: raw[: len(raw) // 2] + bytes([raw[len(raw) // 2] ^ 0x20]) + raw[len(raw) // 2 + 1:],
                              "do not match the checksum"),
    "future schema": (lambda raw: raw.replace(b'"schema":%d' % SCHEMA_VERSION, b'"schema":99', 1),
                      "newer safeguard-tracker (schema 99"),
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


# --- a checksum that is right over contents that are wrong ---------------------------------------------------

def _compacted(path: Path) -> Path:
    with st.open_tracker(path, user="seed") as t:
        for i in range(3):
            t.add_contact(received_on="05/01/2018", agency="Police", category="enquiry", summary=f"kept {i}")
        t.add_note("L-2018-0002", "a note")
        t.store.compact()
    return path


def _craft(path: Path, change) -> None:
    """Rewrite the snapshot with ``change(tables, header)`` applied and a checksum that matches again."""
    head, body = path.read_bytes().split(b"\n", 1)
    header, tables = orjson.loads(head), orjson.loads(body)
    change(tables, header)
    if all(isinstance(table, (dict, list)) for table in tables.values()):
        chunks = encode_snapshot(tables, 0)                         # with sections: the audit trail stays bytes
        fresh = orjson.loads(chunks[0])
        header.update(sections=fresh["sections"], counts=fresh["counts"])
        body = b"".join(bytes(c) for c in chunks[2:])
    else:
        header.pop("sections"), header.pop("counts")
        body = orjson.dumps(tables)
    header.update(crc32=zlib.crc32(body), length=len(body))
    path.write_bytes(orjson.dumps(header) + b"\n" + body)


def _set(table, key, field, value):
    def change(tables, header):
        tables[table][key][field] = value
    return change


def _record(table, key, value):
    def change(tables, header):
        tables[table][key] = value
    return change


def _rekey(tables, header):
    tables["contacts"]["L-2018-0009"] = tables["contacts"].pop("L-2018-0001")


def _drop(tables, header):
    del tables["contacts"]["L-2018-0003"]["received_on"]


SHAPES = {
    # name: (change, words the one-line refusal must contain)
    "a table that is a list": (lambda t, h: t.update(contacts=list(t["contacts"].values())),
                               "the table 'contacts' is a list"),
    "a table that is a number": (lambda t, h: t.update(actions=7), "the table 'actions' is 7"),
    "a record that is a string": (_record("contacts", "L-2018-0001", "oops"), "contacts 'L-2018-0001' is 'oops'"),
    "a record that is a number": (_record("contacts", "L-2018-0001", 42), "contacts 'L-2018-0001' is 42"),
    "a key that differs from its reference": (_rekey, "contacts 'L-2018-0009': reference is 'L-2018-0001'"),
    "a required field missing": (_drop, "contacts 'L-2018-0003': received_on is missing"),
    "a date that is a number": (_set("contacts", "L-2018-0001", "received_on", 12), "received_on is 12"),
    "a date that is no date": (_set("contacts", "L-2018-0001", "received_on", "2018-13-45"),
                               "received_on is '2018-13-45', where a date"),
    "an unknown category": (_set("contacts", "L-2018-0001", "category", "bogus"), "category is 'bogus', where one of"),
    "a note that is a number": (_set("contacts", "L-2018-0002", "notes", [1]), "notes[0] is 1"),
    "a nested field of the wrong type": (_set("contacts", "L-2018-0002", "subject", {"name": 5}), "subject.name is 5"),
    "a negative revision": (_set("contacts", "L-2018-0002", "_rev", -1), "_rev is -1"),
    "a settings document that is a list": (_record("settings", "config", []), "settings 'config' is a list"),
    "a settings date of the wrong type": (_record("settings", "config", {"reference": "config", "fixed_today": 5}),
                                          "fixed_today is 5"),
    "an access-log entry that is a string": (_record("access_log", "1", "x"), "access_log '1' is 'x'"),
    "a header transaction number that is text": (lambda t, h: h.update(last_seq="4"),
                                                 "last transaction number is '4'"),
}


@pytest.mark.parametrize("name", list(SHAPES))
def test_a_crafted_snapshot_with_a_valid_checksum_is_refused_in_one_line(store_path, capsys, name):
    change, words = SHAPES[name]
    _craft(_compacted(store_path), change)
    before = {p: p.read_bytes() for p in store_path.parent.rglob("*") if p.is_file()}
    with pytest.raises(StoreError) as err:
        st.open_tracker(store_path, user="x")
    assert words in str(err.value) and str(store_path) in str(err.value) and "\n" not in str(err.value)
    for argv, code in ((["contacts"], 2), (["contact", "add", "--received", "05/01/2018", "--agency", "Police",
                                            "--category", "enquiry"], 2), (["check"], 1)):
        assert main(["--db", str(store_path), *argv]) == code, argv
        out, errout = capsys.readouterr()
        said = out if argv == ["check"] else errout
        assert said.count("\n") == 1 and words in said and "Traceback" not in out + errout, (argv, said)
    assert {p: p.read_bytes() for p in store_path.parent.rglob("*") if p.is_file()} == before


AUDIT_SHAPES = {
    "an audit entry missing its field": (lambda a: a.pop("field"), "field is missing"),
    "an audit entry whose time is no time": (lambda a: a.update(at="yesterday"), "at is 'yesterday'"),
    "a creation entry whose record is a string": (lambda a: a.update(new="x"), "new is 'x'"),
}


@pytest.mark.parametrize("name", list(AUDIT_SHAPES))
def test_a_crafted_audit_trail_is_refused_when_it_is_read(store_path, capsys, name):
    """The audit trail stays bytes until history, check or redaction read it: it is refused there, in one line."""
    change, words = AUDIT_SHAPES[name]
    _craft(_compacted(store_path), lambda tables, header: change(tables["audit"]["1"]))
    with st.open_tracker(store_path, user="x") as t:
        assert len(t.contacts()) == 3                         # the records are sound and usable
        with pytest.raises(StoreError, match=f"audit '1': {words}"):
            t.history("L-2018-0001")
    assert main(["--db", str(store_path), "history", "L-2018-0001"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err and "Traceback" not in err
    assert main(["--db", str(store_path), "check"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("NOT SOUND:") and out.count("\n") == 1 and words in out


# --- a schema-0 file (a plain TinyDB file) whose records are not valid records ---------------------------

def _contact(**fields):
    return {"reference": "L-2017-0001", "received_on": "2017-05-01", "agency": "Police", "category": "enquiry",
            **fields}


SCHEMA0 = {
    "a date that is a number": ({"contacts": {"1": _contact(received_on=12)}},
                                "contacts '1' (reference L-2017-0001): received_on is 12"),
    "an unknown category": ({"contacts": {"1": _contact(category="nonsense")}}, "category is 'nonsense'"),
    "a note that is text": ({"contacts": {"1": _contact(notes="call back")}}, "notes is 'call back'"),
    "a record that is a string": ({"contacts": {"1": "L-2017-0001"}}, "contacts '1' is 'L-2017-0001'"),
    "a record without a reference": ({"contacts": {"1": {"received_on": "2017-05-01"}}}, "has no reference"),
    "a reference used twice": ({"contacts": {"1": _contact(), "2": _contact()}},
                               "two records with the reference 'L-2017-0001'"),
    "a table that is a list": ({"contacts": [_contact()]}, "the table 'contacts' is a list"),
    "a settings document of the wrong type": ({"contacts": {"1": _contact()}, "settings": {"1": {"fixed_today": 5}}},
                                              "settings '1': fixed_today is 5"),
}


@pytest.mark.parametrize("name", list(SCHEMA0))
def test_a_schema_0_file_whose_records_are_not_valid_is_refused_and_not_migrated(store_path, capsys, name):
    tables, words = SCHEMA0[name]
    store_path.write_text(json.dumps(tables))
    raw = store_path.read_bytes()
    with pytest.raises(StoreError) as err:
        st.open_tracker(store_path, user="m")
    assert words in str(err.value) and "\n" not in str(err.value)
    assert main(["--db", str(store_path), "contacts"]) == 2
    errout = capsys.readouterr().err
    assert errout.count("\n") == 1 and words in errout and "Traceback" not in errout
    assert main(["--db", str(store_path), "check"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("NOT SOUND:") and words in out
    assert store_path.read_bytes() == raw
    assert sorted(p.name for p in store_path.parent.iterdir()) == ["store.json", "store.json.lock"]  # no copy made


def test_a_schema_0_file_with_values_the_model_accepts_is_migrated_to_clean_records(store_path):
    store_path.write_text(json.dumps({"contacts": {"1": _contact(children_count="3", children_ages=["7", 9])}}))
    with st.open_tracker(store_path, user="m") as t:
        c = t.get_contact("L-2017-0001")
        assert (c.children_count, c.children_ages) == (3, (7, 9))
        assert [x.reference for x in t.contacts()] == ["L-2017-0001"] and t.check() == []
    with st.open_tracker(store_path, user="again") as t:          # and it opens again as schema 1
        assert t.store.migrated_from is None and t.check() == []


def test_a_restore_from_a_crafted_backup_is_refused_with_exit_2(store_path, capsys):
    _compacted(store_path)
    backup = sorted(Path(str(store_path) + ".backups").iterdir())[-1]
    _craft(backup, _set("contacts", "L-2018-0001", "received_on", 12))
    before = store_path.read_bytes()
    assert main(["--db", str(store_path), "restore", "--from-backup", backup.name, "--yes"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "received_on is 12" in err
    assert store_path.read_bytes() == before


def test_restore_with_no_backups_says_so_on_stderr_with_exit_1(store_path, capsys):
    _compacted(store_path)
    for p in Path(str(store_path) + ".backups").iterdir():
        p.unlink()
    assert main(["--db", str(store_path), "restore"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("safeguard-tracker: no backups of") and err.count("\n") == 1
