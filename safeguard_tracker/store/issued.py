"""References ever issued: the highest number per prefix, so that no reference is issued twice.

The snapshot's header keeps them (``issued``, see format.py).  They are also read from record
keys, and, by pattern, from the bytes of a file that cannot be parsed: a damaged file's
references stay issued.
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping, Optional

_REF = r"[A-Z]+-(?:\d{4}-)?\d+"
# A reference as a record's key in a table, as the record named by an audit entry, and as a journal put.
_REF_IN_BYTES = re.compile(rb'"(' + _REF.encode() + rb')":\{|"ref":"(' + _REF.encode() + rb')"|\[("[a-z_]+"),"('
                           + _REF.encode() + rb')",\{')
_REF_PARTS = re.compile(r"^(" + _REF.replace(r"\d+", "") + r")(\d+)$")


def reference_number(key: str) -> Optional[tuple[str, int]]:
    """('L-2018-', 42) for 'L-2018-0042', ('A-', 6) for 'A-000006'; None for other keys."""
    m = _REF_PARTS.match(key)
    return (m.group(1), int(m.group(2))) if m else None


def merge_issued(*floors: Mapping[str, int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for floor in floors:
        for prefix, n in floor.items():
            if n > out.get(prefix, 0):
                out[prefix] = n
    return out


def issued_in_keys(keys: Iterable[str]) -> dict[str, int]:
    """The highest number per prefix among record keys."""
    out: dict[str, int] = {}
    for key in keys:
        found = reference_number(key)
        if found is not None and found[1] > out.get(found[0], 0):
            out[found[0]] = found[1]
    return out


def issued_in_bytes(raw: bytes) -> dict[str, int]:
    """References named in a file's bytes (record keys, audit entries, journal puts), readable or not.

    A damaged file cannot be parsed, but the references it issued must stay
    issued: they are found by pattern, line by line, whatever the checksums say.
    """
    found = (m.group(1) or m.group(2) or m.group(4) for m in _REF_IN_BYTES.finditer(raw))
    return issued_in_keys(ref.decode("ascii") for ref in found)
