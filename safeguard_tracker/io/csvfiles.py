"""Reading spreadsheet CSVs as Excel writes them, and writing CSVs a spreadsheet cannot run.

Accepts a byte-order mark (UTF-8, or UTF-16 as Excel's "Unicode text" is saved), CRLF line
ends, Windows-1252 files, tab-separated text, and headers in any case and spacing
("Received Date " -> received_date).

Parsing is strict, because a lenient CSV reader loses rows without a word: a quote opened in
a cell and never closed makes every later line part of that cell.  So the quoting is checked
before anything is read (a quoted cell must start at the start of a cell and be closed, with
only a delimiter or a line end after it; a quote mark inside an unquoted cell is refused), and
a cell that spans several lines is refused when its lines look like rows of the file.  Each
problem is one line naming the row, the column and what would be accepted.

An Excel workbook (a path ending .xlsx or .xlsm) is read the same way, one sheet of it (the first,
or ``sheet=``): its cells become the texts a CSV saved from it would hold (see ``cell_text``), so
every importer reads both alike.  Writing workbooks: ``xlsx``.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
import zipfile
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Optional, Sequence, TypeVar

from ..errors import ImportFailed

if TYPE_CHECKING:
    from _csv import Reader

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
csv.field_size_limit(1 << 24)

# Longest first: UTF-32's little-endian mark begins with UTF-16's.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32", "UTF-32"), (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
         (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"), (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
         (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"))
# Control characters no spreadsheet writes: their presence means a binary file.
_BINARY = re.compile(r"[\x00-\x08\x0e-\x1f]")
_BINARY_BYTES = bytes(range(0x00, 0x09)) + bytes(range(0x0e, 0x20))
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
QUOTING_HELP = ("a cell holding a quote mark, a delimiter or a line break must be wrapped in quotes, with each "
                "quote mark inside it doubled (\"\"), as Excel saves it")


def import_failed(problems: Iterable[str], source: str) -> ImportFailed:
    """ImportFailed with each problem on one line: a value quoted from a cell may hold a line break
    or a control character, which is shown escaped (\\n) rather than breaking the message."""
    return ImportFailed(["".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in p)
                         for p in problems], source=source)


def header_key(name: str) -> str:
    """'Received Date ' -> 'received_date'."""
    key = re.sub(r"[^0-9a-z]+", "_", (name or "").strip().lower()).strip("_")
    return key


# --- bytes to text ----------------------------------------------------------------------------------

def decode_bytes(raw: bytes, source: str) -> str:
    """The file's text: by its byte-order mark, else UTF-16 recognised by its zero bytes, else UTF-8,
    else Windows-1252."""
    return _decode(raw, source)[0]


def _decode(raw: bytes, source: str) -> tuple[str, bool]:
    """The text, and whether it came from a UTF-16 or UTF-32 file (a byte is then not a character)."""
    for bom, codec, name in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(codec), codec != "utf-8-sig"
            except UnicodeDecodeError as exc:
                raise import_failed([f"{source}: starts with a {name} byte-order mark but is not {name} text "
                                    f"(at byte {exc.start}: {exc.reason}); save it again from the spreadsheet as "
                                    f"'CSV UTF-8' or 'Unicode text'"], source=source) from None
    text = _utf16_without_bom(raw)
    if text is not None:
        return text, True
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), False
    except UnicodeDecodeError:
        raise import_failed([f"{source}: the file is neither UTF-8, UTF-16 nor Windows-1252 text; save it as "
                            f"'CSV UTF-8' from Excel"], source=source) from None


def _utf16_without_bom(raw: bytes) -> Optional[str]:
    """UTF-16 text that lost its byte-order mark: mostly-English text has a zero byte in every other place."""
    if len(raw) < 4 or len(raw) % 2 or b"\x00" not in raw:
        return None
    even, odd = raw[0::2].count(0), raw[1::2].count(0)
    codec = "utf-16-le" if even == 0 and odd * 2 >= len(raw) // 2 else \
        "utf-16-be" if odd == 0 and even * 2 >= len(raw) // 2 else None
    if codec is None:
        return None
    try:
        return raw.decode(codec)
    except UnicodeDecodeError:
        return None


def _refuse_binary(text: str, raw: bytes, wide: bool, source: str) -> None:
    """Refuse a file holding control characters no spreadsheet writes.  In a UTF-8 or Windows-1252
    file each is one byte, and deleting them from the bytes is several times faster than a search."""
    if not wide and len(raw.translate(None, _BINARY_BYTES)) == len(raw):
        return
    m = _BINARY.search(text)
    if m is None:
        return
    char = m.group()
    what = "NUL bytes" if char == "\x00" else f"the control character {char.encode('unicode_escape').decode()}"
    line = len(_LINE_BREAK.findall(text, 0, m.start())) + 1
    raise import_failed([f"{source}: contains {what} (line {line}); it is not a CSV text file: save it from the "
                        f"spreadsheet as 'CSV UTF-8' or 'Unicode text'"], source=source)


def sniff_delimiter(text: str) -> str:
    """A tab when the header line holds more tabs than commas (Excel's "Unicode text"), else a comma."""
    m = _LINE_BREAK.search(text)
    first = text[: m.start()] if m else text
    return "\t" if first.count("\t") > first.count(",") else ","


# --- the quoting, checked before reading -------------------------------------------------------------

@lru_cache(maxsize=4)
def _well_quoted(delimiter: str) -> re.Pattern[str]:
    """Matches the longest start of a text whose quoting is sound: runs without quotes, and quoted
    cells that start a cell, are closed, and are followed by a delimiter, a line end or the end."""
    d = re.escape(delimiter)
    return re.compile(rf'(?:[^"]++|(?<![^{d}\r\n])"[^"]*+(?:""[^"]*+)*+"(?![^{d}\r\n]))*+')


_QUOTED = re.compile(r'"[^"]*+(?:""[^"]*+)*+"')


def check_quoting(text: str, delimiter: str, source: str) -> None:
    """Refuse, naming the row and column, the first quote mark a spreadsheet would not have written."""
    if '"' not in text:
        return
    sound = _well_quoted(delimiter).match(text)
    assert sound is not None                               # the pattern matches the empty start of any text
    stop = sound.end()
    if stop == len(text):
        return
    row, column, line = locate(text, stop, delimiter)
    where = f"row {row}" + (f", column {column}" if column else "") + f" (line {line} of the file)"
    before = text[stop - 1] if stop else "\n"
    if before not in (delimiter, "\r", "\n"):
        problem = (f"a quote mark inside a cell that does not start with one ({_snippet(text, stop)}); {QUOTING_HELP}")
    else:
        closed = _QUOTED.match(text, stop)
        if closed is None:
            last = len(_LINE_BREAK.findall(text.rstrip("\r\n"), stop)) + line
            problem = (f"the quote opened here ({_snippet(text, stop)}) is never closed, so "
                       + (f"lines {line} to {last}" if last > line else "the rest of the line")
                       + " would be read as this one cell; close it, or double a quote mark meant as text (\"\")")
        else:
            end_line = line + len(_LINE_BREAK.findall(text, stop, closed.end()))
            runs = f" (it runs on to line {end_line})" if end_line > line else ""
            problem = (f"the quoted cell starting here{runs} has text after its closing quote "
                       f"({_snippet(text, closed.end() - 1)}): {QUOTING_HELP}")
    raise import_failed([f"{where}: {problem}"], source=source)


def locate(text: str, pos: int, delimiter: str) -> tuple[int, str, int]:
    """The spreadsheet row (the header is row 1), the column's header and the file line at ``pos``,
    where the text before ``pos`` is soundly quoted."""
    before = text[:pos]
    line = len(_LINE_BREAK.findall(before)) + 1
    records = list(csv.reader(io.StringIO(before, newline=""), delimiter=delimiter))
    at_start = pos == 0 or before.endswith(("\r", "\n"))
    row = len(records) + (1 if at_start else 0)
    index = 0 if at_start or not records else len(records[-1]) - 1
    header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    column = header[index].strip() if row > 1 and index < len(header) else ""
    return row, column, line


def _snippet(text: str, pos: int, width: int = 24) -> str:
    """A few characters either side of ``pos``, on one line."""
    start, end = max(0, pos - width), min(len(text), pos + width)
    part = text[start:end].replace("\r\n", "\u21b5").replace("\n", "\u21b5").replace("\r", "\u21b5")
    return "'" + ("\u2026" if start else "") + part + ("\u2026" if end < len(text) else "") + "'"


def _shape(text: str) -> str:
    """'05/01/2018' -> '99/99/9999': how a cell is written, whatever it says."""
    return "".join("9" if c.isdigit() else "a" if c.isalpha() else c for c in text)


def _looks_like_a_row(line: str, first: str, delimiter: str, least: int) -> bool:
    """Whether a line inside a cell reads as a row of the file: as many delimiters as a row has, or
    starting with a cell written like the row's own first cell (a date, a reference) and a delimiter."""
    if line.count(delimiter) >= least:
        return True
    head, sep, _ = line.partition(delimiter)
    if not sep:
        return False
    head = head.strip()
    return len(head) == len(first) and any(not c.isalpha() for c in first) and _shape(head) == _shape(first)


def _runaway(cells: list[str], header: list[str], row: int, first: int, last: int, delimiter: str) -> Optional[str]:
    """Why a record spanning lines ``first``..``last`` is not a cell with line breaks, or None if it is.

    A runaway quote shows as the wrong number of cells, or as a cell whose later lines
    look like rows of the file.
    """
    width = len(header)
    spanning = [i for i, c in enumerate(cells) if "\n" in c or "\r" in c]
    if not spanning:
        return None
    i = spanning[0]
    name = header[i].strip() if i < len(header) else f"number {i + 1}"
    lines = _LINE_BREAK.split(cells[i])[1:]
    lead = cells[0].strip() if i > 0 else ""
    rows = [ln for ln in lines if _looks_like_a_row(ln, lead, delimiter, max(2, width - 1))]
    where = f"row {row} (lines {first} to {last} of the file): the {name} cell runs over {len(lines)} line break(s)"
    if len(cells) < width or any(c.strip() for c in cells[width:]):
        return (f"{where} and the row then has {len(cells)} cells for {width} columns: a quote mark opened in it "
                f"is probably not closed where it should be; {QUOTING_HELP}")
    if rows:
        return (f"{where} and holds {len(rows)} line(s) that look like rows of this file (the first: "
                f"{_snippet(rows[0], 0, 30)}): a quote mark opened in it is probably never closed; close it "
                f"({QUOTING_HELP})")
    return None


class Rows:
    """The rows after the header, as lists of cells straight from the csv reader (no work a row on top:
    an import reads 100,000).  Once they are read, ``check`` looks for a runaway quote, which only a
    record spanning several lines can hide, and only when the file has one."""

    def __init__(self, text: str, reader: Reader, header: list[str], delimiter: str, source: str,
                 header_row: int = 1, header_lines: Optional[int] = None, ahead: Sequence[list[str]] = ()):
        self.text, self.reader, self.header, self.delimiter, self.source = text, reader, header, delimiter, source
        self.header_row = header_row                       # the header's spreadsheet row (after any title rows)
        self.header_lines = reader.line_num if header_lines is None else header_lines
        self.ahead = list(ahead)                           # rows read while looking for the header
        self.spans = []                                    # rows over several lines, noted as they are read

    def __iter__(self) -> Iterator[list[str]]:
        """The rows, noting each that spans several lines of the file (row number, lines, cells) for
        ``check``, as they are read: the file is not parsed a second time."""
        yield from self.ahead
        spans = self.spans
        for row, first, end, cells in _with_lines(self.reader, self.header_row + len(self.ahead)):
            if end > first:
                spans.append((row, first, end, cells))
            yield cells

    spans: list[tuple[int, int, int, list[str]]]

    def check(self, last_row: int) -> None:
        """Raise ImportFailed for a cell with line breaks that holds what look like rows; ``last_row`` is
        the spreadsheet row number of the last row read (the header is row ``header_row``)."""
        if self.reader.line_num - self.header_lines == last_row - self.header_row:
            return                                         # every row on one line
        spans: Iterable[tuple[int, int, int, list[str]]] = self.spans
        if any("\n" in c or "\r" in c for cells in self.ahead for c in cells):
            # Rows read with the header span lines, and their lines were not counted: read again.
            reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=self.delimiter)
            for _ in range(self.header_row):
                next(reader, None)
            spans = (span for span in _with_lines(reader, self.header_row) if span[2] > span[1])
        for row, first, end, cells in spans:
            problem = _runaway(cells, self.header, row, first, end, self.delimiter)
            if problem is not None:
                raise import_failed([problem], source=self.source)


