"""An attacker's view of the roles: each granted login, with a SQL client (psycopg), trying to get further than
its role allows (issue 15, sections 2 and 3).  What test_postgres_roles.py and test_postgres_authorities.py
already check is not repeated here.  A test that fails here is a hole the database lets through."""

from __future__ import annotations

import itertools
import json
import os
from datetime import date

import psycopg
import pytest

import safeguard_tracker as st
from safeguard_tracker.cli import main

from pg_cluster import cluster

TODAY = date(2018, 6, 15)
SECRET = "Oriel Fenwick-Tarr"            # invented
EBR_SECRET = "Piers Lanyard-Ocre"        # invented
_numbers = itertools.count(1)

# A temporary table of the name a SECURITY DEFINER function reads: every login may create one (TEMP is
# PostgreSQL's default right on a database), and pg_temp is searched first unless search_path names it last.
SHADOW_USERS = ("CREATE TEMP TABLE st_users (username text, kind text, agency text, granted_by text, "
                "granted_at timestamptz, authority text)")


def _open(url, user=None, **kw):
    return st.open_tracker(url, user=user, today=lambda: TODAY, **kw)


def _n():
    return f"{os.getpid()}_{next(_numbers)}"


def _temporary_tables_allowed(url):
    """The database as after a restore from a dump, where every login may make temporary tables again: the
    functions' own search path must keep a shadow table out, without schema 4's REVOKE TEMPORARY behind it."""
    database = url.split("?", 1)[0].rsplit("/", 1)[1]
    with cluster().admin() as conn:
        conn.execute(f"GRANT TEMPORARY ON DATABASE {database} TO PUBLIC")


@pytest.fixture
def store(pg_url):
    """One authority's store: a contact, a review, actions led by Police and by Medway Council, a login each."""
    c = cluster()
    _temporary_tables_allowed(pg_url)
    n = _n()
    logins = {r: f"atk_{r}_{n}" for r in ("lado", "subgroup", "partner", "analyst", "admin", "nobody")}
    for login in logins.values():
        c.login(login)
    with _open(pg_url, user="owner") as owner:
        contact = owner.add_contact(received_on="05/01/2018", agency="Police", category="referral",
                                    subject_name=SECRET, summary="alleged to have shouted at a pupil")
        review = owner.add_review(name="Wren", kind="lcspr", known_on="2018-01-11", notified_on="2018-01-13")
        owner.add_recommendation(review.reference, text="Share the learning", owner_agencies="Police; Medway Council")
        police = owner.add_action(review.reference, 1, description="Brief every officer", lead_agency="Police",
                                  lead_officer="Officer One", due="2018-09-30")
        council = owner.add_action(review.reference, 1, description="Update the procedure",
                                   lead_agency="Medway Council", lead_officer="Officer Two", due="2018-09-30")
        owner.grant_role(logins["lado"], "lado")
        owner.grant_role(logins["subgroup"], "subgroup")
        owner.grant_role(logins["partner"], "partner", agency="Police")
        owner.grant_role(logins["analyst"], "analyst")
        owner.grant_role(logins["admin"], "admin")
    with _open(c.url_as(pg_url, logins["subgroup"])) as sub:
        sub.add_update(police.reference, "chased by the sub group")
    return {"url": pg_url, "logins": logins, "contact": contact.reference, "review": review.reference,
            "police": police.reference, "council": council.reference}


@pytest.fixture
def region(pg_url):
    """Northshire (NTH) and Eastbridge (EBR): a contact each; a LADO, analyst and admin of NTH, a LADO of EBR."""
    c = cluster()
    _temporary_tables_allowed(pg_url)
    n = _n()
    logins = {k: f"atk_{k}_{n}" for k in ("lado_nth", "lado_ebr", "analyst_nth", "admin_nth", "spare")}
    for login in logins.values():
        c.login(login)
    with _open(pg_url, user="owner") as owner:
        owner.add_authority("NTH", "Northshire County Council", child_population=60_000)
        owner.add_authority("EBR", "Eastbridge Borough Council", child_population=40_000)
        owner.grant_role(logins["lado_nth"], "lado", authority="NTH")
        owner.grant_role(logins["lado_ebr"], "lado", authority="EBR")
        owner.grant_role(logins["analyst_nth"], "analyst", authority="NTH")
        owner.grant_role(logins["admin_nth"], "admin", authority="NTH")
    with _open(c.url_as(pg_url, logins["lado_ebr"])) as ebr:
        ebr_contact = ebr.add_contact(received_on="05/01/2018", agency="Police", category="referral",
                                      subject_name=EBR_SECRET, summary="Eastbridge's own case")
    with _open(c.url_as(pg_url, logins["lado_nth"])) as nth:
        nth_contact = nth.add_contact(received_on="06/01/2018", agency="Police", category="referral",
                                      subject_name=SECRET)
    return {"url": pg_url, "logins": logins, "ebr": ebr_contact.reference, "nth": nth_contact.reference}


