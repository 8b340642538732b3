"""Issue 17, round 2, the app-wide parts: keys on a record screen and keys typed fast, keys typed
while the store opens, the --demo store's whereabouts, the report Save dialog, the dashboard at
160x45 and the report preview prepared in the background.

Keys "typed fast" are posted to the app all at once, as a terminal delivers a burst of typing
(Pilot's press() waits for each key to be handled, which hides the race these tests are about).
Each test waits on conditions, never on time, and checks the store as well as the screen.
"""

from __future__ import annotations

import threading
from pathlib import Path

from textual import events
from textual.lazy import Lazy

import tui.app
from tui.app import LoadingScreen, TrackerApp
from tui.forms import FormScreen
from tui.lado.steps import STEPS
from tui.lado.detail import ContactScreen
from tui.main import MainScreen
from tui.testing import (app_for, field_note, fill, reread, run_coroutine_tests, screen_text, show, status,
                         wait_until)

SPECIAL = ("enter", "escape", "ctrl+s")
NAMED = {" ": "space", "-": "minus"}


def burst(app, *items: str) -> None:
    """Post keys to the app all at once: each item a key name (enter, ctrl+s) or text to type."""
    for item in items:
        for char in ([None] if item in SPECIAL else item):
            key = events.Key(item, None) if char is None else events.Key(NAMED.get(char, char), char)
            key.set_sender(app)
            app.post_message(key)


def unbound_letter(screen) -> str:
    """A letter that no key of ``screen`` (or of the app) takes."""
    taken = set(screen._bindings.key_to_bindings) | set(screen.app._bindings.key_to_bindings)
    taken |= {step.key for step in STEPS}
    return next(c for c in "zwyjkvbqtfl" if c not in taken)


async def open_record(pilot, ref: str) -> ContactScreen:
    app = pilot.app
    app.open_reference(ref)
    await wait_until(pilot, lambda: isinstance(app.screen, ContactScreen) and app.screen.contact is not None,
                     f"{ref} open")
    return app.screen


# --- defect 4: keys on a record screen --------------------------------------------------------------

async def test_keys_typed_fast_on_a_record_each_do_what_they_were_typed_for(demo):
    c0 = demo.contacts(status="open")[0]
    notes_before = len(c0.notes)
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot)
        record = await open_record(pilot, c0.reference)

        # n, the note, ctrl+s, typed in one go: one note form, the whole text in it, then saved.
        # (The keys after n were handed to the record too, before n had opened its form: the
        # form was opened twice and the app stopped with DuplicateIds.)
        burst(app, "n", "Rang the employer again", "ctrl+s")
        await wait_until(pilot, lambda: "Note added" in status(app) or app.return_code is not None, "the note saved")
        assert app.return_code is None
        assert app.screen is record
        with reread(demo) as other:
            notes = other.get_contact(c0.reference).notes
        assert len(notes) == notes_before + 1 and notes[-1].text == "Rang the employer again"

        # A letter that is no key here, then letters that are: they were meant for a form that never
        # opened; none of them runs as a command, and the status line says so.
        rev = demo.get_contact(c0.reference).rev
        letter = unbound_letter(record)
        burst(app, letter, "xen")                    # x closes, e escalates, n adds a note
        await wait_until(pilot, lambda: "is not a key here" in status(app), "the unknown key reported")
        assert f"'{letter}' is not a key here; the 3 keys typed after it were not run" in status(app)
        assert app.screen is record, app.screen
        assert "is not a key here" in screen_text(app)
        with reread(demo) as other:
            assert other.get_contact(c0.reference).rev == rev

        # 1-9 are listed under "Everywhere": from a record, the numbered tab.
        await pilot.press("2")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), "the main screen")
        main = app.screen
        assert main.query_one("#workspaces").active == "tab-contacts"
        await wait_until(pilot, lambda: c0.reference in screen_text(app) or "showing" in screen_text(app),
                         "the contacts tab drawn")

        # g too, and the reference typed straight after it lands in the go-to form.
        await open_record(pilot, c0.reference)
        other_ref = demo.contacts(status="open")[1].reference
        burst(app, "g", other_ref, "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ContactScreen) and app.screen.reference == other_ref,
                         "the other record opened")
        await wait_until(pilot, lambda: other_ref in screen_text(app), "the other record drawn")


# --- defect 10: start-up --------------------------------------------------------------------------

async def test_keys_typed_while_the_store_opens_arrive_in_order(demo):
    ref = demo.contacts(status="open")[2].reference
    notes_before = len(demo.get_contact(ref).notes)
    opening = threading.Event()

    def opener(progress):
        opening.wait(60)
        return demo
    app = TrackerApp(opener=opener, refresh_interval=None, cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LoadingScreen) and app.screen.is_mounted,
                         "the loading screen")
        burst(app, "g", ref, "enter", "n", "Typed while the store opened", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, LoadingScreen)          # nothing has run yet: the keys wait
        opening.set()
        await wait_until(pilot, lambda: "Note added" in status(app), "the note saved")
        assert isinstance(app.screen, ContactScreen) and app.screen.reference == ref
        assert "Note added" in screen_text(app)
    with reread(demo) as other:
        notes = other.get_contact(ref).notes
    assert len(notes) == notes_before + 1 and notes[-1].text == "Typed while the store opened"


