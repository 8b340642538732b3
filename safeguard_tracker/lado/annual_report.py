"""The annual report's LADO section: a short narrative and the agency table, as the report lays it out.

Every figure comes from ``stats.lado_statistics``; this module only words
them and draws the charts, and the templates only lay them out.  No names of
subjects, referrers or children appear: the figures are counts by agency type.

Formats: ``md``, ``html`` (self-contained, autoescaped, with inline SVG bar
charts by agency and by month), ``csv`` (the agency table; every cell goes
through the formula-injection defence in Python before the template joins
them), and ``json`` (exactly ``LadoStatistics.to_dict()``).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any, Optional

from markupsafe import Markup

from ..context import Context
from ..progress import NO_PROGRESS, Progress
from ..io.csvfiles import safe_cell
from ..reports.charts import bar_chart_svg
from ..reports.render import render
from .statistics import LadoStatistics, lado_statistics

TEMPLATE = "lado-annual"


def year_label(year: str) -> str:
    """'2017-18' -> '2017/18', as the report's table headings write it."""
    return year.replace("-", "/")


def narrative(s: LadoStatistics) -> list[str]:
    """The section's opening paragraph, as sentences: contacts, change, referral rate, timescales."""
    out = []
    verb = "received" if s.year_complete else "has received so far"
    first = f"In {s.year} the LADO {verb} {s.total_contacts:,} contacts"
    if s.change_percent is not None:
        direction = "an increase" if s.change_percent > 0 else ("a decrease" if s.change_percent < 0 else "no change")
        amount = f" of {abs(s.change_percent):.1f}%" if s.change_percent else ""
        first += f", against {s.compare_total:,} in {s.compare_year}: {direction}{amount}."
    else:
        first += f"; there are no figures for {s.compare_year} to compare with."
    out.append(first)
    referrals = s.by_category["referral"]
    if s.total_contacts:
        line = (f"{referrals:,} ({s.referral_percent:.1f}%) were managed as referrals, "
                f"{s.by_category['consultation']:,} as consultations and {s.by_category['enquiry']:,} as enquiries")
        line += (f"; {s.escalated:,} contact(s) were escalated to a higher category as further concerns emerged."
                 if s.escalated else ".")
        out.append(line)
        parts = [f"{t.percent:.1f}% within {t.period} (target {t.target_percent}%)" for t in s.targets
                 if t.percent is not None]
        parts[0] = "Of all contacts, " + parts[0].replace(" within", " were resolved within", 1)
        line = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
        open_ = s.timescales["open"]
        out.append(line + (f"; {open_:,} {'remains' if open_ == 1 else 'remain'} open." if open_ else "."))
        met = [t.period for t in s.targets if t.percent is not None and t.percent >= t.target_percent]
        missed = [t.period for t in s.targets if t.percent is not None and t.percent < t.target_percent]
        if not missed:
            out.append("Every resolution target was met.")
        elif not met:
            out.append("No resolution target was met" + (" yet." if open_ else "."))
        else:
            out.append(f"The {_targets(met)} met; the {_targets(missed)} not.")
        if s.false_or_malicious:
            out.append(f"Of {s.false_or_malicious} referral(s) found false or malicious, "
                       f"{s.false_or_malicious_in_time} were resolved within {s.false_malicious_period}.")
    return out


def _targets(periods: list[str]) -> str:
    """['1 month', '12 months'] -> 'targets for 1 month and 12 months were'."""
    if len(periods) == 1:
        return f"target for {periods[0]} was"
    return f"targets for {', '.join(periods[:-1])} and {periods[-1]} were"


def agency_chart(s: LadoStatistics) -> str:
    labels = [r.agency for r in s.by_agency]
    return bar_chart_svg("Contacts by employer agency", labels,
                         [(year_label(s.year), [r.count for r in s.by_agency]),
                          (year_label(s.compare_year), [r.compare_count for r in s.by_agency])])


def month_chart(s: LadoStatistics) -> str:
    return bar_chart_svg("Contacts by month received", [m for m, _, _ in s.by_month],
                         [(year_label(s.year), [n for _, n, _ in s.by_month]),
                          (year_label(s.compare_year), [c for _, _, c in s.by_month])], horizontal=False)


def csv_rows(s: LadoStatistics) -> list[str]:
    """The figures in long form (section, item, year, comparison year), for analysts' spreadsheets.

    Every text cell goes through the formula-injection defence here, so the template only joins
    lines; numbers are written as numbers (a negative change stays a number).
    """
    rows: list[list[Any]] = [["section", "item", year_label(s.year), year_label(s.compare_year)],
                             ["contacts", "total", s.total_contacts, s.compare_total],
                             ["contacts", "change_percent", s.change_percent, ""]]
    rows += [["category", k, v, ""] for k, v in s.by_category.items()]
    rows += [["category", "referral_percent", s.referral_percent, ""], ["category", "escalated", s.escalated, ""]]
    rows += [["agency", r.agency, r.count, r.compare_count] for r in s.by_agency]
    rows += [["month", m, n, c] for m, n, c in s.by_month]
    rows += [["outcome", k, v, ""] for k, v in s.outcomes.items()]
    rows += [["timescale", k, v, ""] for k, v in s.timescales.items()]
    rows += [["harm", k, v, ""] for k, v in s.by_harm.items()]
    rows += [["reconciliation", str(i), note, ""] for i, note in enumerate(s.reconciliation, 1)]
    lines = []
    for row in rows:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow(["" if v is None else safe_cell(v) if isinstance(v, str) else v
                                                           for v in row])
        lines.append(buf.getvalue())
    return lines


def context(s: LadoStatistics, fmt_: str) -> dict[str, Any]:
    data = s.to_dict()
    ctx: dict[str, Any] = {
        "data": data, "s": data, "stats": s, "narrative": narrative(s),
        "year_label": year_label(s.year), "compare_label": year_label(s.compare_year),
        "targets": [{"key": t.key, "period": t.period, "resolved": t.resolved, "percent": t.percent,
                     "target_percent": t.target_percent} for t in s.targets],
        "by_month": [{"month": m, "count": n, "compare_count": c} for m, n, c in s.by_month],
        "as_of": s.as_of, "period_start": s.period_start, "period_end": s.period_end, "agency_total": sum(r.count for r in s.by_agency),
        "compare_agency_total": sum(r.compare_count for r in s.by_agency),
    }
    if fmt_ == "html":
        ctx["agency_chart"] = Markup(agency_chart(s))   # built and escaped in charts.py
        ctx["month_chart"] = Markup(month_chart(s))
    if fmt_ == "csv":
        ctx["csv_lines"] = csv_rows(s)
    return ctx


def render_lado_annual(ctx: Context, year: str, compare_with: Optional[str] = None, fmt_: str = "md", *,
                       templates: Optional[str | Path] = None,
                       stated_totals: Optional[dict[str, int]] = None, progress: Progress = NO_PROGRESS) -> str:
    """The LADO section of the annual report for ``year``, in ``fmt_`` (md, html, csv, json);
    ``progress`` counts the contacts read."""
    s = lado_statistics(ctx, year, compare_with, stated_totals=stated_totals, progress=progress)
    return render(TEMPLATE, fmt_, context(s, fmt_), templates=templates)