def sql(where, role, **kw):
    return psycopg.connect(cluster().url_as(where["url"], where["logins"][role]), autocommit=True, **kw)


def owner_sql(where):
    return psycopg.connect(where["url"], autocommit=True)


def _patch(**fields):
    return "(doc::jsonb || %s::jsonb)::json", json.dumps(fields)


# --- holes: search_path in the SECURITY DEFINER functions ---------------------------------------------------

def test_a_partner_cannot_read_or_write_another_agencys_action_through_a_shadow_table(store):
    """st_my_agency() is SECURITY DEFINER with `SET search_path = public`, which still searches pg_temp first:
    the partner's own temporary st_users answers who it is."""
    with sql(store, "partner") as conn:
        conn.execute(SHADOW_USERS)
        conn.execute("INSERT INTO pg_temp.st_users (username, kind, agency) VALUES (session_user, 'partner', "
                     "'Medway Council')")
        seen = [r[0] for r in conn.execute("SELECT key FROM actions")]
        changed = conn.execute("UPDATE actions SET doc = (doc::jsonb || '{\"evidence\": \"planted\"}')::json "
                               "WHERE key = %s", (store["council"],)).rowcount
    assert seen == [store["police"]] and changed == 0


def test_a_partner_cannot_switch_its_field_trigger_off_through_a_shadow_table(store):
    """st_partner_fields() asks st_my_kind(); a shadow table whose first row says 'subgroup' (and whose second
    keeps the agency for the row-level policy) lets the partner revise the due date, sign the action off."""
    with sql(store, "partner") as conn:
        conn.execute(SHADOW_USERS)
        conn.execute("INSERT INTO pg_temp.st_users (username, kind, agency) VALUES "
                     "(session_user, 'subgroup', NULL), (session_user, 'partner', 'Police')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE actions SET doc = (doc::jsonb || '{\"due_on\": \"2020-01-01\", \"status\": "
                         "\"completed\", \"signed_off_by\": \"Nobody Real\"}')::json WHERE key = %s",
                         (store["police"],))
    with owner_sql(store) as conn:
        assert conn.execute("SELECT due_on, status FROM actions WHERE key = %s",
                            (store["police"],)).fetchone() == ("2018-09-30", "in_progress")


def test_a_lado_of_one_authority_cannot_read_anothers_contacts_through_a_shadow_table(region):
    with sql(region, "lado_nth") as conn:
        conn.execute(SHADOW_USERS)
        conn.execute("INSERT INTO pg_temp.st_users (username, kind) VALUES (session_user, 'lado')")  # no authority
        text = conn.execute("SELECT coalesce(string_agg(doc::text, ' '), '') FROM contacts").fetchone()[0]
    assert EBR_SECRET not in text


def test_an_authoritys_admin_cannot_make_a_network_wide_lado_through_a_shadow_table(region):
    """With st_users (and st_grant_log) shadowed, st_grant's check passes and its GRANT is real, while its
    record of the grant lands in the temporary table: the login then holds lado with no authority (the whole
    region), and the grant log says nothing."""
    spare = region["logins"]["spare"]
    with sql(region, "admin_nth") as conn:
        conn.execute(SHADOW_USERS.replace("username text", "username text PRIMARY KEY"))   # (st_grant's ON CONFLICT)
        conn.execute("CREATE TEMP TABLE st_grant_log (by_user text, action text, username text, kind text, "
                     "agency text)")
        conn.execute("INSERT INTO pg_temp.st_users (username, kind, granted_by) VALUES (session_user, 'admin', 'x')")
        try:
            conn.execute("SELECT st_grant(%s, 'lado', NULL)", (spare,))
        except psycopg.errors.InsufficientPrivilege:
            pass
    with owner_sql(region) as conn:
        logged = conn.execute("SELECT count(*) FROM st_grant_log WHERE username = %s", (spare,)).fetchone()[0]
    try:
        with sql(region, "spare") as conn:
            keys = {r[0] for r in conn.execute("SELECT key FROM contacts")}
    except psycopg.Error:
        keys = set()            # refused: no role given
    assert region["ebr"] not in keys, f"an NTH admin made {spare} a lado of the whole region (grant log rows: {logged})"


