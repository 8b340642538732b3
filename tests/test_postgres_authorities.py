"""Several authorities in one database: each authority's logins see its own records only (through the API
and through SQL), references never repeat across them, the region's network sees them all or one at a
time, and every authority sees the others' aggregate figures only, side by side in the annual report."""

from __future__ import annotations

import itertools
import json
import os
from datetime import date

import psycopg
import pytest

import safeguard_tracker as st
from safeguard_tracker.cli import main
from safeguard_tracker.errors import StoreError

from pg_cluster import cluster

TODAY = date(2018, 6, 15)
_numbers = itertools.count(1)


def _open(url, user=None, **kw):
    return st.open_tracker(url, user=user, today=lambda: TODAY, **kw)


@pytest.fixture
def region(pg_url):
    """Northshire (NTH, 60,000 children) and Eastbridge (EBR, 40,000), a LADO of each, the network's LADO and
    analyst.  Northshire logs 4 contacts in 2017-18 (3 referrals, 2 substantiated, 1 of them closed within a
    month); Eastbridge 2 (1 referral, unfounded, closed after 2 months)."""
    c = cluster()
    n = f"{os.getpid()}_{next(_numbers)}"
    logins = {k: f"{k}_{n}" for k in ("lado_nth", "lado_ebr", "lado_net", "analyst_net")}
    for login in logins.values():
        c.login(login)
    with _open(pg_url, user="owner") as owner:
        owner.add_authority("NTH", "Northshire County Council", child_population=60_000)
        owner.add_authority("EBR", "Eastbridge Borough Council", child_population=40_000)
        owner.grant_role(logins["lado_nth"], "lado", authority="NTH")
        owner.grant_role(logins["lado_ebr"], "lado", authority="EBR")
        owner.grant_role(logins["lado_net"], "lado")
        owner.grant_role(logins["analyst_net"], "analyst")
    url = lambda who: c.url_as(pg_url, logins[who])       # noqa: E731
    made = {"NTH": [], "EBR": []}
    with _open(url("lado_nth")) as nth, _open(url("lado_ebr")) as ebr:
        def log(t, code, received, category, outcome=None, closed=None, name="Jordan Vale"):
            c = t.add_contact(received_on=received, agency="Police", category=category, subject_name=name)
            if outcome:
                t.close_contact(c.reference, outcome=outcome, closed_on=closed)
            made[code].append(c.reference)
        log(nth, "NTH", "05/05/2017", "referral", "substantiated", "20/05/2017")
        log(ebr, "EBR", "06/05/2017", "referral", "unfounded", "10/07/2017", name="Robin Marsh")
        log(nth, "NTH", "07/06/2017", "referral", "substantiated", "30/09/2017")
        log(nth, "NTH", "08/06/2017", "referral")
        log(ebr, "EBR", "09/06/2017", "enquiry", "advice_given", "10/06/2017", name="Robin Marsh")
        log(nth, "NTH", "10/06/2017", "enquiry", "advice_given", "12/06/2017")
    return {"url": pg_url, "as": url, "logins": logins, "made": made}


def test_each_authority_sees_its_own_records_and_references_never_repeat(region):
    made = region["made"]
    every = made["NTH"] + made["EBR"]
    assert len(set(every)) == 6 and sorted(every) == [f"L-2017-{i:04d}" for i in range(1, 7)]
    with _open(region["as"]("lado_nth")) as nth:
        assert sorted(nth.store.all("contacts")) == sorted(made["NTH"]) and nth.authority == "NTH"
        assert "Robin Marsh" not in json.dumps(nth.store.audit_trail())
        assert nth.check() == []
    with psycopg.connect(region["as"]("lado_ebr")) as conn:
        assert sorted(r[0] for r in conn.execute("SELECT key FROM contacts")) == sorted(made["EBR"])
        trail = conn.execute("SELECT string_agg(entry::text, ' ') FROM audit").fetchone()[0]
        assert "Jordan Vale" not in trail and "Robin Marsh" in trail
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE contacts SET authority = 'NTH'")
    with pytest.raises(StoreError, match="belongs to EBR"):
        _open(region["as"]("lado_ebr"), authority="NTH")


def test_the_network_sees_every_authority_or_works_in_one_and_a_record_names_its_authority(region):
    made = region["made"]
    with _open(region["as"]("lado_net")) as net:
        assert len(net.store.all("contacts")) == 6
        with pytest.raises(StoreError, match="several authorities: say which one"):
            net.add_contact(received_on="05/01/2018", agency="Police", category="enquiry")
    with _open(region["as"]("lado_net"), authority="EBR") as ebr:
        assert sorted(ebr.store.all("contacts")) == sorted(made["EBR"])
        new = ebr.add_contact(received_on="05/01/2018", agency="Police", category="enquiry")
        assert new.reference == "L-2018-0001"
    with _open(region["as"]("lado_ebr")) as t:
        assert new.reference in t.store.all("contacts")
    with _open(region["as"]("lado_nth")) as t:
        assert new.reference not in t.store.all("contacts")
    with pytest.raises(StoreError, match="no authority 'XYZ'"):
        _open(region["as"]("lado_net"), authority="XYZ")


