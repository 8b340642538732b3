"""Moving a store the project did not write between the file store and PostgreSQL (issue 15, section 4).

Another council's LADO log, in its own column names and words, with its spreadsheet's quirks (Excel
date serials and day-first text dates, trailing spaces, a byte-order mark, CRLF, non-ASCII names,
emoji, a very long cell, newlines and quotes inside cells), is imported into a file store through the
CLI with a saved mapping, edited, given local list entries and settings, one record redacted, a plan
with evidence and sign-off added; then moved to a new database and back to a new file.  All three
must export the same bytes and pass ``check``.  Redaction and retention must behave the same on both
stores, audit values included.  And the refusals: a database that already holds a store, an older
schema, a path that exists, a password in the URL: each refused in one line, with nothing written
anywhere (the source's access log included, docs/postgres.md section 5: "A copy that the target
refuses leaves no line").

All data is synthetic.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import psycopg
import pytest
from pg_cluster import cluster

import safeguard_tracker as st
from safeguard_tracker.cli import main
from safeguard_tracker.errors import StoreError, ValidationError
from safeguard_tracker.store.moving import move_store, whole_bytes
from safeguard_tracker.store.postgres.schema import migrations
from safeguard_tracker.tracker import open_store

TODAY = ["--today", "15/06/2020"]
REFS = ["L-2019-0001", "L-2019-0002", "L-2019-0003", "L-2019-0004", "L-2019-0005", "L-2019-0006"]
LONG = "Chronology: " + "the setting's account differs from the parent's; " * 160     # about 8,000 characters

HEADINGS = ["Case No ", "Date Rec'd", "Source of referral", "Setting type", "Role of adult", "Type of concern",
            "Route", "Result", "Closed on", "Adult's name", "Comments \U0001F4DD", "Employer rpt"]
ROWS = [
    ["FV/2019/001", "43567", "Police ", "School - Primary", "Teaching assistant", "Physical", "Referral",
     "Founded", "01/07/2019", "Zoë O'Brien-Ní Bhriain", 'Parent said "it happened twice"\r\nSchool disputes it',
     "43650"],
    ["FV/2019/002", "01/02/2019", "OFSTED", "Early Years", "Nursery worker ", "Emotional", "Advice only", "", "",
     "Łukasz Żółć", "Emoji \U0001F600\U0001F44D\U0001F3FD and a tab\there", ""],
    ["FV/2019/003", "2019-03-04", "Health", "Health", "Nurse", "Sexual ", "Consultation", "Unfounded", "43600",
     "José Müller-Çelik", "Seen by the nurse's manager", "10/05/2019"],
    ["FV/2019/004", "43800.0", "School - Secondary", "School - Secondary", "Teacher", "Neglect", "Referral",
     "Not known", "", "Ærwyn Ødegård", 'line1\nline2\n"quoted", comma', ""],
    ["FV/2019/005", " 15/10/2019 ", "police", "Faith", "Youth leader", "Suitability", "Advice only", "", "",
     "Siân Ó Súilleabháin", LONG, ""],
    ["FV/2019/006", "43525", "Other", "Sports club", "Coach", "Physical", "Consultation", "Malicious",
     "20/05/2019", "Ŷsgol Pŵll", "Referrer later withdrew \u2014 \u201cmade up\u201d", "43580"],
]
MAPPING = ["--map", "Route=category", "--map", "Adult's name=subject_name", "--map", "Type of concern=harm",
           "--map", "Comments \U0001F4DD=extra", "--map", "Employer rpt=employer_report_received",
           "--value", "category:Advice only=enquiry", "--value", "outcome:Founded=substantiated",
           "--value", "outcome:Unfounded=unfounded", "--value", "outcome:Not known=",
           "--value", "outcome:Malicious=malicious"]


def _csv_bytes() -> bytes:
    """The council's log as its spreadsheet saves it: a BOM, CRLF, cells quoted only where they must be."""
    def cell(v: str) -> str:
        return '"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\r\n') else v
    lines = [",".join(cell(v) for v in row) for row in [HEADINGS, *ROWS]]
    return b"\xef\xbb\xbf" + ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _cli(capsys, *argv: str, code: int = 0):
    rc = main(list(argv))
    out = capsys.readouterr()
    assert rc == code, (argv, rc, out.out[-2000:], out.err[-2000:])
    return out