def test_an_authoritys_admin_cannot_add_an_authority_through_a_shadow_table(region):
    with sql(region, "admin_nth") as conn:
        conn.execute(SHADOW_USERS)
        conn.execute("INSERT INTO pg_temp.st_users (username, kind) VALUES (session_user, 'admin')")
        try:
            conn.execute("SELECT st_add_authority('ZZZ', 'Not a real council', 1)")
        except psycopg.errors.InsufficientPrivilege:
            pass
    with owner_sql(region) as conn:
        assert conn.execute("SELECT count(*) FROM st_authorities WHERE code = 'ZZZ'").fetchone()[0] == 0


def test_an_authoritys_admin_cannot_give_the_databases_owner_a_role(region):
    """st_grant takes any login, the owner's too: placed as a partner of NTH, the owner's own session is then
    held to a partner's fields and to NTH, and may no longer add an authority."""
    with owner_sql(region) as conn:
        owner = conn.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'st_state'").fetchone()[0]
    with sql(region, "admin_nth") as conn:
        try:
            conn.execute("SELECT st_grant(%s, 'partner', 'Police')", (owner,))
        except psycopg.Error:
            pass
    with owner_sql(region) as conn:
        assert conn.execute("SELECT st_my_kind(), st_my_authority()").fetchone() == (None, None)


def test_an_authoritys_admin_reads_its_own_authoritys_logins_only(region):
    """st_who() lists an authority admin's own logins only; the table behind it gives every authority's."""
    with sql(region, "admin_nth") as conn:
        listed = {r[0] for r in conn.execute("SELECT username FROM st_who()")}
        assert region["logins"]["lado_ebr"] not in listed
        users = {r[0] for r in conn.execute("SELECT username FROM st_users")}
        logged = {r[0] for r in conn.execute("SELECT username FROM st_grant_log")}
    assert region["logins"]["admin_nth"] in users and region["logins"]["lado_nth"] in users   # its own: read
    assert region["logins"]["lado_ebr"] not in users and region["logins"]["lado_ebr"] not in logged


# --- holes: the analyst's views ----------------------------------------------------------------------------

def test_an_analyst_cannot_see_another_authoritys_rows_through_a_leaky_function(region):
    """st_contact_figures filters by st_sees() in its WHERE; not being a security_barrier view, a cheap function
    of the caller's (in pg_temp) in the outer WHERE runs first, on every authority's rows."""
    heard = []
    with sql(region, "analyst_nth") as conn:
        conn.add_notice_handler(lambda d: heard.append(d.message_primary or ""))
        conn.execute("CREATE FUNCTION pg_temp.peek(k text, a text, d json) RETURNS boolean LANGUAGE plpgsql "
                     "COST 0.0001 AS $$ BEGIN RAISE NOTICE 'peek % % %', k, a, d; RETURN true; END $$")
        rows = conn.execute("SELECT key FROM st_contact_figures WHERE pg_temp.peek(key, authority, doc)").fetchall()
    assert rows == [(region["nth"],)]
    assert not [h for h in heard if region["ebr"] in h or " EBR " in h], heard


# --- holes: the partner's trigger looks at doc only ----------------------------------------------------------

@pytest.mark.parametrize("change", ["key = 'A-999999'", "rev = rev + 100", "seq = 0", "authority = 'ZZZ'"],
                         ids=["key", "rev", "seq", "authority"])
def test_a_partner_cannot_change_an_actions_columns_beside_its_document(store, change):
    with sql(store, "partner") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f"UPDATE actions SET {change} WHERE key = %s", (store["police"],))


