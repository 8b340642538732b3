"""Excel workbooks out: one sheet, written so a spreadsheet can never run what it holds.

``write_xlsx`` (to a file, atomically) and ``xlsx_bytes`` (for ``write_output``) write a header
row and data rows with openpyxl's write-only mode.  Every text cell gets the CSV writer's
defence (``csvfiles.safe_cell``: text starting with = + - @, a tab or a carriage return is
prefixed with an apostrophe), so that it is stored as text, never as a formula; numbers stay numbers,
and dates are real Excel dates shown as 05/01/2018.  The header is bold, its row frozen, and
each column as wide as its longest value (within limits).

Reading workbooks is ``csvfiles.open_table``'s (a path ending .xlsx or .xlsm), so that every
importer reads a workbook as it reads a CSV.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..progress import NO_PROGRESS, Progress, counted
from ..store.files import atomic_write
from .csvfiles import safe_cell

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
SHEET_TITLE = "Sheet1"
MIN_WIDTH, MAX_WIDTH = 8, 60
_WIDTH_SAMPLE = 2000                   # rows looked at to size the columns
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_UK_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
# Characters XML 1.0 cannot hold at all (openpyxl refuses a cell with one): shown escaped instead.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def as_date(value: object) -> object:
    """A cell written 2018-01-05 or 05/01/2018 as that date, so the workbook holds a real date;
    any other value as it is (a deadline rule such as '3 months after publication' stays text)."""
    if value.__class__ is not str:
        return value
    text: str = value
    try:
        if _ISO_DATE.match(text):
            return date.fromisoformat(text)
        m = _UK_DATE.match(text)
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        pass
    return value


def _text(value: str) -> str:
    text = safe_cell(value)
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
    return text


def _shown_width(value: object) -> int:
    if isinstance(value, (date, datetime)):
        return 10
    text = "" if value is None else str(value)
    return max((len(line) for line in text.splitlines()), default=0)


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[object]], *, title: str = SHEET_TITLE,
               progress: Progress = NO_PROGRESS) -> bytes:
    """The workbook's bytes: one sheet, ``header`` in row 1 (bold, frozen), then ``rows``.

    Values: None is an empty cell; bool, int and float are numbers (a bool as TRUE/FALSE); a date
    or datetime is an Excel date; anything else is text, defended as ``safe_cell`` defends a CSV
    cell and stored as a string (never a formula).  ``progress`` counts the rows written.
    """
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    data = [list(r) for r in rows]
    width = len(header)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title)
    ws.freeze_panes = "A2"
    for i in range(max(width, max((len(r) for r in data), default=0))):
        name = header[i] if i < width else ""
        widest = max([len(name) + 2] + [_shown_width(r[i]) + 1 for r in data[:_WIDTH_SAMPLE] if i < len(r)])
        ws.column_dimensions[get_column_letter(i + 1)].width = min(MAX_WIDTH, max(MIN_WIDTH, widest))
    bold = Font(bold=True)

    def cell(value: object) -> Any:
        """What ``ws.append`` takes for ``value``: plain values where openpyxl's own reading of them is
        right (a cell object costs a third of the time), a cell for a date and its format."""
        if value is None or value == "":
            return None
        kind = value.__class__
        if kind is str:
            # guarded, it never starts with "=", so openpyxl stores it as text, not as a formula
            return _text(value)                          # type: ignore[arg-type]
        if kind is int or kind is float or kind is bool:
            return value
        if isinstance(value, date):
            c = WriteOnlyCell(ws, value)
            c.number_format = DATE_FORMAT if not isinstance(value, datetime) or value.time() == time(0) \
                else DATETIME_FORMAT
            return c
        if isinstance(value, (int, float)):
            return float(value) if isinstance(value, float) else int(value)
        return _text(str(value))

    def header_cell(name: str) -> Any:
        c = WriteOnlyCell(ws, _text(name))
        c.data_type = "s"
        c.font = bold
        return c

    ws.append([header_cell(h) for h in header])
    for r in counted(data, len(data), progress, f"writing {title} (xlsx)"):
        ws.append([cell(v) for v in r])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def write_xlsx(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[object]], *,
               title: str = SHEET_TITLE) -> Path:
    """Write ``xlsx_bytes(header, rows)`` to ``path`` atomically (mode 0600, like every export):
    a reader never sees half a workbook, and a failed write leaves the old file as it was."""
    target = Path(path)
    atomic_write(target, xlsx_bytes(header, rows, title=title))
    return target


def date_columns(header: Sequence[str], names: Iterable[str]) -> list[int]:
    """The positions in ``header`` of the columns ``names``, for ``dated_rows``."""
    wanted = set(names)
    return [i for i, h in enumerate(header) if h in wanted]


def dated_rows(rows: Iterable[Sequence[object]], columns: Sequence[int],
               ) -> Iterable[list[object]]:
    """``rows`` with the cells of ``columns`` turned into dates where they are written as one
    (``as_date``), so that an export built for CSV writes real dates to a workbook."""
    for r in rows:
        out = list(r)
        for i in columns:
            if i < len(out):
                out[i] = as_date(out[i])
        yield out

