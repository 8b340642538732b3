"""How reviews, recommendations and actions read on screen (Rich text, no widgets).

Every RAG colour comes with its word (RED, AMBER, GREEN, BLUE) and every late date with
"OVERDUE" and its days, so the screens read the same without colour.  A revised due date is
marked "(revised)" and the original stays visible in the detail.
"""

from __future__ import annotations

from typing import Any, Optional

from rich.console import Group
from rich.table import Table
from rich.text import Text

from safeguard_tracker.dates import fmt
from safeguard_tracker.model import RAG, Action, Recommendation, Review
from safeguard_tracker.plans.plan_dates import ReviewDeadline, describe_rule

from ..widgets import STATE_STYLES, PlainTable, history_timeline, plain
from .data import RAG_MEANING, PlansData

RAG_STYLES = {
    RAG.RED: "bold white on red3",
    RAG.AMBER: "bold black on dark_orange",
    RAG.GREEN: "bold white on green4",
    RAG.BLUE: "bold white on blue3",
}
RAG_TEXT_STYLES = {RAG.RED: "bold red", RAG.AMBER: "bold dark_orange", RAG.GREEN: "bold green", RAG.BLUE: "bold blue"}


def rag_badge(rag: RAG, width: int = 0) -> Text:
    """The RAG word on its colour: ' RED ', ' AMBER '...  ``width`` pads it for lining up."""
    word = rag.value.upper()
    text = Text(f" {word} ".ljust(width) if width else f" {word} ", style=RAG_STYLES[rag])
    return text


def rag_word(rag: RAG) -> Text:
    """The RAG word in its colour (for table cells, where a background would be noisy)."""
    return Text(rag.value.upper(), style=RAG_TEXT_STYLES[rag])


def due_text(a: Action, *, long: bool = False) -> str:
    """'31/07/2018 (revised)', or '3 months after publication (not yet set)'."""
    due = a.current_due_on
    if due is None:
        if a.due_rule is not None:
            return f"{describe_rule(a.due_rule)} (no date yet)" if long else "when its event happens"
        return "no due date"
    text = fmt(due)
    if a.revisions:
        text += f" (revised from {fmt(a.due_on)})" if long and a.due_on else " (revised)"
    return text


def late_text(days: int) -> Text:
    return Text(f"OVERDUE {days}d", style=STATE_STYLES["OVERDUE"]) if days > 0 else Text("")


