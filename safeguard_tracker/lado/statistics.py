"""The LADO's annual statistics, computed from the records (a template never computes a figure).

A contact counts in the financial year (1 April to 31 March) it was received,
by its final category: a consultation that became a referral is a referral,
and is also counted as escalated.  Figures that do not add up are not hidden:
``reconciliation`` says what disagrees and why, for example contacts whose
agency is not in the taxonomy, or a stated headline total (the annual report's
"494") that differs from the records (495).

One pass over the stored documents, no model objects, so that a year's
figures at 100,000 contacts cost about as much as counting them.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Optional, Sequence

import attrs

from ..context import Context
from ..store.past import PastStore
from ..progress import NO_PROGRESS, Progress
from ..progress import counted as reported    # ("counted" is a name in the reconciliation below)
from ..dates import add_period, financial_year_bounds, parse_period, fmt, normalise_financial_year, previous_financial_year
from .deadlines import rules_of
from ..model import ALLEGATION_OUTCOMES, Category, Harm, Outcome

CATEGORIES = tuple(c.value for c in Category)
OUTCOME_KEYS = tuple(o.value for o in ALLEGATION_OUTCOMES) + ("open",)
TIMESCALE_KEYS = ("within_1_month", "within_3_months", "within_12_months", "over_12_months", "open")
HARMS = tuple(h.value for h in Harm)
MONTHS = ("Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar")
FALSE_OR_MALICIOUS = (Outcome.FALSE.value, Outcome.MALICIOUS.value)
DICT_KEYS = ("year", "period_start", "period_end", "total_contacts", "compare_year", "compare_total",
             "change_percent", "by_category", "referral_percent", "escalated", "by_agency", "outcomes",
             "timescales", "by_harm", "reconciliation")


def percent(part: int, whole: int) -> Optional[float]:
    """``part`` as a percentage of ``whole``, to one decimal place, rounding halves up; None if whole is 0."""
    if not whole:
        return None
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def change(new: int, old: int) -> Optional[float]:
    return None if not old else percent(new - old, old)


@attrs.frozen(kw_only=True)
class AgencyRow:
    agency: str
    count: int
    compare_count: int

    def to_dict(self) -> dict[str, Any]:
        return {"agency": self.agency, "count": self.count, "compare_count": self.compare_count}


@attrs.frozen(kw_only=True)
class Timescale:
    """One resolution target: how many contacts were resolved within it, cumulatively."""
    key: str
    period: str
    resolved: int
    percent: Optional[float]
    target_percent: int


@attrs.frozen(kw_only=True)
class LadoStatistics:
    year: str
    period_start: date
    period_end: date
    total_contacts: int
    compare_year: str
    compare_total: int
    change_percent: Optional[float]
    by_category: dict[str, int]
    referral_percent: Optional[float]
    escalated: int
    by_agency: tuple[AgencyRow, ...]
    outcomes: dict[str, int]
    timescales: dict[str, int]
    by_harm: dict[str, int]
    reconciliation: tuple[str, ...]
    # Beyond the keys: for the report's narrative and charts.
    as_of: date
    by_month: tuple[tuple[str, int, int], ...]            # (month, count, compare_count), April first
    targets: tuple[Timescale, ...]
    false_or_malicious: int                              # referrals concluded false or malicious ...
    false_or_malicious_in_time: int                      # ... and of those, resolved within the target
    false_malicious_period: str
    stated_total: Optional[int] = None
    day_ended: bool = False                              # as_of is a past day, seen at its end (``Tracker.as_of``)

    @property
    def year_complete(self) -> bool:
        return self.as_of > self.period_end or (self.day_ended and self.as_of == self.period_end)

    def to_dict(self) -> dict[str, Any]:
        """Exactly the issue's keys; dates as ISO strings, percentages to one decimal place."""
        return {
            "year": self.year,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "total_contacts": self.total_contacts,
            "compare_year": self.compare_year,
            "compare_total": self.compare_total,
            "change_percent": self.change_percent,
            "by_category": dict(self.by_category),
            "referral_percent": self.referral_percent,
            "escalated": self.escalated,
            "by_agency": [r.to_dict() for r in self.by_agency],
            "outcomes": dict(self.outcomes),
            "timescales": dict(self.timescales),
            "by_harm": dict(self.by_harm),
            "reconciliation": list(self.reconciliation),
        }


