"""The Textual application: entry point and store opening."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Optional

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header

from safeguard_tracker.dates import fmt


class TrackerApp(App):
    TITLE = "safeguard-tracker"
    BINDINGS = [("q", "quit", "Quit")]

    def __init__(self, tracker, **kwargs):
        super().__init__(**kwargs)
        self.tracker = tracker

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="contacts")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Reference", "Received", "Agency", "Category", "Status")
        for c in self.tracker.contacts()[-200:]:
            table.add_row(c.reference, fmt(c.received_on), c.agency, c.category.value if c.category else "-", c.status)


def open_for_args(args: argparse.Namespace):
    from safeguard_tracker.cli.common import open_from_args
    if args.demo:
        from safeguard_tracker.demo import build_demo
        folder = Path(tempfile.mkdtemp(prefix="safeguard-demo-"))
        return build_demo(folder / "demo.json", user=args.user or "demo.lado")
    return open_from_args(args)


def run(args: argparse.Namespace) -> int:
    tracker = open_for_args(args)
    TrackerApp(tracker).run()
    return 0
