"""The footer every screen shows: the keys that work where the cursor is, each one whole.

Textual's footer lays its keys out in one line that scrolls sideways.  At 80 columns a long list
ran on under the "^p palette" key (docked at the right): a label was cut mid-word, a letter of the
next one was left beside the palette key, and "? Help" and "q Quit" were pushed out of sight.
``KeysFooter`` shows only what fits whole in its width: always ``? Help`` and ``q Quit`` (when
the screen has them), then the palette key, then the screen's own keys in their order while they
fit.  The others still work, and the help (``?``) lists every key.  It lays itself out again when
its width changes.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer

ALWAYS_SHOWN = ("help", "quit")   # the app's own keys: how to find every other key, and how to leave
PALETTE_CLASS = "-command-palette"


def key_width(key: Widget) -> int:
    """The columns a compact footer key takes: its key, a space and its label, then its margin
    (the palette key also has its border at the left)."""
    key_display = str(getattr(key, "key_display", ""))
    description = str(getattr(key, "description", ""))
    width = cell_len(key_display) + (1 + cell_len(description) if description else 0) + 1
    return width + (1 if key.has_class(PALETTE_CLASS) else 0)


def fitting(keys: list[Widget], width: int) -> list[Widget]:
    """``keys`` (in the footer's order) less those that do not fit whole in ``width`` columns."""
    palette = [k for k in keys if k.has_class(PALETTE_CLASS)]
    always = [k for k in keys if getattr(k, "action", None) in ALWAYS_SHOWN and k not in palette]
    room = width - sum(key_width(k) for k in always)
    kept = set(map(id, always))
    for key in palette:                      # the palette key next, if there is room for it
        if key_width(key) <= room:
            room -= key_width(key)
            kept.add(id(key))
    for key in keys:                         # then the screen's own keys, in order, while they fit
        if id(key) in kept or key in palette:
            continue
        if key_width(key) > room:
            break
        room -= key_width(key)
        kept.add(id(key))
    return [k for k in keys if id(k) in kept]


class KeysFooter(Footer):
    """A compact Footer whose keys are each shown whole (see the module's docstring)."""

    def __init__(self, *, show_command_palette: bool = True, id: str | None = None) -> None:
        super().__init__(compact=True, show_command_palette=show_command_palette, id=id)
        self._fitted_width = 0

    def compose(self) -> ComposeResult:
        # Textual's own footer makes the keys; this one keeps those that fit.  (No binding in
        # this app has a group, so every key comes as one flat widget.)
        keys: list[Any] = list(super().compose())
        width = self.size.width or self.app.size.width
        self._fitted_width = width
        yield from fitting(keys, width) if width else keys

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width and event.size.width != self._fitted_width:
            self._fitted_width = event.size.width
            self.call_after_refresh(self.recompose)

