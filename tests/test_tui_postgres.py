"""The TUI on a PostgreSQL store: it names the database, never its password, and another user's change
reaches an open screen by the server's announcement (NOTIFY), not by the slow regular catch-up."""

from __future__ import annotations

from datetime import date

import itertools

import pytest
import os

import safeguard_tracker as st
from pg_cluster import cluster
from tui.app import TrackerApp
from tui.testing import run_coroutine_tests, screen_text, status, wait_until

TODAY = date(2018, 6, 15)
_numbers = itertools.count(1)


def _open(url, user):
    return st.open_tracker(url, user=user, today=lambda: TODAY)


def _new_login(prefix):
    """A new login on this worker's cluster, its name unique to this process."""
    login = f"{prefix}_{os.getpid()}_{next(_numbers)}"
    cluster().login(login)
    return login


async def test_another_users_new_contact_appears_on_an_open_screen_without_a_key(pg_url):
    mine, theirs = _open(pg_url, "a.lado"), _open(pg_url, "b.lado")
    try:
        first = mine.add_contact(received_on="04/06/2018", agency="Police", category="enquiry")
        # The regular catch-up is an hour away: only the announcement can bring the change in time.
        app = TrackerApp(mine, refresh_interval=3600, cursor_blink=False)
        async with app.run_test(size=(140, 40)) as pilot:
            await wait_until(pilot, lambda: first.reference in screen_text(app), "the first contact shown")
            assert "postgresql://" in status(app) or "t_" in status(app)
            theirs.add_contact(received_on="05/06/2018", agency="Police", category="consultation")
            await wait_until(pilot, lambda: "L-2018-0002" in screen_text(app), "the other user's contact shown")
            assert mine.store.last_seq == theirs.store.last_seq
    finally:
        mine.close()
        theirs.close()


async def test_the_status_line_never_shows_a_password(pg_url):
    with_password = pg_url.replace("postgresql://postgres@", "postgresql://postgres:Hunter-22@")
    tracker = st.open_tracker(with_password, user="a.lado", today=lambda: TODAY)   # (trust: the password is unused)
    try:
        app = TrackerApp(tracker, refresh_interval=None, cursor_blink=False)
        async with app.run_test(size=(200, 40)) as pilot:
            await wait_until(pilot, lambda: "lists every key" in status(app), "the opening status line")
            assert "Hunter-22" not in status(app) and "Hunter-22" not in screen_text(app)
            assert "postgres:***@" in status(app)
    finally:
        tracker.close()


async def test_a_form_the_role_may_not_save_says_so_before_anything_is_typed(pg_url):
    c = cluster()
    login = _new_login("sub_group")
    with _open(pg_url, "owner") as owner:
        owner.grant_role(login, "subgroup")
    tracker = st.open_tracker(c.url_as(pg_url, login), today=lambda: TODAY)
    try:
        app = TrackerApp(tracker, refresh_interval=None, cursor_blink=False)
        async with app.run_test(size=(140, 40)) as pilot:
            await wait_until(pilot, lambda: "lists every key" in status(app), "the opening status line")
            await pilot.press("2")                                   # the Contacts tab: not "no contacts"
            await wait_until(pilot, lambda: "the subgroup role does not see contacts" in screen_text(app),
                             "the Contacts tab saying the role does not see them")
            await pilot.press("a")                                   # Add contact
            await wait_until(pilot, lambda: "NOT FOR YOUR ROLE" in screen_text(app), "the form's banner")
            shown = " ".join(screen_text(app).replace("\u2502", " ").split())     # (the form's border taken out)
            assert "subgroup role may not change contacts" in shown
    finally:
        tracker.close()


async def test_a_server_that_cannot_be_reached_is_said_and_tried_again_later_and_its_return_is_said(pg_url):
    """The server goes away: the catch-up says so once, and the quiet catch-ups (every few seconds, and
    at each announcement) do not try again, holding the screen each time, until the pause is over; it
    grows while the server stays away, and the message goes once the changes come in again.  (The app's
    clock is the test's, so the pauses pass when the test says.)"""
    c = cluster()
    tracker = _open(pg_url, "a.lado")
    tries: list[int] = []
    real_refresh = tracker.store.refresh

    def counted_refresh():  # type: ignore[no-untyped-def]
        tries.append(1)
        return real_refresh()
    tracker.store.refresh = counted_refresh  # type: ignore[method-assign]
    now = [1000.0]

    def connections(allowed: bool) -> None:
        c.connections(pg_url, allowed)
    try:
        app = TrackerApp(tracker, refresh_interval=3600, cursor_blink=False)
        app.clock = lambda: now[0]
        async with app.run_test(size=(140, 40)) as pilot:
            await wait_until(pilot, lambda: "lists every key" in status(app), "the opening status line")
            assert tracker.store.connection_wait < 30        # a screen waits a few seconds, not a script's 30
            connections(False)
            app.catch_up_quietly()
            assert "Could not read other users' changes" in status(app) and "trying again in 5 s" in status(app)
            assert "Traceback" not in status(app)
            tried = len(tries)
            for _ in range(10):
                app.catch_up_quietly()
                app.catch_up_when_announced()
            assert len(tries) == tried                       # paused: the screen is not held again
            now[0] += 6
            app.catch_up_quietly()
            assert len(tries) == tried + 1 and "trying again in 15 s" in status(app)
            connections(True)

            def back() -> bool:
                now[0] += 61                                  # (the pool reconnects in its own time)
                app.catch_up_quietly()
                return "coming in again" in status(app)
            await wait_until(pilot, back, "the catch-up works again and says so")
            assert not app.catch_up_paused()
    finally:
        connections(True)
        tracker.close()


