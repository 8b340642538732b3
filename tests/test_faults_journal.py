"""The journal belongs to its snapshot: a missing, cut-back, foreign or older journal is refused, never read as
"fewer changes"; a reference once issued is never issued again, a restore included.

Each refusal is checked through the API (StoreCorrupt naming the journal, the
problem and the newest backup), through the CLI (``check`` exits 1 with one
line, another command exits 1 with one line and no traceback), and for
leaving every file byte for byte, with its times, as it was.
"""

import shutil
import zlib
from pathlib import Path

import orjson
import pytest

import safeguard_tracker as st
from safeguard_tracker.cli import main
from safeguard_tracker.errors import StoreCorrupt, StoreError
from safeguard_tracker.store import FileStore, check_store


def _journal(path: Path) -> Path:
    return Path(str(path) + ".journal")


def _add(t, summary: str):
    return t.add_contact(received_on="05/01/2018", agency="Police", category="enquiry", summary=summary)


def _seed(path: Path, compacted: int = 3, after: int = 3) -> list[str]:
    """``compacted`` contacts in the snapshot (and its backup), then ``after`` more, one journal line each."""
    with st.open_tracker(path, user="seed") as t:
        refs = [_add(t, f"compacted {i}").reference for i in range(compacted)]
        t.store.compact()
        refs += [_add(t, f"journal {i}").reference for i in range(after)]
    return refs


def _files(folder: Path) -> dict:
    """Every file under ``folder``: its bytes and modification time."""
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.rglob("*")) if p.is_file()}


def _line_ends(raw: bytes) -> list[int]:
    return [i + 1 for i, b in enumerate(raw) if b == 0x0A]


def _assert_refused(path: Path, words: str, capsys) -> str:
    """Refused by the API, by ``check`` (exit 1) and by another command (exit 1), one line each; nothing written."""
    before = _files(path.parent)
    with pytest.raises(StoreCorrupt) as err:
        st.open_tracker(path, user="x")
    msg = str(err.value)
    assert words in msg, msg
    assert "\n" not in msg and "newest backup" in msg and "restore --from-backup" in msg
    assert main(["--db", str(path), "check"]) == 1
    out, errout = capsys.readouterr()
    assert out.startswith("NOT SOUND:") and out.count("\n") == 1 and words in out, out
    assert main(["--db", str(path), "contacts"]) == 1
    out, errout = capsys.readouterr()
    assert errout.count("\n") == 1 and words in errout and "Traceback" not in errout
    assert _files(path.parent) == before, "a refused store must leave every file as it was"
    return msg


def test_a_deleted_journal_is_refused_naming_the_way_back(store_path, capsys):
    _seed(store_path)
    _journal(store_path).unlink()
    msg = _assert_refused(store_path, "is missing", capsys)
    assert "put that journal back" in msg


@pytest.mark.parametrize("lines_kept", [0, 1, 2, 3])
def test_a_journal_cut_back_at_any_line_boundary_is_refused(store_path, capsys, lines_kept):
    """0: emptied; 1: its first line (the header) only; 2 and 3: some transactions lost from the end."""
    _seed(store_path)
    raw = _journal(store_path).read_bytes()
    ends = [0] + _line_ends(raw)
    assert len(ends) == 5                                  # the header and three transactions
    _journal(store_path).write_bytes(raw[:ends[lines_kept]])
    _assert_refused(store_path, "is empty" if lines_kept == 0 else "cut back", capsys)


def test_a_journal_cut_inside_its_last_acknowledged_line_is_refused(store_path, capsys):
    """A torn last line is an unacknowledged write, unless the header says it was acknowledged."""
    _seed(store_path)
    raw = _journal(store_path).read_bytes()
    _journal(store_path).write_bytes(raw[:-20])
    _assert_refused(store_path, "cut back", capsys)


