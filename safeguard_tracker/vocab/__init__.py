"""A council's vocabularies: entries, sector groups, aliases, presets and suggestions (data, no store)."""

from .entries import FIXED_KINDS, KINDS, OPEN_KINDS, SECTOR_GROUPS, Entry, Vocabulary

__all__ = ["Entry", "FIXED_KINDS", "KINDS", "OPEN_KINDS", "SECTOR_GROUPS", "Vocabulary"]
