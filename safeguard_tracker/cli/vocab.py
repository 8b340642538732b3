"""vocab and init: a council's own lists (agencies in sector groups, partners, and local labels for the
categories, outcomes and harms the guidance fixes), managed from the command line.

``vocab KIND VERB ...`` takes KIND as the library does (``local_lists.check_kind``: singular or plural,
or a unique start); ``vocab preset NAME`` and ``vocab groups`` stand beside the kinds.  A change that
rewrites records or a whole list (rename, merge, import, preset) says first how many records it
touches: at a terminal it asks, in a script it needs ``--yes`` (so a script never waits on a question).
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections import Counter
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional, Sequence

from ..errors import ValidationError
from ..io.csvfiles import read_rows
from ..local_lists import EXPORT_COLUMNS, HOLDERS, check_kind
from ..model import Category, Harm, Outcome
from ..text import printable, say
from ..tracker import Tracker
from ..validation.choices import choice_candidates, resolve_choice
from ..vocab.entries import FIXED_KINDS, KINDS, OPEN_KINDS, SECTOR_GROUPS, Entry, Vocabulary
from ..vocab.presets import PRESETS
from ..vocab.stored import preset_entries
from .common import CliError, Groups, Parser, emit, open_from_args

if TYPE_CHECKING:
    _SubParsers = argparse._SubParsersAction[Parser]
else:
    _SubParsers = argparse._SubParsersAction

# The words that stand beside the kinds after ``vocab``.
OTHERS = ("preset", "groups")
KIND_HELP = {
    "agencies": "the referring and employing organisations, each in a sector group",
    "partners": "who may own or lead an action besides the agencies (the board itself)",
    "categories": "local labels for enquiry, consultation, referral (the list is fixed)",
    "outcomes": "local labels for the outcomes the guidance fixes (\"Founded\" -> substantiated)",
    "harms": "local labels for the five kinds of harm (\"Conduct outside work\" -> suitability)",
}
_BUILTIN: dict[str, tuple[str, ...]] = {
    "categories": tuple(m.value for m in Category),
    "outcomes": tuple(m.value for m in Outcome),
    "harms": tuple(m.value for m in Harm),
}


class _AnyName(dict[str, Any]):
    """The subparsers' choices: argparse checks a name is among them before the action reads it; once
    every subcommand is added (``sealed``), every name is let through to ``KindSubParsers``, which
    resolves it or refuses it in its own words."""

    sealed = False

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or (self.sealed and isinstance(key, str))


class KindSubParsers(_SubParsers):
    """The subcommands after ``vocab``: a kind in any spelling the library takes ('agency', 'outc'),
    'preset' or 'groups'; anything else is one line naming what was typed and what is accepted."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.names = self._name_parser_map = _AnyName()
        self.choices = self._name_parser_map

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: str | Sequence[Any] | None, option_string: Optional[str] = None) -> None:
        given = list(values or [])
        if given and str(given[0]) not in self._name_parser_map.keys():
            given[0] = self._resolve(str(given[0]))
        super().__call__(parser, namespace, given, option_string)

    def _resolve(self, text: str) -> str:
        choices = [*KINDS, *OTHERS]
        found = choice_candidates(text, choices)
        try:
            if len(found) == 1:
                return found[0]
            if not found:
                return check_kind(text)         # 'agency', 'category'
        except ValidationError:
            pass
        could = f" (it could be {' or '.join(found)})" if found else ""     # 'p': partners or preset
        raise argparse.ArgumentError(self, f"'{text}' is not valid{could}: a list ({', '.join(KINDS)}; singular "
                                           f"or a unique start), or {' or '.join(OTHERS)}")


