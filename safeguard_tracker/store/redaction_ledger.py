"""The redaction ledger, ``store.json.redactions``: which records were redacted, kept beside the store.

One line per step, "REF of TABLE redacted on DATE by USER: pending | complete", in the
journal's line format (a CRC-32, then JSON), appended and fsynced, created 0600.  It holds
references, dates and staff log-in names, never a value that was removed.  It is a sidecar
file rather than a table because it must outlive what it guards against: a restore replaces
the snapshot and the journal, and a ledger inside them would be rolled back together with the
values it exists to remove.  The records carry ``redacted_on`` as well, so a redacted record
the ledger does not list (redacted before the ledger existed, or the ledger file deleted) is
added to it on the next writable open.  A ledger line that fails its checksum is corruption:
the store is refused, as for the journal, because without the ledger a restore could bring a
removed name back.  The steps that act on it are in redaction.py.
"""

from __future__ import annotations

import os
import zlib
from datetime import date
from pathlib import Path
from typing import Any, Callable, ContextManager, Iterable, Optional, Protocol, cast

import attrs
import orjson

from ..errors import StoreCorrupt, StoreWriteError
from .files import append_durably, describe_os_error
from .format import encode_entry
from .protocol import Doc
from .transaction import Transaction


class LedgerHost(Protocol):
    """What the redaction steps need from the file store that keeps the ledger beside it."""
    path: Path
    journal_path: Path
    backup_dir: Path
    user: str
    progress: Optional[Callable[[str], None]]
    warnings: list[str]
    read_only: Optional[str]

    def locked(self) -> ContextManager[None]: ...

    def refresh(self) -> list[tuple[str, str]]: ...

    def verify_writable(self) -> None: ...

    def compact(self) -> None: ...

    def transaction(self) -> ContextManager[Transaction]: ...

    def all(self, table: str) -> dict[str, Doc]: ...

    def get(self, table: str, key: str) -> Optional[Doc]: ...

    def history(self, ref: str) -> list[Doc]: ...

    @property
    def tables(self) -> dict[str, dict[str, Doc]]: ...


PENDING = "pending"
COMPLETE = "complete"
LEDGER_SUFFIX = ".redactions"


@attrs.frozen
class Redaction:
    """One ledger line: which record, when and by whom it was redacted, and how far that got."""
    table: str
    ref: str
    on: date
    user: str
    at: str
    state: str = PENDING

    def to_line(self) -> dict[str, str]:
        return {"table": self.table, "ref": self.ref, "on": self.on.isoformat(), "user": self.user,
                "at": self.at, "state": self.state}

    @classmethod
    def from_line(cls, line: Any) -> "Redaction":
        """Raises ValueError for anything but a well-formed line."""
        if not isinstance(line, dict) or line.get("state") not in (PENDING, COMPLETE):
            raise ValueError("not a redaction line")
        fields = [line.get(k) for k in ("table", "ref", "on", "user", "at")]
        if not all(isinstance(v, str) and v for v in fields):
            raise ValueError("a field is missing")
        table, ref, on, user, at = cast(list[str], fields)   # each checked just above
        return cls(table=table, ref=ref, on=date.fromisoformat(on), user=user, at=at, state=line["state"])



def ledger_path(store: LedgerHost) -> Path:
    """``store.json.redactions``, beside the store."""
    return store.path.with_name(store.path.name + LEDGER_SUFFIX)


def _damaged(path: Path, line: int, why: str) -> StoreCorrupt:
    return StoreCorrupt(
        f"the redaction ledger {path} is damaged at line {line} ({why}); it lists which records were redacted "
        f"(references and dates, no personal data) so that no restore brings their values back, and the store is "
        f"not used without it: restore the file from a copy, or delete that line (a redacted record is listed "
        f"again when the store is next opened; an unfinished one needs `redact` again). Nothing was changed")


def read_ledger(store: LedgerHost) -> dict[tuple[str, str], Redaction]:
    """The latest line for each (table, reference), in the order first redacted.

    A last line without its newline is an append a kill cut short: it was
    never acted on and is ignored (the next append cuts it off).
    """
    path = ledger_path(store)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise StoreCorrupt(f"the redaction ledger {path} cannot be read: {exc.strerror}; nothing was changed") from None
    latest: dict[tuple[str, str], Redaction] = {}
    lines = raw.split(b"\n")[:-1]           # the part after the last newline is a torn append
    for number, line in enumerate(lines, 1):
        if len(line) < 10 or line[8:9] != b" ":
            raise _damaged(path, number, "not a ledger line")
        try:
            if int(line[:8], 16) != zlib.crc32(line[9:]):
                raise _damaged(path, number, "it fails its checksum")
            entry = Redaction.from_line(orjson.loads(line[9:]))
        except (ValueError, orjson.JSONDecodeError):
            raise _damaged(path, number, "not a ledger line") from None
        latest[(entry.table, entry.ref)] = entry
    return latest


def _cut_torn_tail(path: Path) -> None:
    """Drop a last line a kill left without its newline, so the next line starts cleanly."""
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreWriteError(describe_os_error(exc, path) + "; nothing was saved") from exc
    try:
        size = os.fstat(fd).st_size
        if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
            return
        keep = os.pread(fd, size, 0).rfind(b"\n") + 1
        os.ftruncate(fd, keep)
        os.fsync(fd)
    except OSError as exc:
        raise StoreWriteError(describe_os_error(exc, path) + "; nothing was saved") from exc
    finally:
        os.close(fd)


def append_to_ledger(store: LedgerHost, redactions: Iterable[Redaction]) -> None:
    """Append lines durably (fsynced before returning), under the store's lock."""
    data = b"".join(encode_entry(r.to_line()) for r in redactions)
    if not data:
        return
    store.verify_writable()
    path = ledger_path(store)
    _cut_torn_tail(path)
    append_durably(path, data)
