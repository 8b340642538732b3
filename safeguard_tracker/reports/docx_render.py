"""Blocks (``blocks.py``) laid out as a Word document, with python-docx.

The document uses Word's own styles (Title, Subtitle, Heading 1-3, List
Bullet, Caption, Table Grid), so a board can paste its sections into its
annual report and restyle them there.  Pages are A4 with 2 cm margins
(landscape on request, for wide action plans).  Each table has its caption
above it, styled "Caption" and kept with the table (screen readers announce
it before the table; Word's alternative text is set to it too); the header row
is bold and repeats at the top of every page; figures are right-aligned;
total rows are bold; the note sits under the table in italics.

Text from data goes in as plain text (python-docx escapes it for XML), less
the characters XML 1.0 cannot hold at all (NUL and other control characters,
lone surrogates, U+FFFE and U+FFFF), which are dropped rather than failing the
report.  Nothing in a cell is ever a field or a formula: ``=cmd|...`` is text.

The output is deterministic: the same blocks give the same bytes.  The zip
entries carry a fixed timestamp, the package's core properties hold no clock
time (``dated`` sets created and modified to that day, else they are left out),
and python-docx's template thumbnail is dropped.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, timezone
from typing import Optional, Sequence

import docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Length, Mm, Pt

from .blocks import Block, Bullets, Cell, Heading, Paragraph, Table, cell_text

ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)     # the earliest a zip entry can carry: no clock time in the file
LANGUAGE = "en-GB"
MARGIN = Mm(20)
WIDE_TABLE_COLUMNS = 6                   # tables this wide or wider are set in a smaller type
WIDE_TABLE_POINTS = 9
NARROWEST_COLUMN, WIDEST_COLUMN = 4, 40  # columns share the width by their longest text, within these (characters)

# Everything XML 1.0 cannot hold: C0 controls but tab, newline and carriage return; surrogates (a str can hold
# lone ones); U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FIGURE = re.compile(r"[-+\u2212]?[£]?\d[\d,]*(\.\d+)?%?")


def xml_text(text: str) -> str:
    """``text`` without the characters an XML 1.0 document cannot hold (the rest is escaped by python-docx)."""
    return _NOT_XML.sub("", text)


def is_figure(value: Cell) -> bool:
    """A number, or text that is one figure ("1,234", "12.5%", "-3"): right-aligned in a table."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, str) and _FIGURE.fullmatch(value.strip()) is not None


def render_docx(blocks: Sequence[Block], *, title: str, subtitle: str = "", dated: Optional[date] = None,
                landscape: bool = False) -> bytes:
    """A Word document (.docx bytes) of ``blocks`` under ``title`` (Word's Title style) and ``subtitle``.

    ``dated`` is the day the document's properties give as created and modified (say, the report's as-of
    date); without it they are left out.  ``landscape`` turns the A4 pages for wide tables.
    """
    title, subtitle = xml_text(title), xml_text(subtitle)
    document = docx.Document()
    _page(document, landscape)
    _properties(document, title, subtitle, dated)
    document.add_paragraph(title, style="Title")
    if subtitle:
        document.add_paragraph(subtitle, style="Subtitle")
    for block in blocks:
        if isinstance(block, Heading):
            document.add_paragraph(xml_text(block.text), style=f"Heading {min(max(block.level, 1), 3)}")
        elif isinstance(block, Paragraph):
            document.add_paragraph(xml_text(block.text))
        elif isinstance(block, Bullets):
            for item in block.items:
                document.add_paragraph(xml_text(item), style="List Bullet")
        else:
            _table(document, block)
    raw = io.BytesIO()
    document.save(raw)
    return _fixed_zip(raw.getvalue())


def _page(document: DocxDocument, landscape: bool) -> None:
    section = document.sections[0]
    short, long = Mm(210), Mm(297)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = MARGIN
    # The document's language, so spelling and screen readers use British English.
    r_pr = document.styles.element.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr"))
    if r_pr is not None:
        lang = r_pr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            r_pr.append(lang)
        lang.set(qn("w:val"), LANGUAGE)


