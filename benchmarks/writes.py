"""Row 14: every kind of write a user makes through the API, at this size and at 1,000, in turns.

Each write is one durable API call (locked, audited, appended to the journal, fsynced), the same
call a script or the TUI makes.  The same call on a 1,000-record store built beside this size's
runs alternately with it, so both see the same disk and the same machine (as #2 does).  What a
call needs is made ready untimed, or by the kind before it: the contacts the timed ``add_contact``
calls log are categorised, escalated, noted, met about and closed in turn, so every kind works on
records in the state a user would find them in; summaries are edited on existing contacts, and
actions are added to an existing review and updated on existing open actions.

The trackers are opened fresh (untimed) and nothing is warmed up: the first ``add_contact`` in a
process may pay a one-off cost (an index built on first use), which is among the samples and
named in the note; the medians are compared.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from safeguard_tracker.tracker import open_tracker

from .datasets import Dataset
from .measures import Row, _journal_size, alternate, median

TARGET = 2.0

# (letter, API call, what the row says)
KINDS: tuple[tuple[str, str, str], ...] = (
    ("a", "add_contact", "add a contact (uncategorised, subject and employer given)"),
    ("b", "categorise", "categorise a new contact (consultation, with a rationale)"),
    ("c", "escalate", "escalate it to a referral"),
    ("d", "add_note", "add a note to it"),
    ("e", "record_meeting", "record its JEM"),
    ("f", "close_contact", "close it (an allegation outcome)"),
    ("g", "update_contact", "update an existing contact's summary"),
    ("h", "add_action", "add an action to an existing review's recommendation"),
    ("i", "update_action", "update an action's lead officer"),
    ("j", "add_update", "add a progress update to an action"),
)


@dataclass
class Side:
    """One store written to: its tracker and what each kind's calls work on."""
    path: Path
    tracker: Any
    existing: list[str]                  # contacts whose summary is edited
    employers: list[str]                 # settings the new contacts' subjects work in
    agency: str
    review: str
    recommendation: int
    lead_agency: str
    actions: list[str]                   # open actions to update
    new: list[str] = field(default_factory=list)      # contacts logged by the timed add_contact calls
    done: dict[str, int] = field(default_factory=dict)  # calls made per kind
    inode: int = 0


def _side(path: Path, seed: int, n: int, agency: str) -> Side:
    """(Untimed) open the store and choose, at random but reproducibly, what the calls work on."""
    t = open_tracker(path, user="bench.writer")
    rng = random.Random(seed)
    docs = t.contact_docs()
    refs = sorted(docs)
    existing = rng.sample(refs, min(len(refs), n + 1))
    employers = sorted({(docs[r].get("subject") or {}).get("employer", "") for r in existing} - {""}) or ["A School"]
    open_actions = sorted(r for r, a in t.action_docs().items() if a.get("status") in ("not_started", "in_progress"))
    if not open_actions:
        raise RuntimeError(f"{path.name} holds no open action to update")
    first = t.action_docs()[open_actions[0]]
    return Side(path=path, tracker=t, existing=existing, employers=employers, agency=agency,
                review=first["review"], recommendation=int(first["recommendation"]),
                lead_agency=first["lead_agency"], actions=rng.sample(open_actions, min(len(open_actions), 2 * n)),
                inode=path.stat().st_ino)


def _call(side: Side, kind: str) -> Callable[[], Any]:
    """The timed call of ``kind`` on ``side``: each call works on the next prepared record."""
    t = side.tracker

    def call() -> Any:
        k = side.done.get(kind, 0)
        side.done[kind] = k + 1
        if kind == "add_contact":
            c = t.add_contact(received_on="2018-06-01", agency=side.agency,
                              summary=f"Benchmark contact {k}: shouted at a pupil in the corridor",
                              subject_name=f"Robin Testcase{k}", subject_role="Teaching assistant",
                              employer=side.employers[k % len(side.employers)])
            side.new.append(c.reference)
            return c
        if kind == "categorise":
            return t.categorise(side.new[k], "consultation", "advice to the employer first")
        if kind == "escalate":
            return t.escalate(side.new[k], to="referral", reason="a second pupil has come forward")
        if kind == "add_note":
            return t.add_note(side.new[k], f"Spoke to the designated officer (call {k})")
        if kind == "record_meeting":
            return t.record_meeting(side.new[k], kind="jem", agencies_present=["Police", "LADO"],
                                    decisions="Employer to investigate")
        if kind == "close_contact":
            return t.close_contact(side.new[k], outcome="unfounded")
        if kind == "update_contact":
            ref = side.existing[k % len(side.existing)]
            return t.update_contact(ref, summary=f"Summary revised by the benchmark ({k}).")
        if kind == "add_action":
            return t.add_action(side.review, side.recommendation, description=f"Benchmark action {k}: audit the log",
                                lead_agency=side.lead_agency)
        if kind == "update_action":
            return t.update_action(side.actions[k % len(side.actions)], lead_officer=f"Officer B{k}")
        if kind == "add_update":
            return t.add_update(side.actions[-1 - k % len(side.actions)], f"Progress noted by the benchmark ({k})")
        raise ValueError(kind)
    return call


def measure_writes(ds: Dataset, repeats: int) -> list[Row]:
    n = max(repeats * 2, 5)        # calls per kind on each side; the contacts' chain needs the same on each
    sides = [_side(ds.store, ds.size, n, ds.agency), _side(ds.reference_store(), 1000, n, ds.agency)]
    rows: list[Row] = []
    firsts: list[float] = []
    try:
        for letter, kind, what in KINDS:
            ms, bs = alternate(n, _call(sides[0], kind), _call(sides[1], kind))
            if kind == "add_contact":
                firsts = [ms[0], bs[0]]
            rows.append(Row(f"14{letter}", f"write through the API: {what} ({kind})", ds.size,
                            "the same call at 1,000 records, in turns", target=TARGET, value=median(ms),
                            baseline=median(bs), samples=ms, baseline_samples=bs,
                            note=f"{n} calls each side, each committed and fsynced"))
        compacted = [s.path.stat().st_ino != s.inode for s in sides]
        journal = _journal_size(sides[0].path)
    finally:
        for s in sides:
            s.tracker.close()
    worst = max(rows, key=lambda r: r.ratio or 0.0)
    first = rows[0]
    first.note += (f"; the first call in the process took {firsts[0] * 1e3:.1f} ms here, {firsts[1] * 1e3:.1f} ms at "
                   f"1,000 (a one-off cost on first use; among the samples, the median shown)")
    snapshot = " and ".join(f"{name} ({'yes' if c else 'no'})" for name, c in zip(("this store", "the baseline's"),
                                                                                   compacted))
    summary = Row("14", "every kind of write through the API: the worst kind's ratio", ds.size,
                  "the same call at 1,000 records, in turns", target=TARGET, value=worst.value,
                  baseline=worst.baseline, samples=worst.samples, baseline_samples=worst.baseline_samples,
                  note=(f"worst kind: {worst.name.split(': ', 1)[1]} at {worst.ratio or 0:.2f}×; {len(KINDS)} kinds "
                        f"(#14{KINDS[0][0]}-#14{KINDS[-1][0]}), {n} calls each side; the first add_contact took "
                        f"{firsts[0] * 1e3:.1f} ms here, {firsts[1] * 1e3:.1f} ms at 1,000; a new snapshot was "
                        f"written during the calls in {snapshot}; journal after: {journal / 1e6:.1f} MB"))
    return [summary, *rows]