def test_a_partner_cannot_remove_or_forge_the_progress_updates_of_others(store):
    """A partner adds progress updates; it may not wipe the sub group's, nor write one in another's name."""
    subgroup = store["logins"]["subgroup"]
    with sql(store, "partner") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE actions SET doc = (doc::jsonb || jsonb_build_object('updates', jsonb_build_array("
                         "jsonb_build_object('at', '2018-01-01T00:00:00+00:00', 'by', %s::text, 'text', 'forged', "
                         "'on', '2018-01-01'))))::json WHERE key = %s", (subgroup, store["police"]))
    with owner_sql(store) as conn:
        updates = conn.execute("SELECT doc -> 'updates' FROM actions WHERE key = %s", (store["police"],)).fetchone()[0]
    assert [u["text"] for u in updates] == ["chased by the sub group"]


# --- holes: the trail ---------------------------------------------------------------------------------------

def test_a_lado_cannot_rewrite_a_trail_by_a_redaction_it_undoes_in_the_same_transaction(store):
    """st_rewrite_trail accepts any values for a record redacted in this transaction; the record may then be
    un-redacted before the commit.  The trail of an unredacted record ends up saying what never happened."""
    ref = store["contact"]
    with psycopg.connect(cluster().url_as(store["url"], store["logins"]["lado"])) as conn:
        try:
            conn.execute("UPDATE contacts SET doc = (doc::jsonb || '{\"redacted_on\": \"2018-06-15\"}')::json "
                         "WHERE key = %s", (ref,))
            rows = conn.execute("SELECT id, entry::jsonb FROM audit WHERE ref = %s ORDER BY id", (ref,)).fetchall()
            forged = [json.dumps({**e, "new": "what never happened"}) for _, e in rows]
            conn.execute("SELECT st_rewrite_trail(%s, %s::bigint[], %s::text[])", (ref, [r[0] for r in rows], forged))
            conn.execute("UPDATE contacts SET doc = (doc::jsonb - 'redacted_on')::json WHERE key = %s", (ref,))
            conn.commit()
        except psycopg.errors.InsufficientPrivilege:
            conn.rollback()
    with owner_sql(store) as conn:
        trail = conn.execute("SELECT string_agg(entry::text, ' ') FROM audit WHERE ref = %s", (ref,)).fetchone()[0]
        redacted = conn.execute("SELECT doc ->> 'redacted_on' FROM contacts WHERE key = %s", (ref,)).fetchone()[0]
    assert "what never happened" not in trail or redacted is not None


def test_a_lado_cannot_plant_an_entry_in_the_history_of_a_reference_another_authority_will_be_given(region):
    """A trail entry about a reference not issued yet may be given no authority (''), which every authority
    reads; when the next contact (of any authority) takes that reference, the planted entry is in its history,
    with whatever date the planter wrote."""
    nth_login = region["logins"]["lado_nth"]
    with psycopg.connect(cluster().url_as(region["url"], nth_login)) as conn:
        issued = conn.execute("SELECT (issued ->> 'L-2018-')::int FROM st_state").fetchone()[0]
        future = f"L-2018-{issued + 1:04d}"
        try:
            conn.execute("UPDATE st_state SET last_seq = last_seq + 1, audit_next = audit_next + 1")
            conn.execute(
                "INSERT INTO audit (id, seq, tbl, ref, field, at, username, entry, authority) "
                "SELECT audit_next, last_seq, 'contacts', %s::text, 'summary', '2017-01-01T09:00:00+00:00', session_user, "
                "json_build_object('at', '2017-01-01T09:00:00+00:00', 'user', session_user, 'table', 'contacts', "
                "'ref', %s::text, 'field', 'summary', 'op', 'set', 'old', null, 'new', 'planted by another council'), '' "
                "FROM st_state", (future, future))
            conn.commit()
        except psycopg.errors.InsufficientPrivilege:
            conn.rollback()
    with _open(cluster().url_as(region["url"], region["logins"]["lado_ebr"])) as ebr:
        new = ebr.add_contact(received_on="07/01/2018", agency="Police", category="enquiry")
        assert new.reference == future
        assert nth_login not in {c.user for c in ebr.history(future)}


# --- CLI ----------------------------------------------------------------------------------------------------

def test_admin_grant_of_an_agency_not_in_the_list_says_where_the_accepted_names_are(store, capsys):
    admin = cluster().url_as(store["url"], store["logins"]["admin"])
    assert main(["--db", admin, "admin", "grant", store["logins"]["nobody"], "partner", "--agency",
                 "Ministry of Nowhere"]) == 2
    err = capsys.readouterr().err
    assert "--agency" in err and "Ministry of Nowhere" in err
    # "one of the 31 listed names" does not say which names, nor where to see them
    assert "vocab" in err or "Police" in err, err


def test_admin_grant_and_revoke_refuse_what_is_not_there_in_one_line(store, capsys):
    admin = cluster().url_as(store["url"], store["logins"]["admin"])
    nobody = store["logins"]["nobody"]
    assert main(["--db", admin, "admin", "grant", nobody, "superuser"]) == 2
    err = capsys.readouterr().err
    assert "superuser" in err and "lado, subgroup, partner, analyst, admin" in err and err.count("\n") == 1
    assert main(["--db", admin, "admin", "grant", nobody, "lado", "--agency", "Police"]) == 2
    assert "only a partner has one" in capsys.readouterr().err
    assert main(["--db", admin, "admin", "revoke", nobody]) == 1
    assert "held no role" in capsys.readouterr().out
    hostile = 'x"; DROP TABLE contacts; --'
    assert main(["--db", admin, "admin", "grant", hostile, "lado"]) == 1
    assert "no login named" in capsys.readouterr().err
    with owner_sql(store) as conn:
        assert conn.execute("SELECT count(*) FROM contacts").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM st_grant_log WHERE username IN (%s, %s)",
                            (nobody, hostile)).fetchone()[0] == 0        # nothing refused was logged as given
    assert main(["--db", admin, "admin", "who"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:2] == ["login", "role"] and nobody not in out
    assert any(line.split()[:2] == [store["logins"]["partner"], "partner"] and "Police" in line
               for line in out.splitlines())


# --- rules that hold (not checked elsewhere) ----------------------------------------------------------------

WRITERS = ("lado", "subgroup", "partner", "admin")


@pytest.mark.parametrize("role", ("lado", "subgroup", "partner", "analyst", "admin"))
def test_no_role_changes_removes_or_empties_a_log_nor_the_role_tables(store, role):
    column = {"st_transactions": "seq", "st_state": "issued", "st_roles": "name", "st_schema": "name",
              "st_authorities": "name"}
    with sql(store, role) as conn:
        for table in ("audit", "access_log", "st_transactions", "st_grant_log", "st_state", "st_users",
                      "st_roles", "st_schema", "st_authorities"):
            col = column.get(table, "username")
            for stmt in (f"DELETE FROM {table}", f"TRUNCATE {table}", f"UPDATE {table} SET {col} = {col}"):
                if table == "st_state" and role in WRITERS and stmt.startswith("UPDATE"):
                    continue           # (a writer moves it on: test_postgres_roles checks it never goes back)
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(stmt)
        for stmt in ("INSERT INTO st_users (username, kind, granted_by) VALUES (session_user, 'admin', 'x')",
                     "INSERT INTO st_roles (kind, name) VALUES ('admin', 'x')",
                     "INSERT INTO st_grant_log (by_user, action, username) VALUES ('x', 'grant', 'x')",
                     "INSERT INTO st_authorities (code, name) VALUES ('Z', 'Z')"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(stmt)


@pytest.mark.parametrize("role", WRITERS)
def test_no_role_writes_a_trail_entry_whose_inner_user_is_another(store, role):
    ref, tbl = {"lado": (store["contact"], "contacts"), "subgroup": (store["police"], "actions"),
                "partner": (store["police"], "actions"), "admin": ("lists", "settings")}[role]
    with sql(store, role) as conn:
        conn.execute("BEGIN")
        conn.execute("UPDATE st_state SET last_seq = last_seq + 1, audit_next = audit_next + 1")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO audit (id, seq, tbl, ref, field, at, username, entry) SELECT audit_next, "
                         "last_seq, %s, %s, 'x', 'x', session_user, '{\"user\": \"someone.else\"}' FROM st_state",
                         (tbl, ref))
        conn.execute("ROLLBACK")
        conn.execute("BEGIN")
        conn.execute("UPDATE st_state SET last_seq = last_seq + 1")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO st_transactions (seq, at, username, changed) "
                         "SELECT last_seq, 'x', 'someone.else', '[]' FROM st_state")
        conn.execute("ROLLBACK")


@pytest.mark.parametrize("role", ("lado", "subgroup", "partner", "analyst", "admin"))
def test_no_role_takes_another_role_nor_creates_anything_a_definer_function_could_find(store, role):
    with sql(store, role) as conn:
        others = [r[0] for r in conn.execute("SELECT name FROM st_roles WHERE kind <> %s", (role,))]
        for target in others + ["postgres"]:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f'SET ROLE "{target}"')
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f'SET SESSION AUTHORIZATION "{store["logins"]["nobody"]}"')
        for stmt in ("CREATE TABLE public.st_users_x (a int)",
                     "CREATE FUNCTION public.st_my_kind(x int) RETURNS text LANGUAGE sql AS $$ SELECT 'admin' $$",
                     "CREATE SCHEMA st_evil", "CREATE VIEW public.v AS SELECT 1"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(stmt)


@pytest.mark.parametrize("role", ("lado", "subgroup", "partner", "analyst"))
def test_only_an_admin_calls_the_role_functions_and_no_one_rewrites_a_trail_they_may_not_change(store, role):
    login = store["logins"][role]
    with sql(store, role) as conn:
        for call, args in (("st_grant(%s, 'admin', NULL)", (login,)), ("st_revoke(%s)", (store["logins"]["admin"],)),
                           ("st_who()", ()), ("st_place(%s, NULL)", (login,)),
                           ("st_add_authority('ZZZ', 'Z', 1)", ())):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"SELECT * FROM {call}", args)
        if role in ("partner", "analyst"):     # a record it may not change: refused whatever it passes
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("SELECT st_rewrite_trail(%s, ARRAY[1]::bigint[], ARRAY['{}']::text[])",
                             (store["contact"],))
    with owner_sql(store) as conn:
        assert conn.execute("SELECT kind FROM st_users WHERE username = %s", (login,)).fetchone()[0] == role


