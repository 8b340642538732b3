"""Excel workbooks in and out (issue 12).

In: a path ending .xlsx or .xlsm is read by the same table reader as a CSV (``csvfiles.read_cells``),
one sheet of it, its cells as the texts a CSV would hold; a file that is not a workbook, a missing
sheet, or a formula whose value was never saved is one line, never a traceback.  Out: ``write_xlsx``
writes numbers as numbers, dates as dates and text as text, never a formula, with the CSV writer's
apostrophe defence; the contacts and plans exports write a workbook that re-imports without change.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import pytest

openpyxl = pytest.importorskip("openpyxl")

from safeguard_tracker.errors import ImportFailed, StoreWriteError  # noqa: E402
from safeguard_tracker.io.csvfiles import FORMULA_PREFIXES, cell_text, read_cells, read_rows, safe_cell  # noqa: E402
from safeguard_tracker.io.xlsx import as_date, write_xlsx, xlsx_bytes  # noqa: E402
from safeguard_tracker.lado.contacts_export import CSV_COLUMNS, export_contacts_xlsx  # noqa: E402
from safeguard_tracker.plans.plans_csv import export_plans_xlsx  # noqa: E402


def _workbook(path: Path, rows: list[list[object]], *, title: str = "Log", more: tuple[str, ...] = ()) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    for name in more:
        wb.create_sheet(name)
    wb.save(path)
    return path


def _rewrite_sheet(path: Path, change) -> None:
    """Edit the first sheet's XML inside the workbook (to give formulas saved values, as Excel would)."""
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    parts["xl/worksheets/sheet1.xml"] = change(parts["xl/worksheets/sheet1.xml"].decode()).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def _refused(call, *args, **kwargs) -> list[str]:
    with pytest.raises(ImportFailed) as err:
        call(*args, **kwargs)
    for problem in err.value.problems:
        assert problem.strip() and "\n" not in problem and "Traceback" not in problem, problem
    return err.value.problems


# --- reading ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, text", [(None, ""), ("Late ", "Late "), (12, "12"), (12.0, "12"), (2.5, "2.5"),
                                         (True, "yes"), (False, "no"), (date(2018, 4, 1), "2018-04-01"),
                                         (datetime(2018, 4, 1), "2018-04-01"),
                                         (datetime(2018, 4, 1, 9, 30), "2018-04-01 09:30"),
                                         (datetime(2018, 4, 1, 9, 30, 15), "2018-04-01 09:30:15"),
                                         (time(9, 30), "09:30")])
def test_a_cell_reads_as_the_text_a_csv_would_hold(value, text):
    assert cell_text(value) == text


def test_a_sheet_reads_like_the_csv_saved_from_it(tmp_path):
    path = _workbook(tmp_path / "log.xlsx", [
        ["Date Received ", "Agency", "Count", "Police", "Notes"],
        [datetime(2018, 4, 1), "Police", 2, True, None],
        [None, None, None, None, None],                          # a blank row: dropped, numbering kept
        [43191, "School - Primary", 3.0, False, "'=guarded"],
        [None, None, None, None, None, None, None],              # trailing empty rows and columns
    ])
    keys, numbers, rows = read_cells(path, required=["received"], aliases={"date_received": "received"})
    assert keys == ["received", "agency", "count", "police", "notes"]
    assert numbers == [2, 4]
    assert rows == [["2018-04-01", "Police", "2", "yes", ""], ["43191", "School - Primary", "3", "no", "'=guarded"]]
    _, named = read_rows(path, required=["received"], aliases={"date_received": "received"})
    assert named[1] == (4, {"received": "43191", "agency": "School - Primary", "count": "3", "police": "no",
                            "notes": "'=guarded"})


def test_xlsm_is_a_workbook_too(tmp_path):
    path = _workbook(tmp_path / "macro.xlsx", [["received", "agency"], ["05/01/2018", "Police"]])
    path = path.rename(tmp_path / "macro.XLSM")
    assert read_cells(path, required=["received"])[2] == [["05/01/2018", "Police"]]


