"""Suggestions that help: which entry a value outside a list most likely means.

Used for "did you mean" hints and to propose value mappings in an import dry run.  Ranking,
strongest first:

1. **exact**: the text is an entry's name or alias (case, spacing and dash style ignored);
2. **abbreviation**: a word of the text is an entry's abbreviation: a capitalised word of its name
   (NHS, PRU), a parenthesised word ("(CCG)"), a one-word alias, or the initials of a run of its
   significant words ("Clinical Commissioning Group" -> CCG, "Youth Offending Institution" -> YOI);
   initials count only when typed in capitals or three letters or longer, so "it" or "my" never do.
   A several-word alias found inside the text counts here too;
3. **sector group**: the whole text names a sector group ("Education", "Schools", "Health",
   "Early Years", "Foster"...): the entries of that group, those sharing a word with the text first,
   then in list order;
4. **word overlap**: shared words (folded, plurals and stop words ignored), each weighted by how rare
   it is in the list, so a place name in many entries counts less than "CCG" or "Trust"; a word may
   match another's start ("Prim" ~ Primary) or, weaker, a close spelling ("Polce" ~ Police); a word
   naming a sector group ("Academy", "Hospital") lends weight to that group's entries;
5. **spelling**: the whole text against each name and alias (difflib), for typos.

Ties go to list order.  Retired entries are never suggested.  The work that depends only on the
entry list is done once per list (cached by the tuple of entries), and per distinct word, so an
import dry run can suggest for thousands of values.
"""

from __future__ import annotations

import difflib
import math
import re
from functools import lru_cache
from typing import Optional, Sequence

from ..folding import fold
from .entries import SECTOR_GROUPS, Entry

__all__ = ["GROUP_WORDS", "STOP_WORDS", "confident", "suggest"]

STOP_WORDS = frozenset({
    "of", "the", "and", "&", "a", "an", "for", "in", "on", "at", "to", "with", "by", "or", "e", "g",
    "eg", "etc", "ltd", "plc",
})

# Common words for each sector group, besides its key and label (compared after folding and stemming).
GROUP_WORDS: dict[str, tuple[str, ...]] = {
    "education": ("school", "schools", "education", "college", "colleges", "academy", "academies",
                  "further education", "university", "pupil referral unit", "tuition"),
    "early_years": ("early years", "nursery", "nurseries", "childminder", "childminders", "pre-school",
                    "preschool", "pre school", "children's centre", "children's centres", "creche",
                    "playgroup"),
    "health": ("health", "nhs", "hospital", "hospitals", "health care", "healthcare", "gp", "medical",
               "mental health", "camhs", "ambulance", "clinical"),
    "police": ("police", "constabulary", "justice", "criminal justice", "youth justice", "probation", "prison",
               "prisons", "secure estate", "secure estates", "youth offending"),
    "social_care": ("social care", "social services", "social work", "children's social care",
                    "children's services", "adult services", "local authority", "council"),
    "residential_care": ("residential", "residential care", "children's home", "children's homes",
                         "care home", "care homes"),
    "foster_care": ("foster", "fostering", "foster care", "foster carer", "foster carers"),
    "faith": ("faith", "faith group", "faith groups", "church", "churches", "mosque", "synagogue",
              "temple", "gurdwara", "religious"),
    "sport_leisure": ("sport", "sports", "leisure", "sport and leisure", "sports club", "sports clubs",
                      "football", "football club", "gym", "swimming"),
    "transport": ("transport", "taxi", "taxis", "bus", "coach", "driver", "drivers"),
    "voluntary": ("voluntary", "charity", "charities", "voluntary sector", "third sector", "volunteer",
                  "volunteers", "youth club", "scouts", "guides", "nspcc"),
    "other": (),
}

_WORD = re.compile(r"[\w']+")
_PAREN = re.compile(r"\(([^()]*)\)")
_SEGMENTS = re.compile(r"[()/,;:]|\s[-\u2010\u2011\u2012\u2013\u2014\u2212]\s")
_PREFIX_MIN = 3          # "Sec" may stand for Secondary; "Se" may not
_FUZZY_MIN = 4           # a word shorter than this is never spelling-matched
_FUZZY_WORD = 0.8        # difflib ratio for a misspelt word
_FUZZY_TEXT = 0.75       # difflib ratio for a misspelt whole name
_STRONG, _INITIALS = 1.0, 0.8
_EXACT_W, _PREFIX_W, _FUZZY_W, _GROUP_W = 1.0, 0.7, 0.6, 0.5
_CACHE_WORDS = 50_000    # per list: distinct words remembered