def register(groups: Groups) -> None:
    sub = groups["root"]
    p = sub.add_parser("vocab", help="the council's lists: agencies (with sector groups), partners, and local "
                                     "labels for categories, outcomes and harms")
    kinds = p.add_subparsers(dest="vocab_kind", metavar="KIND", required=True, parser_class=Parser,
                             action=KindSubParsers)
    for kind in KINDS:
        _register_kind(kinds.add_parser(kind, help=KIND_HELP[kind]), kind)

    q = kinds.add_parser("preset", help="set every list from a preset: board (the demo's) or england; names "
                                        "still recorded are kept as retired entries")
    q.add_argument("preset", metavar="NAME", choices=tuple(PRESETS))
    q.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    q.set_defaults(func=cmd_preset)

    q = kinds.add_parser("groups", help="the sector groups agencies belong to: key and label")
    q.set_defaults(func=cmd_groups)
    if isinstance(kinds, KindSubParsers):
        kinds.names.sealed = True

    p = sub.add_parser("init", help="make a new, empty store with a preset's lists (default: england)")
    p.add_argument("--preset", choices=tuple(PRESETS), default="england",
                   help="board (the board's 2017-18 list, the demo's) or england (a generic list); default england")
    p.set_defaults(func=cmd_init)


def _register_kind(p: argparse.ArgumentParser, kind: str) -> None:
    verbs = p.add_subparsers(dest="vocab_verb", metavar="VERB", required=True, parser_class=Parser)

    q = verbs.add_parser("list", help="the entries: name, group, aliases, retired, how many records hold each")
    q.add_argument("--all", action="store_true", help="show retired entries too")
    q.add_argument("--format", choices=("text", "csv"), default="text")
    q.set_defaults(func=cmd_list)

    q = verbs.add_parser("add", help="add an entry" if kind in OPEN_KINDS else
                         "refused: the list is fixed; add a local label with `alias`")
    q.add_argument("name", metavar="NAME")
    if kind == "agencies":
        q.add_argument("--group", "--sector", metavar="GROUP", default="", help="its sector group (see `vocab groups`)")
    q.add_argument("--alias", action="append", default=[], metavar="ALIAS",
                   help="another name that means it (repeat for more)")
    q.set_defaults(func=cmd_add)

    q = verbs.add_parser("rename", help="rename an entry: records show the new name, the old one stays an alias")
    q.add_argument("old", metavar="OLD")
    q.add_argument("new", metavar="NEW")
    q.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    q.set_defaults(func=cmd_rename)

    q = verbs.add_parser("merge", help="merge one entry into another: its records move, its names become aliases")
    q.add_argument("source", metavar="FROM")
    q.add_argument("into", metavar="INTO")
    q.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    q.set_defaults(func=cmd_merge)

    for verb, words in (("retire", "stop offering an entry for new records (it stays valid where recorded)"),
                        ("unretire", "offer a retired entry again")):
        q = verbs.add_parser(verb, help=words)
        q.add_argument("name", metavar="NAME")
        q.set_defaults(func=cmd_retire, retired=verb == "retire")

    q = verbs.add_parser("alias", help="give an entry other names (a local label for a fixed value)")
    q.add_argument("name", metavar="NAME")
    q.add_argument("alias", metavar="ALIAS", nargs="+")
    q.set_defaults(func=cmd_alias)

    q = verbs.add_parser("unalias", help="remove an alias")
    q.add_argument("alias", metavar="ALIAS")
    q.set_defaults(func=cmd_unalias)

    if kind == "agencies":
        q = verbs.add_parser("group", help="put an agency in a sector group (see `vocab groups`)")
        q.add_argument("name", metavar="NAME")
        q.add_argument("group", metavar="GROUP")
        q.set_defaults(func=cmd_group)

    q = verbs.add_parser("export", help="the list as CSV (name, group, aliases, retired) to edit and import back")
    q.add_argument("output", metavar="FILE", nargs="?", help="write here (default: print)")
    q.set_defaults(func=cmd_export)

    q = verbs.add_parser("import", help="replace the list from a CSV shaped as `export` writes it; names still "
                                        "recorded are kept as retired entries")
    q.add_argument("file", metavar="FILE")
    q.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    q.set_defaults(func=cmd_import)


# --- reading ------------------------------------------------------------------------------------------------

