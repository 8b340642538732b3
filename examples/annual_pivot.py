"""The annual figures as a pivot table: contacts by agency (rows) and financial year (columns).

    python examples/annual_pivot.py --db lado.json --out agencies-by-year.csv

Every agency in the board's list is a row, in its order, zeros included, with a Total row and
column; each year's column agrees with `tracker.lado_statistics(year).by_agency`.
Without --db the script runs on a fresh demo store (frozen at 15/06/2018).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pandas as pd

import safeguard_tracker as st
from safeguard_tracker.demo import build_demo
from safeguard_tracker.io.csvfiles import write_csv     # guards every cell against formula injection


def agencies_by_year(t: st.Tracker) -> pd.DataFrame:
    contacts = t.frame("contacts", columns=["reference", "agency", "financial_year"])
    table = pd.pivot_table(contacts, index="agency", columns="financial_year", values="reference",
                           aggfunc="count", fill_value=0, observed=False,     # observed=False keeps the zero rows
                           margins=True, margins_name="Total")
    return table.fillna(0).astype(int)          # pandas leaves a zero row's Total empty


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="the store (default: a fresh demo store in a temporary folder)")
    parser.add_argument("--out", help="the CSV file to write (default: print the table)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        with (st.open_tracker(args.db) if args.db else build_demo(Path(tmp) / "demo.json")) as t:
            table = agencies_by_year(t)
            if args.out:
                text = write_csv(["agency", *map(str, table.columns)],
                                 [[agency, *map(int, row)] for agency, row in zip(table.index, table.values)])
                t.write_output(args.out, text, what="contacts by agency and year", personal=False)
            else:
                with pd.option_context("display.max_rows", None, "display.width", 200):
                    sys.stdout.write(table.to_string() + "\n")


if __name__ == "__main__":
    main()
