"""Contacts in a council's own words: headings, words, legacy references, historic rows, extra columns."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from safeguard_tracker import ImportFailed, ValidationError
from safeguard_tracker.io.mapping import IGNORE, ImportMapping, parse_column_option, parse_value_option


def write(tmp_path, text, name="log.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


LOG = ("LADO Ref,Date of referral,Employment sector,Contact type,Outcome,Date closed,Team notes\n"
       "B16-0001,04/04/2016,Medway CCG,Referral,Founded,01/05/2016,\"rang twice, then wrote\"\n"
       "B16-0002,05/04/2016,Kent Police,Advice request,,,\n"
       "B15-0099,05/01/2016,School - PRU,,,02/03/2016,before the tracker\n")


def test_the_usual_headings_read_without_a_mapping_and_unknown_ones_are_refused_by_name(demo, tmp_path):
    path = write(tmp_path, "Date of referral,Employment sector,Contact type,Team notes\n14/06/2018,Police,Referral,x\n")
    seq = demo.store.last_seq
    with pytest.raises(ImportFailed) as err:
        demo.import_contacts(path)
    assert "unknown column(s) 'Team notes'" in err.value.problems[0] and "--dry-run" in err.value.problems[0]
    assert demo.store.last_seq == seq
    result = demo.import_contacts(path, mapping=ImportMapping(columns={"team notes": "extra"}))
    c = demo.get_contact(result.added[0])
    assert (c.agency, c.category.value, c.extra) == ("Police", "referral", {"Team notes": "x"})


def test_a_plan_says_what_every_column_and_word_becomes_and_writes_nothing(demo, tmp_path):
    seq = demo.store.last_seq
    plan = demo.plan_contacts_import(write(tmp_path, LOG), historic_before="2016-04-01")
    assert demo.store.last_seq == seq
    assert [(c.heading, c.target, c.how) for c in plan.columns] == [
        ("LADO Ref", "reference", "heading"), ("Date of referral", "received", "heading"),
        ("Employment sector", "agency", "heading"), ("Contact type", "category", "heading"),
        ("Outcome", "outcome", "heading"), ("Date closed", "closed", "heading"),
        ("Team notes", "extra", "unknown")]
    undecided = [(w.field, w.word, w.rows) for w in plan.undecided]
    assert undecided == [("category", "Advice request", 1)]
    assert plan.historic_rows == 1 and not plan.ready
    text = "\n".join(plan.lines())
    assert "'Advice request' (1 row(s)) -> ? to decide" in text and "--value 'category:Advice request=ENTRY'" in text
    ready = demo.plan_contacts_import(write(tmp_path, LOG), mapping=plan.mapping.with_values(
        "category", {"advice request": "enquiry"}))
    assert ready.ready and len(ready.result.added) == 3


def test_legacy_references_historic_rows_and_extra_fields_are_kept_and_reimport_changes_nothing(demo, tmp_path):
    mapping = ImportMapping(columns={"Team notes": "extra"}, values={"category": {"Advice request": "enquiry"}},
                            historic_before=date(2016, 4, 1))
    demo.save_import_mapping("ours", mapping)
    path = write(tmp_path, LOG)
    result = demo.import_contacts(path, mapping="ours")
    assert len(result.added) == 3 and result.without_reference == 0
    docs = {d["legacy_reference"]: d for r, d in demo.contact_docs().items() if d.get("legacy_reference")}
    assert docs["B16-0001"]["agency"] == "Medway Clinical Commissioning Group (CCG)"   # an alias of the list
    assert docs["B16-0001"]["outcome"] == "substantiated"                              # "Founded": the list's label
    assert docs["B16-0001"]["extra"] == {"Team notes": "rang twice, then wrote"}
    assert docs["B16-0002"]["agency"] == "Police" and docs["B16-0002"]["category"] == "enquiry"
    old = docs["B15-0099"]
    assert old["historic"] and old["category"] is None and old["outcome"] is None and old["category_history"] == []
    assert not docs["B16-0001"]["historic"]
    again = demo.import_contacts(path, mapping="ours")
    assert (len(again.added), len(again.updated), len(again.unchanged)) == (0, 0, 3)
    assert demo.contact_by_legacy_reference("b16-0001").legacy_reference == "B16-0001"
    # the export carries them, and imports back without a change
    exported = demo.export_contacts("csv")
    rows = {r["legacy_reference"]: r for r in csv.DictReader(io.StringIO(exported)) if r["legacy_reference"]}
    assert rows["B15-0099"]["historic"] == "yes" and rows["B16-0001"]["extra"] == "Team notes: rang twice, then wrote"
    back = demo.import_contacts(write(tmp_path, exported, "export.csv"))
    assert not back.added and not back.updated
    stats = demo.lado_statistics("2015-16")
    assert any("1 of the" in n and "historic" in n for n in stats.reconciliation)


def test_a_changed_row_of_the_council_file_needs_overwrite_like_any_row_without_a_revision(demo, tmp_path):
    mapping = ImportMapping(columns={"Team notes": "extra"}, values={"category": {"Advice request": "enquiry"}},
                            historic_before=date(2016, 4, 1))
    demo.import_contacts(write(tmp_path, LOG), mapping=mapping)
    changed = write(tmp_path, LOG.replace("rang twice, then wrote", "rang three times"), "changed.csv")
    with pytest.raises(ImportFailed, match="overwrite"):
        demo.import_contacts(changed, mapping=mapping)
    result = demo.import_contacts(changed, mapping=mapping, overwrite=True)
    assert list(result.updated.values()) == [("extra",)]


def test_the_rules_still_hold_after_the_historic_date_and_bad_references_are_named(demo, tmp_path):
    mapping = ImportMapping(columns={"Team notes": "extra"}, historic_before=date(2016, 4, 1))
    text = ("LADO Ref,Date of referral,Employment sector,Contact type,Outcome,Date closed,Team notes\n"
            "B16-0003,06/04/2016,Police,,,12/04/2016,\n"                # row 2: closed, no category, after the date
            "L-1,06/04/2016,Police,referral,,,\n"                       # row 3: looks like ours, is not
            "B16-0004,06/04/2016,Police,referral,,,\n"
            "b16-0004,07/04/2016,Police,referral,,,\n"                  # row 5: the same council reference
            "B15-0100,06/01/2016,Police,consultation,,03/03/2016,\n")    # row 6: historic: no employer report needed
    with pytest.raises(ImportFailed) as err:
        demo.import_contacts(write(tmp_path, text), mapping=mapping)
    problems = "\n".join(err.value.problems)
    assert "row 2: category '' is not valid" in problems and "--historic-before" in problems
    assert "categorised before it is closed" in problems
    assert "row 3: reference 'L-1'" in problems
    assert "row 5: reference 'b16-0004' is not valid: a reference used once in the file (it is also on row 4)" in problems
    assert "row 6" not in problems


def test_a_column_of_unknown_heading_is_read_by_what_it_holds(demo, tmp_path):
    text = ("Date of contact,Sector,Nature of concern,Category\n"
            "14/06/2018,Police,Physical abuse,Referral\n14/06/2018,College,Sexual abuse,Referral\n"
            "14/06/2018,College,Neglect,Enquiry\n")
    plan = demo.plan_contacts_import(write(tmp_path, text))
    assert [(c.heading, c.target, c.how) for c in plan.columns][2] == ("Nature of concern", "harm", "content")
    assert plan.ready and len(plan.result.added) == 3


def test_mapping_options_and_stored_mappings_are_checked_by_name(demo):
    assert parse_column_option("Date of referral=received") == ("Date of referral", "received")
    assert parse_value_option("outcome:Ongoing=") == ("outcome", "Ongoing", "")
    assert parse_value_option("agency:Kent Police = Police=Police") == ("agency", "Kent Police = Police", "Police")
    with pytest.raises(ValidationError, match="HEADING=FIELD"):
        parse_column_option("Date of referral")
    with pytest.raises(ValidationError, match="FIELD:WORD=ENTRY"):
        parse_value_option("Founded=substantiated")
    with pytest.raises(ValidationError, match="ours.historic_before"):
        ImportMapping.from_doc({"historic_before": "soon"}, "ours")
    with pytest.raises(ValidationError, match="ours.colums"):
        ImportMapping.from_doc({"colums": {}}, "ours")
    with pytest.raises(ValidationError, match="there are none yet"):
        demo.import_mapping("northshire")
    demo.save_import_mapping("Plans", ImportMapping(kind="actions"))
    with pytest.raises(ValidationError, match="a mapping for contacts"):
        demo.import_contacts("x.csv", mapping="plans")


def test_a_title_above_the_headings_is_passed_over_and_rows_keep_their_numbers(demo, tmp_path):
    text = ("Northshire LADO log 2018-19,,,\n,,,\n"
            "Date of referral,Employment sector,Contact type,Summary\n"
            "14/06/2018,Police,Referral,first\n"
            "31/02/2018,Police,Referral,second\n")
    with pytest.raises(ImportFailed) as err:
        demo.import_contacts(write(tmp_path, text))
    assert err.value.problems[0].startswith("row 5: received (their 'Date of referral') '31/02/2018'")  # the sheet's row
    result = demo.import_contacts(write(tmp_path, text.replace("31/02/2018", "13/06/2018")))
    assert len(result.added) == 2
    assert {demo.get_contact(r).summary for r in result.added} == {"first", "second"}


def test_a_workbook_with_a_title_row_reads_from_its_headings(demo, tmp_path):
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Eastbridge LADO log"])
    sheet.append([])
    sheet.append(["Ref", "Date Received", "Organisation type", "Type of contact"])
    sheet.append(["LADO/2018/1", 43264, "Police", "Allegation"])
    sheet.append(["LADO/2018/2", 43265, "Polce", "Allegation"])
    path = tmp_path / "log.xlsx"
    book.save(path)
    mapping = ImportMapping(values={"category": {"Allegation": "referral"}})
    with pytest.raises(ImportFailed) as err:
        demo.import_contacts(path, mapping=mapping)
    assert err.value.problems == ["row 5: agency (their 'Organisation type') 'Polce' is not valid: one of the 30 "
                                  "listed names (did you mean 'Police'?)"]


def test_a_one_column_list_keeps_its_first_row_as_the_heading(demo, tmp_path):
    path = write(tmp_path, "name\nSchools\nHealth\n", "ours.csv")
    demo.vocab_import("agencies", path)
    assert demo.taxonomy.offered == ("Schools", "Health")


def test_the_export_format_follows_the_output_file_unless_named(demo, tmp_path, capsys):
    from safeguard_tracker.cli import main
    db = str(demo.path)
    demo.close()
    for name, start in (("c.xlsx", b"PK"), ("c.json", b"{"), ("c.csv", b"reference,")):
        assert main(["--db", db, "export", "contacts", "-o", str(tmp_path / name)]) == 0
        assert (tmp_path / name).read_bytes().startswith(start), name
    assert main(["--db", db, "export", "actions", "-o", str(tmp_path / "plan.xlsx")]) == 0
    assert (tmp_path / "plan.xlsx").read_bytes().startswith(b"PK")
    assert main(["--db", db, "export", "contacts", "--format", "csv", "-o", str(tmp_path / "named.xlsx")]) == 0
    assert (tmp_path / "named.xlsx").read_bytes().startswith(b"reference,")


def test_the_dry_run_agrees_with_the_import_on_the_trackers_own_export(demo, tmp_path):
    demo.import_contacts(write(tmp_path, LOG), mapping=ImportMapping(
        columns={"Team notes": "extra"}, values={"category": {"Advice request": "enquiry"}},
        historic_before=date(2016, 4, 1)))
    exported = write(tmp_path, demo.export_contacts("csv"), "export.csv")
    plan = demo.plan_contacts_import(exported)
    assert ("extra", IGNORE) in [(c.heading, c.target) for c in plan.columns]
    real = demo.import_contacts(exported, dry_run=True)
    assert (len(plan.result.updated), len(plan.result.added)) == (len(real.updated), len(real.added)) == (0, 0)


def test_a_saved_mapping_that_misses_a_column_is_named_by_the_dry_run_as_the_import_would(demo, tmp_path):
    path = write(tmp_path, "Date of referral,Employment sector,Contact type,Column1\n14/06/2018,Police,Referral,x\n")
    demo.save_import_mapping("ours", ImportMapping(columns={"Date of referral": "received"}))
    plan = demo.plan_contacts_import(path, mapping="ours")
    assert plan.problems[0].startswith("header: the mapping does not name column(s) 'Column1'")
    with pytest.raises(ImportFailed, match="unknown column.*'Column1'"):
        demo.import_contacts(path, mapping="ours")


def test_a_mapping_to_a_field_that_does_not_exist_is_refused_naming_the_column(demo, tmp_path):
    path = write(tmp_path, "Date of referral,Employment sector,Contact type,Role of adult\n14/06/2018,Police,Referral,x\n")
    bad = ImportMapping(columns={"Role of adult": "bogus"})
    for attempt in (lambda: demo.import_contacts(path, mapping=bad), lambda: demo.plan_contacts_import(path, mapping=bad)):
        with pytest.raises(ValidationError, match="--map 'Role of adult=bogus' 'bogus' is not valid: a contacts field"):
            attempt()


def test_an_open_historic_contact_is_chased_once_to_be_resolved_not_for_steps_never_recorded(demo, tmp_path):
    text = ("LADO Ref,Date of referral,Employment sector,Contact type\n"
            "B15-0001,05/01/2015,Police,Referral\n"
            "B18-0001,01/06/2018,Police,Referral\n")
    demo.import_contacts(write(tmp_path, text), mapping=ImportMapping(historic_before=date(2016, 4, 1)))
    old = demo.contact_by_legacy_reference("B15-0001")
    new = demo.contact_by_legacy_reference("B18-0001")
    whats = [i.what for i in demo.due() if i.reference == old.reference]
    assert len(whats) == 1 and whats[0].startswith("resolve within")
    assert any(i.what.startswith("JEM") for i in demo.due() if i.reference == new.reference)


def test_the_cli_finds_a_contact_by_the_councils_reference(demo, tmp_path, capsys):
    from safeguard_tracker.cli import main
    demo.import_contacts(write(tmp_path, "LADO Ref,Date of referral,Employment sector,Contact type\n"
                                          "B18-0042,01/06/2018,Police,Referral\n"))
    ref = demo.contact_by_legacy_reference("B18-0042").reference
    db = str(demo.path)
    demo.close()
    capsys.readouterr()
    assert main(["--db", db, "contact", "show", "b18-0042"]) == 0
    assert capsys.readouterr().out.startswith(ref)
    assert main(["--db", db, "history", "B18-0042"]) == 0
    assert ref in capsys.readouterr().out
    assert main(["--db", db, "history", "B18-0043"]) == 2


def test_a_workbook_under_a_csv_name_is_read_as_a_workbook_and_an_old_xls_is_named(demo, tmp_path):
    import openpyxl
    book = openpyxl.Workbook()
    book.active.append(["Date of referral", "Employment sector", "Contact type"])
    book.active.append(["14/06/2018", "Police", "referral"])
    path = tmp_path / "log.csv"
    book.save(path)
    assert len(demo.import_contacts(path).added) == 1
    old = tmp_path / "log2.csv"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    with pytest.raises(ImportFailed, match=r"an old Excel workbook \(.xls\)"):
        demo.import_contacts(old)


def test_shortened_headings_of_a_real_log_are_read_without_a_mapping(tmp_path):
    """Headings as LADO logs shorten them: each lands on its field, the disciplinary outcome included, so the
    annual report's disciplinary table counts them."""
    import safeguard_tracker as st
    path = tmp_path / "log.csv"
    path.write_text("LADO No.,Date rec'd,Agency,Category,D.O.B,Employer / setting,Disciplinary outcome\n"
                    "N-19-001,03/05/2019,Police,Referral,09/03/1971,Dockside Academy,Final written warning\n",
                    encoding="utf-8")
    with st.open_tracker(tmp_path / "s.json", user="a.lado") as t:
        t.import_contacts(path)
        c = t.contacts()[0]
        assert (c.legacy_reference, c.received_on.isoformat(), c.subject.date_of_birth.isoformat(),
                c.subject.employer, c.disciplinary) == ("N-19-001", "2019-05-03", "1971-03-09", "Dockside Academy",
                                                        "Final written warning")
        assert {r.key: r.count for r in t.annual_measures("2019-20").disciplinary}["warning"] == 1