async def test_a_region_seen_whole_says_at_once_that_a_new_record_needs_one_authority(pg_url):
    """The network's login, opened without an authority, sees every authority's records and may change them,
    but a new one would not say whose it is: the add form says so before anything is typed, naming the way in."""
    c = cluster()
    login = _new_login("network")
    with _open(pg_url, "owner") as owner:
        owner.add_authority("NTH", "Northshire County Council", child_population=60_000)
        owner.add_authority("EBR", "Eastbridge Borough Council", child_population=40_000)
        owner.grant_role(login, "lado")                            # no authority: the network
    whole = st.open_tracker(c.url_as(pg_url, login), today=lambda: TODAY)
    one = st.open_tracker(c.url_as(pg_url, login), today=lambda: TODAY, authority="EBR")
    try:
        assert "several authorities (EBR, NTH)" in (whole.may_add("contacts") or "")
        assert whole.may_change("contacts") is None and one.may_add("contacts") is None
        assert one.add_contact(received_on="04/06/2018", agency="Police").reference
        app = TrackerApp(whole, refresh_interval=None, cursor_blink=False)
        async with app.run_test(size=(140, 40)) as pilot:
            await wait_until(pilot, lambda: "lists every key" in status(app), "the opening status line")
            await pilot.press("a")                                   # Add contact
            await wait_until(pilot, lambda: "NOT IN THIS VIEW" in screen_text(app), "the form's banner")
            shown = " ".join(screen_text(app).replace("\u2502", " ").split())
            assert "--authority EBR" in shown and "NOT FOR YOUR ROLE" not in shown
    finally:
        whole.close()
        one.close()


async def test_a_role_that_does_not_see_the_plans_is_told_so_on_every_tab_never_shown_zeros(pg_url):
    """The lado role sees contacts only: the Dashboard's plan panels, the Reviews and Actions tabs and the
    action-plan report say NOT FOR YOUR ROLE, rather than 0 actions, a blank tree or a report of none."""
    c = cluster()
    login = _new_login("lado_only")
    with _open(pg_url, "owner") as owner:
        review = owner.add_review(name="Robin", kind="lcspr", known_on="2018-01-11", notified_on="2018-01-13")
        owner.add_recommendation(review.reference, text="Share the learning", owner_agencies="Police")
        owner.add_action(review.reference, 1, description="Brief every officer", lead_agency="Police",
                         lead_officer="Officer One", due="2018-03-30")
        owner.grant_role(login, "lado")
    tracker = st.open_tracker(c.url_as(pg_url, login), today=lambda: TODAY)
    try:
        with pytest.raises(st.errors.StoreError, match="the lado role does not see reviews"):
            tracker.report_action_plan()
        app = TrackerApp(tracker, refresh_interval=None, cursor_blink=False)
        async with app.run_test(size=(140, 40)) as pilot:
            await wait_until(pilot, lambda: "lists every key" in status(app), "the opening status line")
            for key, said in (("4", "NOT FOR YOUR ROLE: the lado role"),     # (the panel wraps beside the chart)
                              ("5", "the lado role does not see reviews"),
                              ("6", "the lado role does not see actions"), ("7", "the lado role does not see")):
                await pilot.press(key)
                await wait_until(pilot, lambda: said in " ".join(screen_text(app).split()), f"tab {key}: {said}")
                shown = " ".join(screen_text(app).split())
                assert "0 action(s)" not in shown and "Actions by RAG (0)" not in shown
    finally:
        tracker.close()



async def test_the_analysts_record_and_retention_screens_say_what_is_not_shown_never_nothing(pg_url):
    """An analyst sees no personal data: the record screen says so where a name or a text would be (not "not
    recorded"), and the retention review, which counts from dates of birth, says NOT FOR YOUR ROLE rather
    than "nothing to review"."""
    c = cluster()
    login = _new_login("analyst")
    with _open(pg_url, "owner") as owner:
        contact = owner.add_contact(received_on="05/01/2017", agency="Police", category="enquiry",
                                    rationale="advice", subject_name="Tamsin Varley", subject_dob="1960-01-01")
        owner.close_contact(contact.reference, closed_on="06/01/2017")
        owner.grant_role(login, "analyst")
    tracker = st.open_tracker(c.url_as(pg_url, login), today=lambda: TODAY)
    try:
        app = TrackerApp(tracker, refresh_interval=None, cursor_blink=False)
        async with app.run_test(size=(140, 50)) as pilot:
            await wait_until(pilot, lambda: "READ-ONLY" in screen_text(app), "the opening screen")
            await pilot.press("2")
            await wait_until(pilot, lambda: contact.reference in screen_text(app), "the contact listed")
            await pilot.press("enter")
            await wait_until(pilot, lambda: "Staff member" in screen_text(app), "the record")
            shown = " ".join(screen_text(app).split())
            assert "not shown to the analyst role" in shown and "not recorded" not in shown
            assert "Tamsin" not in shown
            await pilot.press("escape")
            from tui.lado.privacy import open_retention
            open_retention(app)
            await wait_until(pilot, lambda: "NOT FOR YOUR ROLE" in screen_text(app), "the retention screen")
            assert "Nothing to review" not in screen_text(app)
    finally:
        tracker.close()


run_coroutine_tests(globals())
