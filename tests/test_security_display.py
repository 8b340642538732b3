"""Stored text is shown, never obeyed: terminal control sequences and Rich/Textual markup in
every text field of a contact, a review, a recommendation and an action reach neither the
terminal (CLI) nor the markup parser (TUI) raw.  Control characters show as visible escapes
(``\\x1b``, ``\\u202e``), markup shows literally, and printing a contact's history is logged as
``contact show`` is."""

from __future__ import annotations

import io
import json
import re
from datetime import date

import pytest

import safeguard_tracker as st
from safeguard_tracker.cli import main
from safeguard_tracker.text import json_safe, printable, visible
from tui.testing import app_for, reread, run_coroutine_tests, screen_text, show, status

MARKUP = "[b]B[/b][@click=app.quit]Q[/]"
HOSTILE = ("\x1b[2J"                                            # clear the screen
           "\x1b]0;PWNED\x07"                                   # OSC 0: the window title, ended by BEL
           "\x1b]8;;http://evil.example/\x1b\\link\x1b]8;;\x1b\\"  # OSC 8: a hyperlink
           "\x1b[8mhidden\x1b[0m"                               # concealed text
           "\x9b31m"                                            # C1 CSI (one character)
           "\u202eevil\u202c\u2066iso\u2069"                    # a bidi override and an isolate
           "\rover\x08"                                         # carriage return, backspace
           + MARKUP)                                            # Rich/Textual markup, with a click action
# What must never reach a screen raw (checked independently of safeguard_tracker.text): C0 but the
# line break, DEL, C1, bidi embeddings, overrides, isolates and marks, zero-width and separators.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069\ufeff]")
SHOWN = ("\\x1b[2J", "\\x1b]0;PWNED\\x07", "\\x9b31m", "\\u202eevil", "\\rover\\x08")
EVIL_USER = "b.lado\x1b]0;owned\x07"

CONTACT_TAGS = ("SUM", "SNAME", "SROLE", "EMP", "RNAME", "RROLE", "RORG", "RAT", "DEC", "MACT", "MOWN", "SUSP",
                "BODY", "REGNO", "EOUT", "REOPEN", "NOTE", "PREF")
CONTACT_ONLY_IN_FULL = ("CMGR", "DISC")     # shown by the TUI and in JSON, not by `contact show`
PLAN_TAGS = ("REVIEW", "BOARD", "CHAIR", "AUTHOR", "THEME", "REC", "RTHEME", "ADESC", "AOFFICER", "AUPD",
             "AREV", "AOFFT", "AEVID", "AIMP")


def v(tag: str) -> str:
    return tag + HOSTILE


def squash(text: str) -> str:
    """Screen or output text without whitespace: a value wrapped over lines reads whole."""
    return re.sub(r"\s+", "", text)


def assert_shown_safely(text: str, tags=(), *, where: str = "", whole: bool = True) -> None:
    """No raw control, format or bidi character; the escapes and the markup visible as text
    (``whole``: the values are shown whole, not cut short as in a history line)."""
    raw = RAW.search(text)
    assert raw is None, f"{where}: raw {raw.group()!r} in {text[max(0, raw.start() - 60): raw.end() + 20]!r}"
    flat = squash(text)
    for escape in SHOWN if whole else SHOWN[:2]:
        assert squash(escape) in flat, f"{where}: {escape!r} is not shown"
    assert not whole or squash(MARKUP) in flat, f"{where}: the markup is not shown literally"
    missing = [t for t in tags if squash(t + printable(HOSTILE)[:20]) not in flat]
    assert not missing, f"{where}: fields not shown: {missing}"


