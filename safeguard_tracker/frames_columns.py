"""What the analysis frames' columns are made of: their types, what a frame's columns share, and the
helpers that read one field of every stored document (see ``safeguard_tracker.frames``).

Each table is an ordered set of columns; each column is a type (``Kind``) and a
function that makes its values, one pass over the rows' documents, so a frame
costs one pass per column and no model object per record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from typing import Any, cast

from .context import Context
from .store.protocol import Doc
from .taxonomy import Taxonomy


@dataclass(frozen=True)
class Kind:
    """A column's type: text, date, int, int? (may be missing), bool, or cat (a categorical).

    A categorical's categories are ``categories`` in that order; with ``extend``, any other
    value found in the data follows them, A-Z (agencies outside the taxonomy, financial years).
    """
    name: str
    categories: tuple[str, ...] = ()
    ordered: bool = False
    extend: bool = False


TEXT, DATE, INT, INT_OR_NONE, BOOL = Kind("text"), Kind("date"), Kind("int"), Kind("int?"), Kind("bool")


def cat(values: Iterable[Any], ordered: bool = False, extend: bool = False) -> Kind:
    return Kind("cat", tuple(str(v) for v in values), ordered, extend)


@dataclass
class Env:
    """What the columns of one frame share: the store's context, the as-of date, and caches."""
    ctx: Context
    as_of: date
    as_of_iso: str
    cache: dict[Any, Any] = field(default_factory=dict)

    def values(self, rows: list[Doc], key: str, default: Any = None) -> list[Any]:
        """Every row's ``key``, fetched once per frame (several columns read the same field)."""
        found = self.cache.get((id(rows), key))
        if found is None:
            found = self.cache[(id(rows), key)] = values(rows, key, default)
        return cast("list[Any]", found)

    def once(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]


Builder = Callable[[list[Doc], Env], list[Any]]


@dataclass(frozen=True)
class Column:
    """One column: its type (or how to work it out from the store's settings), and its values."""
    kind: Kind | Callable[[Env], Kind]
    build: Builder
    personal: bool = False

    def kind_in(self, env: Env) -> Kind:
        return self.kind if isinstance(self.kind, Kind) else self.kind(env)


# --- helpers shared by the tables ---------------------------------------------------------------------

def values(rows: list[Doc], key: str, default: Any = None) -> list[Any]:
    """Every row's ``key`` (``default`` where a document lacks it): the stored shape has every key, so
    this is one ``itemgetter`` pass, with a ``get`` pass only for a document without it."""
    try:
        return list(map(itemgetter(key), rows))
    except KeyError:
        return [d.get(key, default) for d in rows]


def column_of(key: str) -> Builder:
    return lambda rows, env: env.values(rows, key)


def text_field(key: str) -> Builder:
    return lambda rows, env: [v or "" for v in env.values(rows, key)]


def inner_text(outer: str, key: str) -> Builder:
    return lambda rows, env: [(d.get(outer) or {}).get(key) or "" for d in rows]


def count_of(key: str) -> Builder:
    return lambda rows, env: [len(v) if v else 0 for v in env.values(rows, key)]


def canonical_in(taxonomy: Taxonomy) -> Callable[[Any], Any]:
    """The taxonomy's spelling of a stored agency name (kept as written when it is not in the taxonomy)."""
    seen: dict[Any, Any] = {}

    def canonical(name: Any) -> Any:
        got = seen.get(name, seen)
        if got is seen:
            got = seen[name] = taxonomy.canonical(name) if name in taxonomy else (name or None)
        return got
    return canonical


def agency_field(key: str, plan: bool) -> Builder:
    def build(rows: list[Doc], env: Env) -> list[Any]:
        canonical = canonical_in(env.ctx.plan_agencies if plan else env.ctx.taxonomy)
        names = env.values(rows, key)
        spelt = {name: canonical(name) for name in set(names)}
        return [spelt[name] for name in names]
    return build


def on_or_before(value: str | None, as_of: str) -> str | None:
    """A stored ISO date (or date and time) if it is on or before ``as_of``, else None."""
    return value if value is not None and value[:10] <= as_of else None


__all__ = [
    "BOOL",
    "DATE",
    "INT",
    "INT_OR_NONE",
    "TEXT",
    "Builder",
    "Column",
    "Env",
    "Kind",
    "agency_field",
    "canonical_in",
    "cat",
    "column_of",
    "count_of",
    "inner_text",
    "on_or_before",
    "text_field",
    "values",
]