def test_a_partner_cannot_move_an_action_between_agencies_nor_take_any_step_but_its_own(store):
    with sql(store, "partner") as conn:
        for fields in ({"lead_agency": "Medway Council"}, {"status": "completed"}, {"status": "off_track"},
                       {"signed_off_by": "Nobody Real", "signed_off_on": "2018-06-15"},
                       {"off_track_reason": "x"}, {"lead_officer": "Someone Else"}, {"description": "x"},
                       {"revisions": [{"to": "2020-01-01", "reason": "x"}]}, {"redacted_on": "2018-06-15"}):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("UPDATE actions SET doc = (doc::jsonb || %s::jsonb)::json WHERE key = %s",
                             (json.dumps(fields), store["police"]))
        moved = conn.execute("UPDATE actions SET doc = (doc::jsonb || '{\"lead_agency\": \"Police\"}')::json "
                             "WHERE key = %s", (store["council"],)).rowcount
        assert moved == 0
        with conn.cursor().copy("COPY (SELECT key FROM actions) TO STDOUT") as copy:
            assert b"".join(bytes(b) for b in copy).split() == [store["police"].encode()]
        for denied in ("COPY actions FROM STDIN", "COPY contacts TO STDOUT", "COPY audit FROM STDIN"):
            with pytest.raises((psycopg.errors.InsufficientPrivilege, psycopg.errors.FeatureNotSupported)):
                with conn.cursor().copy(denied):
                    pass