@pytest.fixture
def hostile(tracker):
    """A referral, a review with a recommendation and an action: every text field hostile."""
    t = tracker
    c = t.add_contact(received_on="01/06/2018", agency="School - Primary", category="referral", rationale=v("RAT"),
                      summary=v("SUM") + "\nsecond line", subject_name=v("SNAME"), subject_role=v("SROLE"),
                      employer=v("EMP"), subject_dob="01/01/1980", referrer=v("RNAME"), referrer_role=v("RROLE"),
                      referrer_organisation=v("RORG"), case_manager=v("CMGR"), disciplinary=v("DISC"),
                      harm="physical")
    ref = c.reference
    t.record_police(ref, involved=True, police_reference=v("PREF"))
    t.record_meeting(ref, kind="jem", held_on="05/06/2018", agencies_present=["Police"], decisions=v("DEC"),
                     actions=[{"description": v("MACT"), "owner": v("MOWN"), "due_on": "20/06/2018"}])
    with st.open_tracker(t.store.location, user=EVIL_USER, today=lambda: date(2018, 6, 15)) as other:
        other.add_note(ref, v("NOTE"))
    t.record_suspension(ref, decision="suspended", rationale=v("SUSP"))
    t.record_regulator_referral(ref, body=v("BODY"), reference_number=v("REGNO"))
    t.request_employer_report(ref)
    t.record_employer_report(ref, outcome=v("EOUT"))
    t.close_contact(ref, outcome="substantiated")
    t.reopen(ref, v("REOPEN"))
    r = t.add_review(name=v("REVIEW"), kind="scr", lead_board=v("BOARD"), chair=v("CHAIR"), author=v("AUTHOR"),
                     themes=v("THEME"), notified_on="01/02/2017", initiated_on="01/03/2017")
    t.update_review(r.reference, chair=v("CHAIR2"))
    rec = t.add_recommendation(r.reference, text=v("REC"), owner_agencies=["Police"], themes=v("RTHEME"))
    a = t.add_action(r.reference, rec.number, description=v("ADESC"), lead_agency="Police",
                     lead_officer=v("AOFFICER"), due="01/05/2018")
    t.add_update(a.reference, v("AUPD"))
    t.revise_due(a.reference, "01/06/2018", v("AREV"))
    t.flag_off_track(a.reference, v("AOFFT"))
    t.record_evidence(a.reference, evidence=v("AEVID"), impact_measure=v("AIMP"))
    return {"contact": ref, "review": r.reference, "action": a.reference, "db": t.store.location}


def cli(h, capsys, *argv):
    code = main(["--db", h["db"], "--user", "a.lado", "--today", "15/06/2018", *argv])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out, err


# --- the shared function ------------------------------------------------------------------------------

def test_every_control_format_and_bidi_character_is_shown_as_an_escape():
    dangerous = ([chr(c) for c in range(0x20) if c != 0x0A] + [chr(c) for c in range(0x7F, 0xA0)]
                 + list("\u061c\u200b\u200e\u200f\u2028\u2029\ufeff")
                 + [chr(c) for c in range(0x202A, 0x202F)] + [chr(c) for c in range(0x2066, 0x206A)])
    for ch in dangerous:
        shown = printable(f"a{ch}b")
        assert RAW.search(shown) is None and shown.isascii(), repr(ch)
        assert shown.startswith("a") and shown.endswith("b") and len(shown) > 2 or ch == "\t", repr(ch)
        assert len(visible(f"a{ch}b")) == 3 and RAW.search(visible(f"a{ch}b")) is None, repr(ch)
    assert printable("a\nb") == "a\\nb" and printable("a\r\nb", multiline=True) == "a\nb"
    assert printable("a\tb") == "a b" and printable("\x1b[2J") == "\\x1b[2J" and printable("\u202e") == "\\u202e"
    assert visible("\x1b[2J") == "\u241b[2J"
    # Everyday text is untouched: accents, other scripts, emoji joined with ZWJ, non-breaking spaces.
    for fine in ("Zo\u00eb O'Brien-Sm\u00edth", "\u0645\u0631\u064a\u0645", "\U0001F468\u200d\U0001F469",
                 "12\u00a0Main Road", "[b]literal[/b]"):
        assert printable(fine) == fine and visible(fine) == fine


