"""Deprecating part of the public API: one minor version of warnings before anything is removed.

The policy (docs/json-schema.md, "Stability"): a public name, or a keyword argument, that is to go
keeps working for at least one minor version, warning with ``DeprecationWarning`` from the
version in which it was deprecated (``since``), and is removed no earlier than ``remove_in``
(at least the next minor version).  The warning names what to use instead and points at the line
of the caller's script, so ``python -W error::DeprecationWarning`` or pytest's
``-W error`` finds every use.

    from safeguard_tracker.deprecation import deprecated, renamed_keyword

    @deprecated(since="0.2", remove_in="0.3", instead="Tracker.lado_statistics")
    def statistics(...): ...

    @renamed_keyword("year", "financial_year", since="0.2", remove_in="0.3")
    def contacts(*, financial_year=None): ...

Both keep the function's name, docstring (with a note added), signature and types
(``functools.wraps`` and ``ParamSpec``), so ``help()``, pdoc and mypy see the function as it is.
Every use is recorded in ``DEPRECATIONS`` so a test can fail once a ``remove_in`` version is
reached and the deprecated thing is still there.
"""

from __future__ import annotations

import functools
import inspect
import re
import warnings
from typing import Callable, Optional, ParamSpec, TypeVar

import attrs

P = ParamSpec("P")
R = TypeVar("R")

_VERSION = re.compile(r"^\d+(\.\d+)*$")


def version_tuple(version: str) -> tuple[int, ...]:
    """'0.10' -> (0, 10): versions compare as numbers, so 0.10 comes after 0.9."""
    if not _VERSION.match(version):
        raise ValueError(f"version {version!r} is not valid: numbers separated by dots, such as 0.3")
    return tuple(int(part) for part in version.split("."))


@attrs.frozen(kw_only=True)
class Deprecation:
    """One deprecated function or keyword argument."""
    what: str                 # 'safeguard_tracker.x.statistics()' or "keyword 'year' of safeguard_tracker.x.contacts()"
    module: str               # where it is declared: 'safeguard_tracker.x'
    since: str
    remove_in: str
    instead: str = ""
    reason: str = ""

    @property
    def message(self) -> str:
        text = f"{self.what} is deprecated since safeguard-tracker {self.since} and will be removed in {self.remove_in}"
        if self.reason:
            text += f" ({self.reason})"
        return text + (f"; use {self.instead} instead" if self.instead else "")

    @property
    def note(self) -> str:
        """The note added to the docstring, as pdoc and Sphinx show it."""
        instead = f" Use {self.instead} instead." if self.instead else ""
        reason = f" {self.reason[:1].upper()}{self.reason[1:]}." if self.reason else ""
        return f".. deprecated:: {self.since}\n   Will be removed in {self.remove_in}.{instead}{reason}"


# Every deprecation declared by an imported module, in the order declared.
DEPRECATIONS: list[Deprecation] = []


def _declare(what: str, module: str, since: str, remove_in: str, instead: str, reason: str) -> Deprecation:
    if version_tuple(remove_in) <= version_tuple(since):
        raise ValueError(f"remove_in {remove_in!r} must be a later version than since {since!r}")
    entry = Deprecation(what=what, module=module, since=since, remove_in=remove_in, instead=instead, reason=reason)
    DEPRECATIONS.append(entry)
    return entry


def _qualified(func: Callable[..., object]) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def _with_note(doc: Optional[str], note: str) -> str:
    body = inspect.cleandoc(doc) if doc else ""
    return f"{body}\n\n{note}\n" if body else f"{note}\n"


def warn(entry: Deprecation, *, stacklevel: int = 2) -> None:
    """Issue ``entry``'s DeprecationWarning; ``stacklevel`` counts from the caller of ``warn`` (2: its caller)."""
    warnings.warn(entry.message, DeprecationWarning, stacklevel=stacklevel + 1)


def deprecated(*, since: str, remove_in: str, instead: str = "",
               reason: str = "") -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Mark a function or method as deprecated: each call warns, naming what to use instead.

    The wrapper has the function's name, signature and types; its docstring gets a
    ``.. deprecated::`` note.  ValueError at import time if ``remove_in`` is not after ``since``.
    """
    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        entry = _declare(f"{_qualified(func)}()", func.__module__, since, remove_in, instead, reason)

        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            warn(entry)                  # stacklevel 2 from here: the line that called the deprecated function
            return func(*args, **kwargs)

        wrapper.__doc__ = _with_note(func.__doc__, entry.note)
        setattr(wrapper, "__deprecated__", entry.message)     # PEP 702's marker, for tools that read it
        return wrapper
    return decorate


def renamed_keyword(old: str, new: str, *, since: str, remove_in: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Accept the keyword argument ``old`` as ``new`` for a while, warning at each use.

    Passing both is a TypeError (which one was meant cannot be told).  The signature (and so what
    a type checker accepts) is the new one; only calls at run time are helped across.
    """
    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        if new not in inspect.signature(func).parameters:
            raise ValueError(f"{_qualified(func)} has no parameter {new!r} to rename {old!r} to")
        entry = _declare(f"keyword {old!r} of {_qualified(func)}()", func.__module__, since, remove_in, f"{new}=", "")

        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if old in kwargs:
                if new in kwargs:
                    raise TypeError(f"{func.__qualname__}() got both {old!r} (deprecated) and {new!r}; "
                                    f"pass only {new!r}")
                warn(entry)
                kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        wrapper.__doc__ = _with_note(func.__doc__, f".. deprecated:: {since}\n   The keyword {old!r} is now "
                                                   f"{new!r}; {old!r} will stop working in {remove_in}.")
        return wrapper
    return decorate


def overdue(current: str, entries: Optional[list[Deprecation]] = None) -> list[Deprecation]:
    """The deprecations whose ``remove_in`` has been reached by the version ``current``: time to remove them."""
    release = re.match(r"\d+(\.\d+)*", current)            # '0.3.0rc1' and '0.3.0.dev2' count as 0.3.0
    if release is None:
        raise ValueError(f"version {current!r} is not valid: numbers separated by dots, such as 0.3")
    now = version_tuple(release.group())
    return [e for e in (DEPRECATIONS if entries is None else entries) if version_tuple(e.remove_in) <= now]


__all__ = ["DEPRECATIONS", "Deprecation", "deprecated", "overdue", "renamed_keyword", "version_tuple", "warn"]
