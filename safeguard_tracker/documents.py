"""The shape every layer passes records in: a stored document (JSON-safe, keyed by field name)."""

from __future__ import annotations

from typing import Any

Doc = dict[str, Any]

__all__ = ["Doc"]
