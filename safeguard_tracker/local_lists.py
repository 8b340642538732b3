"""Managing a council's vocabularies: add, rename, merge, retire, alias, group, replace, preset.

Every change is one store transaction: the settings' list and, for a rename or a merge, every record
that holds the old name (a contact's agency, an action's lead agency, a recommendation's owners), so
old records show the current name, the statistics count the same records before and after, and the
audit trail holds each record's change with who made it.  A renamed or merged name is kept as an
alias of the entry it became, so a spreadsheet written before still imports.

Open lists (agencies, partners) take new names.  Fixed lists (categories, outcomes, harms) hold the
values the guidance fixes: a council adds its own labels for them as aliases, and may retire a value
it never uses (it stays valid where it is recorded).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Optional

import attrs

from .context import Context
from .errors import ValidationError
from .folding import fold
from .io.csvfiles import header_key, read_rows, read_text
from .store.protocol import Doc, Transaction
from .validation.choices import resolve_choice
from .vocab.entries import FIXED_KINDS, KINDS, OPEN_KINDS, SECTOR_GROUPS, Entry, Vocabulary
from .vocab.stored import entries_doc, preset_entries

# Where each open list's names are recorded: (table, field); "owner_agencies" is inside recommendations.
HOLDERS: dict[str, tuple[tuple[str, str], ...]] = {
    "agencies": (("contacts", "agency"), ("actions", "lead_agency"), ("reviews", "owner_agencies")),
    "partners": (("actions", "lead_agency"), ("reviews", "owner_agencies")),
    "categories": (("contacts", "category"),),
    "outcomes": (("contacts", "outcome"),),
    "harms": (("contacts", "harm"),),
}
EXPORT_COLUMNS = ("name", "group", "aliases", "retired")
ALIAS_SEPARATOR = " | "


@attrs.frozen
class ListChange:
    """What a change did: its words for the user, and the records it rewrote."""
    message: str
    records: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()           # names still recorded, kept as retired entries by a replacement


def check_kind(kind: str) -> str:
    """The kind's key, from any spelling or a unique start ('agency', 'outcome', 'part')."""
    text = str(kind).strip().lower()
    singular = {k[:-1] if not k.endswith("ies") else k[:-3] + "y": k for k in KINDS}
    if text in singular:
        return singular[text]
    return resolve_choice(text, list(KINDS), "list")


def check_group(group: str) -> str:
    """A sector group's key, from its key or label in any case ('Early years' -> early_years)."""
    text = str(group or "").strip()
    if not text:
        return ""
    by_label = {fold(v): k for k, v in SECTOR_GROUPS.items()}
    by_key = {fold(k.replace("_", " ")): k for k in SECTOR_GROUPS}
    found = by_key.get(fold(text.replace("_", " "))) or by_label.get(fold(text))
    if found is None:
        raise ValidationError("group", text, "a sector group: " + ", ".join(SECTOR_GROUPS))
    return found