def test_the_analyst_views_hold_no_free_text_and_the_analyst_reads_no_log_nor_roles(store):
    with sql(store, "analyst") as conn:
        cols = {r[0] for r in conn.execute("SELECT column_name FROM information_schema.columns "
                                           "WHERE table_name IN ('st_contact_figures', 'st_action_figures')")}
        assert not cols & {"subject", "summary", "referrer", "notes", "description", "updates", "evidence"}
        docs = conn.execute("SELECT string_agg(doc::text, ' ') FROM st_contact_figures").fetchone()[0]
        assert SECRET not in docs and "shouted" not in docs
        assert "Officer" not in str(conn.execute("SELECT * FROM st_action_figures").fetchall())
        for denied in ("SELECT * FROM st_users", "SELECT * FROM st_grant_log", "SELECT * FROM access_log",
                       "SELECT * FROM reviews", "SELECT st_who()"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(denied)


def test_a_lado_of_one_authority_cannot_create_or_claim_a_record_of_another(region):
    with sql(region, "lado_nth") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO contacts (key, doc, rev, seq, authority) VALUES "
                         "('L-2018-9000', '{\"reference\": \"L-2018-9000\"}', 1, 0, 'EBR')")
        assert conn.execute("UPDATE contacts SET doc = doc WHERE key = %s", (region["ebr"],)).rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE contacts SET authority = 'EBR' WHERE key = %s", (region["nth"],))
        conn.execute("SET safeguard_tracker.authority = 'EBR'")          # the network's setting: no effect here
        conn.execute("BEGIN")
        conn.execute("UPDATE st_state SET last_seq = last_seq + 1")
        conn.execute("INSERT INTO contacts (key, doc, rev, seq) SELECT 'L-2018-9001', "
                     "'{\"reference\": \"L-2018-9001\"}', 1, last_seq FROM st_state")
        assert conn.execute("SELECT authority FROM contacts WHERE key = 'L-2018-9001'").fetchone()[0] == "NTH"
        conn.execute("ROLLBACK")
        figures = conn.execute("SELECT authority, contacts FROM st_authority_figures ORDER BY 1").fetchall()
        assert figures == [("EBR", 1), ("NTH", 1)]          # the other's aggregates only
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM st_contact_figures")


