"""The annual report's LADO section as blocks (headings, paragraphs, tables), for Word and the templates.

Every figure comes from ``lado_statistics`` and ``annual_measures``; this
module only arranges them into captioned tables with the comparison year
beside each figure.  Word renders the blocks (``reports.docx_render``); the
Markdown and HTML templates loop over ``measure_tables`` for the sections that
follow the board's table.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from ..dates import fmt
from ..reports.blocks import Block, Bullets, Cell, Heading, Paragraph, Table
from .annual_measures import AnnualMeasures, Group, Row
from .statistics import LadoStatistics, percent


def year_label(year: str) -> str:
    """'2017-18' -> '2017/18', as the report's table headings write it."""
    return year.replace("-", "/")


def _label(key: str) -> str:
    """'no_further_action' -> 'No further action'."""
    text = key.replace("_", " ")
    return text[:1].upper() + text[1:]


def base_tables(s: LadoStatistics) -> list[Table]:
    """The board's tables: agencies, months, categories, outcomes, timescales, harm."""
    y, c = year_label(s.year), year_label(s.compare_year)
    agency_rows: list[tuple[Cell, ...]] = [(r.agency, r.count, r.compare_count) for r in s.by_agency]
    agency_rows.append(("Total", sum(r.count for r in s.by_agency), sum(r.compare_count for r in s.by_agency)))
    referral = s.by_category["referral"]
    tables = [
        Table(key="by_agency", caption="Contacts by employer agency", header=("Agency", y, c),
              rows=tuple(agency_rows), total_rows=(len(agency_rows) - 1,)),
        Table(key="by_month", caption="Contacts by month received", header=("Month", y, c),
              rows=tuple((m, n, cn) for m, n, cn in s.by_month)),
        Table(key="by_category", caption="How contacts were managed", header=("Category", y),
              rows=(("Enquiry", s.by_category["enquiry"]), ("Consultation", s.by_category["consultation"]),
                    ("Referral", referral),
                    ("Referrals as a share of contacts (%)", s.referral_percent),
                    ("Escalated (counted in their final category)", s.escalated))),
        Table(key="outcomes", caption="Outcomes of referrals", header=("Outcome", "Referrals"),
              rows=tuple((_label(k), v) for k, v in s.outcomes.items())),
        Table(key="timescales", caption="Time to resolution, all contacts", header=("Resolved", "Contacts"),
              rows=tuple((_label(k), v) for k, v in s.timescales.items())),
        Table(key="by_harm", caption="Contacts by category of harm", header=("Category of harm", "Contacts"),
              rows=tuple((_label(k), v) for k, v in s.by_harm.items())),
    ]
    return tables


def _rows(rows: Sequence[Row]) -> list[tuple[Cell, ...]]:
    return [(r.label, r.count, r.percent, r.compare_count, r.compare_percent) for r in rows]


def _counted(key: str, caption: str, first: str, m: AnnualMeasures, rows: Sequence[Row],
             note: Optional[str] = None, total: Optional[Row] = None) -> Table:
    """A table of rows: label, count and share in the year, count and share in the comparison year."""
    y, c = year_label(m.year), year_label(m.compare_year)
    body = _rows(rows)
    totals: tuple[int, ...] = ()
    if total is not None:
        body.append(("Total", total.count, None, total.compare_count, None))
        totals = (len(body) - 1,)
    return Table(key=key, caption=caption, header=(first, y, "%", c, "%"), rows=tuple(body),
                 total_rows=totals, note=note)


def _grouped(key: str, caption: str, first: str, m: AnnualMeasures, groups: Sequence[Group],
             note: Optional[str] = None, total: Optional[Row] = None) -> Table:
    """Groups with their rows indented beneath, each group's line a subtotal (bold)."""
    y, c = year_label(m.year), year_label(m.compare_year)
    body: list[tuple[Cell, ...]] = []
    subtotals: list[int] = []
    for g in groups:
        subtotals.append(len(body))
        body.append((g.label, g.count, g.percent, g.compare_count, g.compare_percent))
        body += [("\u2003" + r.label, r.count, r.percent, r.compare_count, r.compare_percent) for r in g.rows]
    if total is not None:
        subtotals.append(len(body))
        body.append(("Total", total.count, None, total.compare_count, None))
    return Table(key=key, caption=caption, header=(first, y, "%", c, "%"), rows=tuple(body),
                 total_rows=tuple(subtotals), note=note)


