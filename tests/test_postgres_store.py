"""The PostgreSQL store's own guarantees: what the API tests (run on both stores through the ``tracker``
fixture) cannot see.  Its schema and the one-line refusals; the insert-only trail, enforced by the
database against any SQL client; stale edits and edits made behind the application's back; writers at
once; a connection dropped before or during the commit; catching up with another user; and moving a
whole store to a file and back."""

from __future__ import annotations

import threading
from datetime import date

import psycopg
import pytest

import safeguard_tracker as st
from safeguard_tracker.cli import main
from safeguard_tracker.errors import ConflictError, StoreError, StoreLocked, StoreTooNew
from safeguard_tracker.store.moving import move_store, whole_bytes
from safeguard_tracker.store.postgres import store as pg_store
from safeguard_tracker.store.postgres.schema import code_version, migrations
from safeguard_tracker.tracker import open_store

from pg_cluster import cluster

TODAY = date(2018, 6, 15)


def _open(url, user="a.lado", **kw):
    return st.open_tracker(url, user=user, today=lambda: TODAY, **kw)


def _add(t, n=1, agency="Police"):
    return [t.add_contact(received_on="05/01/2018", agency=agency, category="enquiry") for _ in range(n)]


def _sql(url):
    return psycopg.connect(url, autocommit=True)


def _rows(url, table):
    with _sql(url) as c:
        return c.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# --- the schema, and the one-line refusals --------------------------------------------------------------------