def test_the_change_notices_carry_a_number_only(store):
    from safeguard_tracker.store.postgres.store import CHANNEL
    with sql(store, "partner") as listener:
        listener.execute(f"LISTEN {CHANNEL}")
        with _open(cluster().url_as(store["url"], store["logins"]["lado"])) as lado:
            lado.add_note(store["contact"], f"spoke to {SECRET}")
        payloads = [n.payload for n in listener.notifies(timeout=10, stop_after=1)]
    assert payloads and all(p.isdigit() for p in payloads)


def test_a_store_made_by_admin_migrate_lets_no_login_make_temporary_tables(capsys):
    """Defence in depth beside the functions' search path: where `admin migrate` made the schema, a login given a
    role may not create the temporary table or function that would shadow one of the store's."""
    c = cluster()
    url = c.new_database(schema=False)
    assert main(["--db", url, "admin", "migrate"]) == 0
    login = f"atk_tmp_{_n()}"
    c.login(login)
    with _open(url, user="owner") as owner:
        owner.grant_role(login, "lado")
    with psycopg.connect(c.url_as(url, login), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(SHADOW_USERS)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("CREATE FUNCTION pg_temp.peek() RETURNS boolean LANGUAGE sql AS 'SELECT true'")
    capsys.readouterr()


def test_a_restored_database_that_lets_logins_make_temporary_tables_again_fails_check_until_admin_migrate(capsys):
    """A database's own rights are not in a plain pg_dump nor copied with a template: one restored so has the
    right to make temporary tables back.  `check` says so, whoever runs it, and `admin migrate` takes it away."""
    c = cluster()
    url = c.new_database()
    database = url.split("?", 1)[0].rsplit("/", 1)[1]
    with c.admin() as conn:
        conn.execute(f"GRANT TEMPORARY ON DATABASE {database} TO PUBLIC")        # as after pg_restore
    with _open(url, user="owner") as owner:
        assert any("temporary tables" in p and "admin migrate" in p for p in owner.check())
    capsys.readouterr()
    assert main(["--db", url, "check"]) == 1
    assert "every login may make temporary tables" in capsys.readouterr().out
    assert main(["--db", url, "admin", "migrate"]) == 0
    assert "logins may no longer make temporary tables" in capsys.readouterr().out
    with _open(url, user="owner") as owner:
        assert owner.check() == []
    assert main(["--db", url, "admin", "migrate"]) == 0
    assert "nothing to do" in capsys.readouterr().out


def test_a_login_given_a_role_by_hand_is_held_to_the_role_never_taken_for_the_owner(store):
    """GRANT of a store role outside the tool (or a membership kept through a restore) leaves no row in
    st_users: the checks that once read "no row" as the owner now hold such a login to its role's rules."""
    c = cluster()
    hand = f"atk_byhand_{_n()}"
    c.login(hand)
    with _open(store["url"], user="owner") as owner:
        owner.close_contact(store["contact"], outcome="unfounded", closed_on="2018-06-01")
        owner.redact_contact(store["contact"])
    with owner_sql(store) as conn:
        role = conn.execute("SELECT name FROM st_roles WHERE kind = 'lado'").fetchone()[0]
        conn.execute(f'GRANT "{role}" TO "{hand}"')
    with psycopg.connect(c.url_as(store["url"], hand), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="stays redacted"):
            conn.execute("UPDATE contacts SET doc = (doc::jsonb - 'redacted_on')::json WHERE key = %s",
                         (store["contact"],))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="a record the store holds"):
            conn.execute("INSERT INTO audit (id, seq, tbl, ref, field, at, username, entry) VALUES "
                         "(999999, 1, 'contacts', 'L-2099-9999', 'summary', 'x', session_user, "
                         "json_build_object('user', session_user, 'at', 'x', 'ref', 'L-2099-9999', 'field', 'summary'))")
    with _open(c.url_as(store["url"], hand)) as t:                   # the tool takes it for its role, not the owner
        assert t.role == "lado"


