"""The deprecation helpers (safeguard_tracker/deprecation.py; the policy is in docs/json-schema.md).

A deprecated function or keyword keeps working, warns with DeprecationWarning pointing at the
caller's line, names what to use instead, and keeps its name, docstring and signature.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import warnings

import pytest

import safeguard_tracker
from safeguard_tracker import deprecation
from safeguard_tracker.deprecation import deprecated, overdue, renamed_keyword, version_tuple


def total_contacts(year: str, *, closed_only: bool = False) -> int:
    """How many contacts a financial year had."""
    return len(year) + (100 if closed_only else 0)


old_total = deprecated(since="0.2", remove_in="0.3", instead="total_contacts")(total_contacts)


class Figures:
    @deprecated(since="0.2", remove_in="0.4", instead="Figures.count", reason="it counted reopened contacts twice")
    def tally(self, n: int) -> int:
        return n * 2


@renamed_keyword("year", "financial_year", since="0.2", remove_in="0.3")
def contacts_in(*, financial_year: str = "2017-18", status: str = "open") -> str:
    """The contacts of a year."""
    return f"{financial_year}/{status}"


def _one_warning(record: list[warnings.WarningMessage]) -> warnings.WarningMessage:
    assert [w.category for w in record] == [DeprecationWarning]
    return record[0]


def test_a_deprecated_function_warns_naming_the_versions_and_the_replacement():
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        line = inspect.currentframe().f_lineno + 1
        result = old_total("2017-18", closed_only=True)
    w = _one_warning(record)
    assert str(w.message) == (f"{__name__}.total_contacts() is deprecated since safeguard-tracker 0.2 and will be "
                              f"removed in 0.3; use total_contacts instead")
    assert (w.filename, w.lineno) == (__file__, line)          # stacklevel: the caller's line, not the wrapper's
    assert result == total_contacts("2017-18", closed_only=True) == 107


def test_a_deprecated_method_warns_at_the_caller_with_its_reason():
    with pytest.warns(DeprecationWarning) as record:
        line = inspect.currentframe().f_lineno + 1
        assert Figures().tally(21) == 42
    (w,) = record.list
    assert str(w.message) == (f"{__name__}.Figures.tally() is deprecated since safeguard-tracker 0.2 and will be "
                              f"removed in 0.4 (it counted reopened contacts twice); use Figures.count instead")
    assert (w.filename, w.lineno) == (__file__, line)


def test_the_wrapper_keeps_name_signature_and_docstring_and_notes_the_deprecation():
    assert old_total.__name__ == "total_contacts"
    assert old_total.__wrapped__ is total_contacts
    assert inspect.signature(old_total) == inspect.signature(total_contacts)
    assert old_total.__doc__ == ("How many contacts a financial year had.\n\n.. deprecated:: 0.2\n"
                                 "   Will be removed in 0.3. Use total_contacts instead.\n")
    assert total_contacts.__doc__ == "How many contacts a financial year had."    # the original is untouched
    assert "Will be removed in 0.4. Use Figures.count instead. It counted reopened" in Figures.tally.__doc__
    assert old_total.__deprecated__.startswith(f"{__name__}.total_contacts() is deprecated")


def test_errors_from_the_deprecated_function_pass_through():
    with pytest.warns(DeprecationWarning), pytest.raises(TypeError):
        old_total(2017)                                           # len() of an int


def test_a_renamed_keyword_still_works_with_a_warning_at_the_caller():
    with pytest.warns(DeprecationWarning) as record:
        line = inspect.currentframe().f_lineno + 1
        assert contacts_in(year="2016-17", status="closed") == "2016-17/closed"
    (w,) = record.list
    assert str(w.message) == (f"keyword 'year' of {__name__}.contacts_in() is deprecated since safeguard-tracker "
                              f"0.2 and will be removed in 0.3; use financial_year= instead")
    assert (w.filename, w.lineno) == (__file__, line)
    assert "The keyword 'year' is now 'financial_year'; 'year' will stop working in 0.3." in contacts_in.__doc__
    assert inspect.signature(contacts_in) == inspect.signature(contacts_in.__wrapped__)


def test_the_new_keyword_does_not_warn_and_both_at_once_is_refused():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert contacts_in(financial_year="2016-17") == "2016-17/open"
        assert contacts_in() == "2017-18/open"
    with pytest.raises(TypeError, match="got both 'year' \\(deprecated\\) and 'financial_year'"):
        contacts_in(year="2016-17", financial_year="2017-18")


def test_a_warning_made_an_error_stops_the_call():
    """What `python -W error::DeprecationWarning` does to a script that still uses the old name."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        with pytest.raises(DeprecationWarning):
            old_total("2017-18")


def test_bad_declarations_fail_at_import_time():
    with pytest.raises(ValueError, match="must be a later version than since '0.3'"):
        deprecated(since="0.3", remove_in="0.3")(total_contacts)
    with pytest.raises(ValueError, match="not valid"):
        deprecated(since="0.2", remove_in="soon")(total_contacts)
    with pytest.raises(ValueError, match="no parameter 'financial_year'"):
        renamed_keyword("year", "financial_year", since="0.2", remove_in="0.3")(total_contacts)


def test_versions_compare_as_numbers_and_overdue_lists_what_is_due_for_removal():
    assert version_tuple("0.10") > version_tuple("0.9")
    mine = [e for e in deprecation.DEPRECATIONS if e.module == __name__]
    assert {e.remove_in for e in mine} == {"0.3", "0.4"}
    assert overdue("0.2.5", mine) == []
    assert {e.what for e in overdue("0.3.0rc1", mine)} == {f"{__name__}.total_contacts()",
                                                          f"keyword 'year' of {__name__}.contacts_in()"}
    assert len(overdue("0.4", mine)) == len(mine) == 3


def test_nothing_in_the_package_is_past_its_removal_version():
    """The policy's other half: once ``remove_in`` is reached, the deprecated thing goes."""
    for info in pkgutil.walk_packages(safeguard_tracker.__path__, "safeguard_tracker."):
        if not info.name.endswith(".__main__"):                  # it runs the CLI
            importlib.import_module(info.name)
    ours = [e for e in deprecation.DEPRECATIONS if e.module.startswith("safeguard_tracker.")]
    assert overdue(safeguard_tracker.__version__, ours) == []
