"""The action-plan progress report the Learning Lessons sub group sends to the Executive.

Per review, then per recommendation, then per action, each with its derived
RAG; a summary of actions by RAG and by lead agency; and the overdue actions
first, with their days overdue and latest update.  Every figure is computed
here; the templates only lay it out.  The report names reviews by their
pseudonyms and actions by their lead officers: no subjects, referrers or
children.

Formats: ``md``, ``html`` (self-contained, autoescaped, inline SVG chart of
RAG by lead agency), ``csv`` (one row per action, built in Python through the
formula-injection defence), ``json`` (the ``data`` dict below; dates ISO),
``docx`` (a Word document, as bytes: ``action_plan_blocks.py``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal, Optional, overload

from markupsafe import Markup

from .action_plan_blocks import action_plan_blocks, action_plan_heading
from .actions import ActionService
from ..progress import NO_PROGRESS, Progress, counted
from ..dates import fmt, parse_date
from ..io.csvfiles import write_csv
from ..model import Action, Recommendation, Review
from .plan_dates import describe_rule, impact_review_due
from .rag import RAG_ORDER, action_rag, days_overdue
from ..reports.charts import bar_chart_svg
from ..reports.markdown import md_text
from ..reports.render import render
from ..store.protocol import Doc

TEMPLATE = "action-plan"
RAG_COLOURS = {"red": "#c0392b", "amber": "#e6a700", "green": "#2e8b57", "blue": "#2b6cb0"}
NO_AGENCY = "(no lead agency)"


def md_cell(value: Any) -> str:
    """Text safe inside a Markdown table cell: one line, and no markup (pipes, links, HTML) from data."""
    return md_text(" ".join(str(value or "").split()))


def latest_update(a: Action) -> Optional[Doc]:
    if not a.updates:
        return None
    u = a.updates[-1]
    return {"on": u.on or u.at.date(), "by": u.by, "text": u.text}


def action_entry(actions: ActionService, a: Action, as_of: date, titles: dict[str, str]) -> Doc:
    rag = action_rag(a, as_of)
    late = days_overdue(a, as_of)
    revision = a.revisions[-1] if a.revisions else None
    return {
        "reference": a.reference, "review": titles.get(a.review, a.review), "recommendation": a.recommendation,
        "description": a.description, "agency": a.lead_agency, "officer": a.lead_officer,
        "due": a.current_due_on, "original_due": a.due_on, "due_rule": describe_rule(a.due_rule) if a.due_rule else None,
        "revised": revision is not None, "revision_reason": revision.reason if revision else None,
        "status": a.status.value, "rag": rag.value, "overdue": late > 0, "days_overdue": late,
        "off_track_reason": a.off_track_reason or None, "latest_update": latest_update(a),
        "evidence": a.evidence or None, "impact_measure": a.impact_measure or None, "completed_on": a.completed_on,
        "signed_off_by": a.signed_off_by or None, "signed_off_on": a.signed_off_on,
        "follow_up_of": a.follow_up_of or None,
    }


def _recommendation_entry(plans: ActionService, rec: Recommendation, entries: list[Doc], acts: list[Action]) -> Doc:
    due = impact_review_due([a.signed_off_on if a.status.value == "signed_off" else None for a in acts],
                            plans.reviews.plan_rules)
    finding = rec.impact_finding
    return {"number": rec.number, "text": rec.text, "owner_agencies": list(rec.owner_agencies),
            "themes": list(rec.themes), "actions": entries, "impact_review_due": due,
            "impact_finding": None if finding is None else {"on": finding.on, "by": finding.by, "text": finding.text}}


def _review_entry(actions: ActionService, r: Review, recs: list[Doc], as_of: date) -> Doc:
    dates = actions.reviews.statutory_dates(r)
    return {
        "reference": r.reference, "name": r.name, "title": r.title, "kind": r.kind.value, "kind_label": r.kind.label,
        "status": r.status.value, "lead_board": r.lead_board, "themes": list(r.themes),
        "published_on": r.published_on, "notification_due": dates.notification_due,
        "rapid_review_due": dates.rapid_review_due, "publication_due": dates.publication_due,
        "statutory": [{"what": d.what, "rule": d.rule, "due": d.due_on, "done_on": d.done_on,
                       "overdue": d.outstanding and d.due_on < as_of,
                       "days_overdue": max((as_of - d.due_on).days, 0) if d.outstanding else 0}
                      for d in actions.reviews.review_deadlines(r)],
        "recommendations": recs,
    }


def action_plan_data(actions: ActionService, *, review: Any = None, agency: Optional[str] = None,
                     as_of: Any = None, progress: Progress = NO_PROGRESS) -> Doc:
    """The report's figures.  ``review`` narrows to one review; ``agency`` to actions that agency leads;
    ``progress`` counts the reviews reported on."""
    day = parse_date(as_of, "as_of", required=False, today=actions.ctx.today()) or actions.ctx.today()
    chosen = [actions.reviews.get(review)] if review not in (None, "") else actions.reviews.find()
    lead = None if agency in (None, "") else actions.ctx.plan_agencies.canonical(agency, "agency")
    titles = {r.reference: r.title for r in actions.reviews.find()}
    by_review: dict[str, dict[int, list[Action]]] = {}
    for a in actions.find(review=review if review not in (None, "") else None, agency=lead):
        by_review.setdefault(a.review, {}).setdefault(a.recommendation, []).append(a)
    reviews_out, every = [], []
    for r in counted(chosen, len(chosen), progress, "reporting on reviews"):
        recs = []
        for rec in r.recommendations:
            acts = by_review.get(r.reference, {}).get(rec.number, [])
            if lead is not None and not acts:
                continue
            entries = [action_entry(actions, a, day, titles) for a in acts]
            every.extend(entries)
            recs.append(_recommendation_entry(actions, rec, entries, acts))
        if lead is not None and not recs:
            continue
        reviews_out.append(_review_entry(actions, r, recs, day))
    by_rag = {k.value: 0 for k in RAG_ORDER}
    agencies: dict[str, dict[str, int]] = {}
    for e in every:
        by_rag[e["rag"]] += 1
        row = agencies.setdefault(e["agency"] or NO_AGENCY, {**{k.value: 0 for k in RAG_ORDER}, "total": 0, "overdue": 0})
        row[e["rag"]] += 1
        row["total"] += 1
        row["overdue"] += e["overdue"]
    order = {name: i for i, name in enumerate(actions.ctx.plan_agencies.agencies)}
    by_agency = [{"agency": name, **counts} for name, counts in
                 sorted(agencies.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))]
    overdue = sorted((e for e in every if e["overdue"]), key=lambda e: (-e["days_overdue"], e["reference"]))
    return {
        "as_of": day,
        "filters": {"review": chosen[0].title if review not in (None, "") else None, "agency": lead},
        "reviews": reviews_out,
        "summary": {"total_actions": len(every), "by_rag": by_rag, "overdue": len(overdue), "by_agency": by_agency},
        "overdue_actions": overdue,
    }


def rag_chart(data: Doc) -> str:
    rows = data["summary"]["by_agency"]
    return bar_chart_svg("Actions by RAG and lead agency", [r["agency"] for r in rows],
                         [(k.value.capitalize(), [r[k.value] for r in rows]) for k in RAG_ORDER],
                         colours=[RAG_COLOURS[k.value] for k in RAG_ORDER])


CSV_COLUMNS = ("review", "kind", "review_status", "recommendation", "recommendation_text", "reference", "action",
               "agency", "officer", "due", "original_due", "revision_reason", "status", "rag", "overdue",
               "days_overdue", "latest_update_on", "latest_update", "evidence", "completed", "signed_off_by",
               "signed_off_on")


def csv_text(data: Doc) -> str:
    rows = []
    for r in data["reviews"]:
        for rec in r["recommendations"]:
            for a in rec["actions"]:
                u = a["latest_update"] or {}
                rows.append([r["title"], r["kind_label"], r["status"], rec["number"], rec["text"], a["reference"],
                             a["description"], a["agency"], a["officer"], fmt(a["due"]), fmt(a["original_due"]),
                             a["revision_reason"] or "", a["status"], a["rag"], "yes" if a["overdue"] else "no",
                             a["days_overdue"], fmt(u.get("on")), u.get("text", ""), a["evidence"] or "",
                             fmt(a["completed_on"]), a["signed_off_by"] or "", fmt(a["signed_off_on"])])
    return write_csv(CSV_COLUMNS, rows)


@overload
def render_action_plan(actions: ActionService, fmt_: Literal["docx"], *,  # type: ignore[overload-overlap]
                       review: Any = None, agency: Optional[str] = None, as_of: Any = None,
                       templates: Optional[str | Path] = None, progress: Progress = NO_PROGRESS) -> bytes: ...


@overload
def render_action_plan(actions: ActionService, fmt_: str = "md", *, review: Any = None, agency: Optional[str] = None,
                       as_of: Any = None, templates: Optional[str | Path] = None,
                       progress: Progress = NO_PROGRESS) -> str: ...


def render_action_plan(actions: ActionService, fmt_: str = "md", *, review: Any = None, agency: Optional[str] = None,
                       as_of: Any = None, templates: Optional[str | Path] = None,
                       progress: Progress = NO_PROGRESS) -> str | bytes:
    """The progress report as md, html, csv or json (text), or docx (bytes; ``templates`` do not apply)."""
    data = action_plan_data(actions, review=review, agency=agency, as_of=as_of, progress=progress)
    if fmt_ == "docx":
        from ..reports.docx_render import render_docx   # python-docx and lxml load only for Word
        title, subtitle = action_plan_heading(data)
        return render_docx(action_plan_blocks(data), title=title, subtitle=subtitle, dated=data["as_of"],
                           landscape=True)
    if fmt_ == "csv":
        return csv_text(data)
    ctx: dict[str, Any] = {"data": data, "d": data, "md": md_cell, "rag_colours": RAG_COLOURS,
                           "rag_names": [k.value for k in RAG_ORDER]}
    if fmt_ == "html":
        ctx["chart"] = Markup(rag_chart(data))   # built and escaped in charts.py
    return render(TEMPLATE, fmt_, ctx, templates=templates)