def _stem(word: str) -> str:
    """A crude singular: schools -> school, nurseries -> nursery, children's -> children."""
    word = word.replace("'", "")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _raw_words(text: str) -> list[str]:
    """The words of ``text`` as typed (apostrophes kept inside, underscores and digits allowed)."""
    return [w for w in _WORD.findall(text.replace("\u2019", "'")) if w.strip("'_")]


def _words(text: str) -> list[str]:
    """The significant words of ``text``: folded, stemmed, stop words dropped."""
    return [_stem(w) for w in _raw_words(fold(text)) if w not in STOP_WORDS]


def _group_phrases() -> dict[str, str]:
    """Every normalised sector-group phrase -> its group key (the first group to claim it wins)."""
    out: dict[str, str] = {}
    for key, label in SECTOR_GROUPS.items():
        if key == "other":
            continue
        for phrase in (key.replace("_", " "), label, *GROUP_WORDS.get(key, ())):
            norm = " ".join(_words(phrase))
            if norm:
                out.setdefault(norm, key)
    return out


_GROUP_PHRASES = _group_phrases()
_GROUP_WORD = {p: g for p, g in _GROUP_PHRASES.items() if " " not in p}


def _abbreviations(text: str) -> tuple[set[str], set[str]]:
    """(strong, initials) abbreviations of one name.  Strong: its words in capitals (NHS, PRU) and a
    parenthesised single word ("(CCG)").  Initials: of each run of two to six significant words
    within a segment (segments are split at brackets, slashes, commas and spaced dashes)."""
    strong: set[str] = set()
    for w in _raw_words(text):
        letters = w.replace("'", "")
        if len(letters) >= 2 and letters.isalpha() and letters.isupper():
            strong.add(letters.casefold())
    for inner in _PAREN.findall(text):
        ws = [w for w in _raw_words(inner.casefold()) if w not in STOP_WORDS]
        if len(ws) == 1 and len(ws[0]) >= 2:
            strong.add(ws[0].replace("'", ""))
    initials: set[str] = set()
    for segment in _SEGMENTS.split(" " + text + " "):
        ws = [w for w in _raw_words(segment.casefold()) if w not in STOP_WORDS and w[0].isalpha()]
        for i in range(len(ws)):
            for j in range(i + 2, min(len(ws), i + 6) + 1):
                initials.add("".join(w[0] for w in ws[i:j]))
    return strong, initials - strong


