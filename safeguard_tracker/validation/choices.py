"""One rule for a name typed for a fixed list (an agency, a category, an outcome, a RAG...): the CLI's
options and filters and the TUI's fields resolve what a person types here, so "prim" means the same
everywhere.

The rule: a name that is one of the choices (case, spacing, dash style and ``_`` versus space ignored)
is that choice.  Otherwise the typed text names every choice with a word that begins with it ("prim"
-> School - Primary, "ccg" -> Medway Clinical Commissioning Group (CCG)), and, from three letters,
every choice that holds it anywhere ("subs" is in *substantiated* and in *unsubstantiated*).  One
such choice is the answer; several are refused, listing them, because a guess could record the
wrong agency or the opposite outcome; none is refused with the nearest names.
"""

from __future__ import annotations

from typing import Callable, Iterable, Optional, Sequence

from ..errors import ValidationError, nearest
from ..taxonomy import fold

# From this many characters a typed text also matches inside a word ("subs" in "unsubstantiated").
INSIDE_FROM = 3


def choice_key(text: str) -> str:
    """The key two spellings of one choice share: ``fold`` (case, spacing, dashes) with ``_`` as a space."""
    return fold(str(text).replace("_", " "))


def _word_start(key: str, name: str) -> bool:
    at = name.find(key)
    while at >= 0:
        if at == 0 or not name[at - 1].isalnum():
            return True
        at = name.find(key, at + 1)
    return False


def choice_candidates(value: str, choices: Iterable[str]) -> list[str]:
    """Every choice ``value`` could mean, in the list's order: the exact one alone when there is one,
    else those with a word beginning with it and (from three characters) those holding it anywhere.

    >>> choice_candidates("prim", ["School - Primary", "School - Private", "Police"])
    ['School - Primary']
    >>> choice_candidates("subs", ["substantiated", "unsubstantiated", "false"])
    ['substantiated', 'unsubstantiated']
    >>> choice_candidates("other", ["Other Local Authority", "Other"])
    ['Other']
    """
    choices = list(choices)
    key = choice_key(value)
    if not key:
        return []
    keys = [choice_key(c) for c in choices]
    exact = [c for c, k in zip(choices, keys) if k == key]
    if exact:
        return exact[:1]
    return [c for c, k in zip(choices, keys)
            if _word_start(key, k) or (len(key) >= INSIDE_FROM and key in k)]


def match_choice(value: str, choices: Iterable[str]) -> Optional[str]:
    """The one choice ``value`` names, or None when it names none or several (as a form checks while typing).

    >>> match_choice("r", ["enquiry", "consultation", "referral"])
    'referral'
    >>> match_choice("sub", ["substantiated", "unsubstantiated"]) is None
    True
    """
    found = choice_candidates(value, choices)
    return found[0] if len(found) == 1 else None


def resolve_choice(value: object, choices: Sequence[str], field: str, *, row: Optional[int] = None,
                   what: str = "", suggest: Optional[Callable[[str], list[str]]] = None) -> str:
    """The choice ``value`` names, or a ValidationError: an ambiguous text lists what it could mean,
    a text that names nothing lists the nearest names (``suggest``: the list's own suggester, which knows
    its words, abbreviations and sector groups; else the nearest spellings).  ``what`` names the list in the message
    ("agency names"); without it a short list is given whole.

    >>> resolve_choice("prim", ["School - Primary", "School - Private", "School - PRU"], "--agency")
    'School - Primary'
    >>> resolve_choice("school - pr", ["School - Primary", "School - Private", "School - PRU"], "--agency")
    Traceback (most recent call last):
    ...
    safeguard_tracker.errors.ValidationError: --agency 'school - pr' is not valid: it could be 'School - Primary' or 'School - Private' or 'School - PRU': type more of the name
    >>> resolve_choice("Scool - Primary", ["School - Primary", "Police"], "--agency")
    Traceback (most recent call last):
    ...
    safeguard_tracker.errors.ValidationError: --agency 'Scool - Primary' is not valid: one of: School - Primary, Police (did you mean 'School - Primary'?)
    """
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    found = choice_candidates(text, choices)
    if len(found) == 1:
        return found[0]
    if found:
        listed = " or ".join(f"'{c}'" for c in found[:8]) + (f" (and {len(found) - 8} more)" if len(found) > 8 else "")
        raise ValidationError(field, text, f"it could be {listed}: type more of the name", row=row)
    listed = (f"one of the {len(choices)} {what}" if what else "one of the listed names") if len(choices) > 12 \
        else "one of: " + ", ".join(choices)
    hint = (suggest(text) if suggest is not None else nearest(text, choices)) if text.strip() else []
    if hint:
        listed += " (did you mean " + " or ".join(f"'{h}'" for h in hint) + "?)"
    raise ValidationError(field, text, listed, row=row)


def article(word: str) -> str:
    """'an enquiry', 'a referral', 'a consultation': the word with its indefinite article.

    >>> article("enquiry"), article("referral")
    ('an enquiry', 'a referral')
    """
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word