def _with_lines(reader: Reader, row: int) -> Iterator[tuple[int, int, int, list[str]]]:
    """Each record of ``reader`` as (spreadsheet row number, its first line, its last line, cells),
    counting rows on from ``row``."""
    line = reader.line_num
    for cells in reader:
        row += 1
        end = reader.line_num
        yield row, line + 1, end, cells
        line = end


# --- tables -----------------------------------------------------------------------------------------------

def read_cells(path: str | Path, *, required: Sequence[str], aliases: dict[str, str] | None = None,
               known: Iterable[str] | None = None, source: str | None = None, sheet: str | None = None,
               headings: list[str] | None = None) -> tuple[list[str], list[int], list[list[str]]]:
    """(normalised header, spreadsheet row numbers, rows of cells padded to the header's width).

    Row 1 is the header.  Blank lines (spreadsheets leave them) are dropped; a row with more
    non-blank cells than the header names, a broken quote or a cell whose line breaks hold what
    look like rows is refused, every such row listed, with nothing returned.  A workbook's ``sheet``
    (default: the first) is read alike.  ``headings``, if given, receives the header as the file spells it.
    """
    keys, reader = open_table(path, required=required, aliases=aliases, known=known, sheet=sheet)
    first = reader.header_row + 1                          # a title above the header moves the rows down
    if headings is not None:
        headings.extend(h.strip() for h in reader.header)
    width = len(keys)
    problems: list[str] = []
    numbers: list[int] = []
    rows: list[list[str]] = []
    number = 1
    try:
        for number, cells in enumerate(reader, start=first):
            if len(cells) != width:
                if len(cells) > width and any(c.strip() for c in cells[width:]):
                    problems.append(f"row {number}: has {len(cells)} cells but the header names {width} columns")
                    continue
                cells = (cells + [""] * width)[:width]
            if "".join(cells).strip():
                rows.append(cells)
                numbers.append(number)
    except csv.Error as exc:
        problems.append(f"row {number + 1}: {exc}")
    else:
        reader.check(number)
    if problems:
        raise import_failed(problems, source=str(path) if source is None else source)
    return keys, numbers, rows


