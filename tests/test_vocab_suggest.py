"""Suggestions that help: words, abbreviations, sector groups and spelling, best first (issue 12)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safeguard_tracker.folding import fold
from safeguard_tracker.taxonomy import DEFAULT_AGENCIES
from safeguard_tracker.vocab import suggest as suggest_module
from safeguard_tracker.vocab.entries import SECTOR_GROUPS, Entry
from safeguard_tracker.vocab.suggest import confident, suggest

# The board's 30 agencies, each given its sector group here (the presets are the lead's).
BOARD_GROUPS = {
    "Medway Children's Services": "social_care",
    "Medway Adult Services": "social_care",
    "Other Local Authority": "social_care",
    "Police": "police",
    "Probation": "police",
    "Medway NHS Foundation Trust": "health",
    "Medway Community Health Care": "health",
    "Medway Clinical Commissioning Group (CCG)": "health",
    "Medway Council": "social_care",
    "Faith Groups": "faith",
    "Foster Carers - Independent": "foster_care",
    "Foster Carers \u2013 Local Authority": "foster_care",
    "Early Years (Childminders, nursery, Children's Centre, Pre-School)": "early_years",
    "School - Primary": "education",
    "School - Secondary": "education",
    "School - Private": "education",
    "School - Special": "education",
    "School - PRU": "education",
    "School \u2013 Alternative (e.g. NOVUS)": "education",
    "College": "education",
    "Secure Estates (Medway Secure Training Centre)": "police",
    "Secure Estates (Youth Offending Institution)": "police",
    "Transport Provider": "transport",
    "Residential \u2013 Private": "residential_care",
    "Residential \u2013 Local Authority": "residential_care",
    "Voluntary/Charity": "voluntary",
    "Recruitment Agency": "other",
    "Sports & Leisure": "sport_leisure",
    "Unknown": "other",
    "Other": "other",
}
BOARD = [Entry(name=a, group=BOARD_GROUPS[a]) for a in DEFAULT_AGENCIES]
EDUCATION = {a for a, g in BOARD_GROUPS.items() if g == "education"}
HEALTH = {a for a, g in BOARD_GROUPS.items() if g == "health"}
EARLY_YEARS = "Early Years (Childminders, nursery, Children's Centre, Pre-School)"
CCG = "Medway Clinical Commissioning Group (CCG)"

# A small generic list of our own, with aliases and one retired entry.
GENERIC = [
    Entry(name="Primary school", group="education", aliases=("Infant school", "Junior school")),
    Entry(name="Secondary school", group="education", aliases=("High school",)),
    Entry(name="Further Education college", group="education"),
    Entry(name="NHS Trust", group="health", aliases=("Hospital trust",)),
    Entry(name="Integrated Care Board (ICB)", group="health", aliases=("CCG",)),
    Entry(name="Connexions", group="other", retired=True),
    Entry(name="Police", group="police", aliases=("Constabulary",)),
    Entry(name="Youth Offending Institution", group="police"),
    Entry(name="Children's home - private", group="residential_care"),
    Entry(name="Children's home - local authority", group="residential_care"),
]


def test_the_fixture_covers_the_whole_board_list():
    assert set(BOARD_GROUPS) == set(DEFAULT_AGENCIES) and set(BOARD_GROUPS.values()) <= set(SECTOR_GROUPS)


# --- the board's list ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, first", [
    ("Medway CCG", CCG),
    ("Kent Police", "Police"),
    ("PRU", "School - PRU"),
    ("NHS Trust", "Medway NHS Foundation Trust"),
    ("Polce", "Police"),
    ("Sports club", "Sports & Leisure"),
    ("Nursery", EARLY_YEARS),
    ("medway  ccg", CCG),                                 # any case and spacing
    ("YOI", "Secure Estates (Youth Offending Institution)"),       # initials of its words
    ("STC", "Secure Estates (Medway Secure Training Centre)"),
    ("NOVUS", "School \u2013 Alternative (e.g. NOVUS)"),            # a capitalised word of the name
    ("Foster carers LA", "Foster Carers \u2013 Local Authority"),
    ("Residential Private", "Residential \u2013 Private"),
    ("Secondry school", "School - Secondary"),            # a misspelt word among right ones
    ("Prim", "School - Primary"),                         # a word's start
    ("Childminder", EARLY_YEARS),
    ("Eastbridge Academy", "School - Primary"),           # a word naming the education group
    ("Medway Hospital", "Medway NHS Foundation Trust"),   # ... or the health group
    ("Medway PRU", "School - PRU"),                       # the rare word beats the place name
    ("foster carers \u2013 local authority", "Foster Carers \u2013 Local Authority"),
])
def test_the_right_name_comes_first(text, first):
    assert suggest(text, BOARD)[0] == first


@pytest.mark.parametrize("text", ["Education", "Schools", "education"])
def test_education_means_the_schools_never_probation(text):
    got = suggest(text, BOARD)
    assert got[0] in EDUCATION and set(got) <= EDUCATION
    assert "Probation" not in suggest(text, BOARD, n=len(BOARD))


@pytest.mark.parametrize("text, group", [
    ("Health", "health"), ("Early Years", "early_years"), ("Social care", "social_care"),
    ("Residential", "residential_care"), ("Foster", "foster_care"), ("Faith", "faith"),
    ("Sport", "sport_leisure"), ("Transport", "transport"), ("Voluntary", "voluntary"),
    ("Police and justice", "police"),
])
def test_a_sector_group_gives_its_entries_first(text, group):
    got = suggest(text, BOARD, n=6)
    inside = [a in BOARD_GROUPS and BOARD_GROUPS[a] == group for a in got]
    assert inside[0] and inside == sorted(inside, reverse=True)      # the group's entries, then any others


def test_a_group_lists_its_entries_in_list_order_when_no_word_is_shared():
    assert suggest("Social care", BOARD) == [
        "Medway Children's Services", "Medway Adult Services", "Other Local Authority"]


def test_health_gives_a_health_entry():
    assert suggest("Health", BOARD)[0] in HEALTH


@pytest.mark.parametrize("text", ["xyzzy", "", "   ", "qqqq wwww", "12345"])
def test_nothing_plausible_gives_nothing(text):
    assert suggest(text, BOARD) == []
    assert confident(text, BOARD) is None


def test_n_limits_the_suggestions():
    assert len(suggest("Medway", BOARD, n=5)) == 5
    assert suggest("Medway", BOARD, n=0) == []
    assert suggest("Medway CCG", BOARD, n=1) == [CCG]


def test_medway_ccg_is_not_medway_council():
    got = suggest("Medway CCG", BOARD)
    assert got[0] == CCG and got.index(CCG) < (got.index("Medway Council") if "Medway Council" in got else 99)


@pytest.mark.parametrize("text, expected", [
    ("Medway CCG", CCG),
    ("PRU", "School - PRU"),
    ("Medway PRU", "School - PRU"),
    ("School - Primary", "School - Primary"),
    ("school \u2013 primary", "School - Primary"),        # exact, dash style ignored
    ("Foster carers LA", "Foster Carers \u2013 Local Authority"),
    ("Residential Private", "Residential \u2013 Private"),
    ("Childrens services", "Medway Children's Services"),
    ("Nursery", EARLY_YEARS),                             # a group with one entry
    ("Education", None),                                  # several
    ("Health", None),
    ("Schools", None),
    ("Foster", None),
    ("Polce", None),                                      # a spelling guess: never
    ("Secondry school", None),
    ("Prim", None),
    ("Kent Police", None),                                # "Kent" matches nothing: not all words
    ("NHS Police", None),                                 # two entries, equally
    ("Medway", None),
    ("xyzzy", None),
])
def test_confident_only_when_one_entry_is_clearly_meant(text, expected):
    assert confident(text, BOARD) == expected


def test_an_alias_makes_kent_police_certain():
    entries = [e if e.name != "Police" else Entry(name="Police", group="police", aliases=("Kent Police",))
               for e in BOARD]
    assert confident("kent police", entries) == "Police"
    assert confident("KENT  POLICE", entries) == "Police"
    assert suggest("kent police", entries)[0] == "Police"
    assert confident("kent police", BOARD) is None


# --- a generic list of our own --------------------------------------------------------------------

@pytest.mark.parametrize("text, first, sure", [
    ("Northshire CCG", "Integrated Care Board (ICB)", "Integrated Care Board (ICB)"),    # one-word alias
    ("ICB", "Integrated Care Board (ICB)", "Integrated Care Board (ICB)"),
    ("Eastbridge Constabulary", "Police", "Police"),
    ("Westmoor High School", "Secondary school", "Secondary school"),   # a several-word alias inside
    ("Infant", "Primary school", "Primary school"),
    ("junior school", "Primary school", "Primary school"),
    ("FE", "Further Education college", "Further Education college"),
    ("yoi", "Youth Offending Institution", "Youth Offending Institution"),
    ("NHS", "NHS Trust", "NHS Trust"),
    ("Hospital", "NHS Trust", None),
    ("Childrens home private", "Children's home - private", "Children's home - private"),
    ("Children's home", "Children's home - private", None),
    ("Residential", "Children's home - private", None),
    ("Education", "Further Education college", None),
    ("Primry school", "Primary school", None),
    ("my school", "Primary school", None),                # "my" is never read as initials
])
def test_a_generic_list(text, first, sure):
    assert suggest(text, GENERIC)[0] == first
    assert confident(text, GENERIC) == sure


@pytest.mark.parametrize("text", ["Connexions", "connexions", "Conexions", "Connexions service"])
def test_a_retired_entry_is_never_suggested(text):
    assert "Connexions" not in suggest(text, GENERIC, n=len(GENERIC))
    if text.casefold() != "connexions":
        assert confident(text, GENERIC) is None


def test_confident_names_a_retired_entry_only_when_typed_exactly():
    assert confident("CONNEXIONS", GENERIC) == "Connexions"


@pytest.mark.parametrize("text, first", [("Faithgroups", "Faith Groups"), ("Transportprovider", "Transport Provider")])
def test_a_whole_name_misspelt_is_found_by_spelling_but_never_certain(text, first):
    assert suggest(text, BOARD) == [first]
    assert confident(text, BOARD) is None


def test_initials_count_only_in_capitals_or_from_three_letters():
    entries = [*GENERIC, Entry(name="Maplemoor Youth Service", group="voluntary")]
    assert suggest("my school", entries)[0] == "Primary school"      # "my" is a word, not initials
    assert suggest("MY school", entries)[0] == "Maplemoor Youth Service"
    assert suggest("mys", entries) == ["Maplemoor Youth Service"]
    assert suggest("my", entries) == []


def test_names_win_over_aliases_and_earlier_entries_win_ties():
    entries = [Entry(name="Police"), Entry(name="Constabulary", aliases=("Police",))]
    assert suggest("police", entries)[0] == "Police" and confident("police", entries) == "Police"
    twins = [Entry(name="School - Primary"), Entry(name="School - Secondary")]
    assert suggest("school", twins) == ["School - Primary", "School - Secondary"]
    assert suggest("school", twins[::-1]) == ["School - Secondary", "School - Primary"]
    assert confident("school", twins) is None


def test_a_rare_word_outweighs_a_common_one():
    entries = [Entry(name=f"Westmoor {k}") for k in ("Council", "Police", "Trust", "College")]
    entries.append(Entry(name="Northshire Trust"))
    assert suggest("Westmoor Trust", entries)[0] == "Westmoor Trust"
    assert suggest("Northshire", entries)[0] == "Northshire Trust"
    assert suggest("Eastbridge Trust", entries) == ["Westmoor Trust", "Northshire Trust"]


def test_the_work_on_a_list_is_done_once():
    entries = tuple(Entry(name=f"Eastbridge {k}") for k in ("Primary School", "Police", "NHS Trust"))
    suggest_module._index.cache_clear()
    for value in ("police", "Eastbridge NHS", "Primry", "PRU", "x"):
        suggest(value, entries)
        confident(value, list(entries))
    info = suggest_module._index.cache_info()
    assert info.misses == 1 and info.hits == 9


def test_a_large_list_and_many_values_still_suggest():
    places = ["Northshire", "Eastbridge", "Westmoor", "Southdale", "Kingsmere"]
    kinds = ["Primary School", "Secondary Academy", "Police", "NHS Foundation Trust", "Youth Offending Team (YOT)",
             "Clinical Commissioning Group (CCG)", "Children's Services", "Foster Carers", "Sports Club", "Nursery"]
    entries = [Entry(name=f"{p} {k}", retired=(i % 7 == 3)) for i, (p, k) in
               enumerate((p, k) for p in places for k in kinds)]
    live = {e.name for e in entries if not e.retired}
    for j in range(200):
        got = suggest(f"{places[j % 5]} {['CCG', 'YOT', 'polce', 'school', 'Hosp'][j % 5]} {j}", entries)
        assert got and set(got) <= live
    assert suggest("Kingsmere YOT", entries)[0] == "Kingsmere Youth Offending Team (YOT)"
    assert suggest("Southdale CCG", entries)[0] == "Southdale Clinical Commissioning Group (CCG)"


# --- properties ---------------------------------------------------------------------------------

_words = st.sampled_from(["School", "Primary", "NHS", "Trust", "Police", "CCG", "(ICB)", "-", "\u2013", "&",
                          "Northshire", "Eastbridge", "Westmoor", "of", "the", "Children's", "home", "e.g.",
                          "/", "Care", "x", "PRU", "Sports", "Leisure", "Early", "Years"])
_names = st.lists(_words, min_size=1, max_size=5).map(" ".join)
_entry = st.builds(lambda name, group, aliases, retired: Entry(name=name, group=group, aliases=tuple(aliases),
                                                               retired=retired),
                   _names, st.sampled_from(["", *SECTOR_GROUPS]), st.lists(_names, max_size=2), st.booleans())
_text = st.one_of(_names, st.text(max_size=30))


@settings(max_examples=200, deadline=None)
@given(entries=st.lists(_entry, max_size=8), text=_text, n=st.integers(min_value=0, max_value=5))
def test_suggest_never_raises_nor_offers_a_retired_or_unknown_name(entries, text, n):
    got = suggest(text, entries, n=n)
    offered = {e.name for e in entries if not e.retired}
    assert len(got) <= n and len(set(got)) == len(got)
    assert set(got) <= offered or not offered and got == []
    sure = confident(text, entries)
    assert sure is None or sure in {e.name for e in entries}
    if sure is not None and sure not in offered:          # a retired name only when typed as it is
        assert any(v.casefold().split() == text.casefold().split()
                   or fold(v) == fold(text)
                   for e in entries if e.name == sure for v in (e.name, *e.aliases))


def test_a_name_listed_twice_is_suggested_once():
    entries = [Entry(name="School - Primary"), Entry(name="School - Primary", retired=True),
               Entry(name="School - Primary", aliases=("Infants",)), Entry(name="School - Special")]
    assert suggest("school", entries) == ["School - Primary", "School - Special"]


def test_a_negated_word_never_suggests_what_it_negates():
    outcomes = [Entry(name=v) for v in ("substantiated", "false", "malicious", "unsubstantiated", "unfounded")]
    assert suggest("Not substantiated", outcomes)[0] == "unsubstantiated"
    assert "substantiated" not in suggest("not substantiated", outcomes)
    assert suggest("Non-substantiated", outcomes)[0] == "unsubstantiated"
    assert suggest("substantiated", outcomes)[0] == "substantiated"
