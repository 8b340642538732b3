"""One action on its own screen: everything recorded, the audit history, and a key per step."""

from __future__ import annotations

from typing import Any, Optional

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static, TabbedContent, TabPane

from safeguard_tracker.errors import SafeguardError
from safeguard_tracker.model import Action

from ..footer import KeysFooter
from ..record_forms import fetch_or_say
from ..widgets import StatusLine, TopBar, plain
from .state import plans_data
from .render import action_renderable, due_text, late_text, plan_history_renderable, rag_badge
from .steps import BY_NAME, STEPS, open_step


class ActionScreen(Screen):
    """An action: ``Record`` and ``History`` tabs; the steps as keys (those that apply are in the footer)."""

    BINDINGS = [
        *[Binding(s.key, f"step('{s.name}')", s.label, show=s.footer, tooltip=s.help) for s in STEPS],
        Binding("h", "toggle_history", "History", show=False,
                tooltip="switch between the record and its audit history"),
        Binding("escape", "back", "Back", tooltip="back to where you were"),
    ]

    DEFAULT_CSS = """
    ActionScreen #action-head { height: auto; padding: 0 1; background: $boost; }
    ActionScreen TabbedContent { height: 1fr; }
    ActionScreen TabPane { padding: 0; }
    ActionScreen VerticalScroll { padding: 0 1; }
    """

    def __init__(self, reference: str) -> None:
        super().__init__(id=f"action-{reference}")
        self.reference = reference
        self.action_record: Optional[Action] = None

    def compose(self) -> ComposeResult:
        yield TopBar()
        yield Static(id="action-head")
        with TabbedContent(id="action-tabs"):
            with TabPane("Record (h)", id="tab-record"):
                with VerticalScroll(id="action-record-scroll"):
                    yield Static(id="action-record")
            with TabPane("History (h)", id="tab-history"):
                with VerticalScroll(id="action-history-scroll"):
                    yield Static(id="action-history")
        yield StatusLine()
        # No "^p palette" here: at 80 columns the steps need the room (ctrl+p works everywhere).
        yield KeysFooter(show_command_palette=False)

    def on_mount(self) -> None:
        self.watch(self.app, "data_version", self._reload, init=True)
        self.query_one("#action-record-scroll").focus()

    def current_reference(self) -> Optional[str]:
        return self.reference

    def _reload(self, _version: int = 0) -> None:
        app: Any = self.app
        data = plans_data(app)
        a = data.action(self.reference)
        head = self.query_one("#action-head", Static)
        if a is None:
            try:
                a = app.tracker.get_action(self.reference)
            except SafeguardError as exc:
                head.update(plain(str(exc), "bold"))
                return
        self.action_record = a
        text = rag_badge(data.rag(a))
        text.append(f" {a.reference}", style="bold")
        text.append(f"  {a.status.label}")
        late = data.late(a)
        if late:
            text.append("  ")
            text.append_text(late_text(late))
        text.append(f"  due {due_text(a)}")
        text.append("\n")
        text.append_text(plain(f"{data.title(a.review)} rec {a.recommendation} \u00b7 "
                               f"{a.lead_agency or 'no lead agency'}", "dim", multiline=False))
        head.update(text)
        self.query_one("#action-record", Static).update(action_renderable(data, a))
        try:
            changes = app.tracker.history(a.reference)
        except SafeguardError:
            changes = []
        self.query_one("#action-history", Static).update(plan_history_renderable(changes))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple) -> Optional[bool]:
        # The footer shows the steps that apply now; a hidden step's key still answers (on_key) with why not.
        if action == "step" and parameters and self.action_record is not None:
            return BY_NAME[parameters[0]].refuse(self.action_record) is None
        return True

    def on_key(self, event) -> None:
        if self.action_record is None:
            return
        for step in STEPS:
            if event.key == step.key and step.refuse(self.action_record):
                event.stop()
                self.app.say(step.refuse(self.action_record), "error")

    def action_step(self, name: str) -> None:
        open_step(self.app, name, self.reference)

    def action_toggle_history(self) -> None:
        tabs = self.query_one("#action-tabs", TabbedContent)
        tabs.active = "tab-record" if tabs.active == "tab-history" else "tab-history"
        scroll = "#action-history-scroll" if tabs.active == "tab-history" else "#action-record-scroll"
        self.query_one(scroll).focus()

    def action_back(self) -> None:
        self.app.pop_screen()


def open_action_screen(app: Any, reference: str) -> None:
    action = fetch_or_say(app, lambda: app.tracker.get_action(reference))
    if action is not None:
        app.push_screen(ActionScreen(action.reference))