def test_json_for_a_terminal_escapes_what_json_leaves_raw_and_reads_back_the_same():
    value = {"k": "a\x1b\x9b\u202e\U000E0041\u2028 Zo\u00eb"}
    text = json_safe(json.dumps(value, indent=2, ensure_ascii=False))
    assert RAW.search(text) is None and "Zo\u00eb" in text
    assert json.loads(text) == value


# --- the CLI ----------------------------------------------------------------------------------------------

def test_contact_show_shows_every_field_escaped_and_keeps_line_breaks_indented(hostile, capsys):
    out, err = cli(hostile, capsys, "contact", "show", hostile["contact"])
    assert_shown_safely(out, CONTACT_TAGS, where="contact show")
    assert "\n" + " " * 12 + "second line\n" in out          # a summary's line break, under the value
    assert RAW.search(err) is None


def test_json_printed_by_the_cli_holds_no_raw_control_and_reads_back_exactly(hostile, capsys):
    out, _ = cli(hostile, capsys, "contact", "show", hostile["contact"], "--format", "json")
    assert RAW.search(out) is None
    doc = json.loads(out)
    assert doc["summary"] == v("SUM") + "\nsecond line" and doc["case_manager"] == v("CMGR")
    for argv in (["contacts", "--format", "json"], ["due", "--format", "json"], ["actions", "--format", "json"],
                 ["reviews", "--format", "json"]):
        out, _ = cli(hostile, capsys, *argv)
        assert RAW.search(out) is None, argv
        json.loads(out)
    out, _ = cli(hostile, capsys, "reviews", "--format", "json")
    assert json.loads(out)[0]["name"] == v("REVIEW")


@pytest.mark.parametrize("argv, tags", [
    (["due"], ("MACT", "MOWN", "REVIEW", "ADESC")),
    (["history", "{contact}"], ("NOTE", "REOPEN", "SUSP")),
    (["history", "{action}"], ("AUPD", "AREV", "AOFFT", "AEVID", "AIMP")),
    (["history", "{review}"], ("CHAIR2",)),
    (["actions"], ("ADESC",)),
    (["action", "show", "{action}"], ("ADESC", "AOFFICER", "AUPD", "AREV", "AOFFT", "AEVID", "AIMP", "REVIEW")),
    (["reviews"], ("REVIEW", "BOARD", "CHAIR2", "AUTHOR", "THEME")),
    (["review", "show", "{review}"], ("REVIEW", "BOARD", "CHAIR2", "AUTHOR", "THEME", "REC", "ADESC")),
], ids=lambda x: "-".join(x) if isinstance(x, list) else "")
def test_every_printer_of_stored_text_shows_control_characters_as_escapes(hostile, capsys, argv, tags):
    out, err = cli(hostile, capsys, *[a.format(**hostile) for a in argv])
    assert RAW.search(out) is None and RAW.search(err) is None
    assert_shown_safely(out, tags, where=" ".join(argv), whole=argv[0] not in ("history", "due"))
    for line in out.splitlines():     # one record per line: a value's line break cannot start a line
        assert not line.startswith("second line")


def test_a_history_line_cannot_be_forged_by_a_line_break_in_a_value(tracker, capsys):
    tracker.add_contact(received_on="01/06/2018", agency="School - Primary", summary="x")
    tracker.update_contact("L-2018-0001", summary="y\n01/06/2018 09:00  a.lado  L-2018-0001  closed")
    out, _ = cli({"db": tracker.store.location}, capsys, "history", "L-2018-0001")
    assert "\n01/06/2018 09:00" not in out and "y\\n01/06/2018 09:00" in out