def test_a_database_without_the_schema_is_refused_in_one_line_until_admin_migrate_creates_it(capsys):
    url = cluster().new_database(schema=False)
    assert main(["--db", url, "contacts"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "holds no safeguard-tracker schema" in err and "admin migrate" in err
    assert main(["--db", url, "admin", "migrate"]) == 0
    assert f"schema now at version {code_version()} (applied 0001 documents, 0002 roles, 0003 authorities, 0004 hardening, 0005 analyst_figures)" in capsys.readouterr().out
    assert main(["--db", url, "admin", "migrate"]) == 0
    assert "already at version" in capsys.readouterr().out
    assert main(["--db", url, "contacts"]) == 0


def test_the_shipped_migrations_are_numbered_from_one_without_gaps():
    assert [m.version for m in migrations()] == list(range(1, code_version() + 1))
    assert all(m.sql.strip() for m in migrations())


def test_a_schema_newer_than_this_code_is_refused_and_admin_migrate_will_not_touch_it(capsys):
    url = cluster().new_database()
    with _sql(url) as c:
        c.execute("INSERT INTO st_schema (version, name) VALUES (%s, 'from_the_future')", (code_version() + 1,))
    with pytest.raises(StoreTooNew, match="upgrade safeguard-tracker"):
        _open(url)
    assert main(["--db", url, "admin", "migrate"]) == 1
    assert "upgrade safeguard-tracker" in capsys.readouterr().err


@pytest.mark.parametrize("change, said", [
    (lambda u: u.replace("?host=", "?host=/nowhere"), "cannot reach the PostgreSQL server"),
    (lambda u: u.split("?")[0].rsplit("/", 1)[0] + "/no_such_db?" + u.split("?")[1], "that database does not exist"),
    (lambda u: u.replace("postgresql://postgres@", "postgresql://nobody_here@"), "no such user"),
])
def test_an_unreachable_server_a_missing_database_and_an_unknown_user_are_one_line_each(change, said, capsys):
    url = change(cluster().new_database())
    with pytest.raises(StoreError, match=said):
        _open(url)
    assert main(["--db", url, "due"]) == 1
    err = capsys.readouterr().err
    assert said in err and err.count("\n") == 1 and "Traceback" not in err


def test_a_login_the_database_does_not_let_connect_is_told_what_to_ask_for_and_a_url_in_capitals_opens(capsys):
    c = cluster()
    url = c.new_database()
    database = url.split("?", 1)[0].rsplit("/", 1)[1]
    login = f"no_connect_{database}"
    c.login(login)
    with c.admin() as conn:
        conn.execute(f"REVOKE CONNECT ON DATABASE {database} FROM PUBLIC")
    assert main(["--db", c.url_as(url, login), "contacts"]) == 1
    err = capsys.readouterr().err
    assert "does not let this login connect" in err and "GRANT CONNECT" in err and err.count("\n") == 1
    capitals = " PostgreSQL://" + url.split("://", 1)[1]          # as typed, or pasted from a document
    assert main(["--db", capitals, "contacts"]) == 0
    with _open(capitals) as t:
        assert t.store.url.startswith("postgresql://")


def test_a_catch_up_that_gets_no_connection_says_why_in_the_servers_words(pg_url):
    c = cluster()

    def connections(allowed: bool) -> None:
        c.connections(pg_url, allowed)
    with _open(pg_url) as t:
        t.store.connection_wait = 1.0
        try:
            connections(False)
            said = set()
            for _ in range(3):           # the pooled connection found lost, then no new one comes
                with pytest.raises(StoreError) as err:
                    t.refresh()
                said.add(str(err.value).split(": ", 1)[1])
                assert "\n" not in str(err.value) and "couldn't" not in str(err.value)
            # (the pool only knows no connection came; one attempt of the store's own gives the server's reason)
            assert any("is not currently accepting connections" in one for one in said), said
        finally:
            connections(True)
        waits = []                                    # a write waits as long as a catch-up, no longer
        real = t.store._pool.connection

        def watched(timeout=None):  # type: ignore[no-untyped-def]
            waits.append(timeout)
            return real(timeout=timeout)
        t.store._pool.connection = watched
        for _ in range(120):                          # the pool reconnects in its own time: wait for it
            try:
                t.refresh()
                break
            except StoreError:
                continue
        t.add_contact(received_on="04/06/2018", agency="Police", category="enquiry")
        assert waits and set(waits) == {1.0}


def test_without_psycopg_the_server_store_says_in_one_line_how_to_install_it(monkeypatch, capsys):
    import sys
    monkeypatch.setitem(sys.modules, "psycopg", None)             # as on a machine without the extra
    assert main(["--db", "postgresql://a.lado@/team?host=/nowhere", "contacts"]) == 1
    err = capsys.readouterr().err
    assert "pip install 'safeguard-tracker[postgres]'" in err and err.count("\n") == 1 and "Traceback" not in err


def test_a_short_password_is_taken_out_where_it_stands_alone_without_spoiling_the_servers_words():
    from safeguard_tracker.store.postgres.connection import describe_failure
    url = "postgresql://nosuch.user:e@localhost/team"
    said = describe_failure(Exception('connection failed: FATAL: role "nosuch.user" does not exist'),
                            "postgresql://nosuch.user:***@localhost/team", url)
    assert said.endswith("the server has no such user: ask the database administrator to create it")
    odd = describe_failure(Exception("an odd reply that names the password e on its own"), "W", url)
    assert odd == "W: an odd reply that names the password *** on its own"
    assert "pg_hba.conf" in describe_failure(Exception('FATAL: pg_hba.conf rejects connection for host "::1"'),
                                             "W", url)


def test_a_password_in_the_url_is_never_shown(capsys):
    url = "postgresql://lado:Pa55-w0rd@/team?host=/nowhere&password=Pa55-w0rd"
    with pytest.raises(StoreError) as err:
        _open(url)
    assert "Pa55-w0rd" not in str(err.value) and "lado:***@" in str(err.value)
    assert main(["--db", url, "contacts"]) == 1
    assert "Pa55-w0rd" not in capsys.readouterr().err


# --- the trail is insert-only, whoever asks --------------------------------------------------------------------

@pytest.mark.parametrize("statement", [
    "UPDATE audit SET username = 'someone.else'",
    "UPDATE audit SET entry = '{}'::json",
    "DELETE FROM audit",
    "TRUNCATE audit",
    "UPDATE access_log SET username = 'someone.else'",
    "DELETE FROM access_log",
    "DELETE FROM contacts",
    "TRUNCATE contacts CASCADE",
])
def test_no_sql_client_can_change_or_remove_the_trail_or_a_record(pg_url, statement):
    with _open(pg_url) as t:
        c = _add(t)[0]
        t.export_contacts("csv")     # an access-log line
        t.write_output("-", "x", what="view", personal=True)
    before = {table: _rows(pg_url, table) for table in ("audit", "access_log", "contacts")}
    with _sql(pg_url) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege, match="insert-only|never deleted"):
        conn.execute(statement)
    assert {table: _rows(pg_url, table) for table in before} == before
    with _open(pg_url) as t:
        assert t.check() == [] and t.get_contact(c.reference).agency == "Police"


def test_a_redactions_licence_reaches_only_its_own_records_values_never_who_or_when(pg_url):
    with _open(pg_url) as t:
        a, b = _add(t, 2)
        t.update_contact(a.reference, case_manager="Dee Officer")     # an entry whose values are texts
    with _sql(pg_url) as conn:
        conn.execute("BEGIN")
        conn.execute("SELECT set_config('safeguard_tracker.redacting', %s, true)", (a.reference,))
        assert conn.execute("UPDATE audit SET entry = (entry::jsonb || '{\"new\": \"[redacted]\"}')::json "
                            "WHERE ref = %s AND json_typeof(entry -> 'new') = 'string'",
                            (a.reference,)).rowcount >= 1                       # its values blanked: allowed
        with pytest.raises(psycopg.errors.InsufficientPrivilege):             # a value written anew: never
            conn.execute("SAVEPOINT n")
            conn.execute("UPDATE audit SET entry = (entry::jsonb || '{\"new\": \"what never happened\"}')::json "
                         "WHERE ref = %s AND json_typeof(entry -> 'new') = 'string'", (a.reference,))
        conn.execute("ROLLBACK TO SAVEPOINT n")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):             # who, even inside the entry: never
            conn.execute("SAVEPOINT e")
            conn.execute("UPDATE audit SET entry = (entry::jsonb || '{\"user\": \"x\"}')::json WHERE ref = %s",
                         (a.reference,))
        conn.execute("ROLLBACK TO SAVEPOINT e")
        for forged in ("UPDATE audit SET username = 'x' WHERE ref = %s", "UPDATE audit SET at = 'x' WHERE ref = %s"):
            conn.execute("SAVEPOINT s")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(forged, (a.reference,))
            conn.execute("ROLLBACK TO SAVEPOINT s")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE audit SET entry = '{}'::json WHERE ref = %s", (b.reference,))
        conn.execute("ROLLBACK")


