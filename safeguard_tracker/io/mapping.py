"""An import mapping: how one council's spreadsheet reads, saved in the store by name.

A mapping says, for a file's headings, which field each column fills (or that it is kept as an
extra field, or ignored); for the vocabulary columns, which entry each of the council's words means
("Education" -> "Education - other", "Founded" -> substantiated, "Ongoing" -> blank); the date before
which rows are historic; and the workbook's sheet.  A dry run proposes one (`propose` in each
importer); the user edits it and saves it; next month's file imports with ``--mapping NAME``.

Headings are compared by ``header_key`` ("Date of referral " -> date_of_referral) and values by
``fold`` (case, spacing and dash style ignored), so the mapping survives Excel's small changes.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

import attrs

from ..dates import parse_date
from ..errors import ValidationError
from ..folding import fold
from .csvfiles import header_key

EXTRA = "extra"      # a column kept on each record by its heading (``extra`` field)
IGNORE = "ignore"    # a column read and dropped, on the user's word
BLANK = ""           # a value mapped to blank: not recorded ("Ongoing" outcome, "n/a")
EXTRA_PREFIX = "extra:"


@attrs.frozen(kw_only=True)
class ImportMapping:
    """How one council's file reads: columns, values, the historic date and the sheet."""
    kind: str = "contacts"                                      # contacts, reviews, actions
    columns: dict[str, str] = attrs.field(factory=dict)          # heading -> field, "extra" or "ignore"
    values: dict[str, dict[str, str]] = attrs.field(factory=dict)   # field -> {the council's word: entry or ""}
    historic_before: Optional[date] = None
    sheet: str = ""

    # --- reading a file's headings --------------------------------------------------------------------------
    def column_for(self, heading: str) -> Optional[str]:
        """What the mapping says of a heading (any case and spacing), or None when it does not name it."""
        key = header_key(heading)
        for h, target in self.columns.items():
            if header_key(h) == key:
                return target
        return None

    def key_for(self, key: str, column: Callable[[str], str]) -> Optional[str]:
        """The column the mapping gives a heading (by its ``header_key``): '' to ignore it, ``extra:KEY`` to keep it
        on each record, else ``column(target)`` (the importer's own column for the target the mapping names);
        None when the mapping does not name the heading."""
        target = self.column_for(key)
        if target is None:
            return None
        return "" if target == IGNORE else EXTRA_PREFIX + key if target == EXTRA else column(target)

    def value_map(self, field: str) -> dict[str, str]:
        """{folded word: entry} for one field's values."""
        return {fold(k): v for k, v in (self.values.get(field) or {}).items()}

    # --- changing -------------------------------------------------------------------------------------------
    def with_columns(self, pairs: Mapping[str, str]) -> "ImportMapping":
        columns = {h: t for h, t in self.columns.items() if header_key(h) not in {header_key(k) for k in pairs}}
        columns.update(pairs)
        return attrs.evolve(self, columns=columns)

    def with_values(self, field: str, pairs: Mapping[str, str]) -> "ImportMapping":
        values = {k: dict(v) for k, v in self.values.items()}
        mine = {k: v for k, v in values.get(field, {}).items() if fold(k) not in {fold(p) for p in pairs}}
        mine.update(pairs)
        values[field] = mine
        return attrs.evolve(self, values=values)

    # --- stored ---------------------------------------------------------------------------------------------
    def to_doc(self) -> dict[str, Any]:
        return {"kind": self.kind, "columns": dict(self.columns),
                "values": {k: dict(v) for k, v in self.values.items()},
                "historic_before": self.historic_before.isoformat() if self.historic_before else None,
                "sheet": self.sheet}

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any], name: str = "mapping") -> "ImportMapping":
        """A mapping from its stored or exported form, checked: every problem names the key."""
        if not isinstance(doc, Mapping):
            raise ValidationError(name, type(doc).__name__, "an object with columns, values, historic_before, sheet")
        unknown = sorted(set(doc) - {"kind", "columns", "values", "historic_before", "sheet", "name"})
        if unknown:
            raise ValidationError(f"{name}.{unknown[0]}", "", "one of: kind, columns, values, historic_before, sheet")
        kind = doc.get("kind", "contacts")
        if kind not in ("contacts", "reviews", "actions"):
            raise ValidationError(f"{name}.kind", kind, "contacts, reviews or actions")
        columns = doc.get("columns") or {}
        if not isinstance(columns, Mapping) or not all(isinstance(k, str) and isinstance(v, str)
                                                      for k, v in columns.items()):
            raise ValidationError(f"{name}.columns", "", "an object of heading: field (or \"extra\", \"ignore\")")
        values = doc.get("values") or {}
        if not isinstance(values, Mapping):
            raise ValidationError(f"{name}.values", "", "an object of field: {word: entry}")
        for field, words in values.items():
            if not isinstance(words, Mapping) or not all(isinstance(k, str) and isinstance(v, str)
                                                         for k, v in words.items()):
                raise ValidationError(f"{name}.values.{field}", "", "an object of the council's word: entry")
        historic = doc.get("historic_before")
        on = parse_date(historic, f"{name}.historic_before", required=False) if historic not in (None, "") else None
        sheet = doc.get("sheet") or ""
        if not isinstance(sheet, str):
            raise ValidationError(f"{name}.sheet", sheet, "a sheet's name")
        return cls(kind=kind, columns=dict(columns), values={k: dict(v) for k, v in values.items()},
                   historic_before=on, sheet=sheet)