def test_pattern_warnings_and_import_problems_quoting_values_are_escaped(tracker, tmp_path, capsys):
    for _ in range(3):     # the same person three times, at the same (busy) setting
        tracker.add_contact(received_on="01/06/2018", agency="School - Primary", subject_name=v("SNAME"),
                            subject_dob="01/01/1980", employer=v("EMP"))
    h = {"db": tracker.store.location}
    _, err = cli(h, capsys, "contact", "show", "L-2018-0003")
    assert "same setting: EMP\\x1b[2J" in err and "same person" in err and RAW.search(err) is None
    bad = tmp_path / "bad.csv"
    bad.write_text("received,agency,category\n01/06/2018,Scool\u202eloohcS\u2066,referal\u200f\n", encoding="utf-8")
    code = main(["--db", h["db"], "import", "contacts", str(bad)])
    err = capsys.readouterr().err
    assert code == 2 and RAW.search(err) is None and "nothing was imported" in err
    assert "Scool\\u202eloohcS\\u2066" in err and "referal\\u200f" in err


def test_access_log_shows_a_hostile_user_and_file_name_escaped(hostile, tmp_path, capsys):
    target = tmp_path / "export\x1b]0;t\x07.csv"
    assert main(["--db", hostile["db"], "--user", EVIL_USER, "export", "contacts", "-o", str(target)]) == 0
    capsys.readouterr()
    out, _ = cli(hostile, capsys, "access-log")
    assert RAW.search(out) is None and "export\\x1b]0;t\\x07.csv" in out and "b.lado\\x1b]0;owned" in out


def test_history_of_a_contact_is_logged_like_contact_show(hostile, capsys):
    ref = hostile["contact"]
    with reread_tracker(hostile) as t:
        before = len(t.access_log())
    out, _ = cli(hostile, capsys, "history", ref)
    assert ref in out
    with reread_tracker(hostile) as t:
        log = t.access_log()
    assert len(log) == before + 1
    entry = log[-1]
    assert entry.what == f"history of contact {ref}" and entry.user == "a.lado"
    assert entry.target == "(standard output)" and entry.records == 1
    # Reviews and actions hold no personal data: their history is not logged (nor is action show).
    cli(hostile, capsys, "history", hostile["action"])
    cli(hostile, capsys, "history", hostile["review"])
    with reread_tracker(hostile) as t:
        assert len(t.access_log()) == before + 1


def reread_tracker(h):
    return st.open_tracker(h["db"], user="checker")


# --- the TUI ----------------------------------------------------------------------------------------------

SIZE = (160, 160)     # tall enough for a whole record on one screen


async def wait_for_text(pilot, *needles: str) -> str:
    """The screen once it shows every one of ``needles`` (squashed); a bounded number of
    pauses, never a sleep."""
    text = ""
    for _ in range(200):
        await pilot.pause()
        text = screen_text(pilot.app)
        if all(squash(n) in squash(text) for n in needles):
            return text
    raise AssertionError(f"never shown: {needles}\n{text}")


def rendered(renderable) -> str:
    """A renderable as the terminal would receive its text."""
    from rich.console import Console
    console = Console(width=160, file=io.StringIO(), force_terminal=True, record=True, color_system="truecolor")
    console.print(renderable)
    return console.export_text()