def test_the_sheet_is_chosen_by_name_and_a_missing_one_names_those_there_are(tmp_path):
    path = _workbook(tmp_path / "two.xlsx", [["notes"], ["nothing here"]], title="Read me", more=("Contacts 2018",))
    wb = openpyxl.load_workbook(path)
    wb["Contacts 2018"].append(["received", "agency"])
    wb["Contacts 2018"].append(["05/01/2018", "Police"])
    wb.save(path)
    assert read_cells(path, required=["notes"])[2] == [["nothing here"]]           # the first sheet by default
    assert read_cells(path, required=["received"], sheet="Contacts 2018")[2] == [["05/01/2018", "Police"]]
    assert read_cells(path, required=["received"], sheet="contacts 2018 ")[2] == [["05/01/2018", "Police"]]
    [problem] = _refused(read_cells, path, required=["received"], sheet="2018")
    assert "no sheet named '2018'" in problem and "'Read me', 'Contacts 2018'" in problem


def test_a_sheet_given_for_a_csv_is_refused(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("received,agency\r\n05/01/2018,Police\r\n", encoding="utf-8")
    [problem] = _refused(read_cells, path, required=["received"], sheet="Contacts")
    assert "not a workbook" in problem


def test_the_header_is_checked_as_a_csvs(tmp_path):
    path = _workbook(tmp_path / "h.xlsx", [["Agency", "Colour", "agency"], ["Police", "red", "Police"]])
    problems = _refused(read_cells, path, required=["received", "agency"], known=["received", "agency"])
    assert problems[0].startswith("header: missing required column(s) received")
    assert any("appear more than once" in p for p in problems)
    assert any("unknown column(s) 'Colour'" in p for p in problems)


def test_an_empty_sheet_is_refused_naming_the_columns_wanted(tmp_path):
    path = _workbook(tmp_path / "empty.xlsx", [])
    [problem] = _refused(read_cells, path, required=["received", "agency"])
    assert "is empty" in problem and "received, agency" in problem


def test_a_row_with_more_cells_than_the_header_is_refused_by_row(tmp_path):
    path = _workbook(tmp_path / "wide.xlsx", [["received", "agency"], ["05/01/2018", "Police"],
                                              ["06/01/2018", "Police", None, "stray note"]])
    [problem] = _refused(read_cells, path, required=["received"])
    assert problem == "row 3: has 4 cells but the header names 2 columns"


def test_a_wrong_saved_dimension_does_not_cut_rows_off(tmp_path):
    # some programs save <dimension ref="A1:A1"/> whatever the sheet holds; read-only mode trusts it
    path = _workbook(tmp_path / "dim.xlsx", [["received", "agency"]] + [[f"0{i}/01/2018", "Police"] for i in range(1, 6)])
    _rewrite_sheet(path, lambda xml: re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:A1"/>', xml))
    keys, numbers, rows = read_cells(path, required=["received"])
    assert numbers == [2, 3, 4, 5, 6] and rows[-1] == ["05/01/2018", "Police"]


@pytest.mark.parametrize("raw", [b"received,agency\r\n05/01/2018,Police\r\n",                  # a CSV renamed
                                 b"PK\x03\x04" + bytes(range(60)),                                 # a broken zip
                                 b""])
def test_a_file_that_is_not_a_workbook_is_one_line(tmp_path, raw):
    path = tmp_path / "log.xlsx"
    path.write_bytes(raw)
    [problem] = _refused(read_cells, path, required=["received"])
    assert problem.startswith(f"{path}: is not an Excel workbook") and ".xlsx" in problem


def test_a_zip_that_is_not_a_workbook_is_one_line(tmp_path):
    path = tmp_path / "log.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    [problem] = _refused(read_cells, path, required=["received"])
    assert "is not an Excel workbook" in problem


def test_a_workbook_with_broken_sheet_xml_is_one_line(tmp_path):
    path = _workbook(tmp_path / "broken.xlsx", [["received", "agency"], ["05/01/2018", "Police"]])
    _rewrite_sheet(path, lambda xml: xml.replace("<sheetData>", "<sheetData><row r=\"2\"><c r=\"A2\"><v>1</c>"))
    [problem] = _refused(read_cells, path, required=["received"])
    assert "cannot be read" in problem or "is not an Excel workbook" in problem


def test_a_missing_file_is_one_line(tmp_path):
    [problem] = _refused(read_cells, tmp_path / "nowhere.xlsx", required=["received"])
    assert "nowhere.xlsx" in problem


FORMULAS = [["received", "agency", "deadline", "label"],
            ["05/01/2018", "Police", "=A2+28", '=IF(B2="","",B2)'],
            ["06/01/2018", "Police", 43131, "x"]]


def test_a_formula_with_no_saved_value_is_refused_by_row_and_column(tmp_path):
    # openpyxl, like other programs, saves formulas without working them out
    path = _workbook(tmp_path / "f.xlsx", FORMULAS)
    problems = _refused(read_cells, path, required=["received"])
    assert problems == ["row 2, column deadline: a formula with no saved value: open the workbook in Excel and save it",
                        "row 2, column label: a formula with no saved value: open the workbook in Excel and save it"]


def test_a_formula_saved_with_its_value_reads_as_the_value(tmp_path):
    path = _workbook(tmp_path / "f.xlsx", FORMULAS)
    # as Excel saves them: a number, and an empty text (t="str" with an empty value)
    # (openpyxl writes an empty value as <v/> with the standard library's XML writer, <v></v> with lxml's)
    _rewrite_sheet(path, lambda xml: re.sub(r"(<f>A2\+28</f>)(?:<v\s*/>|<v></v>)", r"\1<v>43133</v>", xml)
                   .replace('<c r="D2"><f>', '<c r="D2" t="str"><f>'))
    assert read_cells(path, required=["received"])[2] == [["05/01/2018", "Police", "43133", ""],
                                                          ["06/01/2018", "Police", "43131", "x"]]


def test_a_formula_outside_the_headers_columns_is_ignored(tmp_path):
    path = _workbook(tmp_path / "f.xlsx", [["received", "agency"], ["05/01/2018", "Police"]])
    wb = openpyxl.load_workbook(path)
    wb.active["F5"] = "=SUM(A1:A3)"
    wb.save(path)
    assert read_cells(path, required=["received"])[2] == [["05/01/2018", "Police"]]


# --- writing ---------------------------------------------------------------------------------------------

DANGEROUS = ["=1+1", "+44 1634 000000", "-2", "@SUM(A1)", "\tTab", "\rCR", "'=already", "=HYPERLINK(\"x\")", "plain"]


def test_no_cell_of_a_written_workbook_is_a_formula_and_text_is_guarded_as_in_csv(tmp_path):
    path = write_xlsx(tmp_path / "out.xlsx", ["text", "n"], [[t, i] for i, t in enumerate(DANGEROUS)])
    ws = openpyxl.load_workbook(path).active
    cells = [c for row in ws.iter_rows() for c in row]
    assert cells and all(c.data_type != "f" for c in cells)
    # (a carriage return reads back as a line feed through the standard library's XML, as itself through lxml)
    assert [ws.cell(row=i + 2, column=1).value.replace("\r", "\n") for i in range(len(DANGEROUS))] == \
        [safe_cell(t).replace("\r", "\n") for t in DANGEROUS]
    assert all(not str(c.value).startswith(FORMULA_PREFIXES) for c in cells if isinstance(c.value, str))
    assert [ws.cell(row=i + 2, column=2).data_type for i in range(3)] == ["n", "n", "n"]   # numbers stay numbers


def test_the_header_is_bold_and_frozen_dates_are_dates_and_columns_fit(tmp_path):
    path = write_xlsx(tmp_path / "out.xlsx", ["reference", "received", "summary"],
                      [["L-2018-0001", date(2018, 4, 1), "A long summary " * 3], ["L-2018-0002", None, ""]])
    ws = openpyxl.load_workbook(path).active
    assert ws.freeze_panes == "A2"
    assert all(c.font.b for c in ws[1]) and not ws["A2"].font.b
    assert ws["B2"].is_date and ws["B2"].value == datetime(2018, 4, 1) and ws["B2"].number_format == "dd/mm/yyyy"
    assert ws["B3"].value is None and ws["C3"].value is None
    widths = {k: ws.column_dimensions[k].width for k in "ABC"}
    assert 11 <= widths["A"] <= 20 and 10 <= widths["B"] <= 20 and widths["C"] >= 40


def test_a_write_is_atomic_and_private(tmp_path):
    path = write_xlsx(tmp_path / "out.xlsx", ["a"], [["first"]])
    before = path.read_bytes()
    assert os.stat(path).st_mode & 0o777 == 0o600

    def rows():
        yield ["second"]
        raise RuntimeError("the export failed half way")
    with pytest.raises(RuntimeError):
        write_xlsx(path, ["a"], rows())
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]          # no temporary file left behind
    with pytest.raises(StoreWriteError):
        write_xlsx(tmp_path / "no such folder" / "out.xlsx", ["a"], [["x"]])


def test_as_date_turns_only_a_whole_date_into_a_date():
    assert as_date("2018-04-01") == date(2018, 4, 1) and as_date("01/04/2018") == date(2018, 4, 1)
    for kept in ("28 days after publication", "31/02/2018", "2018-04-01 09:30", 7, None):
        assert as_date(kept) == kept


# --- exports, and reading them back ---------------------------------------------------------------------

def _sheet_rows(data: bytes) -> list[list[object]]:
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_the_contacts_workbook_holds_the_csvs_columns_and_values(demo, tmp_path):
    import csv
    data = export_contacts_xlsx(demo._contacts, year="2017-18")
    book = _sheet_rows(data)
    sheet_csv = list(csv.reader(io.StringIO(demo.export_contacts("csv", year="2017-18"))))
    assert tuple(book[0]) == CSV_COLUMNS == tuple(sheet_csv[0]) and len(book) == len(sheet_csv) == 496
    received = CSV_COLUMNS.index("received")
    assert isinstance(book[1][received], datetime)
    path = tmp_path / "contacts.xlsx"
    path.write_bytes(data)
    _, _, rows = read_cells(path, required=["reference"])
    assert rows == [(r + [""] * len(CSV_COLUMNS))[:len(CSV_COLUMNS)] for r in sheet_csv[1:]]


def test_an_exported_contacts_workbook_reimports_without_change(demo, tmp_path):
    before = demo.export_contacts("json")
    path = tmp_path / "contacts.xlsx"
    path.write_bytes(export_contacts_xlsx(demo._contacts))
    result = demo.import_contacts(path)
    assert (result.added, result.updated) == ((), {}) and len(result.unchanged) == demo.count_contacts()
    assert demo.export_contacts("json") == before


def test_a_guarded_summary_round_trips_through_a_workbook(demo, tmp_path):
    ref = demo.contacts()[0].reference
    demo.update_contact(ref, summary="=cmd|' /C calc'!A0 and @SUM(1)")
    path = tmp_path / "contacts.xlsx"
    path.write_bytes(export_contacts_xlsx(demo._contacts))
    assert all(c.data_type != "f" for row in openpyxl.load_workbook(path).active.iter_rows() for c in row)
    result = demo.import_contacts(path)
    assert result.updated == {} and demo.get_contact(ref).summary == "=cmd|' /C calc'!A0 and @SUM(1)"


@pytest.mark.parametrize("table", ["reviews", "actions"])
def test_the_plans_workbooks_hold_the_csvs_values_and_reimport_without_change(demo, tmp_path, table):
    import csv
    data = export_plans_xlsx(demo._actions, table)
    path = tmp_path / f"{table}.xlsx"
    path.write_bytes(data)
    sheet_csv = list(csv.reader(io.StringIO(demo.export_plans(table))))
    keys, _, rows = read_cells(path, required=["reference"])
    assert keys == sheet_csv[0] and len(rows) == len(sheet_csv) - 1 > 0
    assert _sheet_rows(data)[0] == sheet_csv[0]
    before = demo.export_plans(table, "json")
    importer = demo.import_reviews if table == "reviews" else demo.import_actions
    result = importer(path)
    assert (result.added, result.updated) == ((), {})
    assert demo.export_plans(table, "json") == before


def test_an_excel_unicode_text_export_of_the_demo_imports_without_change(demo, tmp_path):
    # Excel's "Unicode text": UTF-16 little-endian with a byte-order mark, tab-separated, CRLF
    import csv
    rows = list(csv.reader(io.StringIO(demo.export_contacts("csv", year="2017-18"))))
    assert not any("\t" in cell or "\n" in cell for r in rows for cell in r)
    text = "".join("\t".join(r) + "\r\n" for r in rows)
    raw = text.encode("utf-16-le")
    path = tmp_path / "contacts.txt"
    path.write_bytes(b"\xff\xfe" + raw)
    before = demo.export_contacts("json")
    result = demo.import_contacts(path)
    assert result.rows == 495 and (result.added, result.updated) == ((), {})
    assert demo.export_contacts("json") == before


def test_a_bigger_workbook_reads_row_by_row(tmp_path):
    rows = [[f"L-2018-{i:04d}", date(2018, 1, 1), "Police", "enquiry", f"Summary {i}"] for i in range(1, 3001)]
    path = tmp_path / "big.xlsx"
    path.write_bytes(xlsx_bytes(["reference", "received", "agency", "category", "summary"], rows))
    keys, numbers, cells = read_cells(path, required=["reference"])
    assert numbers[-1] == 3001 and cells[-1] == ["L-2018-3000", "2018-01-01", "Police", "enquiry", "Summary 3000"]
