"""The help screen (? or F1): every binding, generated from the classes that declare them.

Nothing here is written by hand per key: each area registers the classes of its screens and
views (``REGISTRY.add_help``), and this screen lists their bindings with their descriptions and
tooltips, so the help can never fall behind the keys.
"""

from __future__ import annotations

from typing import Iterable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from .footer import KeysFooter
from .registry import REGISTRY
from .paged_table import PagedTable
from .widgets import StatusLine, TopBar


def own_bindings(cls: type) -> list[Binding]:
    """The bindings ``cls`` and its bases in this package declare (Textual's own are left out),
    the most derived winning for a key."""
    by_key: dict[str, Binding] = {}
    for base in reversed(cls.__mro__):
        if not base.__module__.startswith("tui"):
            continue
        for b in base.__dict__.get("BINDINGS", []):
            if isinstance(b, tuple):
                b = Binding(*b)
            if not b.description and not b.tooltip:
                by_key.pop(b.key, None)
                continue
            by_key[b.key] = b
    return list(by_key.values())


def key_label(app, binding: Binding) -> str:
    if binding.key_display:
        return binding.key_display
    keys = [k.strip() for k in binding.key.split(",")]
    return " / ".join(app.get_key_display(Binding(k, binding.action)) for k in keys)


def help_table(app, bindings: Iterable[Binding]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True, min_width=10)
    table.add_column(ratio=1)
    for b in bindings:
        text = Text(b.description or "")
        if b.tooltip:
            text.append(f" \u2013 {b.tooltip}", style="dim")
        table.add_row(key_label(app, b), text)
    return table


GENERAL = [
    Binding("ctrl+p", "command_palette", "Command palette",
            tooltip="every action by name, e.g. type 'escalate L-2018-0042' or 'open L-2018-0042'"),
    Binding("tab", "focus_next", "Next field or panel", tooltip="shift+tab goes back"),
    Binding("up,down", "cursor", "Move through a list",
            tooltip="past the last row of a page the next page follows"),
]


class HelpScreen(Screen):
    BINDINGS = [
        Binding("escape,question_mark,f1", "app.pop_screen", "Close help", key_display="esc"),
    ]

    DEFAULT_CSS = """
    HelpScreen #help { padding: 0 1; }
    HelpScreen .help-title { text-style: bold; color: $accent; padding: 1 0 0 0; }
    """

    def compose(self) -> ComposeResult:
        yield TopBar()
        with VerticalScroll(id="help"):
            yield Static(Text("Help: every key. Keys act where the cursor is; the footer shows "
                              "the ones that work here.", style="bold"))
            yield Static("Everywhere", classes="help-title")
            yield Static(help_table(self.app, own_bindings(type(self.app)) + GENERAL + own_bindings(PagedTable)))
            for section in REGISTRY.help_sections:
                yield Static(section.title, classes="help-title")
                if section.intro:
                    yield Static(Text(section.intro, style="dim"))
                bindings: list[Binding] = []
                seen: set[str] = set()
                for cls in section.classes:
                    for b in own_bindings(cls):
                        if b.key not in seen:
                            seen.add(b.key)
                            bindings.append(b)
                yield Static(help_table(self.app, bindings))
        yield StatusLine()
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#help").focus()
