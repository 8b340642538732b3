"""Across the authorities of a region: each one's aggregate figures for a year, side by side.

A region's server store holds several authorities' records; a login of one authority sees only its own
records, and of the others only these aggregates, which the server computes (``st_authority_figures``):
contacts, contacts per 10,000 children, referrals and their share of contacts, substantiated and
no-basis outcomes, and referrals resolved within one, three and twelve months of receipt, as the
guidance's expectations count them.  A store of one authority (a file store) has no comparison.
"""

from __future__ import annotations

from typing import Any, Optional

import attrs

from ..context import Context
from ..reports.blocks import Table
from .statistics import percent


@attrs.frozen
class AuthorityFigures:
    """One authority's figures for the year."""
    authority: str
    name: str
    child_population: Optional[int]
    contacts: int
    referrals: int
    substantiated: int
    no_basis: int
    referrals_open: int
    resolved_1_month: int
    resolved_3_months: int
    resolved_12_months: int

    @property
    def per_10000(self) -> Optional[float]:
        pop = self.child_population
        return None if not pop else percent(self.contacts * 100, pop)   # n * 10,000 / pop, one decimal place

    def to_dict(self) -> dict[str, Any]:
        out = attrs.asdict(self)
        out.update(per_10000_children=self.per_10000, referral_percent=percent(self.referrals, self.contacts),
                   substantiated_percent=percent(self.substantiated, self.referrals),
                   resolved_1_month_percent=percent(self.resolved_1_month, self.referrals),
                   resolved_3_months_percent=percent(self.resolved_3_months, self.referrals),
                   resolved_12_months_percent=percent(self.resolved_12_months, self.referrals))
        return out


def authority_figures(ctx: Context, year: str) -> list[AuthorityFigures]:
    """Each authority's figures for ``year``, from the store (empty for a store of one authority)."""
    def n(row: Any, key: str) -> int:
        return int(row.get(key) or 0)
    return [AuthorityFigures(authority=str(row["authority"]), name=str(row["name"]),
                             child_population=int(row["child_population"]) if row.get("child_population") else None,
                             contacts=n(row, "contacts"), referrals=n(row, "referrals"),
                             substantiated=n(row, "substantiated"), no_basis=n(row, "no_basis"),
                             referrals_open=n(row, "referrals_open"), resolved_1_month=n(row, "resolved_1_month"),
                             resolved_3_months=n(row, "resolved_3_months"),
                             resolved_12_months=n(row, "resolved_12_months"))
            for row in ctx.store.authority_figures(year)]


def comparison_table(rows: list[AuthorityFigures], year: str) -> Optional[Table]:
    """The comparison as a report table; None unless there are two authorities or more to compare."""
    if len(rows) < 2:
        return None
    body = tuple((f"{r.name} ({r.authority})", r.contacts, r.per_10000, r.referrals, percent(r.referrals, r.contacts),
                  percent(r.substantiated, r.referrals), percent(r.resolved_1_month, r.referrals),
                  percent(r.resolved_3_months, r.referrals), percent(r.resolved_12_months, r.referrals),
                  r.referrals_open) for r in rows)
    unset = [r.authority for r in rows if not r.child_population]
    return Table(key="authorities", caption=f"The region's authorities side by side, {year.replace('-', '/')}",
                 header=("Authority", "Contacts", "Per 10,000 children", "Referrals", "Referrals %", "Substantiated %",
                         "Resolved in 1 month %", "3 months %", "12 months %", "Referrals open"),
                 rows=body,
                 note="Aggregate figures only: each authority sees the others' records as these totals. Resolved: "
                      "referrals closed within that many calendar months of receipt, of all the year's referrals."
                      + (f" Child population not set for {', '.join(unset)} (admin authority add CODE NAME "
                         f"--children N)." if unset else ""))
