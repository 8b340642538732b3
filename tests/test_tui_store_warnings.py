"""The store's warnings at start (readable by others, read-only, migrated from an older schema),
and a read-only store: every form says so, a save fails clearly and keeps the input, nothing is written."""

from __future__ import annotations

import json
import os

import pytest
from test_faults_locks import _make_read_only

import safeguard_tracker as st
from safeguard_tracker.demo import build_demo
from tui.forms import FormScreen
from tui.lado.detail import ContactScreen
from tui.testing import app_for, run_coroutine_tests, screen_text, status, type_in


def notices(app) -> list[str]:
    return [n.message for n in app._notifications]


def _files(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@pytest.fixture
def read_only_demo(tmp_path, monkeypatch):
    """The demo store in a folder nobody can write to (as root, which ignores modes, writes under it
    fail with EROFS, as on a read-only disk)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    build_demo(folder / "demo.json", user="a.lado").close()
    _make_read_only(folder, monkeypatch)
    tracker = st.open_tracker(folder / "demo.json", user="a.lado")
    yield tracker, folder
    tracker.close()
    monkeypatch.undo()
    os.chmod(folder, 0o700)


async def test_a_store_readable_by_others_is_a_warning_at_start(tmp_path):
    build_demo(tmp_path / "demo.json", user="a.lado").close()
    os.chmod(tmp_path / "demo.json", 0o644)
    with st.open_tracker(tmp_path / "demo.json", user="a.lado") as tracker:
        app = app_for(tracker)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert status(app).startswith("WARNING:") and "read by other users" in status(app)
            assert any("chmod 600" in n for n in notices(app)), notices(app)


async def test_a_migrated_store_says_so_at_start(tmp_path):
    legacy = {"contacts": {"1": {"reference": "L-2017-0001", "received_on": "2017-05-01", "agency": "Police",
                                 "category": "enquiry"}}}
    (tmp_path / "old.json").write_text(json.dumps(legacy))
    with st.open_tracker(tmp_path / "old.json", user="a.lado") as tracker:
        app = app_for(tracker)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert any("upgraded from schema 0" in n for n in notices(app)), notices(app)
            assert "upgraded from schema 0" in status(app)


async def test_a_read_only_store_says_so_and_a_save_keeps_the_input(read_only_demo):
    tracker, folder = read_only_demo
    assert tracker.store.read_only
    before = _files(folder)
    ref = tracker.contacts(status="open")[0].reference
    notes_before = len(tracker.get_contact(ref).notes)
    app = app_for(tracker)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert status(app).startswith("READ-ONLY: demo.json can be read, not changed")
        assert "READ-ONLY" in screen_text(app).splitlines()[0]     # the top bar, on every screen
        assert any("can be read but not changed" in n for n in notices(app)), notices(app)
        app.open_reference(ref)
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        assert "READ-ONLY store: this form cannot be saved" in str(form.query_one("#form-banner").render())
        await type_in(pilot, "kept text")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        banner = str(form.query_one("#form-banner").render())
        assert "NOT SAVED, the store is READ-ONLY" in banner and "nothing was saved" in banner
        assert form.query_one("#field-text").value == "kept text"
    assert _files(folder) == before
    assert len(tracker.get_contact(ref).notes) == notes_before


run_coroutine_tests(globals())
