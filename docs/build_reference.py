"""Build the API reference from the docstrings (pdoc), and refuse to build it with warnings.

    python docs/build_reference.py [OUT]        # default OUT: docs/reference (not kept in git)
    pdoc safeguard_tracker                      # the same pages, served live in a browser

The reference covers what a script uses: the package's ``__all__``, every ``Tracker`` method
(documented on the pages of the faces it inherits them from) and the types those methods return.
tests/test_reference_docs.py builds it on every test run.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

MODULES = (
    "safeguard_tracker",
    "safeguard_tracker.tracker",
    "safeguard_tracker.tracker.face",
    "safeguard_tracker.tracker.lado",
    "safeguard_tracker.tracker.plans",
    "safeguard_tracker.tracker.frames",
    "safeguard_tracker.tracker.lists",
    "safeguard_tracker.tracker.roles",
    "safeguard_tracker.store.postgres.roles",
    "safeguard_tracker.vocab.entries",
    "safeguard_tracker.local_lists",
    "safeguard_tracker.io.mapping",
    "safeguard_tracker.lado.contacts_mapping",
    "safeguard_tracker.io.import_plan",
    "safeguard_tracker.frames",
    "safeguard_tracker.model.due",
    "safeguard_tracker.taxonomy",
    "safeguard_tracker.lado.statistics",
    "safeguard_tracker.lado.deadlines",
    "safeguard_tracker.lado.privacy",
    "safeguard_tracker.lado.figures",
    "safeguard_tracker.io.importing",
    "safeguard_tracker.store.protocol",
    "safeguard_tracker.schemas",
    "safeguard_tracker.deprecation",
)


def build(out: Path) -> list[str]:
    """Write the reference's HTML pages into ``out``; return the warnings pdoc raised (none, or the build failed)."""
    import pdoc

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pdoc.pdoc(*MODULES, output_directory=out)
    return [f"{w.category.__name__}: {w.message}" for w in caught]


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else Path(__file__).resolve().parent / "reference"
    problems = build(out)
    for p in problems:
        print(p, file=sys.stderr)
    print(f"API reference: {out / 'safeguard_tracker.html'}" if not problems
          else f"{len(problems)} warning(s): fix the docstrings named above")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
