"""The action-plan progress report as blocks (``reports/blocks.py``), for Word.

The same content as ``templates/action-plan.md.j2``, from the same figures
(``action_plan_data``): the RAG summary, the actions by lead agency, the
overdue actions, then per review its heading, its statutory dates, its
recommendations and one table of its actions (reference, recommendation,
description, lead agency and officer, due, status, RAG, latest update).
The title and the as-of line are ``action_plan_heading(data)``, for the
document's Title and Subtitle.
"""

from __future__ import annotations

from typing import Any

from ..dates import fmt
from ..reports.blocks import Block, Bullets, Cell, Heading, Paragraph, Table
from ..store.protocol import Doc
from .rag import RAG_ORDER

TITLE = "Learning Lessons: action plan progress report"
RAG_NOTE = ("RAG is derived: Blue signed off (assured), Green complete with evidence, Red overdue or off track, "
            "Amber everything else.")
ACTION_HEADER = ("Action", "Rec", "Description", "Lead agency", "Lead officer", "Due", "Status", "RAG",
                 "Latest update")
OVERDUE_HEADER = ("Action", "Review, rec", "Description", "Lead agency", "Lead officer", "Due", "Days overdue",
                  "Latest update")


def action_plan_heading(data: Doc) -> tuple[str, str]:
    """The report's title and its as-of line (with the review and agency it is narrowed to)."""
    line = f"As of {fmt(data['as_of'])}"
    if data["filters"]["review"]:
        line += f"; review: {data['filters']['review']}"
    if data["filters"]["agency"]:
        line += f"; lead agency: {data['filters']['agency']}"
    return TITLE, line + "."


def _text(value: Any) -> str:
    return " ".join(str(value or "").split())


def _description(a: Doc) -> str:
    text = _text(a["description"])
    return f"{text} (off track: {_text(a['off_track_reason'])})" if a["off_track_reason"] else text


def _due(a: Doc) -> str:
    if not a["due"]:
        return _text(a["due_rule"])
    if a["revised"]:
        return f"{fmt(a['due'])} (revised from {fmt(a['original_due'])}: {_text(a['revision_reason'])})"
    return fmt(a["due"])


def _update(a: Doc) -> str:
    u = a["latest_update"]
    return f"{fmt(u['on'])}: {_text(u['text'])}" if u else "none"


def _rag(a: Doc) -> str:
    rag = str(a["rag"]).upper()
    return f"{rag} ({a['days_overdue']} days overdue)" if a["overdue"] else rag


def _summary(data: Doc) -> list[Block]:
    summary = data["summary"]
    names = [k.value for k in RAG_ORDER]
    by_rag: list[tuple[Cell, ...]] = [(k.capitalize(), summary["by_rag"][k]) for k in names]
    by_rag.append(("Total", summary["total_actions"]))
    agencies = tuple((r["agency"], *(r[k] for k in names), r["total"], r["overdue"]) for r in summary["by_agency"])
    return [
        Heading(text="Summary", level=2),
        Table(key="by_rag", caption="Actions by RAG", header=("RAG", "Actions"), rows=tuple(by_rag),
              total_rows=(len(by_rag) - 1,)),
        Paragraph(text=f"Overdue: {summary['overdue']} action(s)."),
        Table(key="by_agency", caption="Actions by lead agency and RAG",
              header=("Lead agency", *(k.capitalize() for k in names), "Total", "Overdue"), rows=agencies),
    ]


def _overdue(data: Doc) -> list[Block]:
    overdue = data["overdue_actions"]
    out: list[Block] = [Heading(text=f"Overdue actions ({len(overdue)})", level=2)]
    if not overdue:
        return out + [Paragraph(text="No action is overdue.")]
    rows = tuple((a["reference"], f"{_text(a['review'])}, {a['recommendation']}", _description(a), _text(a["agency"]),
                  _text(a["officer"]), _due(a), a["days_overdue"], _update(a)) for a in overdue)
    return out + [Table(key="overdue_actions", caption="Overdue actions, most overdue first", header=OVERDUE_HEADER,
                        rows=rows)]


def _statutory(s: Doc) -> str:
    if s["done_on"]:
        state = f"done {fmt(s['done_on'])}"
    elif s["overdue"]:
        state = f"{s['days_overdue']} day(s) overdue"
    else:
        state = "not yet done"
    return f"{s['what']} due {fmt(s['due'])} ({s['rule']}): {state}"


def _recommendation(rec: Doc) -> str:
    text = f"Recommendation {rec['number']}: {_text(rec['text'])} Owner: {'; '.join(rec['owner_agencies'])}."
    finding = rec["impact_finding"]
    if finding:
        text += f" Impact finding ({fmt(finding['on'])}, {finding['by']}): {_text(finding['text'])}"
    elif rec["impact_review_due"]:
        text += f" Every action is signed off: impact review due {fmt(rec['impact_review_due'])}."
    return text


def _review(r: Doc) -> list[Block]:
    out: list[Block] = [Heading(text=f"{r['title']} ({r['reference']}): {str(r['status']).replace('_', ' ')}",
                                level=3)]
    about = []
    if r["lead_board"]:
        about.append(f"Lead board: {r['lead_board']}.")
    if r["published_on"]:
        about.append(f"Published {fmt(r['published_on'])}.")
    if r["themes"]:
        about.append(f"Themes: {'; '.join(r['themes'])}.")
    if about:
        out.append(Paragraph(text=" ".join(about)))
    if r["statutory"]:
        out.append(Bullets(items=tuple(_statutory(s) for s in r["statutory"])))
    if not r["recommendations"]:
        return out + [Paragraph(text="No recommendations yet.")]
    out.extend(Paragraph(text=_recommendation(rec)) for rec in r["recommendations"])
    rows = tuple((a["reference"], rec["number"], _description(a), _text(a["agency"]), _text(a["officer"]), _due(a),
                  str(a["status"]).replace("_", " "), _rag(a), _update(a))
                 for rec in r["recommendations"] for a in rec["actions"])
    if not rows:
        return out + [Paragraph(text="No actions yet.")]
    return out + [Table(key=f"actions_{r['reference']}", caption=f"Actions on {r['title']}, by recommendation",
                        header=ACTION_HEADER, rows=rows)]


def action_plan_blocks(data: Doc) -> list[Block]:
    """The report (``action_plan_data``'s figures) as blocks, below its title and as-of line."""
    blocks: list[Block] = [Paragraph(text=RAG_NOTE), *_summary(data), *_overdue(data),
                           Heading(text="Reviews", level=2)]
    for r in data["reviews"]:
        blocks.extend(_review(r))
    return blocks


__all__ = ["TITLE", "action_plan_blocks", "action_plan_heading"]
