"""The footer at 80 columns: on every main view and record screen, "? Help" and "q Quit" are
there, and every key shown is whole (a label once ran on under the "^p palette" key, cut
mid-word, with a stray letter beside it: "...a Add action i▏^p paletteN").  A form shows only its
own keys.  The pictures are in the snapshot tests; these fail in words if that comes back."""

from __future__ import annotations

from textual.widgets import Footer

from tui.footer import PALETTE_CLASS
from tui.forms import FormScreen
from tui.testing import app_for, run_coroutine_tests, screen_text, show, wait_until

MAIN_VIEWS = ("queue", "contacts", "chase", "dashboard", "reviews", "actions", "reports")


def footer_line(app) -> str:
    return screen_text(app).splitlines()[-1]


def footer_problems(app) -> list[str]:
    """What is wrong with the footer as drawn: a key not shown whole where it stands, one that
    runs under the palette key or off the screen, anything drawn right of the palette key."""
    footer = app.screen.query_one(Footer)
    line = footer_line(app)
    keys = [k for k in footer.children if hasattr(k, "key_display") and k.display]
    palette = [k for k in keys if k.has_class(PALETTE_CLASS)]
    limit = palette[0].region.x if palette else app.size.width
    problems = []
    for key in keys:
        text = f"{key.key_display} {key.description}".strip()
        region = key.region
        if not key.has_class(PALETTE_CLASS) and region.right > limit:
            problems.append(f"{text!r} runs under the palette key or off the screen ({region})")
        start = region.x + (1 if key.has_class(PALETTE_CLASS) else 0)     # after the palette's border
        if line[start:start + len(text)] != text:
            problems.append(f"{text!r} is drawn as {line[start:start + len(text)]!r}")
    if palette and line[palette[0].region.right:].strip():
        problems.append(f"{line[palette[0].region.right:]!r} drawn right of the palette key")
    return problems


def footer_is_current(app) -> bool:
    """Whether the footer has been laid out for the screen and focus as they are now: it shows
    keys, each of them one that works here, each placed on screen.  (It lays itself out again
    after the keys that apply change, a moment after the change itself.)"""
    footers = app.screen.query(Footer)
    if not footers:
        return False
    active = {b.action for _, b, _, _ in app.screen.active_bindings.values() if b.show}
    keys = [k for k in footers.first().children if hasattr(k, "key_display")]
    return bool(keys) and all(k.region.width for k in keys) and all(
        k.action in active or k.has_class(PALETTE_CLASS) for k in keys)


async def settle(pilot) -> None:
    await wait_until(pilot, lambda: footer_is_current(pilot.app), "the footer laid out for what is on screen")
    await pilot.pause()


async def test_help_and_quit_and_whole_keys_on_every_main_view_at_80_columns(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.first_screen_shown, "the first screen")
        for workspace in MAIN_VIEWS:
            await show(pilot, workspace)
            await settle(pilot)
            line = footer_line(app)
            assert "? Help" in line and "q Quit" in line and "^p palette" in line, (workspace, line)
            assert footer_problems(app) == [], (workspace, line)
        # The reviews tree with an action highlighted has the most keys of all.
        await show(pilot, "reviews")
        app.screen.query_one("#reviews").tree.show(("action", "A-000009"))
        await wait_until(pilot, lambda: "u Update" in footer_line(app), "the action's keys in the footer")
        await settle(pilot)
        line = footer_line(app)
        assert "? Help" in line and "q Quit" in line and footer_problems(app) == [], line
        assert not line.rstrip().endswith("N")


async def test_record_screens_keep_help_and_quit_at_80_columns(demo):
    contact = demo.contacts(status="open", category="referral")[0].reference
    closed = demo.contacts(status="closed")[0].reference
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.first_screen_shown, "the first screen")
        for ref, expect in ((contact, "x Close"), (closed, "o Reopen"), ("A-000009", "u Update"),
                            (demo.reviews()[0].reference, "a Add action")):
            app.open_reference(ref)
            await wait_until(pilot, lambda: getattr(app.screen, "reference", None) == ref, f"{ref} open")
            await settle(pilot)
            line = footer_line(app)
            assert expect in line and "? Help" in line and "q Quit" in line, (ref, line)
            assert footer_problems(app) == [], (ref, line)
            await pilot.press("escape")
            await wait_until(pilot, lambda: getattr(app.screen, "reference", None) != ref, f"{ref} closed")


async def test_a_form_shows_only_its_own_keys(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, "queue")
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen) and app.screen.is_mounted, "the add form")
        await settle(pilot)
        line = footer_line(app)
        assert "^s Save" in line and "esc Cancel" in line, line
        for behind in ("Open", "Category", "Escalate", "Note", "Quit", "palette"):   # the queue's keys, and q is a letter here
            assert behind not in line, line
        assert footer_problems(app) == [], line


async def test_a_wide_screen_shows_every_key_and_a_resize_lays_them_out_again(demo):
    app = app_for(demo)
    async with app.run_test(size=(160, 45)) as pilot:
        await show(pilot, "reviews")
        app.screen.query_one("#reviews").tree.show(("action", "A-000009"))
        await wait_until(pilot, lambda: "u Update" in footer_line(app), "the action's keys in the footer")
        await settle(pilot)
        wide = footer_line(app)
        for key in ("u Update", "f Off track", "a Add action", "i Details", "n New review", "? Help", "q Quit"):
            assert key in wide, wide
        await pilot.resize_terminal(80, 24)
        await wait_until(pilot, lambda: len(footer_line(app)) == 80 and not footer_problems(app),
                         "the footer laid out for 80 columns")
        line = footer_line(app)
        assert "? Help" in line and "q Quit" in line and "n New review" not in line, line
        await pilot.resize_terminal(160, 45)
        await wait_until(pilot, lambda: "n New review" in footer_line(app), "the footer laid out for 160 columns")
        assert footer_problems(app) == []


run_coroutine_tests(globals())
