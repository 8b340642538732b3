"""The records as pandas or polars data frames, for analysts (``Tracker.frame``; docs/analysis.md).

One row per record, one column per fact, with dates as dates and the fixed
vocabularies as categoricals in their order.  The frame is built column by
column from the stored documents (``frames_tables``), with no model object per
record; the derived columns (financial year, resolution band, RAG, overdue) are
worked out by the same functions as the statistics and the chase list, so they
agree.  Personal columns are left out unless asked for, and asking is logged.

pandas and polars are optional (``pip install 'safeguard-tracker[analysis]'``)
and imported only when a frame is asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Literal, cast

from .context import Context
from .dates import parse_date
from .errors import ValidationError
from .frames_columns import Column, Env, Kind
from .frames_tables import COLUMNS, TABLES, rows_of
from .outputs import log_access

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

Table = Literal["contacts", "actions", "reviews"]
Engine = Literal["pandas", "polars"]
ENGINES = ("pandas", "polars")
INSTALL = "pip install 'safeguard-tracker[analysis]'"


def column_names(table: str, personal: bool = False) -> tuple[str, ...]:
    """The columns of ``table``'s frame, in order (with ``personal``: the personal ones too, last)."""
    columns = _columns(table)
    return tuple(name for name, c in columns.items() if personal or not c.personal)


def personal_columns(table: str) -> tuple[str, ...]:
    return tuple(name for name, c in _columns(table).items() if c.personal)


def _columns(table: str) -> dict[str, Column]:
    if table not in COLUMNS:
        raise ValidationError("table", table, ", ".join(TABLES))
    return COLUMNS[table]


def _chosen(table: str, columns: Sequence[str] | None, personal: bool) -> list[str]:
    every = _columns(table)
    if columns is None:
        return list(column_names(table, personal))
    if isinstance(columns, str):
        raise ValidationError("columns", columns, "a list of column names, such as ['reference', 'category']")
    chosen = list(columns)
    accepted = ", ".join(column_names(table, personal=True))
    for name in chosen:
        if name not in every:
            raise ValidationError("columns", name, f"a column of the {table} frame: {accepted}")
        if every[name].personal and not personal:
            raise ValidationError("columns", name, "personal=True: it is a personal column, and asking for "
                                  "personal data is recorded in the access log")
    seen: set[str] = set()
    for name in chosen:
        if name in seen:
            raise ValidationError("columns", name, "each column once")
        seen.add(name)
    return chosen


def _import(engine: str) -> Any:
    try:
        if engine == "pandas":
            import pandas
            return pandas
        import polars
        return polars
    except ImportError as exc:
        raise ImportError(f"frames need {engine}, which is not installed: {INSTALL}") from exc


def frame(ctx: Context, table: str, *, as_of: Any = None, columns: Sequence[str] | None = None,
          engine: str = "pandas", personal: bool = False) -> pd.DataFrame | pl.DataFrame:
    """``table``'s records as a data frame; see ``Tracker.frame`` and docs/analysis.md."""
    if engine not in ENGINES:
        raise ValidationError("engine", engine, "pandas or polars")
    chosen = _chosen(table, columns, personal)
    module = _import(engine)
    day = parse_date(as_of, "as_of", required=False, today=ctx.today())
    when = day or ctx.today()
    env = Env(ctx=ctx, as_of=when, as_of_iso=when.isoformat())
    rows = rows_of(table, env, as_of=day is not None)
    every = COLUMNS[table]
    built = [(name, every[name].kind_in(env), every[name].build(rows, env)) for name in chosen]
    out = _pandas(module, built) if engine == "pandas" else _polars(module, built)
    held = [name for name in chosen if every[name].personal]
    if held:
        # Logged before the frame is handed over: a frame that cannot be logged is not given.
        detail = f"columns: {', '.join(held)}" + (f"; as of {day.isoformat()}" if day else "")
        log_access(ctx.store, f"frame {table} (personal)", target=f"{engine} data frame", records=len(rows),
                   detail=detail)
    return out


# --- the engines ----------------------------------------------------------------------------------------

def categories(kind: Kind, values: list[Any]) -> list[str]:
    """A categorical's categories: the vocabulary in its order, then (``extend``) any other value, A-Z."""
    cats = list(kind.categories)
    if kind.extend:
        known = set(cats)
        cats += sorted({v for v in values if v is not None and v not in known})
    return cats


class _DayNumbers(dict[Any, int]):
    """ISO date -> days since 1970-01-01 (numpy's ``datetime64[D]``), each distinct date parsed once;
    None -> NaT.  One per frame, shared by its date columns."""

    EPOCH = date(1970, 1, 1).toordinal()

    def __init__(self, nat: int):
        super().__init__({None: nat})

    def __missing__(self, key: str) -> int:
        value = self[key] = date.fromisoformat(key[:10]).toordinal() - self.EPOCH
        return value


class _Codes(dict[Any, int]):
    """A categorical's value -> its code; -1 (missing) for None or a value outside the categories."""

    def __init__(self, categories: list[str]):
        super().__init__((c, i) for i, c in enumerate(categories))

    def __missing__(self, key: Any) -> int:
        return -1


def _days(np: Any, values: list[Any], numbers: _DayNumbers) -> Any:
    """ISO dates (None: missing) as a numpy ``datetime64[D]`` array."""
    return np.fromiter(map(numbers.__getitem__, values), np.int64, len(values)).view("datetime64[D]")


def _pandas(pandas: Any, built: list[tuple[str, Kind, list[Any]]]) -> pd.DataFrame:
    import numpy as np
    numbers = _DayNumbers(int(np.iinfo(np.int64).min))
    data: dict[str, Any] = {}
    for name, kind, values in built:
        if kind.name == "text":
            data[name] = pandas.Series(values, dtype="str", name=name)
        elif kind.name == "date":
            data[name] = pandas.Series(_days(np, values, numbers).astype("datetime64[s]"), name=name)
        elif kind.name == "int":
            data[name] = pandas.Series(np.array(values, dtype=np.int64), name=name)
        elif kind.name == "int?":
            data[name] = pandas.Series(pandas.array(values, dtype="Int64"), name=name)
        elif kind.name == "bool":
            data[name] = pandas.Series(np.array(values, dtype=bool), name=name)
        else:
            cats = categories(kind, values)
            codes = np.fromiter(map(_Codes(cats).__getitem__, values), np.int32 if len(cats) > 127 else np.int8,
                                len(values))
            dtype = pandas.CategoricalDtype(cats, ordered=kind.ordered)
            data[name] = pandas.Series(pandas.Categorical.from_codes(codes, dtype=dtype), name=name)
    result: pd.DataFrame = pandas.DataFrame(data)
    return result


def _polars(polars: Any, built: list[tuple[str, Kind, list[Any]]]) -> pl.DataFrame:
    import numpy as np
    numbers = _DayNumbers(int(np.iinfo(np.int64).min))
    series = []
    for name, kind, values in built:
        if kind.name == "text":
            series.append(polars.Series(name, values, dtype=polars.String))
        elif kind.name == "date":
            series.append(polars.Series(name, _days(np, values, numbers)).cast(polars.Date))
        elif kind.name in ("int", "int?"):
            series.append(polars.Series(name, values, dtype=polars.Int64))
        elif kind.name == "bool":
            series.append(polars.Series(name, values, dtype=polars.Boolean))
        else:
            series.append(polars.Series(name, values, dtype=polars.Enum(categories(kind, values))))
    return cast("pl.DataFrame", polars.DataFrame(series))


__all__ = ["ENGINES", "INSTALL", "TABLES", "column_names", "frame", "personal_columns"]
