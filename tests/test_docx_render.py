"""Issue 13, Word output: blocks laid out as a .docx (Word's own styles, caption above each table, a header
row that repeats on every page, right-aligned figures, bold totals, the note in italics), the same bytes
for the same blocks, hostile text kept as text, and the action plan in Word from the API and the CLI."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from safeguard_tracker.cli import main
from safeguard_tracker.reports.blocks import Bullets, Heading, Paragraph, Table
from safeguard_tracker.reports.docx_render import ZIP_DATE_TIME, docx_text, render_docx, xml_text

SECTORS = Table(key="by_sector", caption="Contacts by sector, 2017-18", header=("Sector", "Contacts", "Share"),
                rows=(("Education", 1234, "41.0%"), ("Early years", 12, "0.4%"), ("All sectors", 1246, "41.4%"),
                      ("Not known", None, "")),
                total_rows=(2,), note="Counts contacts received in the year, enquiries included.")
BLOCKS = [Heading(text="The year in figures", level=1), Paragraph(text="Northshire received 1,246 contacts."),
          Heading(text="By sector", level=2), SECTORS, Heading(text="Eastbridge schools", level=3),
          Bullets(items=("first point", "second point"))]


def read(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def body(document: docx.document.Document) -> list:
    return list(document.element.body.iterchildren())


def style_of(p) -> str:
    found = p.find(qn("w:pPr") + "/" + qn("w:pStyle"))
    return "" if found is None else found.get(qn("w:val"))


def text_of(p) -> str:
    return "".join(t.text or "" for t in p.iter(qn("w:t")))


def test_headings_paragraphs_and_bullets_use_words_styles_on_a4():
    d = read(render_docx(BLOCKS, title="LADO annual report", subtitle="1 April 2017 to 31 March 2018"))
    shown = [(p.style.name, p.text) for p in d.paragraphs]
    assert shown[:3] == [("Title", "LADO annual report"), ("Subtitle", "1 April 2017 to 31 March 2018"),
                         ("Heading 1", "The year in figures")]
    assert ("Heading 2", "By sector") in shown and ("Heading 3", "Eastbridge schools") in shown
    assert ("Normal", "Northshire received 1,246 contacts.") in shown
    assert [t for s, t in shown if s == "List Bullet"] == ["first point", "second point"]
    section = d.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert section.orientation == WD_ORIENT.PORTRAIT
    assert 15 <= round(section.left_margin.mm) <= 25 and 15 <= round(section.top_margin.mm) <= 25
    wide = read(render_docx(BLOCKS, title="t", landscape=True)).sections[0]
    assert (round(wide.page_width.mm), round(wide.page_height.mm)) == (297, 210)
    assert wide.orientation == WD_ORIENT.LANDSCAPE
    assert d.core_properties.title == "LADO annual report" and d.core_properties.language == "en-GB"


def test_table_cells_header_repeat_alignment_and_bold_totals():
    d = read(render_docx([SECTORS], title="t"))
    [table] = d.tables
    assert table.style.name == "Table Grid"
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells == [["Sector", "Contacts", "Share"], ["Education", "1,234", "41.0%"], ["Early years", "12", "0.4%"],
                     ["All sectors", "1,246", "41.4%"], ["Not known", "", ""]]
    header = table.rows[0]._tr
    assert header.trPr is not None and header.trPr.find(qn("w:tblHeader")) is not None
    assert all(row._tr.trPr is None or row._tr.trPr.find(qn("w:tblHeader")) is None for row in table.rows[1:])

    def bold(row: int) -> set:
        return {run.bold for c in table.rows[row].cells for p in c.paragraphs for run in p.runs}

    assert bold(0) == {True} and bold(3) == {True}
    assert bold(1) == bold(2) == bold(4) == {None}
    align = [[c.paragraphs[0].alignment for c in row.cells] for row in table.rows]
    right = WD_ALIGN_PARAGRAPH.RIGHT
    assert align[1] == [None, right, right] and align[0] == [None, right, right]


def test_caption_comes_before_its_table_and_the_note_after_it_in_italics():
    d = read(render_docx(BLOCKS, title="t"))
    items = body(d)
    at = next(i for i, e in enumerate(items) if e.tag == qn("w:tbl"))
    before, after = items[at - 1], items[at + 1]
    assert style_of(before) == "Caption" and text_of(before) == "Contacts by sector, 2017-18"
    assert before.find(qn("w:pPr") + "/" + qn("w:keepNext")) is not None      # never parted from its table
    assert text_of(after) == "Counts contacts received in the year, enquiries included."
    note = [p for p in d.paragraphs if p.text.startswith("Counts contacts")][0]
    assert all(run.italic for run in note.runs)
    assert items[at].find(qn("w:tblPr") + "/" + qn("w:tblCaption")).get(qn("w:val")) == SECTORS.caption


def test_the_same_blocks_give_the_same_bytes_with_no_clock_time():
    first = render_docx(BLOCKS, title="LADO annual report", subtitle="2017-18")
    assert render_docx(BLOCKS, title="LADO annual report", subtitle="2017-18") == first
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert {info.date_time for info in z.infolist()} == {ZIP_DATE_TIME}
        core = z.read("docProps/core.xml").decode()
        assert "dcterms:created" not in core and "dcterms:modified" not in core
        assert "docProps/thumbnail.jpeg" not in z.namelist()
    dated = read(render_docx(BLOCKS, title="t", dated=date(2018, 3, 31))).core_properties
    assert dated.created.date() == dated.modified.date() == date(2018, 3, 31)
    assert render_docx(BLOCKS, title="t", dated=date(2018, 3, 31)) == render_docx(BLOCKS, title="t",
                                                                                  dated=date(2018, 3, 31))


def test_hostile_text_is_kept_as_text_less_what_xml_cannot_hold():
    long = "Westmoor " * 1_200
    table = Table(key="k", caption="cap\x00tion", header=("Name\x0b", "Note"),
                  rows=(("=cmd|' /C calc'!A0", "@SUM(1+1)"), ("nul\x00here", "lone \ud800 surrogate \ufffe"),
                        ("<w:t>&amp;</w:t>", long), ("tab\tand\x1fbell\x07", "+1")))
    blocks = [Heading(text="\x01Head\x02ing"), Paragraph(text="para\x00graph \udfff"), Bullets(items=("b\x0cullet",)),
              table]
    data = render_docx(blocks, title="Ti\x00tle", subtitle="\ud83d")
    d = read(data)
    assert [p.text for p in d.paragraphs[:5]] == ["Title", "Heading", "paragraph ", "bullet", "caption"]
    cells = [[c.text for c in row.cells] for row in d.tables[0].rows]
    assert cells[0] == ["Name", "Note"]
    assert cells[1] == ["=cmd|' /C calc'!A0", "@SUM(1+1)"]                   # literal text, never a field
    assert cells[2] == ["nulhere", "lone  surrogate "]
    assert cells[3] == ["<w:t>&amp;</w:t>", long]
    assert cells[4][0] == "tab\tandbell"
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "<w:fldSimple" not in xml and "<w:instrText" not in xml
    shown = docx_text(data).splitlines()
    assert shown[:4] == ["Title", "", "Title", "Heading"] and "=cmd|' /C calc'!A0" in shown and long in shown
    assert xml_text("a\x00b\x0bc\td\ne\rf\ud800g\U0001f600") == "abc\td\ne\rfg\U0001f600"


# --- the action plan in Word ---------------------------------------------------------------------------------

def test_the_action_plan_in_word_from_the_api(demo):
    data = demo.report_action_plan("docx", review="Dawn")
    assert data == demo.report_action_plan("docx", review="Dawn")
    d = read(data)
    assert d.paragraphs[0].text == "Learning Lessons: action plan progress report"
    assert d.paragraphs[1].text == "As of 15/06/2018; review: SCR Dawn."
    assert d.sections[0].orientation == WD_ORIENT.LANDSCAPE
    assert d.core_properties.created.date() == date(2018, 6, 15)
    by_rag = d.tables[0]
    assert [[c.text for c in r.cells] for r in by_rag.rows] == [
        ["RAG", "Actions"], ["Red", "3"], ["Amber", "6"], ["Green", "0"], ["Blue", "1"], ["Total", "10"]]
    [actions] = [t for t in d.tables if t.rows[0].cells[0].text == "Action" and t.rows[0].cells[1].text == "Rec"]
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in actions.rows[1:]}
    assert len(rows) == 10
    assert rows["A-000006"][1:3] == ["1", "Present the trust's assurance report on complex health needs to the sub group"]
    assert rows["A-000006"][7] == "RED (15 days overdue)"
    assert rows["A-000006"][8] == "21/05/2018: Draft report with the trust's safeguarding committee"
    assert rows["A-000007"][5].startswith("31/07/2018 (revised from 31/05/2018: ")


@pytest.fixture
def demo_db(tmp_path):
    from demo_store import demo_copy
    demo_copy(tmp_path / "demo.json", user="a.lado").close()
    return str(tmp_path / "demo.json")


def cli(db, capsys, *argv):
    code = main(["--db", db, "--user", "a.lado", "--today", "15/06/2018", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_cli_writes_the_action_plan_in_word_with_every_action(demo_db, tmp_path, capsys):
    code, md, _ = cli(demo_db, capsys, "report", "action-plan")
    assert code == 0
    in_md = re.findall(r"^\| (A-\d{6}) \|", md.split("\n## Reviews\n", 1)[1], flags=re.M)
    assert len(in_md) == 20
    out = tmp_path / "plan.docx"
    code, _, err = cli(demo_db, capsys, "report", "action-plan", "--format", "docx", "-o", str(out))
    assert code == 0 and f"wrote {out}" in err
    d = docx.Document(str(out))
    per_review = [t for t in d.tables if t.rows[0].cells[1].text == "Rec"]
    in_word = [r.cells[0].text for t in per_review for r in t.rows[1:]]
    assert sorted(in_word) == sorted(in_md) and len(in_word) == len(in_md)
    assert out.read_bytes() == docx_bytes_again(demo_db, tmp_path, capsys)


def docx_bytes_again(db, tmp_path, capsys) -> bytes:
    again = tmp_path / "again.docx"
    assert cli(db, capsys, "report", "action-plan", "--format", "docx", "-o", str(again))[0] == 0
    return again.read_bytes()


@pytest.mark.parametrize("output", [None, "-"])
def test_the_cli_will_not_write_word_to_the_terminal(demo_db, capsys, output):
    code, out, err = cli(demo_db, capsys, "report", "action-plan", "--format", "docx",
                         *(() if output is None else ("-o", output)))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "-o FILE.docx" in err
