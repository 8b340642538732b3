"""The quarterly LADO dataset: contacts received in a quarter, counted by category, agency,
referral outcome and timescale band, as one long CSV a spreadsheet can pivot.

    python examples/quarterly_lado_dataset.py --db lado.json --year 2017-18 --quarter 4 --out q4.csv

Quarters are the financial year's: 1 is April to June, 4 is January to March. The default is the
latest complete quarter before the store's working date; --quarter all gives the whole year, which
agrees with `tracker.lado_statistics(year)`. Counts are of the records as they stand now (an
outcome recorded after the quarter ended counts), as the annual statistics count them.
Without --db the script runs on a fresh demo store (frozen at 15/06/2018).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

import safeguard_tracker as st
from safeguard_tracker.dates import financial_year_of, normalise_financial_year
from safeguard_tracker.demo import build_demo
from safeguard_tracker.io.csvfiles import write_csv     # guards every cell against formula injection


def fiscal_quarter(month: int) -> int:
    """1 for April to June ... 4 for January to March."""
    return (month - 4) % 12 // 3 + 1


def latest_complete_quarter(today: date) -> tuple[str, int]:
    """The financial year and quarter that ended most recently before ``today``."""
    quarter_start = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)    # financial quarters are calendar ones
    last_day = quarter_start - timedelta(days=1)
    return financial_year_of(last_day), fiscal_quarter(last_day.month)


def dataset(t: st.Tracker, year: str, quarter: str) -> str:
    contacts = t.frame("contacts")                      # one row per contact, no personal columns
    contacts = contacts[contacts.financial_year == year]
    if quarter != "all":
        contacts = contacts[contacts.received_on.dt.month.map(fiscal_quarter) == int(quarter)]
    referrals = contacts[contacts.category == "referral"]
    rows: list[tuple[str, str, int]] = [("total", "contacts", len(contacts))]
    # Categorical columns: value_counts lists every value, zeros included, in the vocabulary's order.
    rows += [("category", str(k), int(n)) for k, n in contacts.category.value_counts(sort=False).items()]
    rows += [("category", "uncategorised", int(contacts.category.isna().sum()))]
    rows += [("agency", str(k), int(n)) for k, n in contacts.agency.value_counts(sort=False).items()]
    rows += [("referral outcome", str(k), int(n)) for k, n in referrals.outcome.value_counts(sort=False).items()]
    rows += [("referral outcome", "open", int(referrals.outcome.isna().sum()))]
    rows += [("timescale", str(k), int(n)) for k, n in contacts.timescale.value_counts(sort=False).items()]
    return write_csv(("year", "quarter", "measure", "value", "contacts"),
                     [(year, quarter, measure, value, n) for measure, value, n in rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="the store (default: a fresh demo store in a temporary folder)")
    parser.add_argument("--year", help="financial year, e.g. 2017-18 (default: the latest complete quarter's)")
    parser.add_argument("--quarter", choices=("1", "2", "3", "4", "all"), help="default: the latest complete one")
    parser.add_argument("--out", help="the CSV file to write (default: standard output)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        with (st.open_tracker(args.db) if args.db else build_demo(Path(tmp) / "demo.json")) as t:
            year, quarter = latest_complete_quarter(t.today())
            year = normalise_financial_year(args.year) if args.year else year
            quarter = args.quarter or str(quarter)
            text = dataset(t, year, quarter)
            if args.out:
                t.write_output(args.out, text, what=f"LADO dataset {year} Q{quarter}", personal=False)
            else:
                sys.stdout.write(text)


if __name__ == "__main__":
    main()