def _properties(document: DocxDocument, title: str, subtitle: str, dated: Optional[date]) -> None:
    props = document.core_properties
    props.title = title[:255]
    props.subject = subtitle[:255]
    props.author = "safeguard-tracker"
    props.comments = ""
    props.last_modified_by = ""
    props.language = LANGUAGE
    props.revision = 1
    if dated is not None:
        moment = datetime(dated.year, dated.month, dated.day, tzinfo=timezone.utc)
        props.created = props.modified = moment
    else:
        element = document.part.package.core_properties._element   # no public way to remove a property
        for name in ("dcterms:created", "dcterms:modified"):
            for child in element.findall(qn(name)):
                element.remove(child)
    rels = document.part.package.rels
    for rid in [rid for rid, rel in rels.items() if rel.reltype == RT.THUMBNAIL]:
        del rels[rid]                    # python-docx's template picture, not this document


def _table(document: DocxDocument, block: Table) -> None:
    caption = document.add_paragraph(xml_text(block.caption), style="Caption")
    caption.paragraph_format.keep_with_next = True
    columns = len(block.header)
    filled = [[row[c] for row in block.rows if cell_text(row[c]).strip()] for c in range(columns)]
    figures = [bool(cells) and all(is_figure(v) for v in cells) for cells in filled]   # header above figures
    size = Pt(WIDE_TABLE_POINTS) if columns >= WIDE_TABLE_COLUMNS else None
    table = document.add_table(rows=1 + len(block.rows), cols=columns)
    table.style = document.styles["Table Grid"]
    tbl_pr = table._tbl.tblPr
    for tag, text in (("w:tblCaption", block.caption), ("w:tblDescription", block.note or "")):
        if text:
            element = OxmlElement(tag)
            element.set(qn("w:val"), xml_text(text)[:255])
            tbl_pr.append(element)
    widths = _column_widths(block, _text_width(document))
    for c, width in enumerate(widths):
        table.columns[c].width = width
    totals = set(block.total_rows)
    for r, row in enumerate(table.rows):
        if r == 0:
            row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))   # repeat on every page
        values: Sequence[Cell] = block.header if r == 0 else block.rows[r - 1]
        bold = r == 0 or (r - 1) in totals
        for c, (cell, value) in enumerate(zip(row.cells, values)):
            cell.width = widths[c]
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(xml_text(cell_text(value)))
            if bold:
                run.bold = True
            if size is not None:
                run.font.size = size
            if (r == 0 and figures[c]) or (r > 0 and is_figure(value)):
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if block.note:
        note = document.add_paragraph()
        note.add_run(xml_text(block.note)).italic = True


def _text_width(document: DocxDocument) -> int:
    section = document.sections[0]
    return int(section.page_width or 0) - int(section.left_margin or 0) - int(section.right_margin or 0)


def _column_widths(block: Table, total: int) -> list[Length]:
    """Each column's share of the line: by its longest cell (a header by its longest word, as it wraps)."""
    weights = []
    for c, head in enumerate(block.header):
        longest = max([len(word) for word in head.split()] + [len(cell_text(row[c])) for row in block.rows] + [0])
        weights.append(min(max(longest, NARROWEST_COLUMN), WIDEST_COLUMN))
    whole = sum(weights) or 1
    return [Emu(total * w // whole) for w in weights]


def docx_text(data: bytes) -> str:
    """Every word a .docx shows, in order, one paragraph or table cell a line (the title and subject in its
    properties first): for scanning a Word report as the text reports are scanned."""
    document = docx.Document(io.BytesIO(data))
    lines = [document.core_properties.title or "", document.core_properties.subject or ""]
    for paragraph in document.element.body.iter(qn("w:p")):
        lines.append("".join(t.text or "" for t in paragraph.iter(qn("w:t"))))
    return "\n".join(lines) + "\n"


def _fixed_zip(data: bytes) -> bytes:
    """The package with every entry's timestamp and attributes fixed, in python-docx's order."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            entry.create_system = 0
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


__all__ = ["docx_text", "render_docx", "xml_text"]
