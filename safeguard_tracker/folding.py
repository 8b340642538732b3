"""The key two spellings of one name share: case, spacing, apostrophe and dash style ignored.

A spreadsheet writes "School – Primary", a person types "school - primary": both fold to the same
key.  Every vocabulary (agencies, partners, local labels) and every typed choice compares by it.
"""

from __future__ import annotations

import re

_DASHES = re.compile(r"\s*[-\u2010\u2011\u2012\u2013\u2014\u2212]\s*")
_SPACES = re.compile(r"\s+")


def fold(name: str) -> str:
    """The key two spellings of one name share: case, spacing and dash style ignored.

    >>> fold("  School \u2013 PRIMARY ") == fold("school - primary")
    True
    """
    name = name.replace("\u2019", "'")
    name = _DASHES.sub(" - ", name.strip())
    return _SPACES.sub(" ", name).casefold()


__all__ = ["fold"]