def test_a_journal_from_another_store_is_refused(tmp_path, capsys):
    mine, other = tmp_path / "mine" / "store.json", tmp_path / "other" / "store.json"
    mine.parent.mkdir()
    other.parent.mkdir()
    _seed(mine)
    _seed(other, after=5)                                   # longer, and every line checksums correctly
    shutil.copyfile(_journal(other), _journal(mine))
    _assert_refused(mine, "belongs to another snapshot", capsys)


def test_an_older_journal_of_the_same_store_put_back_is_refused(store_path, capsys):
    _seed(store_path)
    old = _journal(store_path).read_bytes()
    with st.open_tracker(store_path, user="b") as t:
        t.store.compact()
        _add(t, "after the compaction")                     # only the new journal holds this
    _journal(store_path).write_bytes(old)
    _assert_refused(store_path, "belongs to another snapshot", capsys)


def test_store_json_copied_alone_to_another_folder_is_refused(tmp_path, capsys):
    _seed(tmp_path / "store.json")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy2(tmp_path / "store.json", elsewhere / "store.json")
    with pytest.raises(StoreCorrupt, match="is missing.*put that journal back.*there is no backup of it"):
        st.open_tracker(elsewhere / "store.json")
    assert main(["--db", str(elsewhere / "store.json"), "check"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("NOT SOUND:") and out.count("\n") == 1 and "journal" in out
    assert not _journal(elsewhere / "store.json").exists()


def test_an_older_copy_of_the_store_and_journal_put_back_is_refused(store_path, capsys):
    _seed(store_path)
    folder = store_path.parent
    old = {p: p.read_bytes() for p in (store_path, _journal(store_path))}
    with st.open_tracker(store_path, user="b") as t:
        _add(t, "later")
        t.store.compact()                                    # a backup that reaches further than the old pair
    for p, data in old.items():
        p.write_bytes(data)
    msg = _assert_refused(store_path, "an older copy of the store was put back", capsys)
    assert "reach transaction 6" in msg and "holds transaction 7" in msg
    assert sorted(folder.glob("*.backups/*seq7*"))


def test_a_store_json_that_vanished_beside_its_journal_is_not_recreated_empty(store_path):
    _seed(store_path)
    journal = _journal(store_path).read_bytes()
    store_path.unlink()
    with pytest.raises(StoreCorrupt, match="is missing, but its journal .* holds transactions"):
        st.open_tracker(store_path)
    assert not store_path.exists() and _journal(store_path).read_bytes() == journal


# --- the mark and the crash windows -----------------------------------------------------------------------

def test_the_header_mark_follows_every_acknowledged_commit(store_path):
    from safeguard_tracker.store.format import read_journal_header
    _seed(store_path, after=0)
    with st.open_tracker(store_path, user="b") as t:
        for i in range(3):
            _add(t, f"edit {i}")
            header = read_journal_header(_journal(store_path).read_bytes(), _journal(store_path))
            assert header.hwm == t.store.last_seq and header.journal_id == t.store.journal_id


def test_a_crash_between_snapshot_and_new_journal_loses_nothing_and_the_old_journal_is_then_refused(
        store_path, monkeypatch, capsys):
    """The snapshot is written first and names the journal it replaces; that journal stays acceptable (all of
    it is in the snapshot) until the first transaction starts the new one, and never after."""
    from safeguard_tracker.store import file_store
    refs = _seed(store_path)
    old = _journal(store_path).read_bytes()
    real = file_store.atomic_write

    def no_journal(path, chunks):
        if str(path).endswith(".journal"):
            raise file_store.StoreWriteError("killed here")
        return real(path, chunks)
    t = st.open_tracker(store_path, user="b")
    monkeypatch.setattr(file_store, "atomic_write", no_journal)
    t.store.compact()                                       # as if killed after the snapshot's replace
    monkeypatch.undo()
    assert _journal(store_path).read_bytes() == old
    with st.open_tracker(store_path, user="c") as again:
        assert sorted(again.store.all("contacts")) == refs and again.check() == []
        _add(again, "starts the new journal")
    _journal(store_path).write_bytes(old)
    _assert_refused(store_path, "belongs to another snapshot", capsys)


def test_a_crash_after_the_new_journal_but_before_it_was_marked_started_is_harmless(store_path, monkeypatch):
    from safeguard_tracker.store import file_store
    from safeguard_tracker.store.format import NO_PREV
    _seed(store_path)
    monkeypatch.setattr(file_store.FileStore, "_revoke_prev", lambda self: None)
    with st.open_tracker(store_path, user="b") as t:
        t.store.compact()
    monkeypatch.undo()
    header = orjson.loads(store_path.read_bytes().split(b"\n", 1)[0])
    assert header["prev"] != NO_PREV                          # the crash left the snapshot not marked
    with st.open_tracker(store_path, user="c") as t:
        _add(t, "marks it on the way")
    assert orjson.loads(store_path.read_bytes().split(b"\n", 1)[0])["prev"] == NO_PREV
    assert check_store(FileStore(store_path).open()) == []


def test_a_store_written_before_journals_were_named_opens_and_is_upgraded(store_path):
    """Header fields are outside the snapshot's checksum: removing them gives the earlier format exactly."""
    from safeguard_tracker.store.format import read_journal_header
    refs = _seed(store_path)
    raw = store_path.read_bytes()
    head, body = raw.split(b"\n", 1)
    header = orjson.loads(head)
    for key in ("journal", "prev", "issued"):
        header.pop(key)
    store_path.write_bytes(orjson.dumps(header) + b"\n" + body)
    journal = _journal(store_path).read_bytes()
    _journal(store_path).write_bytes(journal.split(b"\n", 1)[1])   # lines only, no header
    with st.open_tracker(store_path, user="b") as t:
        assert sorted(t.store.all("contacts")) == refs and t.check() == []
        assert t.store.journal_id is not None                  # upgraded at its first writable open
    assert read_journal_header(_journal(store_path).read_bytes(), _journal(store_path)) is not None
    _journal(store_path).unlink()
    with pytest.raises(StoreCorrupt, match="is missing"):    # and now protected
        st.open_tracker(store_path)


# --- references are never issued twice -----------------------------------------------------------------

def test_a_reference_issued_then_lost_by_a_restore_is_not_issued_again(store_path, capsys):
    refs = _seed(store_path, compacted=3, after=2)            # L-2018-0004 and 0005 only in the journal
    with st.open_tracker(store_path, user="plans") as t:
        review = t.add_review(name="Dawn", kind="scr").reference
        t.add_recommendation(review, text="Record every child at domestic abuse incidents", owner_agencies="Police")
        first = t.add_action(review, 1, description="Change the incident form", lead_agency="Police").reference
        t.store.compact()                                    # the backup to go back to: contacts 1-5, one action
        second = t.add_action(review, 1, description="Audit the forms", lead_agency="Police").reference
        _add(t, "issued, then lost")
    backups = sorted(Path(str(store_path) + ".backups").iterdir())
    assert main(["--db", str(store_path), "restore", "--from-backup", backups[-1].name, "--yes"]) == 0
    capsys.readouterr()
    with st.open_tracker(store_path, user="after") as t:
        assert "L-2018-0006" not in t.store.all("contacts") and second not in t.store.all("actions")
        assert _add(t, "new").reference == "L-2018-0007"
        third = t.add_action(review, 1, description="Another", lead_agency="Police").reference
        assert int(third[2:]) == int(second[2:]) + 1 and first < second < third
        assert t.check() == []
    assert refs == [f"L-2018-{i:04d}" for i in range(1, 6)]


def test_a_reference_whose_record_was_cut_from_the_file_is_not_issued_again(store_path):
    """A crafted file (checksum recomputed) without its newest contact: the header still says it was issued."""
    _seed(store_path, compacted=4, after=0)
    raw = store_path.read_bytes()
    head, body = raw.split(b"\n", 1)
    header, tables = orjson.loads(head), orjson.loads(body)
    del tables["contacts"]["L-2018-0004"]
    body = orjson.dumps(tables)
    header.update(crc32=zlib.crc32(body), length=len(body))
    del header["sections"], header["counts"]
    store_path.write_bytes(orjson.dumps(header) + b"\n" + body)
    with st.open_tracker(store_path, user="b") as t:
        assert any("L-2018-0004" in p and "missing from the store" in p for p in t.check())
        assert _add(t, "next").reference == "L-2018-0005"


# --- restore keeps what the journal can still give ------------------------------------------------------

def _damage_line(journal: Path, n: int) -> bytes:
    """Flip a byte in the middle of line ``n`` (0 is the header)."""
    raw = bytearray(journal.read_bytes())
    ends = [0] + _line_ends(bytes(raw))
    raw[(ends[n] + ends[n + 1]) // 2] ^= 0x04
    journal.write_bytes(bytes(raw))
    return bytes(raw)


def test_restore_after_a_damaged_journal_line_keeps_the_intact_transactions_before_it(store_path, capsys):
    refs = _seed(store_path, compacted=3, after=3)           # journal: L-2018-0004, 0005, 0006
    damaged = _damage_line(_journal(store_path), 2)          # the line adding L-2018-0005
    with pytest.raises(StoreError, match="journal line fails its checksum"):
        st.open_tracker(store_path)
    assert main(["--db", str(store_path), "restore", "--from-backup", "newest", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "kept 1 later transaction(s) from the journal (4 to 4)" in out
    assert "transactions from 5 on could not be read" in out and "damaged" in out
    with st.open_tracker(store_path, user="after") as t:
        assert sorted(t.store.all("contacts")) == refs[:4]
        assert t.get_contact("L-2018-0004").summary == "journal 0"
        assert t.check() == []
        assert _add(t, "new").reference == "L-2018-0007"      # 0005 and 0006 were issued: never again
    kept = list((Path(str(store_path) + ".backups") / "damaged").iterdir())
    assert any(p.read_bytes() == damaged for p in kept)


def test_restore_after_a_damaged_snapshot_keeps_every_journal_transaction(store_path, capsys):
    refs = _seed(store_path, compacted=3, after=3)
    raw = bytearray(store_path.read_bytes())
    raw[len(raw) * 3 // 4] ^= 0x20
    store_path.write_bytes(bytes(raw))
    assert main(["--db", str(store_path), "restore", "--from-backup", "newest", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "kept 3 later transaction(s)" in out and "could not be read" not in out
    with st.open_tracker(store_path, user="after") as t:
        assert sorted(t.store.all("contacts")) == refs and t.check() == []


def test_restore_of_a_cut_back_journal_keeps_what_is_left_and_says_what_is_lost(store_path, capsys):
    _seed(store_path, compacted=3, after=3)
    raw = _journal(store_path).read_bytes()
    _journal(store_path).write_bytes(raw[:_line_ends(raw)[1]])   # header and the first transaction
    assert main(["--db", str(store_path), "restore", "--from-backup", "newest", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "kept 1 later transaction(s)" in out and "from 5 on could not be read" in out
    with st.open_tracker(store_path, user="after") as t:
        assert len(t.store.all("contacts")) == 4 and t.check() == []
        assert t.store.last_seq >= 6                           # transaction numbers never go back


def test_a_lost_store_json_is_named_by_check_and_restored_with_its_journal(store_path, capsys):
    refs = _seed(store_path, compacted=3, after=2)
    store_path.unlink()
    assert main(["--db", str(store_path), "check"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("NOT SOUND:") and out.count("\n") == 1 and "is missing, but its journal" in out
    assert "restore --from-backup" in out and not store_path.exists()
    assert main(["--db", str(store_path), "restore", "--from-backup", "newest", "--yes"]) == 0
    assert "kept 2 later transaction(s)" in capsys.readouterr().out
    with st.open_tracker(store_path, user="after") as t:
        assert sorted(t.store.all("contacts")) == refs and t.check() == []