def short(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def deadline_state(d: ReviewDeadline, today) -> Text:
    """'met 04/10/2016', 'OVERDUE 74d', 'due in 4 days', 'not applicable'."""
    if d.done_on is not None:
        late = (d.done_on - d.due_on).days
        return Text(f"met {fmt(d.done_on)}" + (f" ({late} days after the date)" if late > 0 else ""))
    if not d.outstanding:
        return Text("passed this stage", style="dim")
    days = (today - d.due_on).days
    if days > 0:
        return Text(f"OVERDUE {days}d", style=STATE_STYLES["OVERDUE"])
    if days == 0:
        return Text("DUE TODAY", style=STATE_STYLES["DUE TODAY"])
    return Text(f"due in {-days} day(s)")


# --- tree labels ----------------------------------------------------------------------------------
def review_label(data: PlansData, r: Review) -> Text:
    """'SCR Jay  scr · in progress · PUBLICATION OVERDUE 74d'."""
    text = plain(r.title, "bold", multiline=False)
    text.append(f"  {r.kind.label} \u00b7 {r.status.label}", style="")
    late = data.late_deadlines(r)
    if late:
        for d in late:
            text.append(" \u00b7 ")
            text.append(f"{d.what.upper()} OVERDUE {(data.today - d.due_on).days}d", style=STATE_STYLES["OVERDUE"])
    else:
        coming = [d for d in data.deadlines(r) if d.outstanding]
        if coming:
            d = coming[0]
            text.append(f" \u00b7 {d.what.lower()} due {fmt(d.due_on)}")
        elif data.deadlines(r):
            text.append(" \u00b7 statutory dates met", style="dim")
    n_red = sum(1 for a in data.actions_of(r.reference) if data.rag(a) is RAG.RED)
    if n_red:
        text.append(" \u00b7 ")
        text.append(f"{n_red} RED", style=RAG_TEXT_STYLES[RAG.RED])
    return text


def deadline_label(d: ReviewDeadline, today) -> Text:
    text = Text(f"{d.what} due {fmt(d.due_on)}: ", style="")
    text.append_text(deadline_state(d, today))
    text.append(f"  ({d.rule})", style="dim")
    return text


def recommendation_label(data: PlansData, r: Review, rec: Recommendation, room: Optional[int] = None) -> Text:
    """'Rec 3: 2 RED · Agencies should review…': the counts first, so a narrow screen keeps them;
    the text cut to the ``room`` the line has (60 characters when not known)."""
    acts = data.actions_of(r.reference, rec.number)
    text = Text(f"Rec {rec.number}: ", style="bold")
    counts = data.rag_counts(acts)
    bits = [(k, n) for k, n in counts.items() if n]
    if bits:
        for i, (k, n) in enumerate(bits):
            if i:
                text.append(" ")
            text.append(f"{n} {k.value.upper()}", style=RAG_TEXT_STYLES[k])
    else:
        text.append("no actions yet", style="dim")
    limit = 60 if room is None else max(20, room - text.cell_len - 3)
    text.append_text(plain(" \u00b7 " + short(rec.text, limit), multiline=False))
    return text


def action_label(data: PlansData, a: Action, room: Optional[int] = None) -> Text:
    """'[RED] A-000006 OVERDUE 15d due 31/05/2018 · Medway NHS… · Present the trust's…': the agency
    and the action's text share the ``room`` the line has (28 and 48 characters when not known),
    each whole when it fits."""
    rag = data.rag(a)
    text = rag_badge(rag, width=7)
    text.append(f" {a.reference} ")
    late = data.late(a)
    if late:
        text.append_text(late_text(late))
        text.append(" ")
    if a.off_track_reason and a.is_open:
        text.append("OFF TRACK", style=STATE_STYLES["OVERDUE"])
        text.append(" ")
    text.append(f"due {due_text(a)}")
    agency = a.lead_agency or "no lead agency"
    description = " ".join(a.description.split())
    if room is None:
        agency_limit, description_limit = 28, 48
    else:
        left = room - text.cell_len - 6                 # two " · "
        agency_limit = len(agency) if left >= len(agency) + len(description) else max(12, left * 2 // 5)
        description_limit = max(12, left - min(len(agency), agency_limit))
    text.append_text(plain(f" \u00b7 {short(agency, agency_limit)}", multiline=False))
    text.append_text(plain(f" \u00b7 {short(description, description_limit)}", "dim", multiline=False))
    return text


def action_preview(data: PlansData, a: Action) -> Text:
    """Three lines for the board's preview: state and dates; plan and people; what it is."""
    rag = data.rag(a)
    text = rag_badge(rag)
    text.append(f" {a.reference} ", style="bold")
    text.append(a.status.label)
    late = data.late(a)
    if late:
        text.append(" ")
        text.append_text(late_text(late))
    if a.off_track_reason and a.is_open:
        text.append(" OFF TRACK", style=STATE_STYLES["OVERDUE"])
        text.append_text(plain(f": {short(a.off_track_reason, 40)}", multiline=False))
    text.append(f" \u00b7 due {due_text(a, long=True)}")
    text.append("\n")
    text.append_text(plain(f"{data.title(a.review)} rec {a.recommendation} \u00b7 {a.lead_agency or 'no lead agency'} "
                           f"\u00b7 {a.lead_officer or 'no lead officer'}", "dim", multiline=False))
    text.append("\n")
    text.append_text(plain(a.description, multiline=False))
    return text


# --- detail ---------------------------------------------------------------------------------------
def _grid() -> Table:
    table = PlainTable.grid(padding=(0, 1))
    table.add_column(style="dim", no_wrap=True, min_width=13)
    table.add_column(ratio=1, overflow="fold")     # a long value is shown whole, not cut
    return table


def _section(title: str, body: Any) -> Group:
    return Group(Text(title, style="bold underline"), body, Text(""))


def review_renderable(data: PlansData, r: Review, *, brief: bool = False) -> Group:
    """The review's details, statutory dates and recommendations (``brief``: the first two only)."""
    g = _grid()
    g.add_row("Review", f"{r.title} ({r.reference})")
    g.add_row("Kind \u00b7 status", f"{r.kind.label} \u00b7 {r.status.label}")
    if r.lead_board:
        g.add_row("Lead board", r.lead_board)
    people = ", ".join(x for x in (f"chair {r.chair}" if r.chair else "", f"author {r.author}" if r.author else "") if x)
    if people:
        g.add_row("Chair, author", people)
    dates = [(label, getattr(r, f)) for label, f in (("incident", "incident_on"), ("known", "known_on"),
                                                     ("notified", "notified_on"), ("decision", "decision_on"),
                                                     ("initiated", "initiated_on"), ("published", "published_on"))]
    g.add_row("Dates", " \u00b7 ".join(f"{label} {fmt(d)}" for label, d in dates if d) or "none recorded")
    if r.themes:
        g.add_row("Themes", "; ".join(r.themes))
    parts: list[Any] = [g]
    deadlines = data.deadlines(r)
    if deadlines:
        s = _grid()
        for d in deadlines:
            line = Text(f"due {fmt(d.due_on)}: ")
            line.append_text(deadline_state(d, data.today))
            line.append(f"  ({d.rule})", style="dim")
            s.add_row(d.what, line)
        parts += [Text(""), Text("Statutory dates", style="bold"), s]
    else:
        parts += [Text("No statutory dates for this kind of review.", style="dim")]
    if not brief:
        for rec in r.recommendations:
            parts += [Text(""), Text(f"Recommendation {rec.number}", style="bold"), plain(rec.text),
                      plain("Owner: " + ", ".join(rec.owner_agencies), "dim")]
            if rec.impact_finding:
                f = rec.impact_finding
                parts.append(plain(f"Impact finding {fmt(f.on)} by {f.by}: {f.text}"))
    return Group(*parts)


def recommendation_renderable(data: PlansData, r: Review, rec: Recommendation) -> Group:
    g = _grid()
    g.add_row("Review", f"{r.title} ({r.reference})")
    g.add_row(f"Rec {rec.number}", rec.text)
    g.add_row("Owner", ", ".join(rec.owner_agencies) or "\u2013")
    if rec.themes:
        g.add_row("Themes", "; ".join(rec.themes))
    acts = data.actions_of(r.reference, rec.number)
    counts = data.rag_counts(acts)
    line = Text(f"{len(acts)} action(s): ")
    for k, n in counts.items():
        line.append(f"{n} {k.value.upper()} ", style=RAG_TEXT_STYLES[k] if n else "dim")
    g.add_row("Actions", line)
    if rec.impact_finding:
        f = rec.impact_finding
        g.add_row("Impact", f"{f.text} ({fmt(f.on)}, {f.by})")
    return Group(g)


def action_renderable(data: PlansData, a: Action, *, brief: bool = False) -> Group:
    """Everything recorded about an action: the plan it answers, dates, progress, evidence, sign-off."""
    r = data.review(a.review)
    rec: Optional[Recommendation] = r.recommendation(a.recommendation) if r is not None else None
    rag = data.rag(a)
    g = _grid()
    head = rag_badge(rag)
    head.append(f" {RAG_MEANING[rag]}", style="")
    g.add_row("RAG", head)
    g.add_row("Action", a.description)
    g.add_row("Plan", f"{data.title(a.review)} \u00b7 rec {a.recommendation}"
              + (f": {short(rec.text, 160)}" if rec is not None and not brief else ""))
    g.add_row("Lead", f"{a.lead_agency or 'no lead agency'} \u00b7 {a.lead_officer or 'no lead officer'}")
    due = Text(due_text(a, long=True))
    late = data.late(a)
    if late:
        due.append("  ")
        due.append_text(late_text(late))
    g.add_row("Due", due)
    if a.due_rule is not None and a.due_on is not None:
        g.add_row("Due rule", f"{describe_rule(a.due_rule)} = {fmt(a.due_on)}")
    g.add_row("Status", a.status.label + (f", completed {fmt(a.completed_on)}" if a.completed_on else ""))
    if a.off_track_reason:
        g.add_row("OFF TRACK", plain(a.off_track_reason, "bold"))
    if brief:
        if a.updates:
            u = a.updates[-1]
            g.add_row("Latest", f"{fmt(u.on or u.at.date())} {u.by}: {u.text}")
        return Group(g)
    parts: list[Any] = [_section("Action", g)]
    if a.revisions:
        lines = [Text(f"original due date {fmt(a.due_on)}" if a.due_on else "no original due date", style="dim")]
        for v in a.revisions:
            line = plain(f"{fmt(v.on)} {v.by}: ")
            line.append(f"{fmt(v.from_) or 'none'} \u2192 {fmt(v.to)}", style="bold")
            line.append_text(plain(f"  because {v.reason}"))
            lines.append(line)
        parts.append(_section("Due date revisions", Group(*lines)))
    lines = []
    for u in reversed(a.updates):
        line = Text(f"{fmt(u.on or u.at.date())} ", style="bold")
        line.append_text(plain(f"{u.by}: ", "dim"))
        line.append_text(plain(u.text))
        lines.append(line)
    parts.append(_section("Progress updates (newest first)", Group(*lines) if lines else Text("none yet", style="dim")))
    e = _grid()
    e.add_row("Evidence", a.evidence or Text("none recorded (needed for GREEN and for sign-off)", style="dim"))
    e.add_row("Impact measure", a.impact_measure or Text("none recorded", style="dim"))
    e.add_row("Completed", fmt(a.completed_on) or "not yet")
    e.add_row("Signed off", f"{fmt(a.signed_off_on)} by {a.signed_off_by}" if a.signed_off_on else "not yet")
    if a.follow_up_of:
        e.add_row("Follows up", a.follow_up_of)
    follow = [x for x in data.actions if x.follow_up_of == a.reference]
    if follow:
        e.add_row("Follow-ups", ", ".join(f"{x.reference} ({due_text(x)})" for x in follow))
    parts.append(_section("Evidence and assurance", e))
    return Group(*parts)


# --- history --------------------------------------------------------------------------------------
FIELD_LABELS = {
    "description": "description", "lead_agency": "lead agency", "lead_officer": "lead officer",
    "due_on": "due date", "due_rule": "due rule", "status": "status", "evidence": "evidence",
    "impact_measure": "impact measure", "completed_on": "completed on", "signed_off_by": "signed off by",
    "signed_off_on": "signed off on", "off_track_reason": "off-track reason", "follow_up_of": "follows up",
    "name": "name", "kind": "kind", "lead_board": "lead board", "chair": "chair", "author": "author",
    "themes": "themes", "incident_on": "incident", "known_on": "known on", "notified_on": "Panel notified",
    "decision_on": "decision", "initiated_on": "initiated", "published_on": "published",
}


def _value(value: Any) -> str:
    """A stored value as a reader writes it: dates dd/mm/yyyy, statuses in words, blanks as (none)."""
    from datetime import date as _date
    if value in (None, "", [], ()):
        return "(none)"
    if isinstance(value, str):
        try:
            return fmt(_date.fromisoformat(value)) if len(value) == 10 else value.replace("_", " ")
        except ValueError:
            return value.replace("_", " ") if value.islower() else value
    if isinstance(value, dict) and "period" in value:
        return f"{value['period']} after {value.get('action') or value.get('event')}"
    if isinstance(value, list):
        return "; ".join(_value(v) for v in value)
    return str(value)


def _added(field: str, old: Any, new: Any) -> Optional[str]:
    """What was appended to a list field (an update, a revision, a recommendation), in words."""
    if not isinstance(new, list) or not new or not isinstance(new[-1], dict):
        return None
    if isinstance(old, list) and len(new) <= len(old):
        return None
    item = new[-1]
    if field == "updates":
        return f"progress update: {item.get('text', '')}"
    if field == "revisions":
        return (f"due date revised {_value(item.get('from'))} \u2192 {_value(item.get('to'))}, "
                f"because {item.get('reason', '')}")
    if field == "recommendations":
        return f"recommendation {item.get('number')} added: {short(item.get('text', ''), 80)}"
    return None


def describe_plan_change(ch: Any) -> str:
    if ch.field == "*":
        new = ch.new if isinstance(ch.new, dict) else {}
        if "recommendation" in new:
            return (f"action created for rec {new.get('recommendation')}: {short(new.get('description', ''), 70)}; "
                    f"lead {new.get('lead_agency') or '(none)'}, due {_value(new.get('due_on'))}")
        if "kind" in new:
            return f"review created: {new.get('name', '')} ({_value(new.get('kind'))})"
        return "created"
    if ch.op:                                   # one item of a list field: added, removed or changed inside
        added = _added(ch.field, [], [ch.new]) if ch.added_item else None
        return added or ch.description
    added = _added(ch.field, ch.old, ch.new)
    if added:
        return added
    if ch.field == "recommendations" and isinstance(ch.new, list):
        return "recommendations changed (text, owners or impact finding)"
    label = FIELD_LABELS.get(ch.field, ch.field.replace("_", " "))
    return f"{label}: {short(_value(ch.old), 60)} \u2192 {short(_value(ch.new), 60)}"


def plan_history_renderable(changes: list) -> Group:
    """The audit trail of an action or a review, oldest first: when, who, what changed."""
    return history_timeline(changes, lambda ch: [describe_plan_change(ch)])
