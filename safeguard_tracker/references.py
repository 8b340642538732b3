"""References as people type them."""

from __future__ import annotations

import re


def normalise_reference(reference: str) -> str:
    """'l-2018-0042' -> 'L-2018-0042'; 'a-6' -> 'A-000006': references as people type them."""
    ref = reference.strip()
    if re.fullmatch(r"(?i)a-?\d{1,9}", ref):
        return f"A-{int(re.sub(r'(?i)a-?', '', ref)):06d}"
    if re.match(r"(?i)^[lr]-", ref):
        return ref.upper()
    return ref
