"""An FOI answer: how many contacts the LADO had from schools in each of the last five years.

    python examples/foi_schools.py --db lado.json --out foi-schools.csv

"Schools" are the agencies whose name starts with "School" (primary, secondary, private, special,
PRU, alternative provision); the years are the last five complete financial years (April to
March) before the store's working date, zeros included.
Without --db the script runs on a fresh demo store (frozen at 15/06/2018).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import safeguard_tracker as st
from safeguard_tracker.dates import financial_year_of
from safeguard_tracker.demo import build_demo
from safeguard_tracker.io.csvfiles import write_csv


def schools_by_year(t: st.Tracker) -> dict[str, int]:
    contacts = t.frame("contacts", columns=["agency", "financial_year"])
    schools = contacts[contacts.agency.astype(str).str.startswith("School")]
    this_year = int(financial_year_of(t.today())[:4])          # incomplete, so left out
    years = [f"{y}-{(y + 1) % 100:02d}" for y in range(this_year - 5, this_year)]
    counts = schools.financial_year.astype(str).value_counts().reindex(years, fill_value=0)
    return {year: int(n) for year, n in counts.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="the store (default: a fresh demo store in a temporary folder)")
    parser.add_argument("--out", help="the CSV file to write (default: standard output)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        with (st.open_tracker(args.db) if args.db else build_demo(Path(tmp) / "demo.json")) as t:
            text = write_csv(("financial_year", "contacts_from_schools"), schools_by_year(t).items())
            if args.out:
                t.write_output(args.out, text, what="FOI: contacts from schools", personal=False)
            else:
                sys.stdout.write(text)


if __name__ == "__main__":
    main()