def test_every_authority_sees_the_others_aggregates_only_side_by_side_in_the_annual_report(region):
    with _open(region["as"]("lado_nth")) as nth:
        report = json.loads(nth.report_lado_annual("2017-18", fmt="json"))
        md = nth.report_lado_annual("2017-18", fmt="md")
    side = {a["authority"]: a for a in report["authorities"]}
    # Northshire: 4 contacts / 60,000 children = 0.7 per 10,000; 3 referrals (75.0%), 2 substantiated (66.7%),
    # resolved within a month 1 (33.3%), within 3 months 1 (the 07/06 one closed 30/09 is past 3 months),
    # within 12 months 2 (66.7%), 1 open.
    n = side["NTH"]
    assert (n["contacts"], n["per_10000_children"], n["referrals"], n["referral_percent"]) == (4, 0.7, 3, 75.0)
    assert (n["substantiated_percent"], n["resolved_1_month"], n["resolved_3_months"], n["resolved_12_months"],
            n["referrals_open"]) == (66.7, 1, 1, 2, 1)
    # Eastbridge: 2 contacts / 40,000 = 0.5; 1 referral (50.0%), unfounded: no basis; closed 10/07 after 06/05,
    # past a month, within 3.
    e = side["EBR"]
    assert (e["contacts"], e["per_10000_children"], e["referrals"], e["referral_percent"], e["no_basis"]) == \
        (2, 0.5, 1, 50.0, 1)
    assert (e["resolved_1_month"], e["resolved_3_months"], e["resolved_12_months"]) == (0, 1, 1)
    assert "The region's authorities side by side, 2017/18" in md and "Eastbridge Borough Council (EBR)" in md
    assert "Robin Marsh" not in md
    with psycopg.connect(region["as"]("lado_nth")) as conn:
        rows = conn.execute("SELECT authority, contacts FROM st_authority_figures ORDER BY authority").fetchall()
        assert rows == [("EBR", 2), ("NTH", 4)]
    with _open(region["as"]("analyst_net")) as analyst:
        assert len(analyst.store.all("contacts")) == 6


def test_a_store_of_several_authorities_moves_out_one_authority_at_a_time(region, tmp_path, capsys):
    url, made = region["url"], region["made"]
    with pytest.raises(StoreError, match="holds 2 authorities"):
        st.store.moving.move_store(url, str(tmp_path / "all.json"))
    assert main(["--authority", "NTH", "migrate", "--from", url, "--to", str(tmp_path / "nth.json")]) == 0
    assert "both hold the same" in capsys.readouterr().out
    with st.open_tracker(str(tmp_path / "nth.json"), user="checker") as t:
        assert sorted(t.store.all("contacts")) == sorted(made["NTH"]) and t.check() == []
        assert "Robin Marsh" not in json.dumps(t.store.audit_trail())
        trail = list(t.store.all("audit"))
        assert trail == [str(i) for i in range(1, len(trail) + 1)]     # numbered afresh: no gaps where EBR's were
        t.add_note(made["NTH"][0], "after the move")        # the file numbers its next trail entry soundly
        assert t.check() == []


def test_the_first_authority_takes_in_what_a_store_already_held(pg_url, capsys):
    with _open(pg_url, user="owner") as owner:
        c = owner.add_contact(received_on="05/01/2018", agency="Police", category="enquiry")
    assert main(["--db", pg_url, "admin", "authority", "add", "WST", "Westmoor Council", "--children", "30000"]) == 0
    assert main(["--db", pg_url, "admin", "authority", "list"]) == 0
    assert "Westmoor Council" in capsys.readouterr().out
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT authority FROM contacts WHERE key = %s", (c.reference,)).fetchone() == ("WST",)
        assert {r[0] for r in conn.execute("SELECT DISTINCT authority FROM audit WHERE tbl = 'contacts'")} == {"WST"}
    with _open(pg_url, user="owner") as owner:
        assert owner.check() == [] and owner.authorities()[0]["child_population"] == 30000


def test_the_owners_change_to_a_record_stays_in_that_records_authority(region):
    nth_contact = region["made"]["NTH"][0]
    with _open(region["url"], user="owner") as owner:           # the owner sees the whole region, unscoped
        owner.add_note(nth_contact, "corrected by the data team: Quinn Harrow")
    with _open(region["as"]("lado_nth")) as nth:
        assert "Quinn Harrow" in json.dumps(nth.history(nth_contact), default=str)
    with psycopg.connect(region["as"]("lado_ebr")) as conn:
        trail = conn.execute("SELECT string_agg(entry::text, ' ') FROM audit").fetchone()[0]
        assert "Quinn Harrow" not in trail


