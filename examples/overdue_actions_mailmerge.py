"""The sub group's overdue actions as a mail-merge CSV: one row per action, grouped by lead agency.

    python examples/overdue_actions_mailmerge.py --db lado.json --out overdue-actions.csv

Overdue means open (not started or in progress) with its current due date before the store's
working date, as the chase list (`tracker.due()`) and the action-plan report have it. The CSV holds
the lead officers' names, so it is personal data: the frame that reads them and the file written
with --out are both recorded in the access log (`safeguard-tracker access-log`).
Without --db the script runs on a fresh demo store (frozen at 15/06/2018).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import safeguard_tracker as st
from safeguard_tracker.demo import build_demo
from safeguard_tracker.io.csvfiles import write_csv     # action text is typed by people: guard every cell

COLUMNS = ("agency", "owner", "reference", "action", "due_date", "days_overdue", "review", "recommendation")


def overdue_rows(t: st.Tracker) -> list[tuple[object, ...]]:
    actions = t.frame("actions", personal=True)          # personal: for lead_officer, the letter's addressee
    late = actions[actions.overdue].sort_values(["lead_agency", "days_overdue", "reference"],
                                                ascending=[True, False, True])
    return [(a.lead_agency, a.lead_officer, a.reference, a.description, a.current_due_on.strftime("%d/%m/%Y"),
             a.days_overdue, a.review_title, a.recommendation) for a in late.itertuples()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="the store (default: a fresh demo store in a temporary folder)")
    parser.add_argument("--out", help="the CSV file to write (default: standard output)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        with (st.open_tracker(args.db) if args.db else build_demo(Path(tmp) / "demo.json")) as t:
            rows = overdue_rows(t)
            text = write_csv(COLUMNS, rows)
            if args.out:
                t.write_output(args.out, text, what="overdue actions mail merge", personal=True, records=len(rows))
            else:
                sys.stdout.write(text)


if __name__ == "__main__":
    main()
