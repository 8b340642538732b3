"""The reports the TUI offers, as data: what each needs (year, as-of date, filters), which formats
it has, how it renders, and its default file name.  No Textual here.

Each report is rendered by the library (``safeguard_tracker.reports``), exactly as the CLI
renders it; the TUI previews the Markdown and saves any format through
``safeguard_tracker.outputs.write_output`` (atomic, never over the store, logged when personal).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from safeguard_tracker import Tracker
from safeguard_tracker.dates import financial_year_of, parse_date, previous_financial_year
from safeguard_tracker.errors import ValidationError

PARAMS = ("year", "compare", "as_of", "review", "agency", "within")
PARAM_LABELS = {"year": "Year", "compare": "Against", "as_of": "As of", "review": "Review", "agency": "Agency",
                "within": "Days"}


@dataclass(frozen=True)
class ReportSpec:
    id: str
    title: str
    help: str
    formats: tuple[str, ...]
    params: tuple[str, ...]
    render: Callable[[Any, str, dict[str, str]], Any]    # text, or bytes for docx (a Word document)
    stamp: Callable[[Any, dict[str, str]], str]     # the part of the file name that says which period
    personal: bool = False                          # the board's reports hold no names of subjects

    def default_name(self, tracker: Tracker, params: dict[str, str], fmt: str) -> str:
        """'lado-annual-2017-18.md'; from the store as of a past day, 'lado-annual-2017-18-as-at-2018-03-31.md',
        so that it never takes the name of today's report."""
        past = getattr(tracker, "as_of_day", None)
        return f"{self.id}-{self.stamp(tracker, params)}" + (f"-as-at-{past:%Y-%m-%d}" if past else "") + f".{fmt}"


def defaults(tracker: Tracker) -> dict[str, str]:
    """What each field starts with: the last complete financial year, today, 30 days."""
    today = tracker.today()
    return {"year": previous_financial_year(financial_year_of(today)), "compare": "", "as_of": "today",
            "review": "", "agency": "", "within": "30"}


def _as_of(tracker: Tracker, p: dict[str, str]):
    return parse_date(p.get("as_of") or None, "as_of", required=False, today=tracker.today()) or tracker.today()


def _within(p: dict[str, str]) -> int:
    text = (p.get("within") or "30").strip()
    try:
        n = int(text)
    except ValueError:
        raise ValidationError("within", text, "a number of days, 0 or more") from None
    if n < 0:
        raise ValidationError("within", text, "a number of days, 0 or more")
    return n


def _lado_annual(tracker: Tracker, fmt: str, p: dict[str, str]) -> str | bytes:
    year = (p.get("year") or "").strip()
    if not year:
        raise ValidationError("year", "", "a financial year such as 2017-18")
    return tracker.report_lado_annual(year, (p.get("compare") or "").strip() or None, fmt)


def _action_plan(tracker: Tracker, fmt: str, p: dict[str, str]) -> str | bytes:
    return tracker.report_action_plan(fmt, review=(p.get("review") or "").strip() or None,
                              agency=(p.get("agency") or "").strip() or None, as_of=_as_of(tracker, p))


def _chase_letters(tracker: Tracker, fmt: str, p: dict[str, str]) -> str:
    return tracker.report_chase_letters(fmt, agency=(p.get("agency") or "").strip() or None,
                                as_of=_as_of(tracker, p), within_days=_within(p))


REPORTS: tuple[ReportSpec, ...] = (
    ReportSpec("action-plan", "Action-plan progress report",
               "per review, recommendation and action with RAG; overdue first; by lead agency",
               ("md", "html", "csv", "json", "docx"), ("as_of", "review", "agency"), _action_plan,
               lambda t, p: f"{_as_of(t, p):%Y-%m-%d}"),
    ReportSpec("lado-annual", "LADO annual report section",
               "the board's table, then every measure: sectors, sources, police, suspensions, DBS, "
               "disciplinary, repeats, timescales against the guidance, rates, trend",
               ("md", "html", "csv", "json", "docx"), ("year", "compare"), _lado_annual,
               lambda t, p: (p.get("year") or "").strip() or "year"),
    ReportSpec("chase-letters", "Chase letters",
               "one letter per lead agency: its overdue, due-soon and off-track actions",
               ("md", "html", "json"), ("as_of", "agency", "within"), _chase_letters,
               lambda t, p: f"{_as_of(t, p):%Y-%m-%d}"),
)
BY_ID = {r.id: r for r in REPORTS}


def output_path(typed: str, fmt: str, default_name: str, cwd: Path | None = None) -> Path:
    """Where a report goes: blank is the default name in the current folder; a path without a
    suffix gets the format's; a suffix naming another format is refused (beside the path)."""
    base = cwd or Path.cwd()
    text = typed.strip()
    path = Path(text).expanduser() if text else Path(default_name)
    if not path.is_absolute():
        path = base / path
    if text and (text.endswith("/") or path.is_dir()):
        path = path / default_name
    suffix = path.suffix.lower().lstrip(".")
    if not suffix:
        path = path.with_name(path.name + f".{fmt}")
    elif suffix in ("md", "html", "csv", "json", "htm", "markdown", "docx") and suffix != fmt and \
            not (fmt == "html" and suffix == "htm") and not (fmt == "md" and suffix == "markdown"):
        raise ValidationError("path", typed, f"a file name ending .{fmt} for the {fmt} format "
                              f"(or choose the format {suffix})")
    return path
