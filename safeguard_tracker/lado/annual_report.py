"""The annual report's LADO section: a short narrative and the agency table, as the report lays it out.

Every figure comes from ``stats.lado_statistics``; this module only words
them and draws the charts, and the templates only lay them out.  No names of
subjects, referrers or children appear: the figures are counts by agency type.

Formats: ``md``, ``html`` (self-contained, autoescaped, with inline SVG bar
charts by agency and by month), ``csv`` (the agency table; every cell goes
through the formula-injection defence in Python before the template joins
them), ``json`` (exactly ``LadoStatistics.to_dict()``), and ``docx`` (a Word document, as bytes,
from the same blocks the templates lay out: ``annual_blocks.py``).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any, Literal, Optional, Sequence, overload

from markupsafe import Markup

from ..context import Context
from ..progress import NO_PROGRESS, Progress
from ..io.csvfiles import safe_cell
from ..reports.charts import bar_chart_svg, measure_chart
from ..reports.render import render
from ..reports.blocks import Table
from .annual_blocks import annual_blocks, measure_tables, table_dict, year_label
from .authority_comparison import AuthorityFigures, authority_figures, comparison_table
from .annual_measures import AnnualMeasures, annual_measures
from .statistics import LadoStatistics, lado_statistics

TEMPLATE = "lado-annual"


def narrative(s: LadoStatistics, m: Optional[AnnualMeasures] = None) -> list[str]:
    """The section's opening paragraph, as sentences: contacts, change, referral rate, timescales.

    With the measures (``m``), the timescales are the referrals' against the guidance's expectations,
    which are for allegations; without them, every contact's against the store's targets."""
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
        if m is None:
            out += _timescale_sentences(
                "Of all contacts", [(t.period, t.percent, t.target_percent) for t in s.targets], s.timescales["open"],
                complete=s.year_complete)
            if s.false_or_malicious:
                out.append(f"Of {s.false_or_malicious} referral(s) found false or malicious, "
                           f"{s.false_or_malicious_in_time} were resolved within {s.false_malicious_period}.")
        elif referrals:
            # The guidance's expectations are for allegations: measured over referrals, not every contact.
            open_referrals = next((r.count for r in m.durations if r.key == "open"), 0)
            out += _timescale_sentences(
                f"Of the {referrals:,} referrals", [(t.period, t.percent, t.target_percent) for t in m.targets],
                open_referrals, word="expected", complete=s.year_complete)
            nb = m.no_basis
            if nb.cases:
                out.append(f"Of {nb.cases} referral(s) found to have no basis (false, malicious or unfounded), "
                           f"{nb.count} were resolved within {nb.period}.")
    return out


def _timescale_sentences(whose: str, targets: list[tuple[str, Optional[float], int]], open_: int,
                         word: str = "target", complete: bool = False) -> list[str]:
    """'Of ..., 81.0% were resolved within 1 month (target 80%), ...; 3 remain open.' and which were met."""
    parts = [f"{pct:.1f}% within {period} ({word} {want}%)" for period, pct, want in targets if pct is not None]
    if not parts:
        return []
    parts[0] = f"{whose}, " + parts[0].replace(" within", " were resolved within", 1)
    line = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    out = [line + (f"; {open_:,} {'remains' if open_ == 1 else 'remain'} open." if open_ else ".")]
    met = [period for period, pct, want in targets if pct is not None and pct >= want]
    missed = [period for period, pct, want in targets if pct is not None and pct < want]
    noun = "expectation" if word == "expected" else "target"
    if not missed:
        out.append(f"Every resolution {noun} was met.")
    elif not met:
        out.append(f"No resolution {noun} was met" + (" yet." if open_ and not complete else "."))
    else:
        out.append(f"The {_targets(met, noun)} met; the {_targets(missed, noun)} not.")
    return out


def _targets(periods: list[str], noun: str = "target") -> str:
    """['1 month', '12 months'] -> 'targets for 1 month and 12 months were'."""
    if len(periods) == 1:
        return f"{noun} for {periods[0]} was"
    return f"{noun}s for {', '.join(periods[:-1])} and {periods[-1]} were"


# What the board table's reconciliation already says for the year, in its own words: said once in the report.
SAID_BY_THE_BOARD_TABLE = ("have no category yet", "have no harm category recorded", "have no allegation outcome",
                           "is not over")


def board_notes(s: LadoStatistics, m: AnnualMeasures) -> list[str]:
    """The measures' reconciliation notes that the board table's do not already make."""
    return [n for n in m.reconciliation
            if not (n.startswith(f"{s.year}") and any(said in n for said in SAID_BY_THE_BOARD_TABLE))]


def agency_chart(s: LadoStatistics) -> str:
    labels = [r.agency for r in s.by_agency]
    return bar_chart_svg("Contacts by employer agency", labels,
                         [(year_label(s.year), [r.count for r in s.by_agency]),
                          (year_label(s.compare_year), [r.compare_count for r in s.by_agency])])


def month_chart(s: LadoStatistics) -> str:
    return bar_chart_svg("Contacts by month received", [m for m, _, _ in s.by_month],
                         [(year_label(s.year), [n for _, n, _ in s.by_month]),
                          (year_label(s.compare_year), [c for _, _, c in s.by_month])], horizontal=False)


def csv_rows(s: LadoStatistics, tables: Sequence[Table] = ()) -> list[str]:
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
    for t in tables:          # every further measure: its key, the row's label, the year's and the comparison's
        counts = [i for i, h in enumerate(t.header) if h in (year_label(s.year), year_label(s.compare_year))]
        if counts:
            rows += [[t.key, str(r[0]).strip("\u2003 "), *(r[i] for i in counts[:2])] for r in t.rows]
        else:                 # a table by year (the trend): one row per year and column, the figure in the year's
            rows += [[t.key, f"{r[0]} {str(h).lower()}", r[i], ""] for r in t.rows
                     for i, h in enumerate(t.header) if i]
    rows += [["reconciliation", str(i), note, ""] for i, note in enumerate(s.reconciliation, 1)]
    lines = []
    for row in rows:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow(["" if v is None else safe_cell(v) if isinstance(v, str) else v
                                                           for v in row])
        lines.append(buf.getvalue())
    return lines


def context(s: LadoStatistics, fmt_: str, m: Optional[AnnualMeasures] = None,
            region: Sequence[AuthorityFigures] = ()) -> dict[str, Any]:
    data = s.to_dict()
    tables = (measure_tables(m) if m is not None else []) + _region_table(region, s.year)
    if m is not None:
        data["measures"] = m.to_dict()
    if region:
        data["authorities"] = [r.to_dict() for r in region]
    ctx: dict[str, Any] = {
        "data": data, "s": data, "stats": s, "narrative": narrative(s, m),
        "year_label": year_label(s.year), "compare_label": year_label(s.compare_year),
        "targets": [{"key": t.key, "period": t.period, "resolved": t.resolved, "percent": t.percent,
                     "target_percent": t.target_percent} for t in s.targets],
        "by_month": [{"month": m, "count": n, "compare_count": c} for m, n, c in s.by_month],
        "as_of": s.as_of, "period_start": s.period_start, "period_end": s.period_end, "agency_total": sum(r.count for r in s.by_agency),
        "compare_agency_total": sum(r.compare_count for r in s.by_agency),
    }
    ctx["measure_tables"] = [table_dict(t) for t in tables]
    ctx["measure_notes"] = board_notes(s, m) if m is not None else []
    if fmt_ == "html":
        ctx["agency_chart"] = Markup(agency_chart(s))   # built and escaped in charts.py
        for t, d in zip(tables, ctx["measure_tables"]):
            chart = measure_chart(t)
            d["chart"] = Markup(chart) if chart else None
        ctx["month_chart"] = Markup(month_chart(s))
    if fmt_ == "csv":
        ctx["csv_lines"] = csv_rows(s, tables)
    return ctx


@overload
def render_lado_annual(ctx: Context, year: str, compare_with: Optional[str], fmt_: Literal["docx"], *,  # type: ignore[overload-overlap]
                       templates: Optional[str | Path] = None, stated_totals: Optional[dict[str, int]] = None,
                       child_population: Optional[int] = None, repeat_years: Optional[int] = None,
                       progress: Progress = NO_PROGRESS) -> bytes: ...


@overload
def render_lado_annual(ctx: Context, year: str, compare_with: Optional[str] = None, fmt_: str = "md", *,
                       templates: Optional[str | Path] = None, stated_totals: Optional[dict[str, int]] = None,
                       child_population: Optional[int] = None, repeat_years: Optional[int] = None,
                       progress: Progress = NO_PROGRESS) -> str: ...


def render_lado_annual(ctx: Context, year: str, compare_with: Optional[str] = None, fmt_: str = "md", *,
                       templates: Optional[str | Path] = None,
                       stated_totals: Optional[dict[str, int]] = None, child_population: Optional[int] = None,
                       repeat_years: Optional[int] = None, progress: Progress = NO_PROGRESS) -> str | bytes:
    """The LADO section of the annual report for ``year``, in ``fmt_`` (md, html, csv, json as text; docx as
    bytes, where ``templates`` do not apply); ``progress`` counts the contacts read.  ``child_population`` and
    ``repeat_years`` override the store's settings for the rate per 10,000 children and repeat subjects."""
    s = lado_statistics(ctx, year, compare_with, stated_totals=stated_totals, progress=progress)
    if child_population is None:      # one authority of a region: its own children, not the shared setting
        child_population = getattr(ctx.store, "own_child_population", lambda: None)()
    m = annual_measures(ctx, s.year, s.compare_year, child_population=child_population, repeat_years=repeat_years)
    region = authority_figures(ctx, s.year)       # a region's store: every authority's totals, side by side
    if fmt_ == "docx":
        from ..reports.docx_render import render_docx   # python-docx and lxml load only for Word
        return render_docx(annual_blocks(s, narrative(s, m), measure_tables(m) + _region_table(region, s.year),
                                         board_notes(s, m)),
                           title="LADO annual report",
                           subtitle=f"Financial year {year_label(s.year)}, figures as at {s.as_of:%d/%m/%Y}",
                           dated=s.as_of)
    return render(TEMPLATE, fmt_, context(s, fmt_, m, region), templates=templates)


def _region_table(region: Sequence[AuthorityFigures], year: str) -> list[Table]:
    table = comparison_table(list(region), year)
    return [table] if table is not None else []
