"""A store's server roles are named from its database's name (lower-cased, punctuation as '_', cut to 40
characters), and roles are the server's, not a database's.  So a second store whose name gives the same
roles, or a new store in a dropped one's name whose roles still have members, would let another store's
people in.  ``admin migrate`` and a move into an empty database refuse, naming the roles and the other
database and saying what to do, and write nothing; a name that gives free roles (or roles left unused)
goes ahead."""

from __future__ import annotations

import itertools
import os

import psycopg
import pytest

import safeguard_tracker as st
from safeguard_tracker.cli import main

from pg_cluster import cluster

_numbers = itertools.count(1)


def _database(name: str) -> str:
    c = cluster()
    with c.admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return c.url(name)


def _empty(url: str) -> bool:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT to_regclass('st_schema')").fetchone()[0] is None


def _stem() -> str:
    return f"names_{os.getpid()}_{next(_numbers)}"


@pytest.mark.parametrize("twin", ["{}-x", "{}_X", "{}.x"])
def test_a_second_store_whose_name_gives_the_same_roles_is_refused(capsys, twin):
    stem = _stem()
    first, second = _database(f"{stem}_x"), _database(twin.format(stem))
    assert main(["--db", first, "admin", "migrate"]) == 0
    capsys.readouterr()
    assert main(["--db", second, "admin", "migrate"]) == 1
    err = capsys.readouterr().err
    assert f"st_{stem}_x_lado" in err and f"database {stem}_x " in err and "nothing was changed" in err
    assert "differs in its letters or digits" in err and "Traceback" not in err and len(err.splitlines()) == 1
    assert _empty(second)


def test_two_long_names_that_share_their_first_40_characters_are_refused(capsys):
    stem = _stem()
    long = stem + "_safeguarding_partnership_lado_"
    first, second = _database(long + "2026"), _database(long + "2027")
    assert main(["--db", first, "admin", "migrate"]) == 0
    assert main(["--db", second, "admin", "migrate"]) == 1
    assert "already the roles of the store in database" in capsys.readouterr().err and _empty(second)


def test_a_move_into_a_database_whose_roles_are_taken_writes_nothing(tmp_path, capsys):
    stem = _stem()
    first, second = _database(stem + "_y"), _database(stem + "-Y")
    assert main(["--db", first, "admin", "migrate"]) == 0
    source = tmp_path / "s.json"
    with st.open_tracker(source, user="a.lado") as t:
        t.add_contact(received_on="05/01/2018", agency="Police", category="referral", rationale="meets limb 1")
    capsys.readouterr()
    assert main(["migrate", "--from", str(source), "--to", second]) == 1
    err = capsys.readouterr().err
    assert f"database {stem}_y" in err and "nothing was changed" in err
    assert _empty(second)


def test_a_dropped_stores_roles_still_held_are_not_taken_over_by_a_new_store_of_its_name(capsys):
    c = cluster()
    name, login = _stem(), f"held_{os.getpid()}_{next(_numbers)}"
    url = _database(name)
    c.login(login)
    assert main(["--db", url, "admin", "migrate"]) == 0
    assert main(["--db", url, "admin", "grant", login, "lado"]) == 0
    with c.admin() as conn:
        conn.execute(f'DROP DATABASE "{name}"')
    _database(name)
    capsys.readouterr()
    assert main(["--db", url, "admin", "migrate"]) == 1
    err = capsys.readouterr().err
    assert f"held by {login}" in err and f"DROP ROLE st_{name}_admin" in err and "nothing was changed" in err
    assert _empty(url)
    with c.admin() as conn:                       # the DBA does as told, and the store is made
        conn.execute(f"DROP ROLE st_{name}_admin, st_{name}_analyst, st_{name}_lado, st_{name}_partner, "
                     f"st_{name}_subgroup")
    assert main(["--db", url, "admin", "migrate"]) == 0


def test_a_dropped_stores_roles_left_unused_are_taken_over(capsys):
    c = cluster()
    name = _stem()
    url = _database(name)
    assert main(["--db", url, "admin", "migrate"]) == 0
    with c.admin() as conn:
        conn.execute(f'DROP DATABASE "{name}"')
    _database(name)
    assert main(["--db", url, "admin", "migrate"]) == 0
    with st.open_tracker(url, user="owner") as t:
        assert t.contacts() == []