def _build_foreign_store(folder: Path, capsys) -> str:
    """A file store made from the council's log through the CLI, as the council would make it."""
    log = folder / "fernvale-log.csv"
    log.write_bytes(_csv_bytes())
    db = str(folder / "store.json")

    def run(*argv: str, user: str = "a.lado", code: int = 0):
        return _cli(capsys, "--db", db, "--user", user, *TODAY, *argv, code=code)
    run("init")
    run("import", "contacts", str(log), "--dry-run", *MAPPING, "--save-mapping", "fernvale")
    out = run("import", "contacts", str(log), "--mapping", "fernvale")
    assert "added 6" in out.out
    run("contact", "update", "L-2019-0002", "--summary", 'Multi-line\nsummary with "quotes" and \u2603',
        "--referrer", "Ana Ñúñez", "--case-manager", "Bríd Mac Giolla")
    run("contact", "note", "L-2019-0004", "Rang the school \U0001F4DE; head says 'no comment'")
    run("contact", "note", "L-2019-0001", "Spoke to Zoë's union rep \u2014 \u201cwill cooperate\u201d")
    run("contact", "escalate", "L-2019-0005", "--to", "consultation", "--reason", "a second parent came forward")
    run("vocab", "agencies", "add", "Fernvale Academy Trust", "--group", "education", "--alias", "FAT")
    run("vocab", "agencies", "alias", "Police", "Fernvale Constabulary")
    run("vocab", "outcomes", "alias", "substantiated", "Founded")
    run("settings", "--set", "child_population=48200", "--set", "repeat_years=4")
    run("contact", "update", "L-2019-0001", "--agency", "Fernvale Academy Trust")
    run("redact", "L-2019-0003", "--yes")
    chair = "c.chair"
    run("review", "add", "Child Ŵren \U0001F426", "--kind", "lcspr", "--notified", "24/02/2019",
        "--initiated", "03/04/2019", "--published", "29/03/2020", user=chair)
    run("review", "recommend", "Child Ŵren \U0001F426", 'Agencies should record "why" \u2014\nand when',
        "--agency", "Police", user=chair)
    run("action", "add", "Child Ŵren \U0001F426", "1", "Change the incident form \u2705", "--agency", "Police",
        "--due", "3 months after publication", user=chair)
    run("action", "update", "A-000001", "Draft with Zoë's team", user=chair)
    run("action", "complete", "A-000001", "--evidence", 'Protocol reissued\n(see "v2")', "--follow-up",
        "Audit after 3 months", user=chair)
    run("action", "sign-off", "A-000001", "--by", "Chair, Learning Lessons sub group", user=chair)
    return db


def _access_lines(location: str) -> list:
    s = open_store(location, user="checker")
    try:
        return list(s.access_log())
    finally:
        s.close()


def _digest(location: str) -> str:
    s = open_store(location, user="checker")
    try:
        return hashlib.sha256(whole_bytes(s)).hexdigest()
    finally:
        s.close()


def _exports(location: str) -> tuple:
    with st.open_tracker(location, user="checker") as t:
        return (t.export_contacts("json"), t.export_contacts("csv"), t.export_plans("actions", "json"),
                t.export_plans("actions", "csv"), t.export_plans("reviews", "json"),
                t.export_plans("reviews", "csv"))


def _views(location: str, capsys) -> list[str]:
    """What a user reads with the CLI: every record's history, the lists, the mapping, the settings, the chase
    list, retention and the annual report."""
    outs = []
    for argv in ([["history", r] for r in [*REFS, "A-000001", "A-000002", "R-2019-001"]]
                 + [["vocab", "agencies", "list", "--all", "--format", "csv"],
                    ["vocab", "outcomes", "list", "--format", "csv"], ["mapping", "show", "fernvale"], ["settings"],
                    ["due", "--format", "json"], ["retention", "--as-of", "01/01/2100", "--format", "json"],
                    ["report", "lado-annual", "--year", "2019-20", "--format", "json"]]):
        outs.append(_cli(capsys, "--db", location, *TODAY, *argv).out)
    return outs


