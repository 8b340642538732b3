"""Roles that the database enforces: what each role sees and may change, through the API and through a SQL
client alike (a partner with psql gets no further than with the TUI), and attribution to the login."""

from __future__ import annotations

import itertools
import os
from datetime import date

import psycopg
import pytest

import safeguard_tracker as st
from safeguard_tracker.cli import main
from safeguard_tracker.errors import StoreError, ValidationError

from pg_cluster import cluster

TODAY = date(2018, 6, 15)
SECRET = "Quentin Marlowe-Prys"          # a member of staff under investigation (invented)
_numbers = itertools.count(1)


def _open(url, user=None):
    return st.open_tracker(url, user=user, today=lambda: TODAY)


@pytest.fixture
def store(pg_url):
    """A store with two contacts, a review, and actions led by two agencies; a login for each role."""
    c = cluster()
    n = f"{os.getpid()}_{next(_numbers)}"
    logins = {role: f"{role}_{n}" for role in ("lado", "subgroup", "partner", "other_partner", "analyst", "admin",
                                                 "nobody")}
    for login in logins.values():
        c.login(login)
    with _open(pg_url, user="owner") as owner:
        for _ in range(2):
            contact = owner.add_contact(received_on="05/01/2018", agency="Police", category="referral",
                                        subject_name=SECRET, summary="alleged to have hit a pupil")
        review = owner.add_review(name="Robin", kind="lcspr", known_on="2018-01-11", notified_on="2018-01-13")
        owner.add_recommendation(review.reference, text="Share the learning", owner_agencies="Police; Medway Council")
        police = owner.add_action(review.reference, 1, description="Brief every officer", lead_agency="Police",
                                  lead_officer="Officer One", due="2018-09-30")
        council = owner.add_action(review.reference, 1, description="Update the procedure",
                                   lead_agency="Medway Council", lead_officer="Officer Two", due="2018-09-30")
        owner.grant_role(logins["lado"], "lado")
        owner.grant_role(logins["subgroup"], "subgroup")
        owner.grant_role(logins["partner"], "partner", agency="police")        # the list's own name is kept
        owner.grant_role(logins["other_partner"], "partner", agency="Medway Council")
        owner.grant_role(logins["analyst"], "analyst")
        owner.grant_role(logins["admin"], "admin")
    return {"url": pg_url, "logins": logins, "contact": contact.reference, "review": review.reference,
            "police": police.reference, "council": council.reference}


def as_(store, role):
    return cluster().url_as(store["url"], store["logins"][role])


def sql(store, role):
    return psycopg.connect(as_(store, role), autocommit=True)