def _run_demo(monkeypatch, keep: bool) -> dict:
    """``tui.app.run(demo=True)`` as ``safeguard-tracker --demo`` calls it, the app driven headless:
    what it showed, and where its store was."""
    seen: dict = {}

    def headless(app: TrackerApp) -> None:
        import asyncio

        async def drive() -> None:
            async with app.run_test(size=(80, 24)) as pilot:
                await wait_until(pilot, lambda: isinstance(app.screen, MainScreen) and "Demo store" in screen_text(app),
                                 "the first screen", timeout=120)
                seen["path"] = Path(app.tracker.path)
                seen["status"] = status(app)
                seen["screen"] = screen_text(app)
                seen["contacts"] = len(app.tracker.contact_docs())
                await pilot.press("q")
                await wait_until(pilot, lambda: app.return_code is not None, "the quit")
        asyncio.run(drive())
    monkeypatch.setattr(TrackerApp, "run", headless)
    assert tui.app.run(demo=True, keep=keep) == 0
    return seen


def test_the_demo_says_where_its_store_is_and_removes_it_on_quit(monkeypatch, capsys):
    seen = _run_demo(monkeypatch, keep=False)
    path = seen["path"]
    assert path.name == "demo.json" and path.parent.name.startswith("safeguard-demo-")
    assert seen["contacts"] > 500                             # it was the demo store
    assert f"Demo store: {path}" in seen["status"]
    assert "Demo store: /" in seen["screen"]
    assert not path.parent.exists()                          # the folder went with q
    printed = capsys.readouterr().err
    assert str(path) in printed and "deleted" in printed and "--demo --keep" in printed


def test_the_demo_kept_when_asked(monkeypatch, capsys):
    import shutil
    seen = _run_demo(monkeypatch, keep=True)
    path = seen["path"]
    try:
        assert path.exists()
        from safeguard_tracker import open_tracker
        with open_tracker(path, user="checker") as other:      # the CLI can use it with --db
            assert len(other.contact_docs()) == seen["contacts"]
        printed = capsys.readouterr().err
        assert f"kept at {path}" in printed and f"--db {path}" in printed
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)


# --- defect 7: the report Save dialog -------------------------------------------------------------

async def test_the_save_dialog_refuses_the_store_and_follows_the_format(demo, tmp_path):
    store = Path(demo.path)
    store_bytes = store.read_bytes()
    app = app_for(demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await show(pilot, "reports")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen), "the Save dialog")
        form = app.screen
        assert form.row("format").input.value == "html"
        # The store's own path: the hint says it will be refused, not replaced; and it is.
        await fill(pilot, "format", "json")
        await fill(pilot, "path", str(store))
        note = field_note(form, "path")
        assert "refused" in note and "will be replaced" not in note
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert store.read_bytes() == store_bytes
        # A name ending .html, then the format md: the name follows.
        await fill(pilot, "path", str(tmp_path / "plan.html"))
        await fill(pilot, "format", "md")
        await wait_until(pilot, lambda: form.row("path").input.value.endswith(".md"), "the name follows the format")
        assert form.row("path").input.value == str(tmp_path / "plan.md")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), "saved")
        assert f"Saved to {tmp_path / 'plan.md'} (MD" in status(app)
        assert (tmp_path / "plan.md").read_text().startswith("#")
        assert not (tmp_path / "plan.html").exists()
        # The format chosen is remembered for the session.
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen), "the Save dialog again")
        assert app.screen.row("format").input.value == "md"
        assert app.screen.row("path").input.placeholder.endswith(".md")
    with reread(demo) as other:                                # the store is whole and unchanged
        assert len(other.contact_docs()) == len(demo.contact_docs())


# --- frictions: the dashboard at 160x45, the first report preview ---------------------------------

async def test_the_dashboard_uses_the_room_at_160x45(demo):
    overdue = sorted((i for i in demo.due() if i.overdue), key=lambda i: (-i.days_overdue, i.reference))
    app = app_for(demo)
    async with app.run_test(size=(160, 45)) as pilot:
        await show(pilot, "dashboard")
        await app.workers.wait_for_complete()
        await wait_until(pilot, lambda: "Most overdue (of" in screen_text(app), "the lower panels")
        text = screen_text(app)
        assert f"Most overdue (of {len(overdue)})" in text and "Overdue by agency" in text
        top = overdue[0]
        assert f"OVERDUE {top.days_overdue}d {top.reference}" in text
        lines = text.splitlines()
        assert sum(1 for line in lines[3:-2] if not line.strip()) <= 6    # no half-empty screen
        assert any(line.rstrip().endswith("Mar") and len(line.rstrip()) > 120 for line in lines)  # the chart is wide
        await pilot.resize_terminal(80, 24)
        await wait_until(pilot, lambda: "Most overdue" not in screen_text(app), "80x24 as before")
        assert "Contacts by month" in screen_text(app)


async def test_the_first_report_preview_is_prepared_in_the_background(demo):
    import tui.reports.specs as specs
    calls: list[bool] = []
    spec = specs.BY_ID["action-plan"]
    real = spec.render

    def render(tracker, fmt, params):
        calls.append(threading.current_thread() is threading.main_thread())
        return real(tracker, fmt, params)
    object.__setattr__(spec, "render", render)           # a frozen dataclass
    try:
        app = app_for(demo)
        async with app.run_test(size=(160, 45)) as pilot:
            await wait_until(pilot, lambda: app.first_screen_shown and not app.screen.query(Lazy), "the tabs mounted")
            await app.workers.wait_for_complete()
            await wait_until(pilot, lambda: app.screen.query_one("#reports").prepared is not None, "prepared")
            assert calls == [False]                      # once, in a worker thread
            app.show_workspace("reports")
            await pilot.pause()
            assert calls == [False]                      # shown from what was prepared
            await wait_until(pilot, lambda: "Learning Lessons: action plan progress report" in screen_text(app),
                             "the preview")
    finally:
        object.__setattr__(spec, "render", real)


run_coroutine_tests(globals())
