"""Markdown in which data never becomes markup.

Every value a Markdown template prints goes through ``markdown_safe`` (the environment's
finaliser): no raw HTML, and no link or image syntax, can come from data.
"""

from __future__ import annotations

import re
from typing import Any


class MdText(str):
    """Text already made safe for Markdown by ``md_text``; ``markdown_safe`` leaves it as it is."""


_MD_ESCAPES = str.maketrans({"\\": "\\\\", "[": "\\[", "]": "\\]", "|": "\\|",
                             "<": "&lt;", ">": "&gt;", "\r": " "})
_SPACED = r"[\s]*".join   # browsers ignore tabs and line breaks inside a scheme ("java\nscript:")
# The colon of anything a viewer could turn into a link, or a browser run or load: a scheme
# before "//" (bare URLs, which GitHub-style viewers link), javascript:, vbscript:, data:type/
# and file:/.  It becomes an entity, which every viewer shows as ':' and none reads as a link.
_LINK_COLON = re.compile(r"(?i)\b(" + "|".join([
    r"[a-z][a-z0-9+.\-]*(?=\s*:\s*//)", _SPACED("javascript"), _SPACED("vbscript"), _SPACED("livescript"),
    r"data(?=\s*:\s*[\w.+-]+/)", r"file(?=\s*:\s*/)"]) + r")(\s*):")
_WWW = re.compile(r"(?i)\bwww\.")      # "www.example.org" is linked by GitHub-style viewers too


def md_text(value: Any) -> MdText:
    """``value`` as Markdown that shows the same words in a viewer and can form no markup.

    Backslash escapes for the characters that build links, images, reference definitions and
    table cells (``\\ [ ] |``); entities for ``<`` and ``>`` (no raw HTML, no ``<http://...>``
    autolink), for the colon of a URL or a ``javascript:``-like scheme and the dot of ``www.``
    (no bare link); a carriage return becomes a space.
    """
    text = _LINK_COLON.sub(lambda m: f"{m.group(1)}{m.group(2)}&#58;", str(value).translate(_MD_ESCAPES))
    return MdText(_WWW.sub(lambda m: m.group(0)[:3] + "&#46;", text))


def markdown_safe(value: Any) -> Any:
    """The finaliser of every Markdown template: every printed string goes through ``md_text``
    unless it already did (``md()`` in a table cell)."""
    if isinstance(value, MdText):
        return value
    if isinstance(value, str):
        return md_text(value)
    return value