def _no_store_in(url: str) -> bool:
    with psycopg.connect(url, autocommit=True) as c:
        if not c.execute("SELECT to_regclass('st_state') IS NOT NULL").fetchone()[0]:
            return True
        return c.execute("SELECT (SELECT count(*) FROM contacts) + (SELECT count(*) FROM audit) + "
                         "(SELECT count(*) FROM access_log) + (SELECT last_seq FROM st_state)").fetchone()[0] == 0


# --- the council's log, to PostgreSQL and back ---------------------------------------------------------------------

def test_a_foreign_councils_log_moves_to_postgres_and_back_and_all_three_export_the_same_bytes(tmp_path, capsys):
    source = _build_foreign_store(tmp_path, capsys)
    url = cluster().new_database(schema=False)
    out = _cli(capsys, "migrate", "--from", source, "--to", url).out
    assert "6 contacts, 1 reviews, 2 actions" in out and "both hold the same" in out
    back = str(tmp_path / "back.json")
    assert "both hold the same" in _cli(capsys, "migrate", "--from", url, "--to", back).out

    held = [_digest(x) for x in (source, url, back)]
    assert held[0] != held[1] == held[2]          # the second copy added its line to the database's log only
    assert [_cli(capsys, "--db", x, "check").out.startswith("sound:") for x in (source, url, back)] == [True] * 3

    exports = [_exports(x) for x in (source, url, back)]
    assert exports[0] == exports[1] == exports[2]
    contacts = {c["reference"]: c for c in json.loads(exports[1][0])["contacts"]}
    assert contacts["L-2019-0001"]["subject"]["name"] == "Zoë O'Brien-Ní Bhriain"
    assert "\U0001F44D\U0001F3FD" in json.dumps(contacts["L-2019-0002"], ensure_ascii=False)
    assert LONG.strip() in json.dumps(contacts, ensure_ascii=False)
    assert not json.dumps(contacts["L-2019-0003"], ensure_ascii=False).count("José")      # redacted, and stays so
    assert [_views(x, capsys) for x in (source, url)] == [_views(back, capsys)] * 2

    for x in (url, back):      # the council's lists, its saved mapping and its settings came along
        with st.open_tracker(x, user="checker") as t:
            assert t.store.get("settings", next(iter(t.store.all("settings")))) is not None
            assert "Fernvale Academy Trust" in _cli(capsys, "--db", x, "vocab", "agencies", "list").out


def test_after_a_move_both_stores_issue_the_same_next_references(tmp_path, capsys):
    """The numbers issued are carried: the next contact, review and action get the same reference either side,
    and none already used (the redacted record's included)."""
    source = _build_foreign_store(tmp_path, capsys)
    url = cluster().new_database(schema=False)
    move_store(source, url)
    got = []
    for x in (source, url):
        with st.open_tracker(x, user="a.lado", today=lambda: date(2020, 6, 15)) as t:
            c = t.add_contact(received_on="05/01/2019", agency="Police", category="enquiry")
            got.append(c.reference)
    assert got[0] == got[1] and got[0] not in REFS


