"""When someone leaves, ``admin revoke`` takes their role away and the right to connect that ``admin grant``
gave, where the login running it may (the database's owner may), and says plainly whether the login can
still connect and what would shut it out."""

from __future__ import annotations

import itertools
import os

import psycopg
import pytest

import safeguard_tracker as st
from safeguard_tracker.cli import main

from pg_cluster import cluster

_numbers = itertools.count(1)


@pytest.fixture
def team(pg_url):
    c = cluster()
    n = f"{os.getpid()}_{next(_numbers)}"
    logins = {"leaver": f"leaver_{n}", "admin": f"admin_{n}"}
    for login in logins.values():
        c.login(login)
    assert main(["--db", pg_url, "admin", "grant", logins["admin"], "admin"]) == 0
    assert main(["--db", pg_url, "admin", "grant", logins["leaver"], "lado"]) == 0
    return pg_url, logins


def _connects(url: str, login: str) -> bool:
    try:
        psycopg.connect(cluster().url_as(url, login)).close()
        return True
    except psycopg.OperationalError as exc:
        assert "CONNECT privilege" in str(exc)
        return False


def _public_connect(url: str, allowed: bool) -> None:
    database = url.split("?", 1)[0].rsplit("/", 1)[1]
    with cluster().admin() as conn:
        conn.execute(f"{'GRANT' if allowed else 'REVOKE'} CONNECT ON DATABASE {database} "
                     f"{'TO' if allowed else 'FROM'} PUBLIC")


def test_the_owner_takes_the_role_and_the_right_to_connect(team, capsys):
    url, logins = team
    _public_connect(url, False)
    assert _connects(url, logins["leaver"])
    capsys.readouterr()
    assert main(["--db", url, "admin", "revoke", logins["leaver"]]) == 0
    out = capsys.readouterr().out
    assert "nor may it connect to the database" in out and "may still connect" not in out
    assert not _connects(url, logins["leaver"])
    with st.open_tracker(url, user="owner") as t:
        assert t.still_connects(logins["leaver"]) is None
        assert logins["leaver"] not in [h.username for h in t.role_holders()]


def test_while_every_login_may_connect_it_says_so_and_how_to_stop_it(team, capsys):
    url, logins = team
    _public_connect(url, True)
    capsys.readouterr()
    assert main(["--db", url, "admin", "revoke", logins["leaver"]]) == 0
    out = capsys.readouterr().out
    assert "reads nothing in it; it may still connect: every login may connect" in out
    assert "FROM PUBLIC" in out
    assert _connects(url, logins["leaver"])
    _public_connect(url, False)
    assert not _connects(url, logins["leaver"])        # the tool's own grant had gone with the role


def test_an_admin_who_is_not_the_owner_takes_the_role_and_names_who_can_take_the_rest(team, capsys):
    url, logins = team
    _public_connect(url, False)
    as_admin = cluster().url_as(url, logins["admin"])
    capsys.readouterr()
    assert main(["--db", as_admin, "admin", "revoke", logins["leaver"]]) == 0
    out = capsys.readouterr().out
    assert "only the database's owner, postgres, may take its right to connect away" in out
    assert "REVOKE CONNECT ON DATABASE" in out and logins["leaver"] in out
    with st.open_tracker(url, user="owner") as t:
        assert logins["leaver"] not in [h.username for h in t.role_holders()]
    with pytest.raises(st.StoreError, match="holds no role"):
        st.open_tracker(cluster().url_as(url, logins["leaver"]))