def read_rows(path: str | Path, *, required: Sequence[str], aliases: dict[str, str] | None = None,
              known: Iterable[str] | None = None, sheet: str | None = None
              ) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Rows as (spreadsheet row number, {normalised header: value}).  Row 1 is the header."""
    keys, numbers, rows = read_cells(path, required=required, aliases=aliases, known=known, sheet=sheet)
    named = [(i, k) for i, k in enumerate(keys) if k]
    return keys, [(number, {k: cells[i].strip() for i, k in named}) for number, cells in zip(numbers, rows)]


def read_text(path: str | Path) -> str:
    """A CSV file's text, decoded, or ImportFailed naming the file and why it is not CSV text."""
    source = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise import_failed([f"{source}: cannot be read ({exc.strerror})"], source=source) from None
    if raw.startswith(b"\xd0\xcf\x11\xe0"):            # the old binary Excel format (.xls)
        raise import_failed([f"{source}: is an old Excel workbook (.xls), which cannot be read: open it in Excel "
                             f"and save it as 'Excel Workbook (.xlsx)' or 'CSV UTF-8'"], source=source)
    text, wide = _decode(raw, source)
    _refuse_binary(text, raw, wide, source)
    return text


def open_table(path: str | Path, *, required: Sequence[str], aliases: dict[str, str] | None = None,
               known: Iterable[str] | None = None, sheet: str | None = None) -> tuple[list[str], Rows | SheetRows]:
    """The checked, normalised header and the rows after it as lists of cells, for importers that
    want plain lists (100,000 rows) rather than a dict a row.  Call ``check`` on the rows after
    reading them.  A path ending .xlsx or .xlsm is a workbook: its ``sheet`` (default: the first)."""
    source = str(path)
    if is_workbook(path):
        rows = SheetRows(path, sheet, source)
        try:
            if not rows.header:
                raise import_failed([f"{source}: the sheet {_escaped(rows.title)!r} is empty; its first row must "
                                     f"name the columns (at least: {', '.join(required)})"], source=source)
            keys = check_header(rows.header, source, required, aliases, known)
        except ImportFailed:
            rows.close()
            raise
        return keys, rows
    if sheet is not None:
        raise import_failed([f"{source}: is not a workbook (.xlsx), so it has no sheet {sheet!r} to choose; "
                             f"name the sheet only for a workbook"], source=source)
    text = read_text(path)
    delimiter = sniff_delimiter(text)
    check_quoting(text, delimiter, source)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise import_failed([f"{source}: the file is empty; the first row must name the columns "
                            f"(at least: {', '.join(required)})"], source=source) from None
    except csv.Error as exc:
        raise import_failed([f"{source}: row 1: {exc}"], source=source) from None
    def read() -> tuple[Optional[list[str]], int]:
        try:
            return next(reader, None), reader.line_num
        except csv.Error:
            return None, reader.line_num
    header, header_row, header_lines, ahead = find_header(header, reader.line_num, read)
    keys = check_header(header, source, required, aliases, known)
    return keys, Rows(text, reader, header, delimiter, source, header_row, header_lines, ahead)