def entry_counts(vocab: Vocabulary, usage: Mapping[str, int]) -> Counter[str]:
    """Records per entry: each recorded name counted under the entry it means (a name or an alias)."""
    counts: Counter[str] = Counter()
    for recorded, n in usage.items():
        found = vocab.lookup(recorded)
        counts[found if found is not None else recorded] += n
    return counts


def list_rows(tracker: Tracker, kind: str, *, show_retired: bool) -> tuple[list[list[str]], int]:
    """(name, group key, aliases, retired, records) per entry shown, and how many retired were hidden."""
    vocab = tracker.vocabulary(kind)
    counts = entry_counts(vocab, tracker.vocabulary_usage(kind))
    rows = [[e.name, e.group, " | ".join(e.aliases), "yes" if e.retired else "", str(counts[e.name])]
            for e in vocab if show_retired or not e.retired]
    return rows, sum(1 for e in vocab if e.retired) - sum(1 for r in rows if r[3])


def cmd_list(args: argparse.Namespace) -> int:
    kind = args.vocab_kind
    tracker = open_from_args(args, create=False)
    rows, hidden = list_rows(tracker, kind, show_retired=args.all)
    note = f"{hidden} retired {'entry' if hidden == 1 else 'entries'} hidden: --all shows them" if hidden else ""
    if args.format == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(("name", "group", "aliases", "retired", "records"))
        w.writerows(rows)
        sys.stdout.write(buf.getvalue())
        if note:
            print(f"safeguard-tracker: {note}", file=sys.stderr)
        return 0
    shown = [[r[0], SECTOR_GROUPS.get(r[1], r[1]), r[4], "retired" if r[3] else "", r[2]] for r in rows]
    heads = ["NAME", "GROUP", "RECORDS", "RETIRED", "ALIASES"]
    keep = [i for i, h in enumerate(heads) if (h != "GROUP" or kind == "agencies") and (h != "RETIRED" or args.all)]
    heads, shown = [heads[i] for i in keep], [[r[i] for i in keep] for r in shown]
    widths = [min(max([len(h)] + [len(r[i]) for r in shown]), 60) for i, h in enumerate(heads)]
    lines = [_row(heads, widths)] + [_row(r, widths) for r in shown]
    say(*lines)
    if kind == "partners":
        print(f"(the {len(tracker.vocabulary('agencies').offered)} agencies are partners too: `vocab agencies list`)")
    if note:
        print(note)
    return 0


def _row(cells: Sequence[str], widths: Sequence[int]) -> str:
    right = {"RECORDS"}
    out = []
    for i, (cell, width) in enumerate(zip(cells, widths)):
        last = i == len(cells) - 1
        text = printable(cell)
        if last:
            out.append(text)
        elif cell.isdigit() or cell in right:
            out.append(text.rjust(width))
        else:
            out.append(text.ljust(width))
    return "  ".join(out).rstrip()


