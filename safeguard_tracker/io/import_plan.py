"""A dry run's account of a file, shared by every importer: each column and the field it fills, each of the
council's words and the entry it becomes, what would change, and the mapping that reads the file.

The contacts importer (``lado.contacts_mapping``) and the plans importer (``plans.plans_mapping``)
each work out a plan their own way; both say it in these words.
"""

from __future__ import annotations

from collections import Counter
from typing import Callable, Container, Iterable, Mapping, Optional, Sequence

import attrs

from ..folding import fold
from ..vocab.entries import Entry
from ..vocab.suggest import confident, suggest

from .importing import ImportResult
from .mapping import BLANK, EXTRA, EXTRA_PREFIX, IGNORE, ImportMapping


@attrs.frozen(kw_only=True)
class ColumnPlan:
    """One column of the file: the field it fills, and how that was decided."""
    heading: str
    target: str          # a field, "extra" or "ignore"
    how: str             # "mapping", "heading", "content", "unknown"
    note: str = ""       # why, for a column kept as an extra field by its heading


@attrs.frozen(kw_only=True)
class WordPlan:
    """One of the council's words in a vocabulary column, and the entry it becomes (None: to decide)."""
    field: str
    word: str
    rows: int
    entry: Optional[str]            # what it becomes ("" for blank), or None: to decide
    how: str                        # "list", "mapping", "proposed", "blank", "undecided"
    suggestions: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class ImportPlan:
    """What importing a file would do, and the mapping that reads it."""
    table: str                      # contacts, reviews or actions
    source: str
    rows: int
    columns: tuple[ColumnPlan, ...]
    words: tuple[WordPlan, ...]
    mapping: ImportMapping
    historic_rows: Optional[int] = 0       # None: no column gives the received date, so not known
    result: Optional[ImportResult] = None
    problems: tuple[str, ...] = ()
    hints: dict[str, str] = attrs.field(factory=dict)   # field -> how to add a word to its list

    @property
    def undecided(self) -> tuple[WordPlan, ...]:
        return tuple(w for w in self.words if w.entry is None)

    @property
    def ready(self) -> bool:
        """True when the file would import with this mapping as it stands."""
        return self.result is not None and not self.problems

    def problem_lines(self, limit: int = 20) -> list[str]:
        """The rows that would be refused with this mapping (the first ``limit``)."""
        if not self.problems:
            return []
        return ([f"problems: {len(self.problems)} row problem(s) with this mapping"
                 + (f" (the first {limit})" if len(self.problems) > limit else "") + ":"]
                + [f"  {p}" for p in self.problems[:limit]])

    def lines(self, limit: int = 20, problems: bool = True) -> list[str]:
        out = [f"{self.source}: {self.rows} row(s), {len(self.columns)} column(s) (dry run: nothing was written)",
               "columns:"]
        width = min(32, max((len(c.heading) for c in self.columns), default=8))
        for c in self.columns:
            why = {"mapping": "the mapping", "heading": "its heading",
                   "content": "what the column holds", "unknown": "a heading the tracker does not know"}[c.how]
            what = ("kept on each record as an extra field" if c.target == EXTRA else
                    "ignored" if c.target == IGNORE else c.target)
            if c.note:
                what += f" ({c.note})"
            if c.target == "reference":
                what += " (references not in the tracker's form are kept as each record's legacy reference)"
            out.append(f"  {c.heading:<{width}} -> {what}   [{why}]")
        by_field: dict[str, list[WordPlan]] = {}
        for w in self.words:
            by_field.setdefault(w.field, []).append(w)
        if by_field:
            out.append("words:")
        for field, words in by_field.items():
            known = sum(1 for w in words if w.how == "list")
            out.append(f"  {field}: {len(words)} word(s); {known} in the store's list as they are")
            shown = [w for w in words if w.how != "list"]
            for w in shown[:limit]:
                if w.entry is None:
                    hint = ("; it could be " + " or ".join(repr(s) for s in w.suggestions)) if w.suggestions else \
                        "; nothing in the list is close: add it to the list, or map it"
                    out.append(f"    {w.word!r} ({w.rows} row(s)) -> ? to decide{hint}")
                else:
                    shown_entry = "blank (not recorded)" if w.entry == BLANK else repr(w.entry)
                    how = {"mapping": "the mapping", "proposed": "proposed", "blank": "proposed: it records nothing",
                           "list": "the list"}[w.how]
                    out.append(f"    {w.word!r} ({w.rows} row(s)) -> {shown_entry}   [{how}]")
            if len(shown) > limit:
                out.append(f"    ... and {len(shown) - limit} more")
        if self.mapping.historic_before is not None and self.historic_rows is not None:
            out.append(f"historic: {self.historic_rows} row(s) received before {self.mapping.historic_before:%d/%m/%Y} "
                       f"import under historic rules (steps never recorded are not demanded; marked historic)")
        if self.result is not None:
            r = self.result
            out.append(f"result: would add {len(r.added)}, update {len(r.updated)}, leave {len(r.unchanged)} unchanged")
        if problems:
            out.extend(self.problem_lines(limit))
        if self.undecided:
            first = self.undecided[0]
            add = self.hints.get(first.field)
            out.append(f"to decide: {len(self.undecided)} word(s); map each with --value "
                       f"'{first.field}:{first.word}=ENTRY' (or '{first.field}:{first.word}=' for blank)"
                       + (f", or add it to the store's list ({add})" if add else ""))
        return out