def test_the_lado_has_the_contacts_and_nothing_of_the_plans(store):
    with _open(as_(store, "lado"), user="someone.else") as t:
        assert t.role == "lado" and len(t.contacts()) == 2 and t.store.all("actions") == {}
        assert any("recorded under your login" in w for w in t.store.warnings)
        t.add_note(store["contact"], "rang the head teacher")
        assert t.history(store["contact"])[-1].user == store["logins"]["lado"]          # not 'someone.else'
        with pytest.raises(StoreError, match="lado role may not add reviews; nothing was saved"):
            t.add_review(name="Sky", kind="lcspr", known_on="2018-06-11")
        assert t.check() == []
    with sql(store, "lado") as conn:
        assert conn.execute("SELECT count(*) FROM contacts").fetchone()[0] == 2
        assert {r[0] for r in conn.execute("SELECT DISTINCT tbl FROM audit")} <= {"contacts", "settings"}
        for denied in ("SELECT * FROM actions", "SELECT * FROM reviews", "SELECT * FROM access_log"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(denied)


def test_the_sub_group_has_the_plans_and_no_contact_nor_anything_said_of_one(store):
    with _open(as_(store, "subgroup")) as t:
        assert t.store.all("contacts") == {} and len(t.store.all("actions")) == 2
        assert SECRET not in str(t.store.audit_trail())
        t.add_update(store["council"], "procedure drafted")
        assert t.check() == []
    with sql(store, "subgroup") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM contacts")
        trail = conn.execute("SELECT string_agg(entry::text, ' ') FROM audit").fetchone()[0]
        assert SECRET not in trail and "contacts" not in {r[0] for r in conn.execute("SELECT tbl FROM audit")}


def test_a_partner_sees_only_its_agencys_actions_and_may_add_progress_and_evidence_only(store):
    with _open(as_(store, "partner")) as t:
        assert t.role == "partner" and list(t.store.all("actions")) == [store["police"]]
        assert t.store.all("contacts") == {}
        t.add_update(store["police"], "briefing booked for every team")
        t.record_evidence(store["police"], evidence="attendance list")
        with pytest.raises(StoreError, match="a partner may add progress updates and evidence"):
            t.revise_due(store["police"], "2019-03-31", "more time")
        with pytest.raises(StoreError, match="partner role may not change reviews"):
            t.update_review(store["review"], chair="Someone")
    with _open(store["url"], user="owner") as owner:
        action = owner.get_action(store["police"])
        assert action.status.value == "in_progress" and action.evidence == "attendance list"
        assert action.updates[-1].by == store["logins"]["partner"] and action.due_on == date(2018, 9, 30)
        assert owner.get_action(store["council"]).updates == () and owner.check() == []
    with sql(store, "partner") as conn:
        assert [r[0] for r in conn.execute("SELECT key FROM actions")] == [store["police"]]
        assert conn.execute("UPDATE actions SET seq = seq WHERE key = %s", (store["council"],)).rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="a partner may"):
            conn.execute("UPDATE actions SET doc = (doc::jsonb || '{\"due_on\": \"2020-01-01\"}')::json")
        assert {r[0] for r in conn.execute("SELECT ref FROM audit")} == {store["police"]}
        for denied in ("SELECT * FROM contacts", "SELECT * FROM st_contact_figures", "SELECT * FROM access_log",
                       "INSERT INTO actions (key, doc, rev, seq) VALUES ('A-999999', '{}', 1, 0)"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(denied)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):   # a trail entry about another agency's action
            conn.execute("INSERT INTO audit (id, seq, tbl, ref, field, at, username, entry) VALUES "
                         "(999999, 1, 'actions', %s, 'evidence', 'x', session_user, "
                         "json_build_object('user', session_user))", (store["council"],))
    with _open(as_(store, "other_partner")) as other:
        assert list(other.store.all("actions")) == [store["council"]]
    with _open(as_(store, "partner")) as t:            # its check: its own actions against their trail
        assert t.check() == [] and t.store.check_left_out == ["reviews (the partner role does not read their trail)"]
        held = t.store.tables["actions"]             # its copy of its action, changed behind the trail's back
        held[store["police"]] = {**held[store["police"]], "evidence": "planted"}
        assert any(f"actions {store['police']}: the audit trail does not agree" in p for p in t.check())


def test_no_role_can_write_in_another_name_or_wind_the_store_back(store):
    with sql(store, "lado") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO audit (id, seq, tbl, ref, field, at, username, entry) VALUES "
                         "(999999, 1, 'contacts', 'L-2018-0001', 'summary', 'x', 'someone.else', "
                         "'{\"user\": \"someone.else\"}')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE st_state SET last_seq = 0")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE st_state SET issued = '{}'::jsonb")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE audit SET entry = entry")