def test_an_authoritys_own_report_counts_its_own_children_and_a_rename_keeps_them(region):
    with _open(region["as"]("lado_ebr")) as ebr:
        report = json.loads(ebr.report_lado_annual("2017-18", fmt="json"))
    assert report["measures"]["rate_per_10000"]["population"] == 40_000
    with _open(region["url"], user="owner") as owner:
        owner.add_authority("EBR", "Eastbridge Council")                  # renamed; children not given again
        assert {a["code"]: a["child_population"] for a in owner.authorities()} == {"EBR": 40_000, "NTH": 60_000}


def test_a_file_whose_count_lags_its_records_moves_in_without_a_number_issued_twice(tmp_path, capsys):
    from safeguard_tracker.store.file_store import FileStore
    with st.open_tracker(str(tmp_path / "a.json"), user="a.lado", today=lambda: TODAY) as t:
        for _ in range(3):
            t.add_contact(received_on="05/01/2018", agency="Police", category="enquiry")
        tables = {k: dict(v) for k, v in t.store.tables.items()}
        seq = t.store.last_seq
    FileStore(tmp_path / "lagging.json").create_from(tables, seq, {})     # a count that says nothing
    url = cluster().new_database(schema=False)
    assert main(["migrate", "--from", str(tmp_path / "lagging.json"), "--to", url]) == 0
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT issued ->> 'L-2018-' FROM st_state").fetchone() == ("3",)


def test_no_login_rewrites_a_trail_it_may_not_change_nor_outside_the_redaction(region):
    ebr_contact = region["made"]["EBR"][1]          # closed (advice given), so it can be redacted
    nth_contact = region["made"]["NTH"][3]
    with _open(region["as"]("lado_ebr")) as ebr:
        ebr.redact_contact(ebr_contact)
    with _open(region["as"]("lado_nth")) as nth:
        nth.redact_contact(nth_contact)
    for login, ref in (("lado_nth", ebr_contact), ("lado_nth", nth_contact)):    # another's; its own, afterwards
        with psycopg.connect(region["as"](login)) as conn:
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="only the transaction that redacts"):
                conn.execute("SELECT st_rewrite_trail(%s, ARRAY[1]::bigint[], ARRAY['{}']::text[])", (ref,))
    with _open(region["as"]("lado_ebr")) as ebr:
        assert ebr.check() == []


def test_an_authoritys_admin_gives_and_takes_roles_in_its_own_authority_only(region):
    c = cluster()
    n = f"{os.getpid()}_{next(_numbers)}"
    admin, spare = f"admin_nth_{n}", f"spare_{n}"
    for login in (admin, spare):
        c.login(login)
    with _open(region["url"], user="owner") as owner:
        owner.grant_role(admin, "admin", authority="NTH")
    with _open(c.url_as(region["url"], admin)) as nth_admin:
        nth_admin.grant_role(spare, "lado")                          # a new login: placed in NTH, not the network
        with pytest.raises(StoreError, match="own logins only"):
            nth_admin.revoke_role(region["logins"]["lado_net"])
        with pytest.raises(StoreError, match="own logins only"):
            nth_admin.grant_role(region["logins"]["lado_ebr"], "lado", authority="NTH")
        holders = {h.username: h for h in nth_admin.role_holders()}
        assert holders[spare].authority == "NTH" and region["logins"]["lado_ebr"] not in holders
    with _open(c.url_as(region["url"], spare)) as t:
        assert sorted(t.store.all("contacts")) == sorted(region["made"]["NTH"])


def test_a_network_login_working_in_one_authority_holds_only_its_figures(region):
    with _open(region["as"]("analyst_net"), authority="EBR") as analyst:
        assert sorted(analyst.store.all("contacts")) == sorted(region["made"]["EBR"])


def test_a_move_into_an_authority_the_target_lacks_writes_nothing(tmp_path, capsys):
    with st.open_tracker(str(tmp_path / "a.json"), user="a.lado", today=lambda: TODAY) as t:
        t.add_contact(received_on="05/01/2018", agency="Police", category="enquiry")
    url = cluster().new_database(schema=False)
    assert main(["--authority", "NTH", "migrate", "--from", str(tmp_path / "a.json"), "--to", url]) == 1
    assert "has no such authority yet" in capsys.readouterr().err
    with st.open_tracker(str(tmp_path / "a.json"), user="a.lado") as t:
        assert t.access_log() == []
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT to_regclass('st_schema')").fetchone()[0] is None