def test_a_login_given_a_role_by_hand_in_a_region_sees_no_authority_and_is_told_how_to_be_given_one(region):
    c = cluster()
    hand = f"atk_byhand_{_n()}"
    c.login(hand)
    with owner_sql(region) as conn:
        role = conn.execute("SELECT name FROM st_roles WHERE kind = 'lado'").fetchone()[0]
        conn.execute(f'GRANT "{role}" TO "{hand}"')
    with psycopg.connect(c.url_as(region["url"], hand), autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM contacts").fetchone()[0] == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="belongs to one of the store's authorities"):
            conn.execute("INSERT INTO contacts (key, doc, rev, seq) VALUES ('L-2099-0001', '{}', 1, 0)")
    with pytest.raises(st.errors.StoreError, match=f"{hand} was given its role by hand.*admin grant {hand} ROLE "
                                                   f"--authority CODE"):
        _open(c.url_as(region["url"], hand))


def test_a_schema_made_by_a_login_that_does_not_own_the_database_says_who_must_close_temporary_tables(capsys):
    """PostgreSQL only warns when someone other than the database's owner revokes a right on it: admin migrate
    must not say the right is gone when it is not, and must name who can take it away."""
    c = cluster()
    url = c.new_database(schema=False)
    owner = f"schema_owner_{_n()}"
    c.login(owner)
    with c.admin() as conn:
        conn.execute(f'ALTER ROLE "{owner}" CREATEROLE')
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'GRANT CREATE ON SCHEMA public TO "{owner}"')
    assert main(["--db", c.url_as(url, owner), "admin", "migrate"]) == 0
    said = capsys.readouterr().out
    assert "schema now at version" in said and "only the database's owner, postgres, or a superuser" in said
    assert main(["--db", c.url_as(url, owner), "admin", "migrate"]) == 0
    said = capsys.readouterr().out
    assert "may no longer make temporary tables" not in said and "only the database's owner, postgres" in said


def test_a_partner_cannot_change_its_action_outside_a_recorded_transaction(store):
    """A partner's UPDATE of its own action with a number from the past, no row of st_transactions and no trail
    entry would change the evidence unseen by the history and by every open screen: refused at the commit."""
    with sql(store, "partner") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="recorded as the store's own transaction"):
            conn.execute("UPDATE actions SET doc = (doc::jsonb || '{\"evidence\": \"silently replaced\"}')::json, "
                         "rev = rev + 1, seq = seq + 1 WHERE key = %s", (store["police"],))
    with _open(store["url"], user="owner") as owner:
        assert owner.get_action(store["police"]).evidence != "silently replaced"
        assert [p for p in owner.check() if "temporary tables" not in p] == []   # (the fixture allows them)
    with _open(cluster().url_as(store["url"], store["logins"]["partner"])) as partner:   # the tool's own way
        partner.record_evidence(store["police"], evidence="attendance list")
        assert partner.get_action(store["police"]).evidence == "attendance list"
