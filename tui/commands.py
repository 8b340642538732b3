"""The command palette (Ctrl+P): every action, including ones that name a record.

Areas register two kinds of source in ``tui.registry.REGISTRY``:

* ``command_sources``: ``(app) -> [Command]``, the fixed commands (and the ones for the record on
  screen), listed when the palette opens and matched fuzzily as you type;
* ``query_command_sources``: ``(app, query) -> [Command]``, commands read from what was typed, such
  as "escalate L-2018-0042" (a store of 100,000 contacts cannot list every verb for every record).
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from safeguard_tracker.text import printable

from .registry import REGISTRY, Command


def shown(title: str, matcher=None) -> Content:
    """A command's title as the palette shows it.  Titles can quote stored text (a review's name),
    and the palette reads a plain string, and its fuzzy highlighting, as markup: such a title is
    shown literally, its control characters visible, without the highlighting."""
    text = printable(title)
    if matcher is not None and text == title and "[" not in title:
        return matcher.highlight(title)
    return Content(text)


def _commands(app) -> list[Command]:
    out: list[Command] = []
    for source in REGISTRY.command_sources:
        out.extend(source(app))
    # The app's own, after the areas': the store as of a past date (T), and back to today.
    out.extend(getattr(app, "app_commands", lambda: [])())
    return out


class TrackerCommands(Provider):
    """Offers every registered command."""

    async def discover(self) -> Hits:
        for command in _commands(self.app):
            yield DiscoveryHit(shown(command.title), partial(command.run, self.app), text=command.title,
                               help=command.help)

    async def search(self, query: str) -> Hits:
        app = self.app
        matcher = self.matcher(query)
        seen: set[str] = set()
        for source in REGISTRY.query_command_sources:
            for command in source(app, query):
                seen.add(command.title)
                yield Hit(1.0, shown(command.title, matcher), partial(command.run, app),
                          text=command.title, help=command.help)
        for command in _commands(app):
            if command.title in seen:
                continue
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(score, shown(command.title, matcher), partial(command.run, app),
                          text=command.title, help=command.help)