class _Index:
    """What suggesting needs from one entry list, built once per list."""

    def __init__(self, entries: tuple[Entry, ...]):
        self.entries = entries
        self.live = [i for i, e in enumerate(entries) if not e.retired]
        self.exact: dict[str, int] = {}
        for i, e in enumerate(entries):                  # names win over aliases
            self.exact.setdefault(fold(e.name), i)
        for i, e in enumerate(entries):
            for a in e.aliases:
                self.exact.setdefault(fold(a), i)
        self.keys: dict[int, list[str]] = {
            i: [fold(entries[i].name), *(fold(a) for a in entries[i].aliases)] for i in self.live}
        self.word_entries: dict[str, list[int]] = {}     # word -> live entries holding it
        self.entry_words: dict[int, set[str]] = {}
        self.name_words: dict[int, list[frozenset[str]]] = {}   # the words of its name, of each alias
        self.strong: dict[str, list[int]] = {}           # abbreviation -> live entries
        self.initials: dict[str, list[int]] = {}
        self.alias_phrases: list[tuple[tuple[str, ...], int]] = []
        for i in self.live:
            e = entries[i]
            words: set[str] = set()
            strong: set[str] = set()
            initials: set[str] = set()
            for text in (e.name, *e.aliases):
                words.update(_words(text))
                caps, runs = _abbreviations(text)
                strong |= caps
                initials |= runs
            for a in e.aliases:
                raw = [w.replace("'", "") for w in _raw_words(fold(a)) if w not in STOP_WORDS]
                if len(raw) == 1 and len(raw[0]) >= 2:
                    strong.add(raw[0])
                elif len(raw) > 1:
                    self.alias_phrases.append((tuple(_words(a)), i))
            self.entry_words[i] = words
            self.name_words[i] = [ws for ws in (frozenset(_words(t)) for t in (e.name, *e.aliases)) if ws]
            for w in words:
                self.word_entries.setdefault(w, []).append(i)
            for a in strong:
                self.strong.setdefault(a, []).append(i)
            for a in initials - strong:
                self.initials.setdefault(a, []).append(i)
        n = max(len(self.live), 1)
        self.idf = {w: math.log((n + 1) / (len(es) + 0.5)) for w, es in self.word_entries.items()}
        self.max_idf = math.log((n + 1) / 1.5)           # the weight of a word only one entry has
        self.vocab = sorted(self.word_entries)
        self.group_entries: dict[str, list[int]] = {}
        for i in self.live:
            self.group_entries.setdefault(entries[i].group or "other", []).append(i)
        self._word_cache: dict[str, dict[int, tuple[float, int]]] = {}
        self._abbr_cache: dict[tuple[str, bool], dict[int, float]] = {}

    def word_matches(self, word: str) -> dict[int, tuple[float, int]]:
        """entry -> (weight, kind) for one significant word; kind 3 exact, 2 prefix, 1 spelling, 0 group."""
        hit = self._word_cache.get(word)
        if hit is not None:
            return hit
        out: dict[int, tuple[float, int]] = {}

        def offer(i: int, weight: float, kind: int) -> None:
            if i not in out or out[i][0] < weight:
                out[i] = (weight, kind)

        for i in self.word_entries.get(word, ()):
            offer(i, _EXACT_W * self.idf[word], 3)
        found = bool(out)
        if len(word) >= _PREFIX_MIN:
            for w in self.vocab:
                if w != word and w.startswith(word):
                    found = True
                    for i in self.word_entries[w]:
                        offer(i, _PREFIX_W * self.idf[w], 2)
        if not found and len(word) >= _FUZZY_MIN:
            for w in difflib.get_close_matches(word, self.vocab, n=3, cutoff=_FUZZY_WORD):
                for i in self.word_entries[w]:
                    offer(i, _FUZZY_W * self.idf[w], 1)
        group = _GROUP_WORD.get(word)
        if group is not None:
            for i in self.group_entries.get(group, ()):
                offer(i, _GROUP_W * self.max_idf, 0)
        if len(self._word_cache) < _CACHE_WORDS:
            self._word_cache[word] = out
        return out

    def abbr_matches(self, low: str, capitals: bool) -> dict[int, float]:
        """entry -> weight for one word read as an abbreviation."""
        key = (low, capitals)
        hit = self._abbr_cache.get(key)
        if hit is not None:
            return hit
        out: dict[int, float] = {}
        if len(low) >= 2 and low not in STOP_WORDS:
            for i in self.strong.get(low, ()):
                out[i] = _STRONG
            if capitals or (len(low) >= 3 and _stem(low) not in self.word_entries):
                for i in self.initials.get(low, ()):
                    out.setdefault(i, _INITIALS)
        if len(self._abbr_cache) < _CACHE_WORDS:
            self._abbr_cache[key] = out
        return out


@lru_cache(maxsize=32)
def _index(entries: tuple[Entry, ...]) -> _Index:
    return _Index(entries)


