"""Mistakes an analyst's type checker must catch (tests/test_typing.py expects an error on every line marked E)."""

from __future__ import annotations

import safeguard_tracker as st


def mistakes(path: str) -> None:
    with st.open_tracker(path, user="analyst") as t:
        c = t.get_contact("L-2018-0001")
        c.reference + 1  # E: a reference is a str
        c.received_on.upper()  # E: a received date is a date
        t.contacts(year=2018)  # E: a financial year is a string such as "2017-18"
        t.no_such_method()  # E: Tracker has no such method
        n: str = len(t.actions())  # E: a list's length is an int
        st.open_tracker(path, user="analyst", lock_timeout="soon")  # E: a timeout is a number of seconds
        t.frame("contacts", engine="polars").iloc[0]  # E: a polars frame has no .iloc
        t.frame("incidents")  # E: the tables are contacts, actions and reviews
