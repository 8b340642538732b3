"""Stored text made safe to show: control characters are made visible, never acted on.

A field can hold whatever a spreadsheet, a paste or another program put in it, including the
characters a terminal takes as commands: ESC and its sequences (clear the screen, hide text,
set the window title, hyperlinks), the C1 controls U+0080-U+009F (U+009B is a one-character
CSI), BEL, backspace and a carriage return that overwrites what was printed, and the
bidirectional overrides and isolates that reorder what is shown.  Every printer of stored text
(the CLI's lines, the TUI's screens) goes through ``printable`` so such a character is shown as
an escape (``\\x1b``, ``\\u202e``) that a person can read and a terminal ignores.

Shown as escapes: every control character (Unicode category Cc), every format character (Cf:
bidi controls, zero-width spaces, soft hyphen, byte-order mark, tag characters) except the
zero-width joiner and non-joiner that several scripts and emoji need to spell words, the line
and paragraph separators (Zl, Zp) and lone surrogates (undecodable bytes, which would also stop
``print``).  A tab becomes a space.  A line break stays one only where the display is
multi-line (``multiline=True``); a Windows CRLF there is one line break.
"""

from __future__ import annotations

import sys
import unicodedata
from typing import Iterator, Optional, TextIO

# Zero-width non-joiner and joiner: part of how Persian, Indic scripts and emoji are written.
KEPT_FORMAT = frozenset("\u200c\u200d")
UNSAFE_CATEGORIES = frozenset(("Cc", "Cf", "Zl", "Zp", "Cs"))
# Whitespace json.dumps puts between values; anything else unsafe sits inside a string.
JSON_LAYOUT = frozenset("\n\r\t ")
NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r"}


def is_unsafe(ch: str) -> bool:
    """True for a character a terminal may act on or that changes how the text around it shows."""
    return unicodedata.category(ch) in UNSAFE_CATEGORIES and ch not in KEPT_FORMAT


def escape_char(ch: str) -> str:
    """The visible form of one unsafe character: ``\\x1b``, ``\\u202e``, ``\\U000e0041``."""
    named = NAMED_ESCAPES.get(ch)
    if named:
        return named
    cp = ord(ch)
    if cp < 0x100:
        return f"\\x{cp:02x}"
    if cp < 0x10000:
        return f"\\u{cp:04x}"
    return f"\\U{cp:08x}"


def escapes(text: str, *, multiline: bool = False) -> Iterator[tuple[int, int, str]]:
    """``(start, end, shown)`` for each stretch of ``text`` that ``printable`` replaces, in order.

    Used directly where the positions matter (the TUI keeps the colours of the text around an
    escape)."""
    if text.isprintable():       # the common case: one pass in C, nothing to replace
        return
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\t":
            yield i, i + 1, " "
        elif multiline and ch == "\r" and text.startswith("\n", i + 1):
            yield i, i + 2, "\n"
            i += 1
        elif multiline and ch == "\n":
            pass
        elif is_unsafe(ch):
            yield i, i + 1, escape_char(ch)
        i += 1


def printable(value: object, *, multiline: bool = False) -> str:
    """``value`` as text that shows literally on any terminal: control, format and bidi
    characters as escapes, tabs as spaces; line breaks kept only when ``multiline``."""
    text = value if isinstance(value, str) else str(value)
    parts: list[str] = []
    pos = 0
    for start, end, shown in escapes(text, multiline=multiline):
        parts.append(text[pos:start])
        parts.append(shown)
        pos = end
    if not parts:
        return text
    parts.append(text[pos:])
    return "".join(parts)


def picture(ch: str) -> str:
    """One visible character in place of an unsafe one: the Control Pictures block for C0
    controls and DEL (ESC is U+241B), a replacement character for the rest."""
    cp = ord(ch)
    if ch == "\t":
        return " "
    if cp < 0x20:
        return chr(0x2400 + cp)
    if cp == 0x7F:
        return "\u2421"
    return "\ufffd"


def visible(value: object) -> str:
    """``value`` with each unsafe character replaced by one visible character, so that the text
    keeps its length: for an input field, whose cursor counts characters of the real value."""
    text = value if isinstance(value, str) else str(value)
    if text.isprintable():
        return text
    return "".join(picture(ch) if ch == "\t" or is_unsafe(ch) else ch for ch in text)


def json_safe(json_text: str) -> str:
    """JSON (``json.dumps(..., ensure_ascii=False)``) for a terminal: every unsafe character
    left raw inside a string (json.dumps escapes only U+0000-U+001F) becomes a ``\\uXXXX``
    escape, so the JSON reads back to exactly the same values."""
    if json_text.isprintable():
        return json_text
    out: list[str] = []
    for ch in json_text:
        if ch in JSON_LAYOUT or not is_unsafe(ch):
            out.append(ch)
            continue
        cp = ord(ch)
        if cp >= 0x10000:       # a surrogate pair, as JSON spells a character beyond the BMP
            cp -= 0x10000
            out.append(f"\\u{0xD800 + (cp >> 10):04x}\\u{0xDC00 + (cp & 0x3FF):04x}")
        else:
            out.append(f"\\u{cp:04x}")
    return "".join(out)


def say(*lines: object, file: Optional[TextIO] = None) -> None:
    """Print each of ``lines`` as one line made ``printable``: a value holding a line break or
    a control character cannot start a line of its own or act on the terminal."""
    out = file if file is not None else sys.stdout
    for line in lines:
        out.write(printable(line) + "\n")
