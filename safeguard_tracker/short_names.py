"""Short names for agencies, by meaning: for a narrow column, where cutting the end of the name
("School - P…") makes Primary, Private and PRU look the same.

Pure functions over the taxonomy's names (no store, no screen).  ``short_names(agencies, width)``
gives every agency of a list a distinct name of at most ``width`` characters: a name that fits is
kept whole; a longer one is shortened step by step, each step going further only if the name
still does not fit:

1. its meaning: a shared prefix before a dash becomes a short tag ("School - Primary" ->
   "Sch Primary"); the area's name that starts many agencies is dropped ("Medway Council" ->
   "Council"); a bracket is dropped, or becomes its initials where the name needs it to be told
   apart ("Secure Estates (Youth Offending Institution)" -> "Secure YOI"), or replaces the name
   when it is the name's own acronym ("Clinical Commissioning Group (CCG)" -> "CCG");
2. well-known phrases ("Local Authority" -> "LA", "NHS Foundation Trust" -> "NHS Trust");
3. generic last words dropped ("Transport Provider" -> "Transport");
4. well-known word abbreviations ("Services" -> "Svcs", "Independent" -> "Indep");
5. the longest words shortened a letter at a time (never below three letters), then a cut.

Two agencies never share a short name: where they would, each keeps the last form in which they
differ, else a number tells them apart.

>>> short_names(["School - Primary", "School - Private", "School - PRU", "Police"], 11)
{'School - Primary': 'Sch Primary', 'School - Private': 'Sch Private', 'School - PRU': 'Sch PRU', 'Police': 'Police'}
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable, Optional

__all__ = ["short_name", "short_names"]

# A prefix before a dash that several agencies share, as the tag that stands for it.
TAGS = {
    "school": "Sch",
    "schools": "Sch",
    "foster carers": "Foster",
    "fostering": "Foster",
    "residential": "Resid",
    "secure estates": "Secure",
    "children's home": "Home",
    "children's homes": "Home",
    "early years": "EY",
    "health": "Health",
    "nhs": "NHS",
}

# Phrases (lower case) and what they are known by.
PHRASES = (
    ("nhs foundation trust", "NHS Trust"),
    ("foundation trust", "FT"),
    ("local authority", "LA"),
    ("clinical commissioning group", "CCG"),
    ("county council", "CC"),
    ("borough council", "BC"),
    ("city council", "Council"),
    ("health care", "Health"),
    ("healthcare", "Health"),
    ("youth offending team", "YOT"),
    ("youth offending service", "YOS"),
    ("pupil referral unit", "PRU"),
    ("further education", "FE"),
    ("children and young people", "CYP"),
    ("mental health", "MH"),
    ("social care", "SC"),
)

# Last words that say what kind of body it is, not which: dropped when the name is too long.
GENERIC = {"provider", "providers", "agency", "agencies", "organisation", "organisations", "organization",
           "body", "bodies", "sector"}

# Words and their usual abbreviations.
WORDS = {
    "services": "Svcs", "service": "Svc", "children's": "Child", "childrens": "Child", "children": "Child",
    "community": "Comm", "independent": "Indep", "authority": "Auth", "alternative": "Alt",
    "residential": "Resid", "voluntary": "Vol", "leisure": "Leis", "recruitment": "Recruit",
    "department": "Dept", "association": "Assoc", "university": "Univ", "hospital": "Hosp",
    "international": "Intl", "national": "Natl", "government": "Govt", "education": "Educ",
    "academy": "Acad", "academies": "Acads", "management": "Mgmt", "organisation": "Org",
    "partnership": "Partn",
    "commissioning": "Comm", "clinical": "Clin", "foundation": "Fdn", "trust": "Trust",
    "information": "Info", "support": "Supp", "centre": "Ctr", "center": "Ctr", "nursery": "Nurs",
    "nurseries": "Nurs", "childminders": "Childm", "infant": "Inf", "junior": "Jun",
}

# Shorter still, for a narrower column.
SHORTER = {
    "independent": "Ind", "indep": "Ind", "health": "Hlth", "groups": "Grps", "group": "Grp", "years": "Yrs",
    "charity": "Char", "sports": "Sport", "foster": "Fost", "private": "Priv", "council": "Cncl",
    "probation": "Probn", "transport": "Transp", "secondary": "Sec", "primary": "Prim", "special": "Spec",
    "unknown": "Unknown", "college": "Coll", "recruitment": "Recruit", "leisure": "Leis",
}

STOP = {"of", "and", "the", "for", "&", "in", "e.g.", "eg", "e.g", "i.e.", "ie"}

_DASH = re.compile(r"\s+[-\u2010\u2011\u2012\u2013\u2014\u2212]\s+|\s*[\u2013\u2014]\s*")
_BRACKET = re.compile(r"\s*\(([^()]*)\)\s*")
_SPACES = re.compile(r"\s+")


def _clean(name: str) -> str:
    return _SPACES.sub(" ", name.replace("\u2019", "'").strip())


def _parts(name: str) -> tuple[str, str, str]:
    """(head before a dash, the rest, what a bracket holds), the bracket taken out of the rest."""
    name = _clean(name)
    bracket = ""
    m = _BRACKET.search(name)
    if m:
        bracket = m.group(1).strip()
        name = _clean(name[:m.start()] + " " + name[m.end():])
    pieces = _DASH.split(name, maxsplit=1)
    if len(pieces) == 2 and pieces[0] and pieces[1]:
        return pieces[0].strip(), pieces[1].strip(), bracket
    return "", name, bracket


def _initials(text: str, place: Optional[str]) -> str:
    words = [w for w in re.split(r"[\s/,]+", text) if w and w.lower() not in STOP and w != place]
    return "".join(w[0].upper() for w in words if w[0].isalpha())


def _is_acronym(text: str) -> bool:
    return bool(re.fullmatch(r"[A-Z][A-Z0-9&]{1,7}", text))


def _phrases(text: str) -> str:
    for phrase, short in PHRASES:
        text = re.sub(rf"(?i)(?<![\w']){re.escape(phrase)}(?![\w'])", short, text)
    return _clean(text)


def _words(text: str, table: dict[str, str]) -> str:
    def one(m: re.Match[str]) -> str:
        word: str = m.group(0)
        return table.get(word.lower(), word)
    return re.sub(r"[\w']+", one, text)


def _drop_generic(text: str) -> str:
    words = text.split(" ")
    while len(words) > 1 and words[-1].lower() in GENERIC:
        words.pop()
    return " ".join(words)


def _squeeze(text: str, width: int) -> str:
    """Shorten the longest words a letter at a time (not below three letters), then cut."""
    words = text.split(" ")
    while len(" ".join(words)) > width:
        longest = max(range(len(words)), key=lambda i: len(words[i]))
        if len(words[longest]) <= 3:
            break
        words[longest] = words[longest][:-1]
    out = " ".join(words)
    return out if len(out) <= width else out[:width].rstrip()


class _Context:
    """What a list of agencies says about each name: the area's name, shared prefixes and brackets."""

    def __init__(self, agencies: Iterable[str]) -> None:
        names = [_clean(a) for a in agencies if a and a.strip()]
        parts = [_parts(a) for a in names]
        firsts = Counter(rest.split(" ")[0] for head, rest, _ in parts if not head and " " in rest)
        firsts.update(head.split(" ")[0] for head, _, _ in parts if head)
        place, count = firsts.most_common(1)[0] if firsts else ("", 0)
        # The area's name: the first word of at least three names, and not a tag or a common word.
        self.place = place if count >= 3 and place.lower() not in TAGS and place[:1].isupper() else None
        self.heads = Counter(head.lower() for head, _, _ in parts if head)
        self.bases = Counter(self._base(h, r) for h, r, _ in parts)

    def _base(self, head: str, rest: str) -> str:
        return f"{head.lower()}|{rest.lower()}"

    def tag(self, head: str) -> str:
        key = head.lower()
        if key in TAGS:
            return TAGS[key]
        words = [w for w in head.split(" ") if w != self.place] or head.split(" ")
        return _words(" ".join(words), WORDS)

    def meaning(self, name: str) -> str:
        head, rest, bracket = _parts(name)
        words = rest.split(" ")
        if self.place and len(words) > 1 and words[0] == self.place:
            words = words[1:]
            while len(words) > 1 and words[0].lower() in STOP:   # Kent and Medway NHS ... -> Medway NHS ...
                words = words[1:]
            rest = " ".join(words)
        if bracket:
            example = bracket.lower().startswith(("e.g", "eg ", "i.e", "ie "))
            if not example and _is_acronym(bracket) and _initials(rest, self.place).startswith(bracket[:2]) \
                    and not head:
                return bracket                               # Clinical Commissioning Group (CCG)
            if not example and self.bases[self._base(head, _parts(name)[1])] > 1:
                # Secure Estates (Youth Offending Institution) -> Secure YOI
                kind = TAGS.get(rest.lower(), rest) if not head else rest
                rest = f"{kind} {bracket if _is_acronym(bracket) else _initials(bracket, self.place)}"
        if head:
            if self.heads[head.lower()] < 2 and head.lower() not in TAGS:
                return _clean(f"{head} {rest}")
            return _clean(f"{self.tag(head)} {rest}")
        return _clean(rest)

    def head_of(self, name: str) -> str:
        """The shared prefix ``name`` starts with ('' if none)."""
        head = _parts(name)[0].lower()
        return head if head and (self.heads[head] > 1 or head in TAGS) else ""

    def forms(self, name: str, width: int) -> list[str]:
        """The name, then each step further from it (the last always fits ``width``)."""
        whole = _clean(name)
        meant = self.meaning(whole)
        phrased = _phrases(meant)
        plain = _drop_generic(phrased)
        forms = [whole, meant, phrased, plain]
        # Abbreviations one word at a time, the greatest saving first, as far as needed.
        current = plain
        for table in (WORDS, SHORTER):
            while len(current) > width:
                words = current.split(" ")
                savings = [(len(w) - len(_words(w, table)), i) for i, w in enumerate(words)]
                saving, i = max(savings) if savings else (0, 0)
                if saving <= 0:
                    break
                words[i] = _words(words[i], table)
                current = " ".join(words)
                forms.append(current)
        if len(current) > width:   # the little words go before any word is cut
            current = " ".join(w for w in current.split(" ") if w.lower() not in STOP) or current
            forms.append(current)
        forms.append(_squeeze(current, width))
        out: list[str] = []
        for f in forms:
            if f and f not in out:
                out.append(f)
        return out


