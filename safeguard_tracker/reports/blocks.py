"""A report as a sequence of plain blocks: headings, paragraphs and tables.

The annual report's section and the action plan are built once as blocks from
their figures; the Word renderer (``docx_render``) lays blocks out, and the
Markdown and HTML templates loop over the same tables.  A block holds text and
numbers only, never markup: each renderer escapes for its own format.
"""

from __future__ import annotations

from typing import Optional, Union

import attrs

Cell = Union[str, int, float, None]      # None prints as an empty cell (a figure that does not apply)


@attrs.frozen(kw_only=True)
class Heading:
    text: str
    level: int = 2                       # 1 the report's title, 2 a section, 3 a sub-section


@attrs.frozen(kw_only=True)
class Paragraph:
    text: str


@attrs.frozen(kw_only=True)
class Bullets:
    items: tuple[str, ...]


@attrs.frozen(kw_only=True)
class Table:
    """A captioned table; ``total_rows`` are the indexes of rows that are subtotals or totals (shown bold)."""
    key: str                             # stable name, as in the JSON (``by_sector``)
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    total_rows: tuple[int, ...] = ()
    note: Optional[str] = None           # a sentence under the table (what is counted, what is not)

    def __attrs_post_init__(self) -> None:
        width = len(self.header)
        for i, row in enumerate(self.rows):
            if len(row) != width:
                raise ValueError(f"table {self.key}: row {i + 1} has {len(row)} cells, the header {width}")


Block = Union[Heading, Paragraph, Bullets, Table]


def cell_text(value: Cell) -> str:
    """A cell as it is printed: numbers with thousands separators, percentages as given, None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return value


__all__ = ["Block", "Bullets", "Cell", "Heading", "Paragraph", "Table", "cell_text"]