# --- redaction and retention on both stores ------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["owner", "lado role"])
def test_redaction_and_retention_on_postgres_match_the_file_store_audit_values_included(who, tmp_path, capsys, clock):
    source = _build_foreign_store(tmp_path, capsys)
    url = cluster().new_database(schema=False)
    move_store(source, url)
    assert _digest(source) == _digest(url)
    officer = "d.p.officer"
    if who == "lado role":      # the LADO's own login, given the role after the move (docs/postgres.md section 5)
        cluster().login("fv.lado")
        _cli(capsys, "--db", url, "admin", "grant", "fv.lado", "lado")
        officer = "fv.lado"
    as_officer = cluster().url_as(url, officer) if who == "lado role" else url

    before = [_cli(capsys, "--db", x, *TODAY, "retention", "--as-of", "01/01/2100", "--format", "json").out
              for x in (source, url)]
    assert before[0] == before[1]
    flagged = json.loads(before[0])
    assert [i["reference"] for i in flagged["remove_identity"]] == ["L-2019-0006"]   # malicious, still named

    clock("2020-06-15")
    said = [_cli(capsys, "--db", x, "--user", officer, *TODAY, "redact", "L-2019-0006", "--yes")
            for x in (source, as_officer)]
    assert said[0].out.split(";")[0] == said[1].out.split(";")[0]
    assert "pg_dump" in said[1].err                   # the server's own warning: older dumps still hold the values
    assert _digest(source) == _digest(url)            # the record, its trail and everything else, byte for byte

    for x in (source, url):
        s = open_store(x, user="checker")
        try:
            text = json.dumps([s.get("contacts", "L-2019-0006"), s.history("L-2019-0006")], ensure_ascii=False)
        finally:
            s.close()
        for value in ("Ŷsgol Pŵll", "made up", "FV/2019/006"):
            assert value not in text, (x, value)
    hist = [_cli(capsys, "--db", x, "history", "L-2019-0006").out for x in (source, url)]
    assert hist[0] == hist[1] and "redacted" in hist[0]
    after = [_cli(capsys, "--db", x, *TODAY, "retention", "--as-of", "01/01/2100", "--format", "json").out
             for x in (source, url)]
    assert after[0] == after[1] != before[0]
    assert json.loads(after[0])["remove_identity"] == []
    assert _exports(source) == _exports(url)
    assert [_cli(capsys, "--db", x, "check").out.startswith("sound:") for x in (source, url)] == [True, True]
    # and a store redacted on the server moves back out whole, with the values still gone
    back = str(tmp_path / "back.json")
    _cli(capsys, "migrate", "--from", url, "--to", back)
    assert _exports(back) == _exports(url)
    assert "Ŷsgol" not in json.dumps(_exports(back), ensure_ascii=False)


def test_redacting_an_open_record_is_refused_alike_and_writes_nothing_on_either_store(tmp_path, capsys):
    source = _build_foreign_store(tmp_path, capsys)
    url = cluster().new_database(schema=False)
    move_store(source, url)
    held = [_digest(x) for x in (source, url)]
    errs = [_cli(capsys, "--db", x, *TODAY, "redact", "L-2019-0004", "--yes", code=2).err for x in (source, url)]
    assert errs[0] == errs[1] and "open" in errs[0]
    assert [_digest(x) for x in (source, url)] == held


# --- the refusals: nothing written anywhere --------------------------------------------------------------------

def test_a_database_already_holding_a_store_is_refused_and_nothing_is_written_either_side(tmp_path, capsys):
    source = _build_foreign_store(tmp_path, capsys)
    url = cluster().new_database()
    with st.open_tracker(url, user="a.lado") as t:
        t.add_contact(received_on="05/01/2018", agency="Police", category="enquiry")
    held = (_digest(source), _digest(url), len(_access_lines(source)))
    err = _cli(capsys, "migrate", "--from", source, "--to", url, code=1).err
    assert "already holds a store" in err and err.count("\n") == 1
    assert (_digest(source), _digest(url), len(_access_lines(source))) == held


def _older_database(version: int) -> str:
    """A new database holding the schema as it stood at ``version`` (the migrations up to it, as an older
    safeguard-tracker's ``admin migrate`` left it)."""
    url = cluster().new_database(schema=False)
    with psycopg.connect(url) as c:
        for m in migrations()[:version]:
            c.execute(m.sql)
            c.execute("INSERT INTO st_schema (version, name) VALUES (%s, %s)", (m.version, m.name))
        c.commit()
    return url


