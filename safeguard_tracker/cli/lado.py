"""Subcommands for this area (filled in by its issue)."""

from __future__ import annotations


def register(groups: dict) -> None:
    pass