class LocalLists:
    """The vocabulary changes of one open tracker."""

    def __init__(self, ctx: Context):
        self.ctx = ctx

    # --- reading --------------------------------------------------------------------------------------------
    def vocabulary(self, kind: str) -> Vocabulary:
        return self.ctx.vocabulary(check_kind(kind))

    def usage(self, kind: str) -> Counter[str]:
        """How many records hold each name of ``kind`` (each record counted once per name)."""
        kind = check_kind(kind)
        counts: Counter[str] = Counter()
        for table, field in HOLDERS[kind]:
            for doc in self.ctx.store.all(table).values():
                for value in set(_values(doc, field)):
                    counts[value] += 1
        return counts

    def export_csv(self, kind: str) -> str:
        """The list as CSV text (name, group, aliases separated by ' | ', retired): edit it and import it back."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(EXPORT_COLUMNS)
        for e in self.vocabulary(kind):
            w.writerow([e.name, e.group, ALIAS_SEPARATOR.join(e.aliases), "yes" if e.retired else ""])
        return buf.getvalue()

    # --- changing -------------------------------------------------------------------------------------------
    def add(self, kind: str, name: str, *, group: str = "", aliases: Iterable[str] = ()) -> ListChange:
        kind = check_kind(kind)
        if kind in FIXED_KINDS:
            raise ValidationError("name", name, f"a local label for one of the {kind} the guidance fixes ("
                                  + ", ".join(self.vocabulary(kind).names) + f"): `vocab {kind} alias VALUE "
                                  f"LABEL`; the list itself cannot grow")
        name = _clean_name(name)
        entry = Entry(name=name, group=check_group(group) if kind == "agencies" else "",
                      aliases=tuple(_clean_name(a, "alias") for a in aliases))
        entries = list(self.vocabulary(kind))
        _refuse_clash(entries, [entry.name, *entry.aliases], kind)
        entries.append(entry)
        return self._save(kind, entries, f"added {name!r} to the {kind}")

    def rename(self, kind: str, old: str, new: str) -> ListChange:
        kind = check_kind(kind)
        self._open_only(kind, "renamed")
        entries = list(self.vocabulary(kind))
        i = _index(entries, old, kind)
        current = entries[i]
        new = _clean_name(new)
        others = entries[:i] + entries[i + 1:]
        _refuse_clash(others, [new], kind)
        aliases = tuple(a for a in current.aliases if fold(a) != fold(new))
        if fold(current.name) != fold(new) or current.name != new:
            aliases = aliases + ((current.name,) if fold(current.name) != fold(new) else ())
        entries[i] = attrs.evolve(current, name=new, aliases=aliases)
        return self._save(kind, entries, f"renamed {current.name!r} to {new!r} in the {kind}",
                          rewrite={current.name: new})

    def merge(self, kind: str, source: str, into: str) -> ListChange:
        kind = check_kind(kind)
        self._open_only(kind, "merged")
        entries = list(self.vocabulary(kind))
        i, j = _index(entries, source, kind), _index(entries, into, kind)
        if i == j:
            raise ValidationError("into", into, f"another entry than {entries[i].name!r}")
        gone, kept = entries[i], entries[j]
        entries[j] = attrs.evolve(kept, aliases=_unique(kept.aliases + (gone.name,) + gone.aliases))
        del entries[i]
        return self._save(kind, entries, f"merged {gone.name!r} into {kept.name!r} in the {kind}",
                          rewrite={gone.name: kept.name})

    def retire(self, kind: str, name: str, retired: bool = True) -> ListChange:
        kind = check_kind(kind)
        entries = list(self.vocabulary(kind))
        i = _index(entries, name, kind)
        entries[i] = attrs.evolve(entries[i], retired=retired)
        if retired and not any(not e.retired for e in entries):
            raise ValidationError("name", name, f"one entry of the {kind} left offered: every one would be retired")
        verb = "retired" if retired else "brought back"
        return self._save(kind, entries, f"{verb} {entries[i].name!r} in the {kind}"
                          + (" (still valid where it is recorded; not offered for new records)" if retired else ""))

    def alias(self, kind: str, name: str, aliases: Iterable[str]) -> ListChange:
        kind = check_kind(kind)
        entries = list(self.vocabulary(kind))
        i = _index(entries, name, kind)
        new = [_clean_name(a, "alias") for a in aliases]
        if not new:
            raise ValidationError("alias", "", "at least one alias")
        _refuse_clash(entries[:i] + entries[i + 1:], new, kind)
        own = {fold(entries[i].name)}
        entries[i] = attrs.evolve(entries[i], aliases=_unique(entries[i].aliases + tuple(a for a in new
                                                                                           if fold(a) not in own)))
        return self._save(kind, entries, f"{', '.join(repr(a) for a in new)} now mean{'s' if len(new) == 1 else ''} "
                          f"{entries[i].name!r} in the {kind}")

    def unalias(self, kind: str, alias: str) -> ListChange:
        kind = check_kind(kind)
        entries = list(self.vocabulary(kind))
        for i, e in enumerate(entries):
            kept = tuple(a for a in e.aliases if fold(a) != fold(alias))
            if len(kept) != len(e.aliases):
                entries[i] = attrs.evolve(e, aliases=kept)
                return self._save(kind, entries, f"{alias!r} no longer means {e.name!r} in the {kind}")
        raise ValidationError("alias", alias, f"an alias in the {kind}: " + (", ".join(
            a for e in entries for a in e.aliases) or "there are none"))

    def set_group(self, name: str, group: str) -> ListChange:
        entries = list(self.vocabulary("agencies"))
        i = _index(entries, name, "agencies")
        entries[i] = attrs.evolve(entries[i], group=check_group(group))
        label = SECTOR_GROUPS.get(entries[i].group, "no group")
        return self._save("agencies", entries, f"{entries[i].name!r} is now in the sector group {label}")

    def replace(self, kind: str, entries: Iterable[Entry], source: str = "") -> ListChange:
        """Replace the whole list.  A name still recorded that the new list neither names nor aliases
        is kept, retired, so no record is left holding a name the list does not know."""
        kind = check_kind(kind)
        new = [attrs.evolve(e, name=_clean_name(e.name), group=check_group(e.group) if kind == "agencies" else "",
                            aliases=tuple(_clean_name(a, "alias") for a in e.aliases)) for e in entries]
        if not new:
            raise ValidationError("names", "", f"at least one entry for the {kind}")
        problems = _clashes(new, kind)
        if kind in FIXED_KINDS:
            fixed = set(self.vocabulary(kind).names) | set(_builtin(kind))
            problems += [f"{e.name!r} is not one of the {kind} the guidance fixes ({', '.join(_builtin(kind))}); "
                         f"give it as an alias of one" for e in new if e.name not in fixed]
            for value in _builtin(kind):          # a fixed value left out is kept, retired
                if value not in {e.name for e in new}:
                    new.append(Entry(name=value, retired=True))
        if problems:
            raise ValidationError("names", source or kind, "; ".join(problems))
        probe = Vocabulary(kind, new)
        # a name the other open list knows is not this list's to keep (an action led by the board itself)
        other = {"agencies": "partners", "partners": "agencies"}.get(kind)
        kept = tuple(sorted(n for n in self.usage(kind) if probe.lookup(n) is None
                            and (other is None or self.ctx.vocabulary(other).lookup(n) is None)))
        new.extend(Entry(name=n, retired=True) for n in kept)
        rewrite = {n: found for n in self.usage(kind) if (found := probe.lookup(n)) is not None and found != n}
        change = self._save(kind, new, f"replaced the {kind} ({len(new)} entries)"
                            + (f"; kept {len(kept)} recorded name(s) as retired entries: {', '.join(kept)}"
                               if kept else ""), rewrite=rewrite if kind in OPEN_KINDS else {})
        return attrs.evolve(change, kept=kept)

    def import_csv(self, kind: str, path: str | Path) -> ListChange:
        """Replace the list from a CSV file as ``export_csv`` writes it (only ``name`` is required), or from a
        plain list of names, one a line (blank lines and '#' comments skipped), as a council often keeps one."""
        plain = _plain_names(path)
        if plain is not None:
            return self.replace(kind, [Entry(name=n) for n in plain], source=str(path))
        keys, rows = read_rows(path, required=("name",), known=EXPORT_COLUMNS)
        entries = []
        for number, row in rows:
            retired = row.get("retired", "").strip().lower()
            if retired not in ("", "yes", "no", "y", "n", "true", "false", "retired"):
                raise ValidationError("retired", retired, "yes or blank", row=number)
            try:
                group = check_group(row.get("group", "")) if kind == "agencies" else ""
            except ValidationError as exc:
                raise ValidationError(exc.field, exc.value, exc.accepted, row=number) from None
            entries.append(Entry(name=row["name"], group=group,
                                 aliases=tuple(a.strip() for a in row.get("aliases", "").split("|") if a.strip()),
                                 retired=retired in ("yes", "y", "true", "retired")))
        return self.replace(kind, entries, source=str(path))

    def apply_preset(self, name: str) -> list[ListChange]:
        """Set every list from a preset (``board``, ``england``), keeping recorded names as retired entries."""
        return [self.replace(kind, preset_entries(name, kind), source=f"preset {name}") for kind in KINDS]

    # --- inside ----------------------------------------------------------------------------------------------
    def _open_only(self, kind: str, verb: str) -> None:
        if kind in FIXED_KINDS:
            raise ValidationError("list", kind, f"agencies or partners: the {kind} are fixed by the guidance and "
                                  f"cannot be {verb}; map a local label onto one with `vocab {kind} alias`")

    def _save(self, kind: str, entries: list[Entry], message: str,
              rewrite: Optional[dict[str, str]] = None) -> ListChange:
        changed: list[str] = []
        with self.ctx.store.transaction() as txn:
            settings = dict(txn.get("settings", "config") or {"reference": "config"})
            settings.pop("_rev", None)
            lists = dict(settings.get("vocabularies") or {})
            lists[kind] = entries_doc(entries)
            settings["vocabularies"] = lists
            if kind == "agencies":
                settings.pop("agencies", None)       # the old list of names gives way to the entries
            if kind == "partners":
                settings.pop("plan_agencies", None)
            txn.put("settings", "config", settings)
            if rewrite:
                changed = _rewrite(txn, self.ctx, kind, rewrite)
        self.ctx.forget_vocabularies()
        return ListChange(message + (f"; {len(changed)} record(s) now show the new name" if changed else ""),
                          records=tuple(changed))


def _plain_names(path: str | Path) -> Optional[list[str]]:
    """The names of a file that is a plain list (no column holds a comma or a tab, and no heading 'name'),
    else None: it is a CSV for ``read_rows``."""
    lines = [line.strip() for line in read_text(path).splitlines()]
    names = [line for line in lines if line and not line.startswith("#")]
    if not names or header_key(names[0]) in EXPORT_COLUMNS or any("," in n or "\t" in n for n in names):
        return None
    return names


def _values(doc: Doc, field: str) -> list[str]:
    if field == "owner_agencies":
        return [o for r in doc.get("recommendations") or () for o in r.get("owner_agencies") or ()]
    value = doc.get(field)
    return [value] if isinstance(value, str) and value else []


def _rewrite(txn: Transaction, ctx: Context, kind: str, names: dict[str, str]) -> list[str]:
    """Put every record that holds one of ``names`` (old -> new) with the new name, audited."""
    changed = []
    for table, field in HOLDERS[kind]:
        for ref, stored in ctx.store.all(table).items():
            doc = txn.get(table, ref) or stored
            if field == "owner_agencies":
                recs = doc.get("recommendations") or []
                if not any(o in names for r in recs for o in r.get("owner_agencies") or ()):
                    continue
                new = dict(doc, recommendations=[
                    dict(r, owner_agencies=list(dict.fromkeys(names.get(o, o) for o in r.get("owner_agencies") or ())))
                    for r in recs])
            else:
                if doc.get(field) not in names:
                    continue
                new = dict(doc, **{field: names[doc[field]]})
            new.pop("_rev", None)
            txn.put(table, ref, new)
            changed.append(ref)
    return list(dict.fromkeys(changed))


def _builtin(kind: str) -> tuple[str, ...]:
    from .model import Category, Harm, Outcome
    enum: Any = {"categories": Category, "outcomes": Outcome, "harms": Harm}[kind]
    return tuple(m.value for m in enum)


def _clean_name(name: str, field: str = "name") -> str:
    text = str(name or "").strip()
    if not text:
        raise ValidationError(field, name, "a name that is not blank")
    if len(text) > 1000 or "\n" in text or "\r" in text:
        raise ValidationError(field, text[:40] + "\u2026", "a name on one line, of at most 1,000 characters")
    return text


def _unique(names: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for n in names:
        seen.setdefault(fold(n), n)
    return tuple(seen.values())


def _index(entries: list[Entry], name: str, kind: str) -> int:
    found = Vocabulary(kind, entries).lookup(name)
    for i, e in enumerate(entries):
        if e.name == found:
            return i
    names = [e.name for e in entries]
    return names.index(resolve_choice(name, names, "name", what=kind))


def _clashes(entries: list[Entry], kind: str) -> list[str]:
    seen: dict[str, str] = {}
    problems = []
    for e in entries:
        for n in (e.name, *e.aliases):
            key = fold(n)
            if key in seen and seen[key] != e.name:
                problems.append(f"{n!r} would mean both {seen[key]!r} and {e.name!r}")
            seen.setdefault(key, e.name)
    return problems


def _refuse_clash(others: list[Entry], names: list[str], kind: str) -> None:
    probe = Vocabulary(kind, others)
    for n in names:
        found = probe.lookup(n)
        if found is not None:
            raise ValidationError("name", n, f"a name not already in the {kind} (it means {found!r} there)")


__all__ = ["EXPORT_COLUMNS", "HOLDERS", "ListChange", "LocalLists", "check_group", "check_kind"]