TITLE_ROWS = 10     # how far down a sheet's headings may start, below a title and blank rows


def _filled(cells: Sequence[object]) -> int:
    return sum(1 for c in cells if str(c or "").strip())


R = TypeVar("R", bound=Sequence[object])


def find_header(first: R, mark: int, read: Callable[[], tuple[Optional[R], int]]) -> tuple[R, int, int, list[R]]:
    """The headings' row: the first row, unless it is a title or blank (one filled cell at most) with the
    headings below it, as a sheet with a title above its table is saved.  Returns (header, its row number,
    ``mark`` as ``read`` gave it for the header, the rows read beyond the header to be read again).  A list of
    one column, whose every row has one cell, keeps its first row as the header."""
    if _filled(first) > 1:
        return first, 1, mark, []
    rows: list[tuple[R, int]] = [(first, mark)]
    while len(rows) < TITLE_ROWS:
        row, at = read()
        if row is None:
            break
        rows.append((row, at))
        if _filled(row) > 1:
            return row, len(rows), at, []
    return first, 1, mark, [r for r, _ in rows[1:]]


def header_problems(header: Sequence[str], keys: Sequence[str], required: Iterable[str]) -> list[str]:
    """What is wrong with a header as read (``keys``, a column for each heading): required columns missing,
    a column named twice."""
    problems = []
    missing = [r for r in required if r not in keys]
    if missing:
        problems.append(f"header: missing required column(s) {', '.join(missing)}; found: "
                        f"{', '.join(h for h in header if h.strip()) or '(none)'}")
    dupes = sorted({k for k in keys if k and keys.count(k) > 1})
    if dupes:
        problems.append(f"header: column(s) {', '.join(dupes)} appear more than once")
    return problems