def short_name(name: str, width: int, agencies: Iterable[str] = ()) -> str:
    """``name`` in at most ``width`` characters, by meaning; ``agencies`` (the list it belongs
    to) tells which prefix is shared and which word is the area's name.  A name from the list
    gets the name ``short_names`` gives it."""
    if not name.strip():
        return ""
    listed = [_clean(a) for a in agencies]
    if _clean(name) in listed:
        return short_names(listed, width)[_clean(name)]
    return _first_fitting(_Context(listed + [name]).forms(name, width), width)


def _first_fitting(forms: list[str], width: int) -> str:
    for f in forms:
        if len(f) <= width:
            return f
    return forms[-1][:width] if forms else ""


def short_names(agencies: Iterable[str], width: int = 13) -> dict[str, str]:
    """Each agency's short name of at most ``width`` characters, all distinct (keys: the names
    as given, stripped).

    >>> short_names(["Medway Children's Services", "Medway Adult Services", "Medway Council"], 12)
    {"Medway Children's Services": 'Child Svcs', 'Medway Adult Services': 'Adult Svcs', 'Medway Council': 'Council'}
    """
    if width < 1:
        raise ValueError(f"width must be at least 1, not {width}")
    names = list(dict.fromkeys(a.strip() for a in agencies if a and a.strip()))
    context = _Context(names)
    forms = {n: context.forms(n, width) for n in names}
    # One shared prefix, one style: if any "School - ..." must be shortened, each reads "Sch ...".
    heads = {n: context.head_of(n) for n in names}
    long_heads = {heads[n] for n in names if heads[n] and len(forms[n][0]) > width}
    for n in names:
        if heads[n] in long_heads and len(forms[n]) > 1:
            forms[n] = forms[n][1:]
    chosen = {n: _first_fitting(forms[n], width) for n in names}
    # Where two would share a name: each takes the last form that fits and sets it apart.
    for _round in range(3):
        clash = Counter(v.casefold() for v in chosen.values())
        repeated = [n for n in names if clash[chosen[n].casefold()] > 1]
        if not repeated:
            break
        taken = {v.casefold() for n, v in chosen.items() if clash[v.casefold()] == 1}
        for n in repeated:
            fitting = [f for f in forms[n] if len(f) <= width and f.casefold() not in taken
                       and sum(1 for m in repeated if f in forms[m]) == 1]
            if fitting:
                chosen[n] = fitting[0]
                taken.add(fitting[0].casefold())
    clash = Counter(v.casefold() for v in chosen.values())
    seen: Counter[str] = Counter()
    used = {v.casefold() for v in chosen.values()}
    for n in names:
        v = chosen[n]
        if clash[v.casefold()] > 1:
            seen[v.casefold()] += 1
            number = seen[v.casefold()]
            while True:
                suffix = str(number)
                candidate = (v[:max(0, width - len(suffix) - 1)].rstrip() + " " + suffix).strip()[-width:] \
                    if width > len(suffix) else suffix[-width:]
                if candidate.casefold() not in used:
                    break
                number += 1
            chosen[n] = candidate
            used.add(candidate.casefold())
    return chosen