@pytest.mark.parametrize("version", [1, 2])
def test_a_move_into_an_empty_database_of_an_older_schema_writes_no_line_in_the_source(version, tmp_path, capsys):
    """An empty database whose schema an older version made: the move either upgrades it and copies (the schema
    is created when there is none), or is refused before anything is written, the source's access log included.
    (Was: it is refused only after the source has logged 'store copied ... ->' the database)."""
    source = _build_foreign_store(tmp_path, capsys)
    url = _older_database(version)
    held = len(_access_lines(source))
    rc = main(["migrate", "--from", source, "--to", url])
    out = capsys.readouterr()
    if rc == 0:
        assert _exports(url) == _exports(source)
    else:
        assert rc == 1 and "admin migrate" in out.err and out.err.count("\n") == 1
        assert len(_access_lines(source)) == held, "the source logged a copy that never happened"


def test_a_move_by_a_login_that_cannot_create_the_schema_says_so_in_one_line_and_logs_nothing(tmp_path, capsys):
    """The database's owner without CREATEROLE (docs/postgres.md section 3): `admin migrate` says so in one line;
    `migrate --to` that database must too, and leave the source's log alone.
    (Was: a psycopg traceback (InsufficientPrivilege), after the source logged the copy)."""
    source = _build_foreign_store(tmp_path, capsys)
    c = cluster()
    c.login("fv_owner_nocr")
    name = f"nocr_{tmp_path.name[-12:].replace('-', '_').lower()}"
    with c.admin() as conn:
        conn.execute(f'CREATE DATABASE {name} OWNER "fv_owner_nocr"')
    url = c.url(name, user="fv_owner_nocr")
    held = len(_access_lines(source))
    try:
        rc = main(["migrate", "--from", source, "--to", url])
    except psycopg.Error as exc:           # (what a user sees as a traceback)
        pytest.fail(f"a traceback instead of one line: {type(exc).__name__}: {exc}; the source's log went from "
                    f"{held} to {len(_access_lines(source))} line(s)")
    err = capsys.readouterr().err
    assert rc == 1 and "CREATEROLE" in err and err.count("\n") == 1
    assert len(_access_lines(source)) == held


def test_a_move_from_a_database_of_an_older_schema_is_refused_and_no_file_is_made(tmp_path, capsys):
    url = _older_database(2)
    target = tmp_path / "out.json"
    err = _cli(capsys, "migrate", "--from", url, "--to", str(target), code=1).err
    assert "schema version 2" in err and "admin migrate" in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("make", ["empty file", "folder", "another program's file", "journal left behind"])
def test_a_move_to_a_path_that_exists_is_refused_and_nothing_is_written(make, tmp_path, capsys):
    source = _build_foreign_store(tmp_path, capsys)
    target = tmp_path / "target.json"
    if make == "empty file":
        target.write_bytes(b"")
    elif make == "folder":
        target.mkdir()
    elif make == "another program's file":
        target.write_bytes(b"name,age\r\nnot a store,1\r\n")
    else:
        (tmp_path / "target.json.journal").write_bytes(b"{}\n")
    held = (_digest(source), len(_access_lines(source)))
    before = sorted(p.name for p in tmp_path.iterdir())
    err = _cli(capsys, "migrate", "--from", source, "--to", str(target), code=1).err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert (_digest(source), len(_access_lines(source))) == held
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    if make == "another program's file":
        assert target.read_bytes() == b"name,age\r\nnot a store,1\r\n"


def test_a_move_to_a_dangling_symlink_is_refused_before_the_source_logs_a_copy(tmp_path, capsys):
    """A path whose link points into a folder that does not exist: the copy cannot be written, so it must be
    refused before the source's access log says it was copied.
    (Was: refused only after the source logged 'store copied ... -> link.json')."""
    source = _build_foreign_store(tmp_path, capsys)
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "no-such-folder" / "store.json")
    held = len(_access_lines(source))
    err = _cli(capsys, "migrate", "--from", source, "--to", str(link), code=1).err
    assert err.count("\n") == 1
    assert len(_access_lines(source)) == held, "the source logged a copy that never happened"