# --- stale edits, and edits behind the application's back --------------------------------------------------------

def test_a_stale_edit_is_a_conflict_that_names_who_changed_it(pg_url):
    with _open(pg_url) as first, _open(pg_url, user="b.lado") as second:
        c = _add(first)[0]
        second.refresh()
        second.update_contact(c.reference, case_manager="B's choice", expected_rev=c.rev)
        with pytest.raises(ConflictError, match="b.lado"):
            first.update_contact(c.reference, case_manager="A's choice", expected_rev=c.rev)
        assert first.get_contact(c.reference).case_manager == "B's choice"   # caught up while refusing


def test_a_row_changed_behind_the_applications_back_is_a_conflict_and_nothing_is_written(pg_url):
    with _open(pg_url) as t:
        c = _add(t)[0]
        with _sql(pg_url) as conn:   # a SQL client bumps the revision without going through the tool
            conn.execute("UPDATE contacts SET rev = rev + 1 WHERE key = %s", (c.reference,))
        audit = _rows(pg_url, "audit")
        with pytest.raises(ConflictError):
            t.update_contact(c.reference, case_manager="Someone", expected_rev=c.rev)
        assert _rows(pg_url, "audit") == audit
        with _sql(pg_url) as conn:
            doc = conn.execute("SELECT doc ->> 'case_manager' FROM contacts WHERE key = %s", (c.reference,)).fetchone()
        assert doc[0] == ""


def test_writers_at_once_never_issue_a_reference_twice_and_lose_nothing(pg_url):
    errors: list[BaseException] = []
    made: list[str] = []

    def writer(n: int) -> None:
        try:
            with _open(pg_url, user=f"writer.{n}") as t:
                for _ in range(12):
                    made.append(_add(t)[0].reference)
                    c = t.get_contact(made[-1])
                    t.add_note(c.reference, f"note by writer {n}")
        except BaseException as exc:   # (reported below, in the test's own thread)
            errors.append(exc)
    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert len(made) == 48 and len(set(made)) == 48
    with _open(pg_url) as t:
        assert sorted(t.store.all("contacts")) == sorted(made)
        assert sorted(made) == [f"L-2018-{n:04d}" for n in range(1, 49)]
        assert all(len(t.get_contact(r).notes) == 1 for r in made)
        assert t.check() == [] and t.store.last_seq == 96


def test_a_writer_waits_for_the_lock_and_then_says_nothing_was_saved(pg_url):
    with _open(pg_url, lock_timeout=0.2) as t:
        with _sql(pg_url) as holder:
            holder.execute("BEGIN")
            holder.execute("SELECT pg_advisory_xact_lock(%s)", (pg_store.WRITE_LOCK,))
            with pytest.raises(StoreLocked, match="nothing was saved"):
                _add(t)
            holder.execute("ROLLBACK")
        assert _rows(pg_url, "contacts") == 0
        _add(t)
        assert _rows(pg_url, "contacts") == 1


# --- a dropped connection ----------------------------------------------------------------------------------------

