"""File modes: the store, journal, lock, backups (every kind) and exports are 0600, folders 0700,
whatever the umask; the tool warns at start when any of them can be read by group or others."""

import json
from datetime import date
import os
import stat
from pathlib import Path

import pytest

import safeguard_tracker as st
from safeguard_tracker.cli import main


@pytest.fixture
def open_umask():
    old = os.umask(0)          # the most careless setting: would create 0666 files and 0777 folders
    try:
        yield
    finally:
        os.umask(old)


def _modes(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): stat.S_IMODE(p.stat().st_mode) for p in folder.rglob("*")}


def test_every_file_the_store_writes_is_private_even_with_umask_0(tmp_path, open_umask):
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    legacy = folder / "store.json"
    legacy.write_text(json.dumps({"contacts": {"1": {"reference": "L-2017-0001", "received_on": "2017-05-01",
                                                     "agency": "Police", "category": "enquiry"}}}))
    os.chmod(legacy, 0o600)
    t = st.open_tracker(legacy, user="x", today=lambda: date(2018, 6, 15))   # writes a migration copy
    c = t.add_contact(received_on="05/01/2018", agency="Police", category="enquiry", subject_name="A Person")
    t.close_contact(c.reference, closed_on="06/01/2018")
    t.store.compact()                                         # a rotating backup
    t.redact_contact(c.reference)                             # scrubbed backups, another compaction
    (folder / "store.json").write_bytes(b"damaged")
    t.store.restore(t.store.newest_backup())                  # the damaged file is kept aside
    t.write_output(folder / "export.csv", "a\n", what="export", personal=True, records=1)
    modes = _modes(folder)
    kinds = {"schema0 copy": [n for n in modes if "schema0" in n], "damaged copy": [n for n in modes if "damaged/" in n],
             "backup": [n for n in modes if n.startswith("store.json.backups/store-")]}
    assert all(kinds.values()), kinds
    loose = {name: oct(mode) for name, mode in modes.items()
             if mode != (0o700 if (folder / name).is_dir() else 0o600)}
    assert loose == {}, f"files or folders others could read: {loose}"


def test_a_store_readable_by_others_gets_a_warning_at_start(tmp_path, capsys):
    path = tmp_path / "store.json"
    with st.open_tracker(path, user="x") as t:
        t.add_contact(received_on="05/01/2018", agency="Police", category="enquiry")
        t.store.compact()
        t.add_contact(received_on="05/01/2018", agency="Police", category="enquiry")
    assert st.open_tracker(path).store.warnings == []
    os.chmod(path, 0o644)
    os.chmod(str(path) + ".journal", 0o640)
    backup = next((tmp_path / "store.json.backups").iterdir())
    os.chmod(backup, 0o604)
    warnings = st.open_tracker(path).store.warnings
    assert any(str(path) in w and "-rw-r--r--" in w and f"chmod 600 {path}" in w for w in warnings)
    assert any("store.json.journal can be read by other users" in w for w in warnings)
    assert any("1 backup file(s)" in w and "chmod -R go-rwx" in w for w in warnings)
    assert main(["--db", str(path), "check"]) == 0                # a warning, not a refusal
    err = capsys.readouterr().err
    assert err.count("warning:") == 3 and "personal data" in err


def test_group_write_alone_is_warned_about_too(tmp_path):
    path = tmp_path / "store.json"
    st.open_tracker(path, user="x").add_contact(received_on="05/01/2018", agency="Police", category="enquiry")
    os.chmod(path, 0o620)
    assert any("can be read by other users" in w for w in st.open_tracker(path).store.warnings)
