"""JSON files as the importers read them: strictly, with a one-line reason for anything wrong.

``read_json_file`` reads a file (refusing NaN, Infinity and nesting too deep to parse);
``record_shape_problem`` checks a record against the attrs class it should become, more
strictly than cattrs (a list or an object is never taken as text); ``unstorable`` finds what
the store could not write (a number beyond 64 bits, a lone surrogate).
"""

from __future__ import annotations

import json
import math
import types
import typing
from datetime import date, datetime
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

import attrs

from ..errors import ValidationError, choice_error
from ..store.protocol import Doc
from .csvfiles import decode_bytes, import_failed


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _parse_int(text: str) -> Any:
    """Digits as an int; beyond what Python converts (4,300 digits), infinity, which no rule accepts."""
    return int(text) if len(text) < 4000 else math.inf


def read_json_file(path: str | Path) -> Any:
    """A JSON file's contents, or ImportFailed with one line naming the file and what is wrong."""
    path = Path(path)
    source = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise import_failed([f"{source}: cannot be read ({exc.strerror})"], source=source) from None
    try:
        return json.loads(decode_bytes(raw, source), parse_constant=_refuse_constant, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        raise import_failed([f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"],
                           source=source) from None
    except RecursionError:
        raise import_failed([f"{source}: not readable: lists or objects nested too deeply"], source=source) from None
    except ValueError as exc:
        raise import_failed([f"{source}: not valid JSON ({exc})"], source=source) from None


def describe_structure_error(exc: BaseException) -> str:
    """A one-line reason from cattrs' nested exceptions: 'invalid value for type, expected date @ $.received_on'."""
    try:
        from cattrs import transform_error
        return "; ".join(transform_error(exc, path="$")[:5]) or type(exc).__name__
    except Exception:  # pragma: no cover - not a cattrs error
        return f"{type(exc).__name__}: {exc}"


# --- the type check of a JSON record --------------------------------------------------------------------

@lru_cache(maxsize=None)
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _key(name: str) -> str:
    return "from" if name == "from_" else name


def shape_problem(value: Any, tp: Any, path: str) -> Optional[ValidationError]:
    """Why ``value`` (parsed JSON) cannot be a ``tp``, as a ValidationError naming its path; None if it can.

    Stricter than cattrs, which turns a list or an object into its Python spelling where
    text belongs: JSON is read as written, and whatever the store could not hold is refused.
    """
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return None if value is None else shape_problem(value, args[0], path)
    if tp is str:
        return None if isinstance(value, str) else ValidationError(path, value, "text")
    if tp is bool:
        return None if isinstance(value, bool) else ValidationError(path, value, "true or false")
    if tp is int:
        ok = isinstance(value, int) and not isinstance(value, bool) and -(1 << 63) <= value < (1 << 63)
        return None if ok else ValidationError(path, value, "a whole number")
    if tp is datetime:
        return None if _is_datetime(value) else ValidationError(path, value, "a date and time written "
                                                                "2018-01-05T10:30:00+00:00")
    if tp is date:
        return None if _is_date(value) else ValidationError(path, value, "a date written 2018-01-05")
    if isinstance(tp, type) and issubclass(tp, Enum):
        values = [m.value for m in tp]
        return None if value in values and isinstance(value, str) else choice_error(path, value, values)
    if origin is tuple:
        if not isinstance(value, list):
            return ValidationError(path, value, "a list")
        item = typing.get_args(tp)[0]
        for i, v in enumerate(value, 1):
            problem = shape_problem(v, item, f"{path}[{i}]")
            if problem is not None:
                return problem
        return None
    if attrs.has(tp):
        return record_shape_problem(value, tp, path)
    return None


def record_shape_problem(value: Any, cls: type, path: str = "", skip: Iterable[str] = ()) -> Optional[ValidationError]:
    """``shape_problem`` for an object of the attrs class ``cls`` (fields in ``skip`` are left out)."""
    if not isinstance(value, dict):
        return ValidationError(path or cls.__name__.lower(), value, f"an object with the fields of a "
                               f"{cls.__name__.lower()}")
    fields = {_key(a.name): a for a in attrs.fields(cls) if a.name != "rev"}
    prefix = f"{path}." if path else ""
    extra = sorted(k for k in value if k not in fields)
    if extra and path:
        return ValidationError(f"{prefix}{extra[0]}", value[extra[0]], f"a field of {path}: "
                               f"{', '.join(fields)}")
    hints = _hints(cls)
    skipped = set(skip)
    for key, a in fields.items():
        if key in skipped:
            continue
        if key not in value:
            if a.default is attrs.NOTHING:
                return ValidationError(f"{prefix}{key}", "", "a value: it is required")
            continue
        problem = shape_problem(value[key], hints[a.name], f"{prefix}{key}")
        if problem is not None:
            return problem
    return None


def _is_date(value: Any) -> bool:
    if not isinstance(value, str) or len(value) != 10:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_datetime(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def unstorable(docs: Sequence[tuple[str, Doc]]) -> list[str]:
    """Records the store could not write (a number beyond 64 bits, text with a lone surrogate...),
    each as 'where: key: why'.  One fast encoding of everything; a walk only when it fails."""
    import orjson
    try:
        orjson.dumps([d for _, d in docs])
        return []
    except (TypeError, ValueError):
        pass
    problems = []
    for where, doc in docs:
        try:
            orjson.dumps(doc)
        except (TypeError, ValueError):
            problems.append(f"{where}: {_unstorable_part(doc, '') or 'a value the store cannot hold'}")
    return problems


def _unstorable_part(value: Any, path: str) -> Optional[str]:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return None if -(1 << 63) <= value < (1 << 64) else f"{path or 'value'}: {str(value)[:30]} is beyond the " \
                                                            f"largest whole number the store can hold"
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{path or 'value'}: {value} is not a number the store can hold"
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return f"{path or 'value'}: text with an unpaired surrogate ({value[:30]!r}) is not text the store can hold"
        return None
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                return f"{path or 'value'}: the key {k!r} is not text"
            found = _unstorable_part(v, f"{path}.{k}" if path else k)
            if found:
                return found
        return None
    if isinstance(value, (list, tuple)):
        for i, v in enumerate(value, 1):
            found = _unstorable_part(v, f"{path}[{i}]")
            if found:
                return found
    return None