def test_a_password_in_the_url_is_never_printed_nor_stored_on_either_side(tmp_path, capsys):
    source = _build_foreign_store(tmp_path, capsys)
    plain = cluster().new_database(schema=False)
    secret = "Fv-S3cr3t!pw"
    netloc = plain.replace("postgresql://postgres@", "postgresql://postgres:Fv-S3cr3t%21pw@")
    query = plain + "&password=Fv-S3cr3t%21pw"
    outs = [_cli(capsys, "migrate", "--from", source, "--to", netloc)]
    outs.append(_cli(capsys, "migrate", "--from", source, "--to", netloc, code=1))     # now it holds a store
    outs.append(_cli(capsys, "migrate", "--from", source, "--to", query, code=1))
    back = tmp_path / "back.json"
    outs.append(_cli(capsys, "migrate", "--from", query, "--to", str(back)))
    outs.append(_cli(capsys, "--db", netloc, "access-log"))
    outs.append(_cli(capsys, "--db", str(back), "access-log"))
    outs.append(_cli(capsys, "--db", source, "access-log"))
    for o in outs:
        for text in (o.out, o.err):
            assert secret not in text and "Fv-S3cr3t%21pw" not in text and "S3cr3t" not in text
    assert "postgres:***@" in outs[0].out and "password=***" in outs[2].err
    for f in tmp_path.rglob("*"):
        if f.is_file():
            assert b"S3cr3t" not in f.read_bytes(), f
    with psycopg.connect(plain, autocommit=True) as c:
        for table in ("access_log", "audit", "st_transactions", "settings"):
            assert "S3cr3t" not in str(c.execute(f"SELECT * FROM {table}").fetchall()), table


def test_an_empty_store_moves_to_postgres_and_back(tmp_path, capsys):
    source = str(tmp_path / "empty.json")
    _cli(capsys, "--db", source, "init")
    url = cluster().new_database(schema=False)
    _cli(capsys, "migrate", "--from", source, "--to", url)
    back = str(tmp_path / "back.json")
    _cli(capsys, "migrate", "--from", url, "--to", back)
    assert _digest(url) == _digest(back)
    assert _exports(source) == _exports(url) == _exports(back)
    assert [_cli(capsys, "--db", x, "check").out.startswith("sound:") for x in (source, url, back)] == [True] * 3
    lists = [_cli(capsys, "--db", x, "vocab", "agencies", "list", "--all", "--format", "csv").out
             for x in (source, url, back)]
    assert lists[0] == lists[1] == lists[2] and lists[0].count("\n") > 10


def test_a_database_with_the_schema_but_no_store_moves_out_and_the_copy_opens(tmp_path, capsys):
    url = cluster().new_database()
    assert _no_store_in(url)
    back = str(tmp_path / "back.json")
    _cli(capsys, "migrate", "--from", url, "--to", back)
    assert _cli(capsys, "--db", back, "check").out.startswith("sound:")
    with st.open_tracker(back, user="a.lado") as t:
        assert t.add_contact(received_on="05/01/2019", agency="Police", category="enquiry").reference == "L-2019-0001"


def test_move_store_refuses_a_non_new_target_through_the_api_too(tmp_path, capsys):
    source = _build_foreign_store(tmp_path, capsys)
    url = cluster().new_database(schema=False)
    move_store(source, url)
    held = len(_access_lines(source))
    with pytest.raises(StoreError, match="already holds a store"):
        move_store(source, url)
    with pytest.raises(StoreError, match="already exists"):
        move_store(url, source)
    assert len(_access_lines(source)) == held


# --- text the server cannot hold, and where a copy went ----------------------------------------------------------

def test_a_nul_character_is_treated_alike_by_both_stores(tmp_path):
    """An analyst's script (the library API) writes a summary pasted from another system, with a NUL in it.
    Both stores must do the same: refuse it in words (a ValidationError naming the field), or keep it.
    (Was: the file store keeps it; the server refuses with its own words ('unsupported Unicode escape
    sequence ... \\u0000 cannot be converted to text'))."""
    outcomes = []
    for where in (str(tmp_path / "store.json"), cluster().new_database()):
        with st.open_tracker(where, user="a.lado") as t:
            try:
                c = t.add_contact(received_on="05/01/2019", agency="Police", category="enquiry",
                                  summary="pasted from the old system:\x00end")
                outcomes.append(("kept", t.get_contact(c.reference).summary))
            except ValidationError:
                outcomes.append(("refused", "ValidationError"))
            except StoreError as exc:
                outcomes.append(("server error", str(exc).split(": ", 1)[-1]))
    assert outcomes[0] == outcomes[1], outcomes