def _contains(words: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return n > 0 and any(tuple(words[k:k + n]) == phrase for k in range(len(words) - n + 1))


class _Scored:
    """One text weighed against one list."""

    def __init__(self, text: str, index: _Index):
        self.index = index
        self.exact = index.exact.get(fold(text))
        tokens = []                                      # (stem, folded, typed in capitals)
        for w in _raw_words(text):
            low = w.casefold().replace("'", "")
            if low.strip("_") and w.casefold() not in STOP_WORDS:
                tokens.append((_stem(low), low, len(w) >= 2 and w.isupper()))
        self.words = [t[0] for t in tokens]
        self.group = _GROUP_PHRASES.get(" ".join(self.words)) if self.words else None
        self.abbr: dict[int, float] = {}                 # entry -> abbreviation weight
        self.score: dict[int, float] = {}                # entry -> word-overlap weight
        self.strength: dict[int, float] = {}             # entry -> per word, the best evidence, summed
        matched: dict[int, set[int]] = {}                # entry -> the text's words it matches exactly
        for k, (stem, low, caps) in enumerate(tokens):
            best: dict[int, float] = {}
            for i, weight in index.abbr_matches(low, caps).items():
                self.abbr[i] = self.abbr.get(i, 0.0) + weight
                matched.setdefault(i, set()).add(k)
                best[i] = weight * index.max_idf
            for i, (weight, kind) in index.word_matches(stem).items():
                self.score[i] = self.score.get(i, 0.0) + weight
                best[i] = max(best.get(i, 0.0), weight)
                if kind == 3:
                    matched.setdefault(i, set()).add(k)
            for i, v in best.items():
                self.strength[i] = self.strength.get(i, 0.0) + v
        for phrase, i in index.alias_phrases:            # a several-word alias inside the text
            if _contains(self.words, phrase):
                self.abbr[i] = self.abbr.get(i, 0.0) + _STRONG
                self.strength[i] = self.strength.get(i, 0.0) + _STRONG * index.max_idf
        self.matched = {i: len(ks) for i, ks in matched.items()}

    def coverage(self, i: int) -> float:
        """How much of the entry's name (or of one of its aliases) the text's words cover, at best."""
        mine = set(self.words)
        return max((len(ws & mine) / len(ws) for ws in self.index.name_words.get(i, ())), default=0.0)

    def ranked(self) -> list[int]:
        index = self.index
        keys: dict[int, tuple[float, ...]] = {}
        for i in index.live:
            if i == self.exact:
                tier = 4.0
            elif i in self.abbr:
                tier = 3.0
            elif self.group is not None and (index.entries[i].group or "other") == self.group:
                tier = 2.0
            elif self.score.get(i, 0.0) > 0:
                tier = 1.0
            else:
                continue
            keys[i] = (tier, self.abbr.get(i, 0.0), self.score.get(i, 0.0), self.coverage(i), -i)
        return sorted(keys, key=keys.__getitem__, reverse=True)



def _spelling(text: str, index: _Index, exclude: set[int]) -> list[int]:
    """Live entries whose name or an alias is a close spelling of the whole text, closest first."""
    folded = fold(text)
    if len(folded) < _FUZZY_MIN:
        return []
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(folded)
    scored: list[tuple[float, int]] = []
    for i in index.live:
        if i in exclude:
            continue
        best = 0.0
        for key in index.keys[i]:
            matcher.set_seq1(key)
            if matcher.real_quick_ratio() >= _FUZZY_TEXT and matcher.quick_ratio() >= _FUZZY_TEXT:
                best = max(best, matcher.ratio())
        if best >= _FUZZY_TEXT:
            scored.append((-best, i))
    return [i for _, i in sorted(scored)]


def suggest(text: str, entries: Sequence[Entry], n: int = 3) -> list[str]:
    """Up to n entry names that `text` most likely means, best first; retired entries never offered; [] when
    nothing is plausible."""
    if not isinstance(text, str) or n <= 0 or not text.strip():
        return []
    index = _index(tuple(entries))
    order = _Scored(text, index).ranked()
    if len(order) < n:
        order += _spelling(text, index, set(order))
    names = list(dict.fromkeys(index.entries[i].name for i in order))   # a name listed twice, once
    return _negated(text, names, entries)[:n]


NEGATIONS = frozenset({"not", "no", "non", "never"})


def _negated(text: str, names: list[str], entries: Sequence[Entry]) -> list[str]:
    """"Not substantiated" means the opposite of substantiated: never suggest the word it negates, and put
    the list's own negative of it ("unsubstantiated") first."""
    words = fold(text).replace("_", " ").replace("-", " ").split()
    if not any(w in NEGATIONS for w in words):
        return names
    rest = "".join(w for w in words if w not in NEGATIONS)
    plain = [n for n in names if fold(n).replace("_", "").replace(" ", "") != rest]
    opposite = [e.name for e in entries if not e.retired and fold(e.name).replace("_", "").replace(" ", "") in
                ("un" + rest, "in" + rest, "non" + rest, "not" + rest)]
    return opposite + [n for n in plain if n not in opposite]


def confident(text: str, entries: Sequence[Entry]) -> Optional[str]:
    """The one entry name `text` clearly means (to propose a value mapping in an import dry run), else None.
    Exact name/alias (case, spacing, dash style ignored: use safeguard_tracker.taxonomy.fold) always; otherwise only
    when one entry is clearly ahead (an abbreviation or all significant words matching exactly one entry). Never a
    bare spelling guess between two plausible names: nothing invented.

    An exact name or alias answers even when its entry is retired: the text names that entry.  A sector
    group ("Education") answers only when the group holds one entry ("Nursery" -> the Early Years entry).
    """
    if not isinstance(text, str) or not text.strip():
        return None
    index = _index(tuple(entries))
    s = _Scored(text, index)
    if s.exact is not None:
        return index.entries[s.exact].name
    # one entry holds the strongest abbreviation, and no other entry has nearly as much evidence
    if s.abbr:
        best = max(s.abbr.values())
        top = [i for i, v in s.abbr.items() if v == best]
        if len(top) == 1:
            winner = top[0]
            others = max((v for i, v in s.strength.items() if i != winner), default=0.0)
            if s.strength.get(winner, 0.0) >= 1.5 * others:
                return index.entries[winner].name
    if s.group is not None:                              # a sector group: its one entry, if it has one
        members = index.group_entries.get(s.group, [])
        if len(members) == 1:
            return index.entries[members[0]].name
        if len(s.words) < 2:                             # "Health", "Education": several entries
            return None
    if not s.words:
        return None
    # every significant word matches (exactly, or as an abbreviation) exactly one entry
    full = [i for i in index.live if s.matched.get(i, 0) >= len(s.words)]
    return index.entries[full[0]].name if len(full) == 1 else None