def check_header(header: list[str], source: str, required: Sequence[str], aliases: dict[str, str] | None,
                 known: Iterable[str] | None) -> list[str]:
    """The header's normalised keys, or ImportFailed listing what is missing, repeated or unknown."""
    aliases = aliases or {}
    keys = [aliases.get(header_key(h), header_key(h)) for h in header]
    problems = header_problems(header, keys, required)
    if known is not None:
        known_set = set(known)
        unknown = [h for h, k in zip(header, keys) if k and k not in known_set]
        if unknown:
            problems.append(f"header: unknown column(s) {', '.join(repr(u) for u in unknown)}; accepted columns: "
                            f"{', '.join(sorted(known_set))}")
    if problems:
        raise import_failed(problems, source=source)
    return keys


# --- workbooks ---------------------------------------------------------------------------------------------

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
WORKBOOK_HELP = "save it again from Excel as an Excel workbook (.xlsx), or as 'CSV UTF-8'"
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


def is_workbook(path: str | Path) -> bool:
    """Whether ``path`` is an Excel workbook, read as one rather than as CSV text: named .xlsx or .xlsm, or
    a workbook under another name (a "log.csv" that Excel saved as a workbook all the same)."""
    if Path(path).suffix.lower() in WORKBOOK_SUFFIXES:
        return True
    try:
        with open(path, "rb") as fh:
            if fh.read(4) != b"PK\x03\x04":
                return False
        with zipfile.ZipFile(path) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (OSError, zipfile.BadZipFile):
        return False


