"""The dashboard tab: the figures that say where things stand, and contacts by month as bars.

Every figure carries its word (OVERDUE, RED...) and the two years' bars differ in shape
(solid for this year, shaded for last year), so it reads the same without colour.
"""

from __future__ import annotations

from typing import Any, Optional

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static

from safeguard_tracker.dates import fmt
from safeguard_tracker.model import RAG

from ..plans.state import plans_data
from ..plans.render import RAG_TEXT_STYLES
from ..widgets import STATE_STYLES, WorkspaceView, plain
from .data import Figures, figures, month_columns, scale

THIS_BAR, LAST_BAR = "\u2588", "\u2591"
THIS_STYLE, LAST_STYLE = "bold cyan", "grey62"
MAX_GROUP = 9           # columns per month at most: the chart fills a wide screen (108 columns of months)
MORE_MIN_ROWS = 8       # the lower panels (most overdue, overdue by agency) show when this many rows are left


def _lado(app: Any) -> tuple[list, int, bool]:
    """The due items (every area), the open contacts, and whether the due items are known yet,
    from the LADO area's caches when present."""
    try:
        from ..lado.state import lado_data
    except ImportError:  # pragma: no cover - the LADO area is always there today
        items = list(app.tracker.due())
        return items, sum(1 for d in app.tracker.contact_docs().values() if d.get("closed_on") is None), True
    data = lado_data(app)
    return data.due_items, data.counts()[0], data.due_known


def dashboard_figures(app: Any) -> Figures:
    items, open_contacts, known = _lado(app)
    return figures(app.tracker, items, open_contacts, plans_data(app), due_known=known)


def not_for_role(why: str) -> Text:
    """A panel's line for a role that does not see what it counts: never a 0 that reads as none."""
    return Text(f"NOT FOR YOUR ROLE: {why}", style="dim")


def figures_renderable(f: Figures, bar_width: int = 12, late_rows: int = 4,
                       hidden: Optional[dict[str, Optional[str]]] = None) -> Group:
    """``hidden``: why this login's role sees none of a table ("contacts", "actions", "reviews"), if so."""
    hidden = hidden or {}
    g = Table.grid(padding=(0, 1))
    g.add_column(no_wrap=True)
    g.add_column(justify="right", no_wrap=True)
    g.add_row("Open contacts", "\u2013" if hidden.get("contacts") else f"{f.open_contacts:,}")
    if f.due_known:
        g.add_row(Text("OVERDUE items", style=STATE_STYLES["OVERDUE"] if f.overdue else ""), f"{f.overdue:,}")
        g.add_row(Text(f"  LADO {f.overdue_by_area.get('lado', 0)} \u00b7 actions {f.overdue_by_area.get('action', 0)}"
                       f" \u00b7 reviews {f.overdue_by_area.get('review', 0)}", style="dim"), "")
        g.add_row("Due within 7 days", f"{f.due_soon:,}")
    else:
        g.add_row("OVERDUE items", "\u2026")
        g.add_row(Text("  working out the deadlines\u2026", style="dim"), "")
        g.add_row("Due within 7 days", "\u2026")
    parts: list[Any] = [Text(f"As of {fmt(f.today)}", style="bold underline"), g, Text("")]

    if hidden.get("actions"):
        parts += [Text("Actions by RAG", style="bold underline"), not_for_role(str(hidden["actions"])), Text("")]
    if hidden.get("reviews"):
        parts += [Text("Reviews past statutory dates", style="bold underline"), not_for_role(str(hidden["reviews"]))]
    if hidden.get("actions") or hidden.get("reviews"):
        return Group(*parts)
    total = sum(f.rag.values())
    parts.append(Text(f"Actions by RAG ({total})", style="bold underline"))
    r = Table.grid(padding=(0, 1))
    r.add_column(no_wrap=True, width=5)
    r.add_column(no_wrap=True)
    peak = max(f.rag.values()) if f.rag else 0
    for rag, n in f.rag.items():
        bar = Text(THIS_BAR * scale(n, peak, bar_width), style=RAG_TEXT_STYLES[rag].replace("bold ", ""))
        bar.append(f" {n}", style="bold" if rag is RAG.RED and n else "")
        r.add_row(Text(rag.value.upper(), style=RAG_TEXT_STYLES[rag]), bar)
    parts += [r, Text("")]

    parts.append(Text("Reviews past statutory dates" + (f" ({len(f.late_deadlines)})" if f.due_known else ""),
                      style="bold underline"))
    if not f.due_known:
        parts.append(Text("working out the deadlines\u2026", style="dim"))
    elif f.late_deadlines:
        for d in f.late_deadlines[:late_rows]:
            line = plain(f"{d.title}: {d.what.lower()} ", multiline=False)
            line.append(f"OVERDUE {d.days}d", style=STATE_STYLES["OVERDUE"])
            line.append(f" (due {fmt(d.due_on)})", style="dim")
            parts.append(line)
        if len(f.late_deadlines) > late_rows:
            parts.append(Text(f"\u2026 and {len(f.late_deadlines) - late_rows} more: r opens the reviews", style="dim"))
    else:
        parts.append(Text("none: every statutory date met or still to come", style="dim"))
    if f.impact_overdue:
        parts.append(Text(f"Impact reviews overdue: {f.impact_overdue}", style="bold"))
    return Group(*parts)


