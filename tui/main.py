"""The main screen: one tab per registered workspace, the top bar, the status line, the footer."""

from __future__ import annotations

from typing import Optional

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.lazy import Lazy
from textual.widgets import TabbedContent, TabPane

from safeguard_tracker import Tracker

from .footer import KeysFooter
from .registry import REGISTRY, Workspace
from .widgets import StatusLine, TopBar, WorkspaceView


class MainScreen(Screen):
    BINDINGS = [
        Binding("escape", "back", "Back", show=False,
                tooltip="from a filter: back to the list; from another tab: back to the first screen"),
    ]

    DEFAULT_CSS = """
    MainScreen TabbedContent { height: 1fr; }
    MainScreen TabPane { padding: 0; }
    """

    def __init__(self, tracker: Tracker) -> None:
        super().__init__(id="main")
        self.tracker = tracker
        self.workspaces: list[Workspace] = [w for w in REGISTRY.workspaces if w.available(tracker)]

    def compose(self) -> ComposeResult:
        yield TopBar()
        home = self.home()
        with TabbedContent(initial=f"tab-{home.id}" if home else "", id="workspaces"):
            for n, ws in enumerate(self.workspaces, 1):
                with TabPane(f"{n} {ws.title}" if n < 10 else ws.title, id=f"tab-{ws.id}"):
                    # The hidden tabs are mounted just after the first screen is painted, so it
                    # appears without waiting for six tabs of widgets nobody sees yet.
                    yield ws.factory() if ws is home else Lazy(ws.factory())
        yield StatusLine()
        yield KeysFooter()

    def home(self) -> Optional[Workspace]:
        """The first tab shown: the workspace ranking highest for this store."""
        return max(self.workspaces, key=lambda w: w.home_rank(self.tracker)) if self.workspaces else None

    def on_mount(self) -> None:
        self.call_after_refresh(self._show_active)

    def on_screen_resume(self) -> None:
        view = self.active_view()
        if view is not None:
            view.ensure_loaded()

    def active_view(self) -> Optional[WorkspaceView]:
        """The shown tab's view; None while there is none to show (the tabs still mounting, or
        already being taken down as the app quits)."""
        tabs = next(self.query("#workspaces").results(TabbedContent), None)
        if tabs is None or not tabs.active:
            return None
        try:
            pane = tabs.get_pane(tabs.active)
        except NoMatches:
            return None
        views = pane.query(WorkspaceView)
        return views.first() if views else None

    def _show_active(self, focus: bool = True) -> None:
        view = self.active_view()
        if view is not None:
            view.ensure_loaded()
            if focus:
                view.focus_default()

    @on(TabbedContent.TabActivated)
    def _tab_changed(self, event: TabbedContent.TabActivated) -> None:
        self.call_after_refresh(self._show_active)

    def show_workspace(self, ws_id: str, focus: Optional[str] = None) -> bool:
        tabs = self.query_one("#workspaces", TabbedContent)
        if not any(w.id == ws_id for w in self.workspaces):
            return False
        tabs.active = f"tab-{ws_id}"
        view = self.active_view()
        if view is not None:
            view.ensure_loaded()
            if focus:
                self.query_one(focus).focus()
            else:
                view.focus_default()
        return True

    def show_workspace_number(self, n: int) -> None:
        if 1 <= n <= len(self.workspaces):
            self.show_workspace(self.workspaces[n - 1].id)

    def current_reference(self) -> Optional[str]:
        view = self.active_view()
        return view.current_reference() if view is not None else None

    def action_back(self) -> None:
        view = self.active_view()
        if view is not None and not view.has_focus_within:
            view.focus_default()
            return
        home = self.home()
        if home is not None and self.query_one("#workspaces", TabbedContent).active != f"tab-{home.id}":
            self.show_workspace(home.id)
            return
        self.app.say("This is the first screen: q quits, ? lists every key")