def no_click_actions(app) -> None:
    """Markup in stored text would have become a style with a click action: none on screen."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    segments = [seg for line in update.strips for strip in line for seg in strip]
    assert segments
    for seg in segments:
        meta = seg.style.meta if seg.style is not None else {}
        assert "app.quit" not in repr(meta), seg


async def test_the_contact_screen_shows_every_field_and_its_history_literally(hostile):
    app = app_for(reread_tracker(hostile))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.open_reference(hostile["contact"])
        tags = CONTACT_TAGS + CONTACT_ONLY_IN_FULL
        text = await wait_for_text(pilot, *(t + "\\x1b" for t in tags))
        assert_shown_safely(text, tags, where="contact record")
        assert "second line" in text
        no_click_actions(app)
        await pilot.press("h")
        text = await wait_for_text(pilot, "Oldest first", "NOTE\\x1b", "b.lado\\x1b]0;owned\\x07")
        assert_shown_safely(text, ("NOTE", "SUSP", "REOPEN", "PREF"), where="contact history")
        no_click_actions(app)


async def test_the_action_and_review_screens_show_every_field_literally(hostile):
    app = app_for(reread_tracker(hostile))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.open_reference(hostile["action"])
        tags = ("ADESC", "AOFFICER", "AUPD", "AREV", "AOFFT", "AEVID", "AIMP", "REVIEW", "REC")
        text = await wait_for_text(pilot, *(t + "\\x1b" for t in tags))
        assert_shown_safely(text, tags, where="action record")
        no_click_actions(app)
        await pilot.press("h")
        text = await wait_for_text(pilot, "Oldest first", "progress update: AUPD\\x1b")
        assert_shown_safely(text, ("ADESC", "AUPD", "AOFFT"), where="action history")
        await pilot.press("escape")
        app.open_reference(hostile["review"])
        tags = ("REVIEW", "BOARD", "REC", "ADESC")     # the tree's labels and the top of the details pane
        text = await wait_for_text(pilot, *(t + "\\x1b" for t in tags))
        assert_shown_safely(text, tags, where="review screen")
        no_click_actions(app)
        # The rest of the pane scrolls: what it holds, rendered as the screen renders it.
        from tui.plans import plans_data
        from tui.plans.render import recommendation_renderable, review_renderable
        data = plans_data(app)
        review = data.review(hostile["review"])
        text = rendered(review_renderable(data, review)) + rendered(
            recommendation_renderable(data, review, review.recommendations[0]))
        assert_shown_safely(text, ("REVIEW", "BOARD", "CHAIR2", "AUTHOR", "THEME", "REC", "RTHEME"),
                            where="review details")


async def test_lists_previews_and_the_board_show_stored_text_literally(hostile):
    app = app_for(reread_tracker(hostile))
    async with app.run_test(size=SIZE) as pilot:
        for workspace, needles in (("contacts", ("SUM\\x1b",)), ("chase", ("MACT\\x1b",)),
                                   ("actions", ("ADESC\\x1b", "AOFFT\\x1b")), ("reviews", ("REVIEW\\x1b",)),
                                   ("dashboard", ("REVIEW\\x1b",))):
            await show(pilot, workspace)
            text = await wait_for_text(pilot, *needles)
            assert RAW.search(text) is None, workspace
            no_click_actions(app)


async def test_an_edit_form_shows_control_characters_as_pictures_and_saves_the_value_unchanged(hostile):
    app = app_for(reread_tracker(hostile))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.open_reference(hostile["contact"])
        await wait_for_text(pilot, "SUM\\x1b")
        await pilot.press("u")
        text = await wait_for_text(pilot, "EMP\u241b[2J")
        assert RAW.search(text) is None
        await pilot.press("ctrl+s")
        for _ in range(200):
            await pilot.pause()
            if "nothing changed" in status(app):
                break
        assert "nothing changed" in status(app)
    with reread(app.tracker) as other:
        assert other.get_contact(hostile["contact"]).subject.employer == v("EMP")


async def test_the_status_line_and_the_palette_show_stored_text_literally(hostile):
    from tui.commands import shown
    assert shown(v("REVIEW")).plain == "REVIEW" + printable(HOSTILE)
    app = app_for(reread_tracker(hostile))
    # Wide enough for the whole message on the one-line status line (its shown form is 170 characters):
    # the check must find it there, not on some other panel that happens to show the same text.
    async with app.run_test(size=(240, 60)) as pilot:
        await pilot.pause()
        app.say(v("SAY"), "error")
        text = await wait_for_text(pilot, "SAY\\x1b[2J")
        assert RAW.search(text) is None and squash(MARKUP) in squash(text)


run_coroutine_tests(globals())