def cell_text(value: object) -> str:
    """A workbook cell as the text a CSV saved from it would hold: a date (or a date and time at midnight)
    as 2018-04-01, a date and time as 2018-04-01 09:30, a whole number as 12 (not 12.0), TRUE and
    FALSE as yes and no, an empty cell as ''."""
    if value is None:
        return ""
    if value.__class__ is str:
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds" if value.second or value.microsecond else "minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat(timespec="seconds" if value.second or value.microsecond else "minutes")
    return str(value)


def _trimmed(cells: Sequence[object]) -> list[str]:
    """A row's cells as texts, without the empty cells after its last value."""
    out = [cell_text(c) for c in cells]
    while out and not out[-1]:
        out.pop()
    return out


def _escaped(text: str) -> str:
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


class SheetRows:
    """One sheet of a workbook: ``header`` (row 1), then the rows after it as lists of cell texts
    (``cell_text``), read in openpyxl's read-only mode a row at a time.  ``check``, called once the rows
    are read, refuses a formula whose value was never saved (a workbook written by a program rather
    than by Excel), which would otherwise read as an empty cell."""

    def __init__(self, path: str | Path, sheet: str | None, source: str):
        self.path, self.source = Path(path), source
        self.workbook: Any = None
        self._file: Any = None
        try:
            workbook = self._open()
        except BaseException:
            self.close()                                   # the file it opened, if any
            raise
        self.workbook = workbook
        try:
            self.sheet = self._choose(workbook, sheet)
            self.sheet.reset_dimensions()        # a saved dimension can be wrong (A1:A1), and would cut rows off
            self._rows = self.sheet.iter_rows(values_only=True)
            first = self._next()
        except BaseException:
            self.close()
            raise
        self.title: str = self.sheet.title

        def read() -> tuple[Optional[list[str]], int]:
            row = self._next()
            return (None if row is None else _trimmed(row)), 0
        self.header, self.header_row, _, self.ahead = find_header(_trimmed(first or ()), 0, read)

    def _fail(self, reason: str) -> ImportFailed:
        return import_failed([f"{self.source}: {reason}"], source=self.source)

    def _open(self) -> Any:
        try:
            import openpyxl                                   # type: ignore[import-untyped]
        except ImportError:                                    # pragma: no cover - a dependency
            raise self._fail("reading Excel workbooks needs the openpyxl package (pip install openpyxl); "
                             "or save the sheet as 'CSV UTF-8'") from None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")                # "Data Validation extension is not supported" ...
                if self.path.suffix.lower() in WORKBOOK_SUFFIXES:
                    return openpyxl.load_workbook(self.path, read_only=True, data_only=True)
                self._file = open(self.path, "rb")       # openpyxl judges a path by its name, a file by its bytes
                return openpyxl.load_workbook(self._file, read_only=True, data_only=True)
        except OSError as exc:
            if not isinstance(exc, zipfile.BadZipFile) and exc.errno is not None:
                raise self._fail(f"cannot be read ({exc.strerror})") from None
            raise self._fail(f"is not an Excel workbook ({self._reason(exc)}); {WORKBOOK_HELP}") from None
        except Exception as exc:                               # a corrupt zip or workbook: any library error
            raise self._fail(f"is not an Excel workbook ({self._reason(exc)}); {WORKBOOK_HELP}") from None

    @staticmethod
    def _reason(exc: BaseException) -> str:
        if isinstance(exc, zipfile.BadZipFile):
            return "it is not a zip archive, which every .xlsx file is"
        text = " ".join(str(exc).split())[:120]
        return _escaped(f"{type(exc).__name__}: {text}" if text else type(exc).__name__)

    def _choose(self, workbook: Any, sheet: str | None) -> Any:
        tables = list(workbook.worksheets)
        names = list(workbook.sheetnames)
        if sheet is None:
            if not tables:
                raise self._fail("the workbook has no worksheet with a table in it")
            return tables[0]
        wanted = [n for n in names if n == sheet] or [n for n in names if n.strip().lower() == sheet.strip().lower()]
        if len(wanted) != 1:
            raise self._fail(f"the workbook has no sheet named {_escaped(sheet)!r}; its sheets: "
                             + ", ".join(repr(_escaped(n)) for n in names))
        chosen = workbook[wanted[0]]
        if chosen not in tables:
            raise self._fail(f"the sheet {_escaped(wanted[0])!r} is a chart, not a table")
        return chosen

    def _next(self) -> Optional[tuple[object, ...]]:
        try:
            row: Optional[tuple[object, ...]] = next(self._rows, None)
            return row
        except ImportFailed:
            raise
        except Exception as exc:                               # broken XML inside the zip
            self.close()
            raise self._fail(f"the sheet cannot be read ({self._reason(exc)}); {WORKBOOK_HELP}") from None

    def __iter__(self) -> Iterator[list[str]]:
        yield from self.ahead
        while True:
            row = self._next()
            if row is None:
                return
            yield _trimmed(row)

    def check(self, last_row: int) -> None:
        """Refuse each formula with no saved value in the header's columns (data_only reads it as empty)."""
        try:
            unsaved = self._unsaved_formulas()
        finally:
            self.close()
        width = len(self.header)
        problems = [f"row {row}, column {_escaped(self.header[col - 1].strip()) or col}: a formula with no saved value: "
                    f"open the workbook in Excel and save it" for row, col in unsaved if col <= width]
        if problems:
            raise import_failed(problems, source=self.source)

    def _unsaved_formulas(self) -> list[tuple[int, int]]:
        """(row, column) of each cell with a formula and no value.  Most workbooks hold no formula at all,
        which a scan of the sheet's bytes shows without parsing it again."""
        part = getattr(self.sheet, "_worksheet_path", None)
        archive = getattr(self.workbook, "_archive", None)
        if part is None or archive is None:                   # pragma: no cover - another openpyxl
            return []
        try:
            with archive.open(part) as stream:
                tail = b""
                for chunk in iter(lambda: stream.read(1 << 20), b""):
                    if _FORMULA_TAG.search(tail + chunk):
                        break
                    tail = chunk[-64:]
                else:
                    return []
            return _formulas_without_values(archive, part)
        except Exception as exc:
            raise self._fail(f"the sheet cannot be read ({self._reason(exc)}); {WORKBOOK_HELP}") from None

    def close(self) -> None:
        if self.workbook is not None:
            self.workbook.close()
            self.workbook = None
        if self._file is not None:
            self._file.close()
            self._file = None