def measure_tables(m: AnnualMeasures) -> list[Table]:
    """Every further measure, the comparison year beside each figure."""
    y, c = year_label(m.year), year_label(m.compare_year)
    contacts, referrals = m.totals[0], m.totals[1]
    tables = [
        _grouped("by_sector", "Contacts by sector, with each sector's agencies", "Sector and agency", m,
                 m.by_sector, total=contacts),
        _grouped("by_source", "Source of referral (the referrer's organisation)", "Source", m, m.by_source,
                 total=contacts),
        _counted("threshold", "Referrals by the harm threshold limbs met (a referral may meet several)", "Limb",
                 m, m.threshold),
        _grouped("outcomes_by_harm", "Outcomes of referrals by category of harm", "Harm and outcome", m,
                 m.outcomes_by_harm, total=referrals),
        _grouped("outcomes_by_sector", "Outcomes of referrals by sector", "Sector and outcome", m,
                 m.outcomes_by_sector, total=referrals),
        _counted("police", "Police involvement and s47 strategy discussions (referrals)", "Measure", m,
                 m.police + m.criminal,
                 note="Criminal outcomes are counted only where the disciplinary or employer's outcome says so."),
        _counted("suspensions", "Suspension and its alternatives (referrals, the latest decision)", "Decision", m,
                 m.suspensions, total=referrals),
        _counted("regulators", "Referrals to the DBS and regulators, by body", "Body", m,
                 m.regulators + (m.regulator_contacts,),
                 note=("Other bodies named: " + ", ".join(m.regulator_other_names))
                 if m.regulator_other_names else None),
        _counted("disciplinary", "Disciplinary outcomes (referrals)", "Outcome", m, m.disciplinary, total=referrals),
        _counted("repeats", f"Repeat subjects and settings (the same person within {m.repeat_years} years)",
                 "Measure", m, m.repeats),
        _counted("durations", "Time to resolution of referrals (allegations)", "Resolved", m, m.durations,
                 total=referrals),
        _targets_table(m),
        _counted("open_at_year_end", f"Contacts open at the year end ({fmt(m.open_date)}), by age", "Age", m,
                 m.open_by_age, total=m.open_total,
                 note="Every contact received by the year end and still open on that day, whichever year it came "
                      "in: an older case is in the older age bands."),
        _counted("open_by_category", f"Contacts open at the year end ({fmt(m.open_date)}), by category",
                 "Category", m, m.open_by_category, total=m.open_total),
        Table(key="rate_per_10000", caption="Contacts and referrals per 10,000 children",
              header=("Measure", y, c),
              rows=tuple((r.label, r.rate, r.compare_rate) for r in m.rates),
              note=(f"Child population {m.population:,}" if m.population else
                    "The child population is not set (setting child_population)")),
        Table(key="trend", caption="Five-year trend", header=("Year", "Contacts", "Referrals"),
              rows=tuple((year_label(t.year), t.contacts, t.referrals) for t in m.trend)),
    ]
    return tables


def _targets_table(m: AnnualMeasures) -> Table:
    """Referrals resolved within each period against the expectation, then the one-week rule for no-basis cases."""
    rows: list[tuple[Cell, ...]] = [(t.period, t.target_percent, t.count, t.percent, _met(t.met), t.compare_count,
                                     t.compare_percent, _met(t.compare_met)) for t in m.targets]
    nb = m.no_basis
    rows.append((f"{nb.period} (no basis: false, malicious or unfounded)", None, nb.count,
                 percent(nb.count, nb.cases), f"of {nb.cases:,}", nb.compare_count,
                 percent(nb.compare_count, nb.compare_cases), f"of {nb.compare_cases:,}"))
    return Table(key="targets", caption="Referrals resolved against the guidance's expectations",
                 header=("Within", "Expected %", year_label(m.year), "%", "Met", year_label(m.compare_year), "%",
                         "Met"),
                 rows=tuple(rows),
                 note="Cumulative: a referral resolved within a month is also within three. Open referrals count "
                      "in the base.")


def _met(value: Optional[bool]) -> Cell:
    return None if value is None else ("yes" if value else "no")


def annual_blocks(s: LadoStatistics, narrative: list[str], measures: Optional[list[Table]] = None,
                  notes: Sequence[str] = ()) -> list[Block]:
    """The whole section: the opening paragraph, the board's tables, every further measure, the reconciliation
    (the statistics' notes, then ``notes``: the measures' own)."""
    blocks: list[Block] = [Heading(text=f"Allegations against people who work with children: the LADO, {s.year}",
                                   level=1),
                           Paragraph(text=" ".join(narrative))]
    blocks.append(Heading(text="The year in figures", level=2))
    blocks += base_tables(s)
    if measures:
        blocks.append(Heading(text="Who the allegations were about, and what was done", level=2))
        blocks += measures
    if s.reconciliation or notes:
        blocks += [Heading(text="Reconciliation", level=2), Bullets(items=(*s.reconciliation, *notes))]
    blocks.append(Paragraph(text=f"Financial year {fmt(s.period_start)} to {fmt(s.period_end)}; figures as at "
                                 f"{fmt(s.as_of)}. Contacts count in the year they were received, by their "
                                 f"final category."))
    return blocks


def table_dict(table: Table) -> dict[str, Any]:
    """A table for the templates: caption, header, rows, which rows are totals, the note."""
    return {"key": table.key, "caption": table.caption, "header": list(table.header),
            "rows": [list(r) for r in table.rows], "total_rows": list(table.total_rows), "note": table.note,
            "chart": None}


__all__ = ["annual_blocks", "base_tables", "measure_tables", "table_dict", "year_label"]