def test_the_analyst_reads_figures_without_personal_data_and_changes_nothing(store):
    with sql(store, "analyst") as conn:
        figures = conn.execute("SELECT string_agg(doc::text, ' ') FROM st_contact_figures").fetchone()[0]
        assert "referral" in figures and SECRET not in figures and "hit a pupil" not in figures
        assert conn.execute("SELECT count(*) FROM st_action_figures").fetchone()[0] == 2
        for denied in ("SELECT * FROM contacts", "SELECT * FROM audit", "SELECT * FROM actions"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(denied)
    with _open(as_(store, "analyst")) as t:
        assert t.store.read_only and len(t.contacts()) == 2 and SECRET not in str(t.store.all("contacts"))
        assert "referral" in t.report_lado_annual("2017-18", fmt="json")
        with pytest.raises(StoreError):
            t.add_contact(received_on="05/01/2018", agency="Police", category="enquiry")


def test_grants_are_made_by_the_owner_or_an_admin_and_listed_with_who_gave_them(store, capsys):
    logins = store["logins"]
    assert main(["--db", as_(store, "admin"), "admin", "who"]) == 0
    out = capsys.readouterr().out
    assert all(login in out for role, login in logins.items() if role != "nobody") and "owner" not in out
    assert main(["--db", as_(store, "admin"), "admin", "grant", logins["nobody"], "subgroup"]) == 0
    assert "now holds the subgroup role" in capsys.readouterr().out
    with _open(as_(store, "nobody")) as t:
        assert t.role == "subgroup"
    assert main(["--db", as_(store, "admin"), "admin", "revoke", logins["nobody"]]) == 0
    with pytest.raises(StoreError, match="holds no role in this store"):
        _open(as_(store, "nobody"))
    assert main(["--db", as_(store, "lado"), "admin", "grant", logins["nobody"], "lado"]) == 1
    assert "only the database owner or an admin" in capsys.readouterr().err
    with _open(as_(store, "admin")) as admin:
        with pytest.raises(ValidationError, match="lado, subgroup, partner, analyst, admin"):
            admin.grant_role(logins["nobody"], "superuser")
        with pytest.raises(ValidationError, match="agency"):
            admin.grant_role(logins["nobody"], "partner")
        with pytest.raises(ValidationError):
            admin.grant_role(logins["nobody"], "partner", agency="No Such Agency")
        with pytest.raises(StoreError, match="no login named"):
            admin.grant_role("not_a_login_here", "lado")
        assert admin.store.all("contacts") == {} and admin.store.all("actions") == {}
    with sql(store, "admin") as conn:
        log = conn.execute("SELECT action, username, kind FROM st_grant_log ORDER BY id").fetchall()
        assert log[-2:] == [("grant", logins["nobody"], "subgroup"), ("revoke", logins["nobody"], "subgroup")]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM st_grant_log")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM contacts")


def test_a_role_here_gives_nothing_in_another_store_on_the_same_server(store):
    other = cluster().new_database(schema=False)      # its own migrations: its own roles, as on a real server
    assert main(["--db", other, "admin", "migrate"]) == 0
    with _open(other, user="owner") as owner:
        owner.add_contact(received_on="05/01/2018", agency="Police", category="referral", subject_name=SECRET)
    with pytest.raises(StoreError, match="holds no role in this store|permission denied|may not connect"):
        _open(cluster().url_as(other, store["logins"]["lado"]))


def test_only_the_owner_copies_a_whole_store_and_a_role_cannot_read_the_access_log(store, tmp_path):
    from safeguard_tracker.store.moving import move_store
    with pytest.raises(StoreError, match="only the database's owner can copy a whole store: the lado role"):
        move_store(as_(store, "lado"), str(tmp_path / "part.json"))
    assert not (tmp_path / "part.json").exists()
    with _open(as_(store, "lado")) as t:
        with pytest.raises(StoreError, match="lado role may not read the access log"):
            t.access_log()
    with _open(as_(store, "admin")) as admin:
        admin.access_log()


