"""What an import did, or would do: shared by the importers (contacts, plans)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs

from ..errors import ImportFailed
from .csvfiles import decode_bytes


@attrs.frozen(kw_only=True)
class ImportResult:
    """What an import did (or, with ``dry_run``, would do)."""
    source: str
    rows: int
    added: tuple[str, ...]
    updated: dict[str, tuple[str, ...]]           # reference -> the fields that change
    unchanged: tuple[str, ...]
    dry_run: bool = False
    ignored_columns: tuple[str, ...] = ()
    without_reference: int = 0                    # rows added with a new reference: a re-import adds them again
    already: dict[int, str] = attrs.field(factory=dict)  # row number -> the stored contact it was imported as before

    @property
    def changed(self) -> int:
        return len(self.added) + len(self.updated)

    def summary(self, limit: int = 20) -> list[str]:
        verb = ("would add", "would update") if self.dry_run else ("added", "updated")
        lines = [f"{self.source}: {self.rows} row(s): {verb[0]} {len(self.added)}, {verb[1]} {len(self.updated)}, "
                 f"{len(self.unchanged)} unchanged" + (" (dry run: nothing was written)" if self.dry_run else "")]
        for ref, fields in list(self.updated.items())[:limit]:
            lines.append(f"  {verb[1]} {ref}: {', '.join(fields)}")
        if len(self.updated) > limit:
            lines.append(f"  ... and {len(self.updated) - limit} more updated")
        if self.added:
            shown = ", ".join(self.added[:limit])
            more = f" ... and {len(self.added) - limit} more" if len(self.added) > limit else ""
            lines.append(f"  {verb[0]}: {shown}{more}")
        if self.already:
            rows = sorted(self.already.items())
            shown = ", ".join(f"row {n} = {ref}" for n, ref in rows[:limit])
            more = f" ... and {len(rows) - limit} more" if len(rows) > limit else ""
            lines.append(f"  already in the store (same date, agency and details; no reference in the file): "
                         f"{shown}{more}")
        if self.without_reference:
            lines.append(f"  note: {self.without_reference} row(s) had no reference, so importing this file again "
                         f"would add them again unless their details match; export the records to get a file "
                         f"with references")
        if self.ignored_columns:
            lines.append(f"  ignored (export-only) column(s): {', '.join(self.ignored_columns)}")
        return lines

    def to_dict(self) -> dict:
        return {"source": self.source, "rows": self.rows, "dry_run": self.dry_run, "added": list(self.added),
                "updated": {k: list(v) for k, v in self.updated.items()}, "unchanged": len(self.unchanged)}


def changed_fields(old: dict, new: dict) -> tuple[str, ...]:
    """The top-level fields of a stored document that ``new`` would change."""
    return tuple(k for k in new if k != "_rev" and new[k] != old.get(k))


def read_json_file(path: str | Path) -> Any:
    """A JSON file's contents, or ImportFailed naming the file and where it stops being JSON."""
    path = Path(path)
    source = path.name
    try:
        return json.loads(decode_bytes(path.read_bytes(), source))
    except OSError as exc:
        raise ImportFailed([f"{source}: cannot be read ({exc.strerror})"], source=source) from None
    except json.JSONDecodeError as exc:
        raise ImportFailed([f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"],
                           source=source) from None


def describe_structure_error(exc: BaseException) -> str:
    """A one-line reason from cattrs' nested exceptions: 'invalid value for type, expected date @ $.received_on'."""
    try:
        from cattrs import transform_error
        return "; ".join(transform_error(exc, path="$")[:5]) or type(exc).__name__
    except Exception:  # pragma: no cover - not a cattrs error
        return f"{type(exc).__name__}: {exc}"