def test_a_connection_dropped_before_the_commit_saves_nothing_and_the_store_goes_on(pg_url, monkeypatch):
    with _open(pg_url) as t:
        kept = _add(t)[0]
        real = pg_store.PostgresStore._write

        def dropped(self, conn, txn):
            written = real(self, conn, txn)
            with _sql(pg_url) as other:
                other.execute("SELECT pg_terminate_backend(%s)", (conn.info.backend_pid,))
            return written
        monkeypatch.setattr(pg_store.PostgresStore, "_write", dropped)
        with pytest.raises(StoreError, match="nothing was saved"):
            t.add_note(kept.reference, "lost with the connection")
        monkeypatch.undo()
        assert list(t.get_contact(kept.reference).notes) == []
        t.add_note(kept.reference, "saved after it")          # a new connection from the pool
    with _open(pg_url) as again:
        assert [n.text for n in again.get_contact(kept.reference).notes] == ["saved after it"]
        assert again.check() == []


def test_a_commit_whose_acknowledgement_is_lost_is_found_to_have_landed(pg_url, monkeypatch):
    with _open(pg_url) as t:
        c = _add(t)[0]
        real = pg_store.PostgresStore._commit

        def acknowledgement_lost(self, conn, written):
            conn.commit()                      # it lands; then the answer is lost on the way back, once
            commit = conn.commit

            def lost() -> None:
                conn.commit = commit
                raise psycopg.OperationalError("server closed the connection unexpectedly")
            conn.commit = lost
            return real(self, conn, written)
        monkeypatch.setattr(pg_store.PostgresStore, "_commit", acknowledgement_lost)
        t.add_note(c.reference, "landed")
        monkeypatch.undo()
        assert [n.text for n in t.get_contact(c.reference).notes] == ["landed"]
        assert t.check() == []


# --- catching up with other users --------------------------------------------------------------------------------

def test_another_users_change_is_caught_up_with_and_says_exactly_what_changed(pg_url):
    with _open(pg_url) as mine, _open(pg_url, user="b.lado") as theirs:
        c = _add(mine)[0]
        heard: list = []
        theirs.store.listeners.append(heard.append)
        mark = theirs.store.change_mark()
        assert theirs.refresh() and theirs.get_contact(c.reference).agency == "Police"
        mine.add_note(c.reference, "one")
        assert theirs.store.refresh() == [("contacts", c.reference)]
        assert theirs.store.changed_since(mark) == [("contacts", c.reference)] * 2
        assert heard == [[("contacts", c.reference)], [("contacts", c.reference)]]
        assert [h.user for h in theirs.history(c.reference)][-1] == "a.lado"
        assert theirs.store.refresh() == []


def test_the_audit_trail_loaded_once_follows_later_commits_and_a_redaction(pg_url):
    with _open(pg_url) as t, _open(pg_url, user="d.p.officer") as dpo:
        c = _add(t)[0]
        t.update_contact(c.reference, subject_name="Casey Quill")
        t.close_contact(c.reference, outcome="advice_given", closed_on="10/01/2018")
        assert "Casey Quill" in str(t.store.audit_trail())         # loaded now
        dpo.refresh()
        dpo.redact_contact(c.reference)
        t.refresh()
        assert "Casey Quill" not in str(t.store.audit_trail()) and "Casey Quill" not in str(t.history(c.reference))
        assert t.check() == []


def test_as_of_a_past_day_is_rebuilt_from_the_servers_trail(pg_url, clock):
    clock("2018-05-01")
    with _open(pg_url) as t:
        c = _add(t)[0]
        clock("2018-05-20")
        t.update_contact(c.reference, case_manager="Later manager")
        past = t.as_of(date(2018, 5, 10))
        assert past.get_contact(c.reference).case_manager == ""
        assert t.get_contact(c.reference).case_manager == "Later manager"


# --- moving a whole store -----------------------------------------------------------------------------------------

def test_a_store_moved_to_postgres_and_back_holds_every_byte_and_exports_the_same(demo, tmp_path, capsys):
    with demo.store.transaction() as txn:     # a council's own columns, in their order: the order is data
        doc = dict(txn.get("contacts", "L-2018-0202"))
        doc["extra"] = {"Zeta column": "z", "Alpha column": "a"}
        txn.put("contacts", "L-2018-0202", doc)
    demo.close()
    source = str(demo.path)
    url = cluster().new_database(schema=False)
    there = move_store(source, url)
    assert there.problems == () and there.counts["contacts"] == 1015 and there.counts["audit"] > 1015
    back_path = tmp_path / "back.json"
    assert main(["migrate", "--from", url, "--to", str(back_path)]) == 0
    assert "both hold the same" in capsys.readouterr().out
    stores = [open_store(p, user="checker") for p in (source, url, str(back_path))]
    try:
        held = [whole_bytes(s) for s in stores]
        # each copy adds one access-log line to its source; all else is equal, byte for byte
        assert held[1] != held[0] and held[2] == held[1]
        assert list(stores[1].get("contacts", "L-2018-0202")["extra"]) == ["Zeta column", "Alpha column"]
        assert [s.check() for s in stores] == [[], [], []]
    finally:
        for s in stores:
            s.close()
    exports = []
    for where in (url, str(back_path)):
        with st.open_tracker(where, user="checker") as t:
            exports.append((t.export_contacts("json"), t.export_contacts("csv"), t.export_plans("actions", "json"),
                            t.export_plans("reviews", "json")))
    assert exports[0] == exports[1]