def cmd_groups(args: argparse.Namespace) -> int:
    width = max(len(k) for k in SECTOR_GROUPS)
    print(f"{'KEY':<{width}}  LABEL")
    for key, label in SECTOR_GROUPS.items():
        print(f"{key:<{width}}  {label}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    tracker = open_from_args(args, create=False)
    emit(tracker, args, tracker.vocab_export(args.vocab_kind), what=f"{args.vocab_kind} list", personal=False)
    return 0


# --- changing -----------------------------------------------------------------------------------------------

def _done(*messages: str) -> int:
    say(*messages)
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    tracker = open_from_args(args, create=False)
    return _done(tracker.vocab_add(args.vocab_kind, args.name, group=getattr(args, "group", "") or "",
                                   aliases=args.alias).message)


def cmd_retire(args: argparse.Namespace) -> int:
    tracker = open_from_args(args, create=False)
    return _done(tracker.vocab_retire(args.vocab_kind, args.name, retired=args.retired).message)


def cmd_alias(args: argparse.Namespace) -> int:
    tracker = open_from_args(args, create=False)
    return _done(tracker.vocab_alias(args.vocab_kind, args.name, args.alias).message)


def cmd_unalias(args: argparse.Namespace) -> int:
    tracker = open_from_args(args, create=False)
    return _done(tracker.vocab_unalias(args.vocab_kind, args.alias).message)


def cmd_group(args: argparse.Namespace) -> int:
    tracker = open_from_args(args, create=False)
    return _done(tracker.vocab_group(args.name, args.group).message)


def cmd_rename(args: argparse.Namespace) -> int:
    kind = args.vocab_kind
    tracker = open_from_args(args, create=False)
    if kind in FIXED_KINDS:       # refused by the library, in its words, before any question
        return _done(tracker.vocab_rename(kind, args.old, args.new).message)
    old = _entry_name(tracker, kind, args.old, "OLD")
    n = records_holding(tracker, kind, {old})
    if not confirm(args, f"renaming {old!r} to {args.new!r} in the {kind}: {_records(n)} will show {args.new!r}"):
        return _declined()
    return _done(tracker.vocab_rename(kind, old, args.new).message)


def cmd_merge(args: argparse.Namespace) -> int:
    kind = args.vocab_kind
    tracker = open_from_args(args, create=False)
    if kind in FIXED_KINDS:       # refused by the library, in its words, before any question
        return _done(tracker.vocab_merge(kind, args.source, args.into).message)
    source = _entry_name(tracker, kind, args.source, "FROM")
    into = _entry_name(tracker, kind, args.into, "INTO")
    if source != into:            # (the same entry twice is refused by the library)
        n = records_holding(tracker, kind, {source})
        if not confirm(args, f"merging {source!r} into {into!r} in the {kind}: {_records(n)} will show {into!r}"):
            return _declined()
    return _done(tracker.vocab_merge(kind, source, into).message)


def cmd_import(args: argparse.Namespace) -> int:
    kind = args.vocab_kind
    tracker = open_from_args(args, create=False)
    entries = _file_entries(args.file)
    rewritten, kept = replacement_effect(tracker, {kind: entries})
    if not confirm(args, f"replacing the {kind} ({len(tracker.vocabulary(kind))} entries) with the {len(entries)} "
                         f"in {args.file}: {_effect(rewritten, kept)}"):
        return _declined()
    change = tracker.vocab_import(kind, args.file)
    return _done(change.message)


def cmd_preset(args: argparse.Namespace) -> int:
    tracker = open_from_args(args, create=False)
    rewritten, kept = replacement_effect(tracker, {k: preset_entries(args.preset, k) for k in KINDS})
    if not confirm(args, f"setting every list from the {args.preset} preset: {_effect(rewritten, kept)}"):
        return _declined()
    return _done(*(c.message for c in tracker.apply_preset(args.preset)))


def cmd_init(args: argparse.Namespace) -> int:
    tracker = open_from_args(args)
    held = {t: len(tracker.store.all(t)) for t in ("contacts", "reviews", "actions")}
    if any(held.values()):
        what = ", ".join(f"{n} {t}" for t, n in held.items() if n)
        raise CliError(f"init: {tracker.location} already holds {what}; use `vocab preset NAME` to change an "
                       f"existing store's lists")
    tracker.apply_preset(args.preset)
    print(f"a new store at {tracker.location} with the {args.preset} preset: {list_counts(tracker)}")
    print(f"see a list with: safeguard-tracker --db {tracker.location} vocab agencies list")
    return 0


def list_counts(tracker: Tracker) -> str:
    """'61 agencies in 12 sector groups, 1 partner besides them, 3 categories, ...' (entries offered)."""
    parts = []
    for kind in KINDS:
        vocab = tracker.vocabulary(kind)
        n = len(vocab.offered)
        if kind == "agencies":
            groups = {e.group or "other" for e in vocab if not e.retired}
            parts.append(f"{n} agencies in {len(groups)} sector groups")
        elif kind == "partners":
            parts.append(f"{n} {'partner' if n == 1 else 'partners'} besides them")
        else:
            parts.append(f"{n} {kind}")
    return ", ".join(parts)


# --- what a change will do, and asking ----------------------------------------------------------------------

def _records(n: int) -> str:
    return f"{n} {'record' if n == 1 else 'records'}"


def _effect(rewritten: int, kept: Sequence[str]) -> str:
    shown = ", ".join(repr(k) for k in kept[:3]) + (", ..." if len(kept) > 3 else "")
    return (f"{_records(rewritten)} will show a new name; "
            + (f"{len(kept)} recorded {'name' if len(kept) == 1 else 'names'} the new list does not know "
               f"will be kept as retired entries ({shown})" if kept else "every recorded name is in the new list"))


def _entry_name(tracker: Tracker, kind: str, text: str, field: str) -> str:
    """The entry ``text`` names, by the library's rule (a name, an alias, or a unique start)."""
    vocab = tracker.vocabulary(kind)
    found = vocab.lookup(text)
    if found is not None:
        return found
    try:
        return resolve_choice(text, list(vocab.names), "name", what=kind)
    except ValidationError as exc:
        raise ValidationError(field, exc.value, exc.accepted) from None


def _holding(tracker: Tracker, kind: str, names: set[str]) -> set[tuple[str, str]]:
    """(table, reference) of every record holding one of ``names`` where the list ``kind`` is recorded."""
    refs: set[tuple[str, str]] = set()
    for table, field in HOLDERS[kind]:
        for ref, doc in tracker.store.all(table).items():
            values = ([o for r in doc.get("recommendations") or () for o in r.get("owner_agencies") or ()]
                      if field == "owner_agencies" else [doc.get(field)])
            if any(isinstance(v, str) and v in names for v in values):
                refs.add((table, ref))
    return refs


def records_holding(tracker: Tracker, kind: str, names: set[str]) -> int:
    """How many records (contacts, actions, reviews) hold one of ``names`` where the list ``kind`` is recorded."""
    return len(_holding(tracker, kind, names))


def replacement_effect(tracker: Tracker, lists: Mapping[str, Iterable[Entry]]) -> tuple[int, list[str]]:
    """For lists about to be replaced (kind -> new entries): how many records will show a new name (a name
    the new list holds as an alias of another entry), and the recorded names it does not know (kept, retired).
    The agencies are partners too, so a partner list knows the agencies' names."""
    new = {kind: list(entries) for kind, entries in lists.items()}
    records: set[tuple[str, str]] = set()
    kept: list[str] = []
    for kind, entries in new.items():
        known = list(entries)
        if kind in FIXED_KINDS:
            known += [Entry(name=v) for v in _BUILTIN[kind]]
        if kind == "partners":
            known += new.get("agencies") or list(tracker.vocabulary("agencies"))
        probe = Vocabulary(kind, known)
        usage = tracker.vocabulary_usage(kind)
        moving = {n for n in usage if (found := probe.lookup(n)) is not None and found != n}
        if kind in OPEN_KINDS and moving:
            records |= _holding(tracker, kind, moving)
        kept += [n for n in sorted(usage) if probe.lookup(n) is None and n not in kept]
    return len(records), kept


def _file_entries(path: str) -> list[Entry]:
    """The entries a vocabulary CSV names (names and aliases only: the library checks the rest)."""
    _, rows = read_rows(path, required=("name",), known=EXPORT_COLUMNS)
    return [Entry(name=row.get("name", "").strip(),
                  aliases=tuple(a.strip() for a in row.get("aliases", "").split("|") if a.strip()))
            for _, row in rows if row.get("name", "").strip()]


def confirm(args: argparse.Namespace, question: str) -> bool:
    """True to go ahead: ``--yes``, or 'y' at a terminal.  Not at a terminal and without ``--yes``: refused
    (exit 2), saying what the change would do, so a script never waits on a question."""
    if getattr(args, "yes", False):
        return True
    if not sys.stdin or not sys.stdin.isatty():
        raise CliError(f"{question}: add --yes to go ahead when not at a terminal")
    answer = input(printable(f"{question}. Go ahead? [y/N] "))
    return answer.strip().lower() in ("y", "yes")


def _declined() -> int:
    print("safeguard-tracker: nothing changed", file=sys.stderr)
    return 1