@pytest.mark.parametrize("role, command, said", [
    ("partner", ["contacts"], "the partner role does not see contacts (it sees its own agency's actions"),
    ("subgroup", ["contacts", "--status", "open"], "the subgroup role does not see contacts"),
    ("lado", ["actions"], "the lado role does not see actions (it sees contacts)"),
    ("lado", ["reviews"], "the lado role does not see reviews"),
    ("analyst", ["history", "L-2018-0001"], "the analyst role does not see the audit trail"),
    ("admin", ["actions"], "the admin role does not see actions"),
    ("analyst", ["report", "action-plan"], "the analyst role does not see reviews"),     # not a report of zeros
    ("lado", ["export", "actions"], "the lado role does not see actions"),
    ("partner", ["history", "L-2018-0001"], "no contact with reference 'L-2018-0001' that you can see: the partner "
                                            "role does not see contacts"),
    ("subgroup", ["contact", "show", "L-2018-0001"], "that you can see: the subgroup role does not see contacts"),
    ("lado", ["action", "show", "A-000001"], "no action with reference 'A-000001' that you can see: the lado role "
                                             "does not see actions"),
])
def test_a_list_a_role_may_not_see_says_so_rather_than_that_nothing_matches(store, capsys, role, command, said):
    assert main(["--db", as_(store, role)] + command) in (1, 2)      # (2: a reference not found, as for any)
    err = capsys.readouterr().err
    assert said in err and err.count("\n") == 1 and "match" not in err
    with _open(as_(store, role)) as t:
        assert t.unseen(said.split(" does not see ")[1].split(" (")[0].replace("the audit trail", "audit")) is not None
    with _open(as_(store, "subgroup")) as t:                        # what a role sees, it is not told it does not
        assert t.unseen("actions") is None and t.unseen("reviews") is None and t.unseen("audit") is None
    with _open(as_(store, "analyst")) as t:
        assert t.unseen("contacts") is None                      # (its figures, without personal data)


def test_server_refusals_are_one_line_without_the_servers_context(store, capsys):
    assert main(["--db", as_(store, "admin"), "admin", "grant", "not_a_login_here", "lado"]) == 1
    err = capsys.readouterr().err
    assert "no login named not_a_login_here" in err and "CONTEXT" not in err and err.count("\n") == 1
    assert main(["--db", store["url"], "admin", "grant", store["logins"]["nobody"], "partner", "--agency",
                 "kent police"]) == 0
    assert "partner role for Police in" in capsys.readouterr().out


def test_admin_migrate_by_a_login_that_cannot_create_roles_says_so_and_changes_nothing(capsys):
    c = cluster()
    login = f"owner_{os.getpid()}_{next(_numbers)}"
    c.login(login)
    url = c.new_database(schema=False)
    dbname = url.split("?")[0].rsplit("/", 1)[1]
    with c.admin() as conn:
        conn.execute(f'ALTER DATABASE {dbname} OWNER TO "{login}"')
    with psycopg.connect(url, autocommit=True) as conn:     # (PostgreSQL 15: only the owner may create in public)
        conn.execute(f'ALTER SCHEMA public OWNER TO "{login}"')
    assert main(["--db", cluster().url_as(url, login), "admin", "migrate"]) == 1
    err = capsys.readouterr().err
    assert "CREATEROLE" in err and "nothing was changed" in err and "Traceback" not in err
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT to_regclass('st_schema')").fetchone()[0] is None


def test_no_role_can_plant_rows_ahead_of_the_others_writes(store):
    with sql(store, "partner") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO st_transactions (seq, at, username, changed) "
                         "SELECT last_seq + 1, 'x', session_user, '[]' FROM st_state")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE st_state SET last_seq = last_seq + 5")
    with _open(as_(store, "partner")) as t:
        t.add_update(store["police"], "still saving")                 # nothing planted: writers go on
        assert t.get_action(store["police"]).updates[-1].text == "still saving"


def test_an_action_moved_to_another_agency_leaves_the_partners_copy(store):
    with _open(as_(store, "partner")) as partner, _open(as_(store, "subgroup")) as subgroup:
        assert store["police"] in partner.store.all("actions")
        subgroup.update_action(store["police"], lead_agency="Medway Council")
        assert ("actions", store["police"]) in partner.store.refresh()
        assert store["police"] not in partner.store.all("actions")
        assert store["police"] not in {a["ref"] for a in partner.store.audit_trail()}