def test_a_file_store_holding_a_nul_character_moves_whole_or_is_refused_before_anything_is_written(tmp_path, capsys,
                                                                                                    monkeypatch):
    """A file store that holds U+0000 in a contact's text (written by a version that let it through): the
    move must copy it whole, or refuse before anything is written, in one line saying nothing was copied.
    (Was: the move failed half-way with the server's words; the source had already logged 'store copied ->'
    the database, and the database was left with the schema the move created.)"""
    from safeguard_tracker.store import transaction
    source = str(tmp_path / "store.json")
    with monkeypatch.context() as older:
        older.setattr(transaction, "nul_in", lambda doc: None)       # as an older version wrote it
        t = st.open_tracker(source, user="a.lado")
        c = t.add_contact(received_on="05/01/2019", agency="Police", category="enquiry",
                          summary="pasted from the old system:\x00end")
        t.add_note(c.reference, "a note with a NUL\x00 in it")
        t.close()
    url = cluster().new_database(schema=False)
    held = len(_access_lines(source))
    rc = main(["migrate", "--from", source, "--to", url])
    out = capsys.readouterr()
    if rc == 0:
        assert _exports(source) == _exports(url)
        return
    wrong = []
    if len(_access_lines(source)) != held:
        wrong.append("the source logged a copy that never happened")
    if not _no_store_in(url) or "\\u0000" in out.err or out.err.count("\n") != 1:
        wrong.append(f"refused half-way, in the server's words: {out.err.strip()}")
    assert not wrong, wrong


def test_a_nul_left_in_the_trail_after_the_record_was_edited_is_refused_before_a_move_writes_anything(
        tmp_path, capsys, monkeypatch):
    """The record's NUL edited out, as the refusal of the record advised, the trail still holds the old value:
    moved, it could never be redacted on the server (PostgreSQL refuses the rewrite).  The move says so first."""
    from safeguard_tracker.store import transaction
    source = str(tmp_path / "store.json")
    with monkeypatch.context() as older:
        older.setattr(transaction, "nul_in", lambda doc: None)       # as an older version wrote it
        with st.open_tracker(source, user="a.lado") as t:
            c = t.add_contact(received_on="05/01/2019", agency="Police", category="enquiry",
                              summary="pasted:\x00end")
    with st.open_tracker(source, user="a.lado") as t:
        t.update_contact(c.reference, summary="pasted: end")
    url = cluster().new_database(schema=False)
    held = len(_access_lines(source))
    assert main(["migrate", "--from", source, "--to", url]) == 1
    err = capsys.readouterr().err
    assert f"about {c.reference} holds the NUL character" in err and err.count("\n") == 1
    assert len(_access_lines(source)) == held and _no_store_in(url)


def test_the_access_log_says_where_a_copy_went_as_a_full_path_as_exports_do(tmp_path, capsys, monkeypatch):
    """'who exported personal data, when, to where': an export made with a relative -o is logged with its full
    path; a copy made with a relative --to must be too, or the log cannot say where the store's copy is.
    (Was: the copy is logged as typed ('back.json'))."""
    url = cluster().new_database()
    with st.open_tracker(url, user="a.lado") as t:
        t.add_contact(received_on="05/01/2019", agency="Police", category="enquiry")
    monkeypatch.chdir(tmp_path)
    _cli(capsys, "--db", url, "export", "contacts", "--format", "csv", "-o", "contacts.csv")
    _cli(capsys, "migrate", "--from", url, "--to", "back.json")
    targets = [e["target"] for e in _access_lines(url)]
    assert targets[0] == str(tmp_path / "contacts.csv")
    assert targets[1] == str(tmp_path / "back.json"), targets
