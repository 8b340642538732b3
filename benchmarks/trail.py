"""11, 12. The audit trail's size: a case file's notes, and the demo store with casework on it.

11: one contact with N notes of 2 KB, through the API as a LADO adds them; the
store's bytes on disk (snapshot and journal, as they stand, then compacted)
against the notes' own text, and the bytes per note at N = 200 against
N = 10 (flat means linear growth).

12: a copy of the benchmark store with casework added (notes, meetings, a
meeting action done, on a sample of contacts), its trail in item entries (as
the store writes it) against the same store with every item entry folded back
into whole-list entries (as it was written before item entries): size,
opening, compaction and ``check``, the two run in turns.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from pathlib import Path

from safeguard_tracker.demo import DEMO_TODAY
from safeguard_tracker.store.item_changes import apply_change
from safeguard_tracker.tracker import open_tracker

from .datasets import Dataset
from .measures import Row, alternate, median

NOTE = 2000
SIZES = (10, 50, 200)


def _bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file())


def _case_file(folder: Path, notes: int) -> tuple[int, int, int]:
    """(bytes as they stand, bytes compacted, the notes' text) for one contact given ``notes`` notes."""
    folder.mkdir(parents=True)
    t = open_tracker(folder / "store.json", user="bench.lado", today=lambda: DEMO_TODAY)
    ref = t.add_contact(received_on="05/01/2018", agency="Police", category="enquiry", summary="bench").reference
    base = _bytes(folder)
    text = 0
    for i in range(notes):
        body = f"note {i}: " + "n" * NOTE
        text += len(body)
        t.add_note(ref, body)
    standing = _bytes(folder) - base
    t.store.compact()
    compacted = _bytes(folder) - base
    t.close()
    return standing, compacted, text


def measure_trail(ds: Dataset, repeats: int) -> list[Row]:
    work = Path(tempfile.mkdtemp(prefix="trail-", dir=ds.folder))
    try:
        return _case_file_rows(ds, work) + _store_rows(ds, work, repeats)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _case_file_rows(ds: Dataset, work: Path) -> list[Row]:
    got = {n: _case_file(work / f"notes{n}", n) for n in SIZES}
    standing, compacted, text = got[SIZES[-1]]
    per = {n: got[n][1] / n for n in SIZES}
    return [
        Row("11", f"store bytes for one contact with {SIZES[-1]} notes of 2 KB (compacted)", ds.size,
            "the notes' own text", target=3.0, unit="B", value=compacted, baseline=text,
            samples=[compacted], baseline_samples=[text], note=f"as the files stood before compacting: {standing / text:.2f}x"),
        Row("11b", f"bytes per note at {SIZES[-1]} notes", ds.size, f"bytes per note at {SIZES[0]} notes",
            target=1.3, unit="B", value=per[SIZES[-1]], baseline=per[SIZES[0]],
            samples=[per[SIZES[-1]]], baseline_samples=[per[SIZES[0]]], note="per note: " + ", ".join(f"{n}: {per[n] / 1e3:.1f} KB" for n in SIZES)),
    ]


def _casework(path: Path, contacts: int) -> None:
    t = open_tracker(path, user="bench.lado", today=lambda: DEMO_TODAY)
    refs = random.Random(11).sample(sorted(t.contact_docs()), contacts)
    for ref in refs:
        c = t.get_contact(ref)
        if c.category is None or c.closed_on is not None:
            for i in range(3):
                t.add_note(ref, f"Benchmark note {i} on a closed or uncategorised contact. " + "c" * 300)
            continue
        for i in range(8):
            t.add_note(ref, f"Benchmark note {i}: a call with the employer about the rota. " + "c" * 300)
        if c.category.value == "referral":
            t.record_meeting(ref, kind="jem", held_on=c.received_on, agencies_present=["Police"],
                             decisions="Employer to investigate",
                             actions=[{"description": "Send the rota", "owner": "Employer", "due_on": DEMO_TODAY}])
            t.complete_meeting_action(ref, len(t.get_contact(ref).meetings), 1, done_on=DEMO_TODAY)
    t.store.compact()
    t.close()


def _whole_list_copy(src: Path, dst: Path) -> None:
    """``src``'s store with every item entry folded back into the whole-list entries written before them."""
    dst.mkdir()
    for p in src.parent.iterdir():
        if p.is_file() and p.name.startswith(src.name):
            shutil.copy2(p, dst / p.name)
    t = open_tracker(dst / src.name, user="bench.lado")
    store = t.store
    audit = store.tables["audit"]
    state: dict[tuple, dict] = {}
    out: list[dict] = []
    for a in audit.values():
        key = (a.get("table", "contacts"), a["ref"])
        if a["field"] == "*":
            state[key] = dict(a["new"])
            out.append(a)
            continue
        doc = state.setdefault(key, {})
        before = doc.get(a["field"])
        apply_change(doc, a)
        if "op" not in a:
            out.append(a)
            continue
        last = out[-1] if out else None
        if last is not None and last.get("ref") == a["ref"] and last["field"] == a["field"] \
                and last.get("seq") == a.get("seq") and last.get("folded"):
            last["new"] = doc[a["field"]]
            continue
        folded = {k: v for k, v in a.items() if k not in ("op", "path")}
        folded.update(old=before, new=doc[a["field"]], folded=True)
        out.append(folded)
    for a in out:
        a.pop("folded", None)
    store._tables["audit"] = {str(n): a for n, a in enumerate(out, 1)}
    store._history = None
    store.compact()
    assert store.check() == [], "the folded trail must still agree with every record"
    t.close()


def _store_rows(ds: Dataset, work: Path, repeats: int) -> list[Row]:
    items = work / "items"
    items.mkdir()
    for p in ds.store.parent.iterdir():
        if p.is_file() and p.name.startswith(ds.store.name):
            shutil.copy2(p, items / p.name)
    path = items / ds.store.name
    _casework(path, min(400, max(40, ds.size // 250)))
    whole = work / "whole"
    _whole_list_copy(path, whole)
    whole_path = whole / ds.store.name

    def opened(p: Path):
        def run():
            t = open_tracker(p, user="bench")
            t.contact_docs()
            t.close()
        return run

    def compacted(p: Path):
        def run():
            t = open_tracker(p, user="bench")
            t.store.compact()
            t.close()
        return run

    def checked(p: Path):
        def run():
            t = open_tracker(p, user="bench")
            assert t.check() == []
            t.close()
        return run

    n = max(2, repeats)
    rows = [Row("12", "the store with casework: bytes, trail in item entries", ds.size,
                "the same trail in whole-list entries", unit="B", value=path.stat().st_size,
                baseline=whole_path.stat().st_size, samples=[path.stat().st_size],
                baseline_samples=[whole_path.stat().st_size], note="information: the snapshot file after compaction")]
    for rid, what, make in (("12b", "open", opened), ("12c", "open and compact", compacted),
                            ("12d", "open and check", checked)):
        ms, bs = alternate(n, make(path), make(whole_path))
        rows.append(Row(rid, f"{what}, trail in item entries", ds.size, "the same, whole-list entries",
                        value=median(ms), baseline=median(bs), samples=ms, baseline_samples=bs,
                        note="information"))
    return rows