def month_chart(f: Figures, width: int, height: int = 8) -> Group:
    """Contacts by month as vertical bars, this year beside last year, April first."""
    top, cols = month_columns(f.by_month, height, f.months_so_far)
    axis = len(f"{top}")
    group = max(2, min(MAX_GROUP, (width - axis - 2) // 12))
    bar = 3 if group >= 8 else 2 if group >= 5 else 1
    gap = max(0, group - 2 * bar)
    lines: list[Text] = []
    lines.append(Text("Contacts by month, April first", style="bold underline"))
    for row in range(height, 0, -1):
        label = str(top) if row == height else (str(top // 2) if row * 2 == height else "")
        line = Text(f"{label:>{axis}}" + ("\u2524" if label else "\u2502"), style="dim")
        for this, last in cols:
            line.append(THIS_BAR * bar if this >= row else " " * bar, style=THIS_STYLE)
            line.append(LAST_BAR * bar if last >= row else " " * bar, style=LAST_STYLE)
            line.append(" " * gap)
        lines.append(line)
    lines.append(Text(" " * (axis - 1) + "0\u2514" + "\u2500" * (group * 12), style="dim"))
    months = Text(" " * (axis + 1))
    for month, _, _ in f.by_month:
        months.append((month if group >= 4 else month[0]).ljust(group)[:group])
    lines.append(months)
    legend = Text(f"{THIS_BAR} {f.year}", style=THIS_STYLE)
    legend.append("  ")
    legend.append(f"{LAST_BAR} {f.compare_year}", style=LAST_STYLE)
    lines.append(legend)
    so_far, before = f.year_to_date
    lines.append(Text(f"{f.year} to date: {so_far:,} contacts; same months of {f.compare_year}: {before:,}"))
    for note in f.notes:
        lines.append(plain(note, "dim"))
    return Group(*lines)


def _panel_head(title: str, f: Figures, *, empty: bool) -> tuple[list[Any], bool]:
    """A panel's title, and whether its rows can follow: not while the deadlines are still being
    worked out, nor when nothing is overdue (each said in words instead)."""
    parts: list[Any] = [Text(title, style="bold underline")]
    if not f.due_known:
        parts.append(Text("working out the deadlines\u2026", style="dim"))
    elif empty:
        parts.append(Text("nothing overdue", style="dim"))
    return parts, f.due_known and not empty


def most_overdue_renderable(f: Figures, rows: int) -> Group:
    """The longest overdue items of every area (the top of the chase list by days late)."""
    parts, ready = _panel_head("Most overdue" + (f" (of {f.overdue:,})" if f.due_known else ""), f,
                               empty=not f.most_overdue)
    if not ready:
        return Group(*parts)
    g = Table.grid(padding=(0, 1), expand=True)
    g.add_column(no_wrap=True, justify="right")
    g.add_column(no_wrap=True)
    g.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    shown = f.most_overdue[:max(1, rows)]
    for item in shown:
        g.add_row(Text(f"OVERDUE {item.days_overdue}d", style=STATE_STYLES["OVERDUE"]),
                  Text(item.reference, style="bold"), plain(item.what.split(" (")[0], multiline=False))
    parts.append(g)
    if f.overdue > len(shown):
        parts.append(Text(f"\u2026 and {f.overdue - len(shown):,} more: c opens the chase list", style="dim"))
    return Group(*parts)


def by_agency_renderable(f: Figures, rows: int, bar_width: int = 20) -> Group:
    """Overdue items per agency (the LADO's contacts by their agency, actions by their lead
    agency): who the chase letters go to."""
    parts, ready = _panel_head("Overdue by agency", f, empty=not f.overdue_by_agency)
    if not ready:
        return Group(*parts)
    g = Table.grid(padding=(0, 1), expand=True)
    g.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    g.add_column(no_wrap=True)
    peak = f.overdue_by_agency[0][1]
    shown = f.overdue_by_agency[:max(1, rows)]
    for agency, n in shown:
        bar = Text(THIS_BAR * scale(n, peak, bar_width), style=THIS_STYLE)
        bar.append(f" {n}")
        g.add_row(plain(agency, multiline=False), bar)
    parts.append(g)
    rest = f.overdue_by_agency[len(shown):]
    if rest:
        parts.append(Text(f"\u2026 and {len(rest)} more agencies ({sum(n for _, n in rest)} items)", style="dim"))
    return Group(*parts)


class DashboardView(WorkspaceView):
    """Where things stand: open contacts, overdue items, actions by RAG, late reviews, contacts by month."""

    BINDINGS = [
        Binding("a", "add", "Add contact", tooltip="log a new contact (quick add), as on the queue"),
        Binding("c", "go('chase')", "Chase", tooltip="the chase list: what is overdue and due this week"),
        Binding("b", "go('actions')", "Actions", tooltip="the actions board: every action not yet signed off, RED first"),
        Binding("r", "go('reviews')", "Reviews", tooltip="the reviews tree, with the statutory dates"),
        Binding("p", "go('reports')", "Reports", tooltip="preview and save the reports"),
    ]

    DEFAULT_CSS = """
    DashboardView #dashboard-scroll { height: 1fr; padding: 0 1; }
    DashboardView #dashboard-row { height: auto; }
    DashboardView #dashboard-figures { width: 40; height: auto; }
    DashboardView #dashboard-chart { width: 1fr; height: auto; padding: 0 0 0 1; }
    DashboardView #dashboard-more { height: auto; padding: 1 0 0 0; }
    DashboardView #dashboard-more > Static { width: 1fr; height: auto; }
    DashboardView #dashboard-by-agency { padding: 0 0 0 2; }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dashboard-scroll"):
            with Horizontal(id="dashboard-row"):
                yield Static(id="dashboard-figures")
                yield Static(id="dashboard-chart")
            # Shown when the screen has the room (160x45): what is most overdue, and with whom.
            with Horizontal(id="dashboard-more"):
                yield Static(id="dashboard-most-overdue")
                yield Static(id="dashboard-by-agency")

    def reload(self) -> None:
        self.figures: Optional[Figures] = dashboard_figures(self.app)
        self._draw()

    def _draw(self) -> None:
        f = getattr(self, "figures", None)
        if f is None:
            return
        chart = self.query_one("#dashboard-chart", Static)
        width = chart.size.width or max(30, self.app.size.width - 42)
        rows = self.size.height or self.app.size.height - 5
        height = max(5, min(16, rows - 9))
        wide = (self.size.width or self.app.size.width) >= 120
        hidden = {t: self.app.unseen(t) for t in ("contacts", "actions", "reviews")}  # type: ignore[attr-defined]
        self.query_one("#dashboard-figures", Static).update(figures_renderable(f, late_rows=8 if wide else 4,
                                                                               hidden=hidden))
        chart.update(Group(Text("Contacts by month", style="bold underline"), not_for_role(str(hidden["contacts"])))
                     if hidden.get("contacts") else month_chart(f, width - 1, height))
        # The lower panels take the rows left under the figures and the chart (lines of text:
        # the chart is its height and 5 lines more; the figures about 17, more with late reviews).
        figures_lines = 14 + min(len(f.late_deadlines), 8 if wide else 4) + (1 if f.impact_overdue else 0)
        left = rows - max(height + 5 + len(f.notes), figures_lines) - 1
        more = self.query_one("#dashboard-more")
        more.display = left >= MORE_MIN_ROWS
        if more.display:
            listed = left - 3           # the title, the "... and more" line, the gap above
            self.query_one("#dashboard-most-overdue", Static).update(most_overdue_renderable(f, listed))
            self.query_one("#dashboard-by-agency", Static).update(by_agency_renderable(f, listed))

    def on_resize(self) -> None:
        self.call_after_refresh(self._draw)

    def focus_default(self) -> None:
        self.query_one("#dashboard-scroll").focus()

    def action_add(self) -> None:
        from ..lado.add_contact import quick_add
        quick_add(self.app)

    def action_go(self, workspace: str) -> None:
        app: Any = self.app
        if workspace == "actions":
            from ..plans import show_board
            show_board(app)
            return
        app.show_workspace(workspace)
