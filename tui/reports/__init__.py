"""The reports tab: the LADO annual section, the action-plan progress report and the chase letters,
previewed in the terminal and saved as md, html, csv or json.

Importing this module registers the tab, one palette command per report and the help section.
"""

from __future__ import annotations

from typing import Any


def show_report(app: Any, report_id: str, **values: str) -> None:
    app.show_workspace("reports")
    main = app.main_screen()
    if main is not None:
        view = main.query_one("#reports")
        view.ensure_loaded()
        view.choose(report_id, **values)


def _register() -> None:
    from ..registry import REGISTRY, Command, Workspace
    from .specs import REPORTS
    from .view import ReportsView

    REGISTRY.add_workspace(Workspace("reports", "Reports", lambda: ReportsView(id="reports"), order=70,
                                     help="preview a report and save it as md, html, csv or json"))
    REGISTRY.command_sources.append(lambda app: [
        Command(f"Report: {r.title}", lambda a, i=r.id: show_report(a, i), r.help) for r in REPORTS])
    REGISTRY.add_help("Reports", ReportsView,
                      intro="Pick the report, fill its fields; the preview follows. ctrl+s asks the format and path.")


_register()
