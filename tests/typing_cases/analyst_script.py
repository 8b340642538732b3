"""An analyst's script as a type checker sees it: must pass ``mypy --strict`` with no errors (tests/test_typing.py)."""

from __future__ import annotations

from datetime import date

import safeguard_tracker as st


def quarterly(path: str) -> list[tuple[str, int]]:
    with st.open_tracker(path, user="analyst") as t:
        figures = t.lado_statistics(year="2017-18")
        total: int = figures.to_dict()["total_contacts"]
        rows: list[tuple[str, int]] = [("total", total)]
        for c in t.contacts(year="2017-18", category="referral"):
            ref: str = c.reference
            received: date = c.received_on
            rows.append((ref, received.year))
        for item in t.due():
            rows.append((item.reference, item.days_overdue))
        for a in t.actions():
            rows.append((a.reference, t.days_overdue(a.reference) or 0))
        return rows


def open_one(path: str) -> st.Contact:
    with st.open_tracker(path, user="a.lado") as t:
        c = t.add_contact(received_on=date(2018, 1, 5), agency="School - Primary", category=st.Category.CONSULTATION,
                          rationale="advice", summary="...")
        try:
            return t.escalate(c.reference, to="referral", reason="more concerns")
        except st.ConflictError:
            return t.get_contact(c.reference)


def frames(path: str) -> int:
    import pandas as pd
    import polars as pl

    with st.open_tracker(path, user="analyst") as t:
        contacts: pd.DataFrame = t.frame("contacts", as_of="31/03/2018", columns=["financial_year", "agency"])
        actions: pl.DataFrame = t.frame("actions", engine="polars")
        return len(contacts) + actions.height