def unknown_columns_problem(keys: Sequence[str], headings: Sequence[str], known: Iterable[str],
                            export_only: Iterable[str], mapping: Optional[ImportMapping]) -> Optional[str]:
    """The header's problem when it has headings neither the importer (``known``) nor the mapping knows."""
    known = set(known)
    unknown = [h for k, h in zip(keys, headings) if k and not k.startswith(EXTRA_PREFIX) and k not in known]
    if not unknown:
        return None
    how = ("the mapping does not say what they are: add them to it" if mapping is not None
           else "run the import with --dry-run to see a mapping for them")
    return (f"header: unknown column(s) {', '.join(repr(u) for u in unknown)}; {how} "
            f"(--map 'HEADING=FIELD', 'HEADING=extra' to keep it on each record, or 'HEADING=ignore'); "
            f"accepted fields: {', '.join(sorted(known - set(export_only)))}")


def parse_column_option(text: str) -> tuple[str, str]:
    """'Date of referral=received' -> ('Date of referral', 'received') (a --map option)."""
    heading, sep, target = str(text).rpartition("=")
    if not sep or not heading.strip() or not target.strip():
        raise ValidationError("--map", text, "HEADING=FIELD, such as 'Date of referral=received', "
                              "'Team notes=extra' or 'Old ID=ignore'")
    return heading.strip(), target.strip()


def parse_value_option(text: str) -> tuple[str, str, str]:
    """'outcome:Founded=substantiated' -> ('outcome', 'Founded', 'substantiated') (a --value option);
    nothing after '=' maps the word to blank (not recorded)."""
    field, sep, rest = str(text).partition(":")
    word, eq, target = rest.rpartition("=")
    if not sep or not eq or not field.strip() or not word.strip():
        raise ValidationError("--value", text, "FIELD:WORD=ENTRY, such as 'outcome:Founded=substantiated', "
                              "'agency:Academy=School - Secondary' or 'outcome:Ongoing=' for blank")
    return field.strip(), word.strip(), target.strip()


def headings_named(columns: Iterable[str]) -> dict[str, str]:
    """header_key -> heading, for reporting a file's headings as it spells them."""
    return {header_key(h): h for h in columns}


__all__ = ["BLANK", "EXTRA", "EXTRA_PREFIX", "IGNORE", "ImportMapping", "headings_named", "parse_column_option",
           "parse_value_option", "unknown_columns_problem"]
