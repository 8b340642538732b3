"""The council's lists in the TUI: agencies (with sector groups), partners, and local labels for
the categories, outcomes and harms the guidance fixes.

Importing this module registers the palette command ("Lists: agencies, partners and local
labels") and the help section; ``V`` (an app-wide key, ``tui.app``) opens the screen.
"""

from __future__ import annotations

from typing import Any

from .screen import ListsScreen, open_lists

PALETTE_TITLE = "Lists: agencies, partners and local labels"


def _register() -> None:
    from ..registry import REGISTRY, Command

    def commands(app: Any) -> list[Command]:
        return [Command(PALETTE_TITLE, open_lists,
                        "add, rename, merge or retire an agency or partner; give an outcome, harm or "
                        "category your own label (V)")]

    REGISTRY.command_sources.append(commands)
    REGISTRY.add_help("Lists (V): agencies, partners and local labels", ListsScreen,
                      intro="One list at a time: left and right switch. Keys act on the highlighted entry. "
                            "Rename, merge and retire ask first, saying how many records change; a renamed or "
                            "merged name stays as an alias. The categories, outcomes and harms are fixed by the "
                            "guidance: l gives one your own label.")


_register()

__all__ = ["PALETTE_TITLE", "ListsScreen", "open_lists"]