EXPORT_ONLY_NOTE = "written by the tracker's export for reading only: not imported"


def plan_columns(keys: Sequence[str], headings: Sequence[str], mapping: ImportMapping,
                 sniff: Callable[[int, set[str]], Optional[str]], export_only: Container[str],
                 why: Mapping[str, str] = {}) -> list[ColumnPlan]:
    """Each column of a file as an importer read it (``keys``, with unknown headings as ``extra:KEY``), and
    how its field was decided: the mapping names it; its heading is known (the export's own read-only
    columns are ignored); ``why`` keeps it as an extra field, saying why; else ``sniff(i, taken)`` reads the
    field from what column ``i`` holds (not one of the fields ``taken``); else it is kept as an extra field."""
    plans: list[ColumnPlan] = []
    taken = {k for k in keys if k and not k.startswith(EXTRA_PREFIX)}
    for i, (key, heading) in enumerate(zip(keys, headings)):
        said = mapping.column_for(heading)
        bare = key[len(EXTRA_PREFIX):] if key.startswith(EXTRA_PREFIX) else None
        if said is not None:
            plans.append(ColumnPlan(heading=heading, target=said, how="mapping"))
        elif bare is not None and bare in why:
            plans.append(ColumnPlan(heading=heading, target=EXTRA, how="heading", note=why[bare]))
        elif bare is not None:
            guess = sniff(i, taken)
            if guess is not None:
                taken.add(guess)
                plans.append(ColumnPlan(heading=heading, target=guess, how="content"))
            else:
                plans.append(ColumnPlan(heading=heading, target=EXTRA, how="unknown"))
        elif key in export_only:
            plans.append(ColumnPlan(heading=heading, target=IGNORE, how="heading", note=EXPORT_ONLY_NOTE))
        else:
            plans.append(ColumnPlan(heading=heading, target=key or IGNORE, how="heading"))
    return plans


def plan_words(field: str, cells: Iterable[str], mapping: ImportMapping, resolve: Callable[[str], Optional[str]],
               entries: Sequence[Entry], blank_words: frozenset[str] = frozenset()
               ) -> tuple[list[WordPlan], ImportMapping]:
    """Each distinct word of one vocabulary column, most rows first, with what it becomes: the mapping's
    entry; the list's own (``resolve``); blank for a word that records nothing (``blank_words``, folded);
    the one entry it clearly means (proposed, and added to the mapping returned); or nothing, to decide,
    with the entries it may mean.  Nothing is guessed."""
    counts = Counter(c.strip() for c in cells if c.strip())
    mapped = mapping.value_map(field)
    words: list[WordPlan] = []
    for word, n in sorted(counts.items(), key=lambda x: (-x[1], x[0])):
        key = fold(word)
        if key in mapped:
            words.append(WordPlan(field=field, word=word, rows=n, entry=mapped[key], how="mapping"))
            continue
        found = resolve(word)
        if found is not None:
            words.append(WordPlan(field=field, word=word, rows=n, entry=found, how="list"))
        elif key in blank_words:
            words.append(WordPlan(field=field, word=word, rows=n, entry=BLANK, how="blank"))
            mapping = mapping.with_values(field, {word: BLANK})
        elif (sure := confident(word, entries)) is not None:
            words.append(WordPlan(field=field, word=word, rows=n, entry=sure, how="proposed"))
            mapping = mapping.with_values(field, {word: sure})
        else:
            words.append(WordPlan(field=field, word=word, rows=n, entry=None, how="undecided",
                                  suggestions=tuple(suggest(word, entries))))
    return words, mapping


__all__ = ["ColumnPlan", "ImportPlan", "WordPlan", "plan_columns", "plan_words"]