def _formulas_without_values(archive: zipfile.ZipFile, part: str) -> list[tuple[int, int]]:
    """Parse the sheet for cells (``<c>``) holding a formula (``<f>``) but no saved value (``<v>``)."""
    from xml.etree.ElementTree import iterparse

    found: list[tuple[int, int]] = []
    row_number, column = 0, 0
    with archive.open(part) as stream:
        for _, element in iterparse(stream, events=("end",)):
            tag = element.tag.rpartition("}")[2]
            if tag == "row":
                element.clear()
                continue
            if tag != "c":
                continue
            ref = element.get("r")
            if ref:
                m = re.match(r"([A-Z]+)(\d+)$", ref)
                if m:
                    column = 0
                    for letter in m.group(1):
                        column = column * 26 + ord(letter) - 64
                    row_number = int(m.group(2))
            else:
                column += 1
            children = {child.tag.rpartition("}")[2]: child for child in element}
            if "f" in children and element.get("t") != "inlineStr":
                value = children.get("v")
                # only a text result may be empty (="" saves <v></v> with t="str"); a program that writes
                # formulas without working them out leaves <v/> or nothing
                if value is None or (not value.text and element.get("t") != "str"):
                    found.append((row_number, column))
            element.clear()
    return found


# --- writing ---------------------------------------------------------------------------------------------

def safe_cell(value: object) -> str:
    """OWASP's defence: a cell a spreadsheet would run as a formula gets a leading apostrophe."""
    if value is None:
        return ""
    text = str(value)
    # apostrophes already in front of a formula are guarded too, so that ``unguard`` can tell the
    # guard from the value: "'=1+1" is written "''=1+1" and read back as "'=1+1"
    if text.lstrip("'").startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def unguard(text: str) -> str:
    """The inverse of ``safe_cell`` on import: "'=SUM(A1)" was written for "=SUM(A1)"."""
    if text[:1] == "'" and text[1:].lstrip("'").startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def write_csv(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()