class _Tally:
    """The counts for one year, gathered in one pass."""

    def __init__(self) -> None:
        self.total = 0
        self.agencies: dict[str, int] = {}
        self.months = [0] * 12


def lado_statistics(ctx: Context, year: str = "2017-18", compare_with: Optional[str] = None, *,
                    stated_totals: Optional[dict[str, int]] = None, as_of: Optional[date] = None,
                    progress: Progress = NO_PROGRESS) -> LadoStatistics:
    """The annual figures for ``year`` against ``compare_with`` (default: the year before).

    ``stated_totals`` ({"2017-18": 494}) are headline totals published elsewhere; they are
    checked against the records (with the store's ``stated_totals`` setting) and any
    difference is reported in ``reconciliation``.
    """
    year = normalise_financial_year(year, "year")
    compare = normalise_financial_year(compare_with, "compare_with") if compare_with else previous_financial_year(year)
    start, end = financial_year_bounds(year)
    cstart, cend = financial_year_bounds(compare)
    s, e, cs, ce = start.isoformat(), end.isoformat(), cstart.isoformat(), cend.isoformat()
    rules = rules_of(ctx)
    today = as_of or ctx.today()
    ended = day_has_ended(ctx, today)
    taxonomy = ctx.taxonomy

    tally, ctally = _Tally(), _Tally()
    by_category = dict.fromkeys(CATEGORIES, 0)
    outcomes = dict.fromkeys(OUTCOME_KEYS, 0)
    by_harm = dict.fromkeys(HARMS, 0)
    bands = [0] * (len(rules.resolution) + 2)            # one per target, then "over", then "open"
    escalated = 0
    uncategorised = no_harm = fm_total = fm_in_time = historic = 0
    odd_outcomes: dict[str, int] = {}
    closed_early: list[str] = []
    targets_cache: dict[str, list[str]] = {}
    fm_cache: dict[str, str] = {}
    n_targets = len(rules.resolution)

    docs = ctx.store.all("contacts")
    for ref, d in reported(docs.items(), len(docs), progress, "counting contacts"):
        received = d["received_on"]
        if s <= received <= e:
            t = tally
        elif cs <= received <= ce:
            ctally.total += 1
            ctally.agencies[d.get("agency", "")] = ctally.agencies.get(d.get("agency", ""), 0) + 1
            ctally.months[(int(received[5:7]) - 4) % 12] += 1
            continue
        else:
            continue
        t.total += 1
        if d.get("historic"):
            historic += 1
        agency = d.get("agency", "")
        t.agencies[agency] = t.agencies.get(agency, 0) + 1
        t.months[(int(received[5:7]) - 4) % 12] += 1
        category = d.get("category")
        if category in by_category:
            by_category[category] += 1
        else:
            uncategorised += 1
        if any(h.get("kind") == "escalated" for h in d.get("category_history") or ()):
            escalated += 1
        harm = d.get("harm")
        if harm in by_harm:
            by_harm[harm] += 1
        else:
            no_harm += 1
        closed = d.get("closed_on")
        outcome = d.get("outcome")
        if category == "referral":
            if closed is None:
                outcomes["open"] += 1
            elif outcome in outcomes:
                outcomes[outcome] += 1
            else:
                odd_outcomes[outcome or "none"] = odd_outcomes.get(outcome or "none", 0) + 1
            if closed is not None and outcome in FALSE_OR_MALICIOUS:
                fm_total += 1
                limit = fm_cache.get(received)
                if limit is None:
                    limit = fm_cache[received] = add_period(date.fromisoformat(received), rules.false_malicious).isoformat()
                fm_in_time += closed <= limit
        if closed is None:
            bands[-1] += 1
            continue
        if closed < received:
            closed_early.append(ref)
        limits = targets_cache.get(received)
        if limits is None:
            day = date.fromisoformat(received)
            limits = targets_cache[received] = [add_period(day, p).isoformat() for p in rules.resolution]
        for i, limit in enumerate(limits):
            if closed <= limit:
                bands[i] += 1
                break
        else:
            bands[n_targets] += 1

    # --- agencies, in taxonomy order, zeros included ---------------------------------------
    def by_taxonomy(counts: dict[str, int]) -> tuple[dict[str, int], dict[str, int]]:
        rows = dict.fromkeys(taxonomy.agencies, 0)
        unknown: dict[str, int] = {}
        for name, n in counts.items():
            canonical = name if name in rows else (taxonomy.canonical(name) if name in taxonomy else None)
            if canonical is None:
                unknown[name] = unknown.get(name, 0) + n
            else:
                rows[canonical] += n
        return rows, unknown

    rows, unknown = by_taxonomy(tally.agencies)
    crows, cunknown = by_taxonomy(ctally.agencies)
    offered = set(taxonomy.offered)          # a retired agency is listed only in years that have its contacts
    by_agency = tuple(AgencyRow(agency=a, count=rows[a], compare_count=crows[a]) for a in taxonomy.agencies
                      if a in offered or rows[a] or crows[a])

    # Bands named for the configured targets: the defaults give the keys.
    timescales = dict(zip(band_keys(rules.resolution), bands[:n_targets + 1]))
    timescales["open"] = bands[-1]
    targets = []
    running = 0
    for i, period in enumerate(rules.resolution):
        running += bands[i]
        targets.append(Timescale(key=list(timescales)[i], period=period, resolved=running,
                                 percent=percent(running, tally.total), target_percent=rules.resolution_percent[i]))

    # --- reconciliation: what does not add up, said plainly ---------------------------------
    notes: list[str] = []
    stated = dict(ctx.settings.get("stated_totals") or {})
    stated.update(stated_totals or {})
    stated = {normalise_financial_year(k, "stated_totals"): int(v) for k, v in stated.items()}
    agency_sum = sum(rows.values())
    for y, counted, other, other_count in ((year, tally.total, compare, ctally.total),
                                           (compare, ctally.total, None, 0)):
        if y in stated and stated[y] != counted:
            diff = counted - stated[y]
            msg = (f"{y}: the stated total is {stated[y]}, but {counted} contacts were received in the year "
                   f"(the agency rows sum to {sum((rows if y == year else crows).values())}): "
                   f"{abs(diff)} {'more' if diff > 0 else 'fewer'} in the records than stated")
            if y == year and ctally.total:
                msg += (f". With the stated total, the change on {compare} would be "
                        f"{_signed(change(stated[y], _stated_or(stated, compare, ctally.total)))}"
                        f" (from the records: {_signed(change(tally.total, ctally.total))})")
            notes.append(msg)
    for y, extra, total in ((year, unknown, tally.total), (compare, cunknown, ctally.total)):
        if extra:
            n = sum(extra.values())
            names = ", ".join(f"'{k}' ({v})" for k, v in sorted(extra.items(), key=lambda kv: (-kv[1], kv[0])))
            notes.append(f"{y}: {n} contact(s) have an agency that is not in the taxonomy, so they are in the "
                         f"total ({total}) but in no agency row: {names}")
    if agency_sum + sum(unknown.values()) != tally.total:  # pragma: no cover - a guard on this module's own sums
        notes.append(f"{year}: the agency rows sum to {agency_sum}, not to the total {tally.total}")
    if historic:
        notes.append(f"{year}: {historic} of the {tally.total} contact(s) were imported as historic records (from "
                     f"the log kept before this tracker): they are counted in every figure, and the steps the old "
                     f"log never recorded (a category, an outcome, the employer's report) count as not recorded")
    if uncategorised:
        notes.append(f"{year}: {uncategorised} contact(s) have no category yet, so by_category sums to "
                     f"{tally.total - uncategorised}, not {tally.total}")
    if no_harm:
        notes.append(f"{year}: {no_harm} contact(s) have no harm category recorded, so by_harm sums to "
                     f"{tally.total - no_harm}, not {tally.total}")
    if odd_outcomes:
        listed = ", ".join(f"{k} ({v})" for k, v in sorted(odd_outcomes.items()))
        notes.append(f"{year}: {sum(odd_outcomes.values())} closed referral(s) have no allegation outcome "
                     f"({listed}), so outcomes sum to {sum(outcomes.values())}, not {by_category['referral']}")
    if closed_early:
        notes.append(f"{year}: {len(closed_early)} contact(s) are closed before they were received: "
                     f"{', '.join(sorted(closed_early)[:10])}{' ...' if len(closed_early) > 10 else ''}")
    if not ctally.total:
        notes.append(f"{compare}: no contacts are recorded, so there is no change to report")
    if isinstance(ctx.store, PastStore):
        late = [ref for ref, received, _ in ctx.store.past.left_out["contacts"] if s <= received <= e]
        if late:
            notes.append(f"{year}: {len(late)} contact(s) received in the year were entered after "
                         f"{fmt(ctx.store.day)}, so they are not counted: these are the figures as the store "
                         f"held them at the end of that day")
    if today < end or (today == end and not ended):
        notes.append(f"{year} is not over: figures are to {fmt(today)}")
    elif bands[-1]:
        notes.append(f"{year}: {bands[-1]} contact(s) were still open on {fmt(today)}; their timescales are not final")

    return LadoStatistics(
        year=year, period_start=start, period_end=end, total_contacts=tally.total, compare_year=compare,
        compare_total=ctally.total, change_percent=change(tally.total, ctally.total), by_category=by_category,
        referral_percent=percent(by_category["referral"], tally.total), escalated=escalated, by_agency=by_agency,
        outcomes=outcomes, timescales=timescales, by_harm=by_harm, reconciliation=tuple(notes), as_of=today,
        by_month=tuple((m, tally.months[i], ctally.months[i]) for i, m in enumerate(MONTHS)),
        targets=tuple(targets), false_or_malicious=fm_total, false_or_malicious_in_time=fm_in_time,
        false_malicious_period=rules.false_malicious, stated_total=stated.get(year), day_ended=ended,
    )


def day_has_ended(ctx: Context, day: date) -> bool:
    """Whether figures ``day`` are to take in the whole of it: a store as of a past day shows it at its end."""
    return isinstance(ctx.store, PastStore) and day == ctx.store.day


def _stated_or(stated: dict[str, int], year: str, counted: int) -> int:
    return stated.get(year, counted)


def _signed(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{value:+.1f}%"


def band_keys(periods: Sequence[str]) -> tuple[str, ...]:
    """The resolution bands, named for the store's targets: ('1 month', '3 months') ->
    ('within_1_month', 'within_3_months', 'over_3_months').  The frames name them the same way."""
    within = [_band_key(p) for p in periods]
    return (*within, "over" + within[-1][len("within"):])


def _band_key(period: str) -> str:
    """'3 months' -> 'within_3_months'; '1 month' -> 'within_1_month'."""
    n, unit = parse_period(period)
    unit = unit if n != 1 else unit.rstrip("s")
    return f"within_{n}_{unit}"


__all__ = ["AgencyRow", "DICT_KEYS", "LadoStatistics", "Timescale", "band_keys", "lado_statistics", "percent"]