def test_a_move_never_writes_over_a_store(pg_url, tmp_path, store_path):
    with _open(pg_url) as t:
        _add(t)
    with st.open_tracker(store_path, user="a.lado") as f:
        _add(f)
    with pytest.raises(StoreError, match="already holds a store"):
        move_store(str(store_path), pg_url)
    with pytest.raises(StoreError, match="already exists"):
        move_store(pg_url, str(store_path))
    assert _rows(pg_url, "contacts") == 1 and _rows(pg_url, "access_log") == 0    # not even a line saying so
    with st.open_tracker(store_path, user="a.lado") as f:
        assert len(f.store.all("contacts")) == 1 and f.check() == [] and f.access_log() == []


def test_the_demo_fills_an_empty_database(capsys):
    url = cluster().new_database(schema=False)
    assert main(["--db", url, "demo"]) == 0
    assert "1015 contacts" in capsys.readouterr().out
    assert main(["--db", url, "check"]) == 0


def test_the_environment_may_name_a_database_for_the_api_and_every_command(pg_url, monkeypatch, capsys):
    monkeypatch.setenv("SAFEGUARD_TRACKER_DB", pg_url)
    with st.open_tracker(user="a.lado", today=lambda: TODAY) as t:
        c = _add(t)[0]
        assert t.location.startswith("postgresql://") and t.path is None
    assert main(["--today", "15/06/2018", "contacts"]) == 0
    assert c.reference in capsys.readouterr().out
    assert main(["restore"]) == 2
    assert "pg_dump" in capsys.readouterr().err


def test_a_store_with_a_redacted_record_moves_out_whole(capsys, tmp_path):
    url = cluster().new_database(schema=False)
    assert main(["--db", url, "demo"]) == 0
    assert main(["--db", url, "--user", "d.p.officer", "redact", "L-2016-0004", "--yes"]) == 0
    capsys.readouterr()
    assert main(["migrate", "--from", url, "--to", str(tmp_path / "out.json")]) == 0
    assert "both hold the same" in capsys.readouterr().out
    assert main(["--db", str(tmp_path / "out.json"), "check"]) == 0


def test_a_lost_answer_is_not_mistaken_for_another_commit_of_the_same_number(pg_url, monkeypatch):
    with _open(pg_url) as mine, _open(pg_url) as again:              # the same login, twice (CLI and TUI)
        c = _add(mine)[0]
        again.refresh()
        real = pg_store.PostgresStore._commit

        def rolled_back_then_lost(self, conn, written):
            if self is not mine.store:
                return real(self, conn, written)
            conn.rollback()                                          # the server never committed it...
            again.add_note(c.reference, "the other window's note")   # ...and the same number lands meanwhile
            conn.commit = lambda: (_ for _ in ()).throw(psycopg.OperationalError("server closed the connection"))
            return real(self, conn, written)
        monkeypatch.setattr(pg_store.PostgresStore, "_commit", rolled_back_then_lost)
        with pytest.raises(StoreError, match="nothing was saved"):
            mine.add_note(c.reference, "this window's note")
        monkeypatch.undo()
        mine.refresh()
        assert [n.text for n in mine.get_contact(c.reference).notes] == ["the other window's note"]


@pytest.mark.parametrize("url", ["postgresql://lado:s%zzecret@/team?host=/nowhere",
                                 "postgresql://lado@/team?host=/nowhere&password=s%zzecret",
                                 "postgresql://lado:secret@[::1/team"])
def test_a_url_the_driver_cannot_read_is_refused_without_its_password(url, capsys):
    assert main(["--db", url, "contacts"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "zzecret" not in err and "secret" not in err.replace("safeguard-tracker", "")


def test_a_screen_that_cannot_listen_waits_before_trying_again(pg_url):
    with _open(pg_url) as t:
        t.store.url = t.store.url.replace("?host=", "?host=/nowhere")    # the server gone from here
        assert t.store.changes_waiting() is True                          # cannot tell: the caller looks
        assert t.store.changes_waiting() is False                         # and no new connection for a while
