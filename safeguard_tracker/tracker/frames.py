"""The face's analysis part: records as pandas or polars data frames (see ``safeguard_tracker.frames``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Literal, overload

from ..frames import frame as build_frame
from .face import Face

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl


class FramesFace(Face):
    """Data frames of contacts, actions and reviews, for analysts."""

    @overload
    def frame(self, table: Literal["contacts", "actions", "reviews"], *, as_of: date | str | None = None,
              columns: Sequence[str] | None = None, engine: Literal["pandas"] = "pandas",
              personal: bool = False) -> pd.DataFrame: ...

    @overload
    def frame(self, table: Literal["contacts", "actions", "reviews"], *, as_of: date | str | None = None,
              columns: Sequence[str] | None = None, engine: Literal["polars"],
              personal: bool = False) -> pl.DataFrame: ...

    def frame(self, table: Literal["contacts", "actions", "reviews"], *, as_of: date | str | None = None,
              columns: Sequence[str] | None = None, engine: Literal["pandas", "polars"] = "pandas",
              personal: bool = False) -> pd.DataFrame | pl.DataFrame:
        """One table's records as a data frame: ``table`` is "contacts", "actions" or "reviews".

        A pandas DataFrame, or a polars one with ``engine="polars"`` (both optional:
        ``pip install 'safeguard-tracker[analysis]'``).  One row per record, in reference
        order; dates as dates (pandas ``datetime64[s]`` with NaT, polars ``Date``); the fixed
        vocabularies (category, outcome, harm, status, RAG...) as categoricals in their
        order, agencies in the taxonomy's; derived columns worked out as the statistics and
        the RAG rules do (``financial_year``, ``timescale``, ``days_to_close``, ``rag``,
        ``overdue``).  Every column, with its type: docs/analysis.md.

        ``as_of`` (a date or text such as "31/03/2018"): the records as their own dated
        steps show they stood at the end of that day.  Contacts received after it are left
        out; one closed after it is shown open (``closed_on`` and ``outcome`` empty); one
        reopened after it, closed as it was; its category is the last decision on or
        before it.  Reviews whose first dated step is after it are left out, with their
        actions; an action completed after it is shown open (signed off after it:
        complete), and its due date is the last revision made by then.  Dates after
        ``as_of`` are empty; what has no date (harm, evidence, names) is shown as it is now.
        RAG and overdue are worked out on ``as_of`` (default: today).

        ``columns``: just these, in this order; an unknown name raises ValidationError
        naming it and listing the accepted ones.  ``personal=True`` adds the personal
        columns (names, dates of birth, subject and referrer details, free text that may
        name people) and records in the access log who took them, which columns and how
        many rows; without it they are left out, and asking for one by name is refused.

        >>> import pandas as pd
        >>> df = t.frame("contacts", as_of="31/03/2018")
        >>> df["received_on"].max() <= pd.Timestamp("2018-03-31")
        True
        >>> df.loc[df.financial_year == "2017-18", "category"].value_counts().sort_index().to_dict()
        {'enquiry': 217, 'consultation': 188, 'referral': 90}
        >>> str(df["category"].dtype), df["category"].cat.ordered, str(df["closed_on"].dtype)
        ('category', True, 'datetime64[s]')
        >>> "subject_name" in df.columns
        False
        >>> t.frame("actions", engine="polars", columns=["reference", "rag", "overdue"]).head(2)["rag"].to_list()
        ['green', 'amber']
        """
        return build_frame(self._ctx, table, as_of=as_of, columns=columns, engine=engine, personal=personal)
