"""Vocabulary presets: the lists a new store starts with, chosen when it is created.

* ``board``: the board's 2017-18 list (the demo's): ``BOARD_AGENCY_NAMES`` (``taxonomy.DEFAULT_AGENCIES``) exactly, in order,
  each with its sector group and the aliases that surely mean it ("Kent Police", "Medway CCG", "PRU").
* ``england``: a generic list for any English council: common agency names in every sector group,
  with their usual spellings and abbreviations, and one catch-all entry per sector group whose
  aliases are the sector's own words ("Education", "Health", "Early Years"), so a spreadsheet that
  records only the sector still imports.

Both presets share the fixed kinds: the built-in categories, outcomes and harms (the values of
``model.enums.Category``, ``Outcome`` and ``Harm``, in their order) with the local labels that
unambiguously mean one of them as aliases.  A label that could mean more than one ("Online",
"Ongoing", "Advice request") is left for the council to map: nothing is guessed.

An alias is listed only when it differs from its entry's name once folded (case, spacing and dash
style are ignored anyway), and no alias means two entries of one kind.
"""

from __future__ import annotations

from ..errors import ValidationError
from .entries import Entry

PresetLists = dict[str, tuple[Entry, ...]]


def _e(name: str, group: str = "", *aliases: str) -> Entry:
    return Entry(name=name, group=group, aliases=tuple(aliases))


# --- fixed kinds: the values of model.enums (this layer may not import the model; a test holds them equal)

CATEGORIES: tuple[Entry, ...] = (
    _e("enquiry", "", "Inquiry"),
    _e("consultation", ""),
    _e("referral", "", "Allegation"),
    # Not aliased: "Advice request" / "Advice".  An enquiry is where advice and signposting are given,
    # yet many LADOs record an advice contact as a consultation: the council says which it means.
)

OUTCOMES: tuple[Entry, ...] = (
    _e("substantiated", "", "Founded", "Proven"),
    _e("false", "", "False allegation"),
    _e("malicious", "", "Unfounded - malicious", "Malicious allegation"),
    _e("unsubstantiated", "", "Not proven"),
    _e("unfounded", ""),
    _e("advice_given", "", "Advice given", "Advice only"),
    _e("no_further_action", "", "NFA", "No further action", "NFA - returned to employer"),
    # Not aliased: "Ongoing" (the contact is open, there is no outcome yet) and "Not substantiated"
    # (some logs use it for unsubstantiated, others for every outcome short of substantiated).
)

HARMS: tuple[Entry, ...] = (
    _e("physical", "", "Physical abuse", "Physical harm"),
    _e("sexual", "", "Sexual abuse", "Sexual harm"),
    _e("emotional", "", "Emotional abuse", "Emotional harm"),
    _e("neglect", ""),
    # The guidance's fourth limb: behaviour, in or outside work, suggesting the person may not be
    # suitable to work with children.
    _e("suitability", "", "Transferable risk", "Conduct outside work", "Behaviour outside work",
       "Suitability to work with children"),
    # Not aliased: "Online" (online conduct can be any of the five: the council decides).
)

FIXED: PresetLists = {"categories": CATEGORIES, "outcomes": OUTCOMES, "harms": HARMS}


# --- board: the board's own list, in its order ----------------------------------------------------------

BOARD_AGENCY_NAMES: tuple[str, ...] = (   # as the board's report prints them: its hyphens and en dashes kept
    "Medway Children's Services",
    "Medway Adult Services",
    "Other Local Authority",
    "Police",
    "Probation",
    "Medway NHS Foundation Trust",
    "Medway Community Health Care",
    "Medway Clinical Commissioning Group (CCG)",
    "Medway Council",
    "Faith Groups",
    "Foster Carers - Independent",
    "Foster Carers \u2013 Local Authority",
    "Early Years (Childminders, nursery, Children's Centre, Pre-School)",
    "School - Primary",
    "School - Secondary",
    "School - Private",
    "School - Special",
    "School - PRU",
    "School \u2013 Alternative (e.g. NOVUS)",
    "College",
    "Secure Estates (Medway Secure Training Centre)",
    "Secure Estates (Youth Offending Institution)",
    "Transport Provider",
    "Residential \u2013 Private",
    "Residential \u2013 Local Authority",
    "Voluntary/Charity",
    "Recruitment Agency",
    "Sports & Leisure",
    "Unknown",
    "Other",
)


# name -> (sector group, aliases).  Keyed by the exact names of DEFAULT_AGENCIES (hyphens and en dashes kept).
_BOARD_DETAIL: dict[str, tuple[str, tuple[str, ...]]] = {
    "Medway Children's Services": ("social_care", ("Medway Children's Social Care", "Children's Social Care",
                                                   "CSC")),
    "Medway Adult Services": ("social_care", ("Medway Adult Social Care", "Adult Social Care", "Adult Services",
                                              "ASC")),
    "Other Local Authority": ("other", ("OLA", "Other LA", "Another Local Authority")),
    "Police": ("police", ("Kent Police", "Kent Police Service", "Police Service", "Constabulary")),
    "Probation": ("police", ("Probation Service", "National Probation Service", "NPS",
                             "Community Rehabilitation Company", "CRC")),
    "Medway NHS Foundation Trust": ("health", ("MFT", "Medway Foundation Trust", "Medway NHS FT")),
    "Medway Community Health Care": ("health", ("Medway Community Healthcare", "MCH")),
    "Medway Clinical Commissioning Group (CCG)": ("health", ("Medway CCG", "CCG", "Medway Clinical Commissioning Group",
                                                             "Clinical Commissioning Group")),
    "Medway Council": ("other", ()),
    "Faith Groups": ("faith", ("Faith Group", "Faith Organisation", "Faith", "Church")),
    "Foster Carers - Independent": ("foster_care", ("IFA", "Independent Fostering Agency",
                                                    "Independent Foster Carers")),
    "Foster Carers \u2013 Local Authority": ("foster_care", ("Local Authority Foster Carers", "LA Foster Carers",
                                                            "In-house Foster Carers")),
    "Early Years (Childminders, nursery, Children's Centre, Pre-School)": (
        "early_years", ("Early Years", "EY", "Childminder", "Childminders", "Nursery", "Children's Centre",
                        "Pre-School")),
    "School - Primary": ("education", ("Primary School", "Primary", "Infant School", "Junior School")),
    "School - Secondary": ("education", ("Secondary School", "Secondary", "Grammar School")),
    "School - Private": ("education", ("Private School", "Independent School")),
    "School - Special": ("education", ("Special School",)),
    "School - PRU": ("education", ("PRU", "Pupil Referral Unit")),
    "School \u2013 Alternative (e.g. NOVUS)": ("education", ("NOVUS", "Alternative Provision", "AP",
                                                            "School - Alternative")),
    "College": ("education", ("FE College", "Further Education College", "Further Education", "FE",
                              "Sixth Form College")),
    "Secure Estates (Medway Secure Training Centre)": ("police", ("STC", "Secure Training Centre",
                                                                  "Medway Secure Training Centre", "Medway STC")),
    "Secure Estates (Youth Offending Institution)": ("police", ("YOI", "Young Offender Institution",
                                                                "Youth Offending Institution")),
    "Transport Provider": ("transport", ("Transport", "Home to School Transport", "School Transport")),
    "Residential \u2013 Private": ("residential_care", ("Private Children's Home", "Private Residential",
                                                        "Independent Children's Home")),
    "Residential \u2013 Local Authority": ("residential_care", ("Local Authority Children's Home",
                                                                "LA Children's Home", "LA Residential")),
    "Voluntary/Charity": ("voluntary", ("Voluntary", "Charity", "Voluntary Sector", "Voluntary and Charity",
                                        "Third Sector", "VCS")),
    "Recruitment Agency": ("other", ("Supply Agency", "Employment Agency")),
    "Sports & Leisure": ("sport_leisure", ("Sports and Leisure", "Sport and Leisure", "Sport", "Sports",
                                           "Leisure", "Sports Club")),
    "Unknown": ("other", ("Not known",)),
    "Other": ("other", ()),
}

BOARD_AGENCIES: tuple[Entry, ...] = tuple(_e(name, _BOARD_DETAIL[name][0], *_BOARD_DETAIL[name][1])
                                          for name in BOARD_AGENCY_NAMES)
BOARD_PARTNERS: tuple[Entry, ...] = BOARD_AGENCIES + (
    _e("Safeguarding Children Board", "", "MSCB", "Medway Safeguarding Children Board", "LSCB", "the Board"),
)


# --- england: a generic list for a new council ------------------------------------------------------------
# Specific agencies first within each sector group, then the group's catch-all ("<label> - other"),
# whose aliases are the sector's own words.  "Other" is the catch-all of the "other" group.

ENGLAND_AGENCIES: tuple[Entry, ...] = (
    # education
    _e("School - Primary", "education", "Primary School", "Primary", "Infant School", "Junior School"),
    _e("School - Secondary", "education", "Secondary School", "Secondary", "High School", "Grammar School"),
    _e("Academy / Multi-Academy Trust", "education", "Academy", "Academies", "MAT", "Multi-Academy Trust",
       "Multi Academy Trust", "Academy Trust", "Free School"),
    _e("School - Independent", "education", "Independent School", "Private School", "School - Private"),
    _e("School - Special", "education", "Special School", "SEN School", "SEND School"),
    _e("Pupil Referral Unit / Alternative Provision", "education", "PRU", "Pupil Referral Unit", "AP",
       "Alternative Provision", "School - PRU", "School - Alternative"),
    _e("Further Education College", "education", "FE", "FE College", "College", "Further Education",
       "Sixth Form College"),
    _e("University", "education", "Higher Education", "HE"),
    _e("Private Tuition", "education", "Tutor", "Private Tutor", "Tuition"),
    _e("Education - other", "education", "Education", "Schools", "School", "Education Services"),
    # early years
    _e("Early Years - Nursery", "early_years", "Nursery", "Day Nursery", "Pre-School", "Preschool",
       "Playgroup"),
    _e("Childminder", "early_years", "Childminders", "Child Minder", "Registered Childminder"),
    _e("Children's Centre", "early_years", "Childrens Centre", "Children's Centres"),
    _e("Out of School Club", "early_years", "After School Club", "Breakfast Club", "Holiday Club"),
    _e("Early years - other", "early_years", "Early Years", "EY", "Early Years Setting"),
    # health
    _e("NHS Trust - Acute", "health", "Acute Trust", "Hospital", "Acute Hospital", "NHS Hospital Trust"),
    _e("NHS Trust - Community Health", "health", "Community Health", "Community Health Services",
       "Community Healthcare"),
    _e("NHS Trust - Mental Health", "health", "Mental Health Trust", "Mental Health Services", "CAMHS"),
    _e("GP Practice", "health", "GP", "GP Surgery", "General Practice", "Doctors Surgery"),
    # ICBs replaced CCGs on 1 July 2022: older logs say CCG.
    _e("Integrated Care Board (ICB)", "health", "ICB", "Integrated Care Board", "CCG",
       "Clinical Commissioning Group"),
    _e("Ambulance Service", "health", "Ambulance", "Ambulance Trust"),
    _e("Health - other", "health", "Health", "NHS", "NHS Trust", "Health Services"),
    # police and justice
    _e("Police", "police", "Police Force", "Police Service", "Constabulary"),
    _e("Probation", "police", "Probation Service", "National Probation Service", "NPS",
       "Community Rehabilitation Company", "CRC"),
    _e("Youth Justice Service", "police", "YJS", "YOT", "Youth Offending Team", "Youth Offending Service", "YOS",
       "Youth Justice"),
    _e("Secure Estate", "police", "Secure Estates", "STC", "Secure Training Centre", "YOI",
       "Young Offender Institution", "Youth Offending Institution"),
    _e("Police and justice - other", "police", "Police and justice", "Justice", "Criminal Justice"),
    # social care
    _e("Children's Social Care", "social_care", "Childrens Social Care", "CSC", "Children's Social Work"),
    _e("Adult Social Care", "social_care", "ASC", "Adult Services", "Adults Social Care"),
    _e("Social care - other", "social_care", "Social care", "Social Services"),
    # residential care
    _e("Children's Home - Local Authority", "residential_care", "LA Children's Home",
       "Local Authority Children's Home", "Residential - Local Authority"),
    _e("Children's Home - Private", "residential_care", "Private Children's Home", "Independent Children's Home",
       "Residential - Private"),
    _e("Supported Accommodation", "residential_care", "Semi-Independent Accommodation",
       "Semi-Independent Living", "16+ Supported Accommodation"),
    _e("Residential care - other", "residential_care", "Residential care", "Residential", "Children's Home",
       "Childrens Home"),
    # foster care
    _e("Foster Carers - Local Authority", "foster_care", "LA Foster Carers", "Local Authority Foster Carers",
       "In-house Foster Carers"),
    _e("Independent Fostering Agency", "foster_care", "IFA", "Foster Carers - Independent",
       "Independent Foster Carers"),
    _e("Foster care - other", "foster_care", "Foster care", "Fostering", "Foster Carers", "Foster Carer"),
    # faith
    _e("Faith Organisation", "faith", "Faith Group", "Faith Groups", "Church", "Mosque", "Synagogue", "Temple",
       "Gurdwara", "Place of Worship"),
    _e("Faith - other", "faith", "Faith"),
    # sport and leisure
    _e("Sports Club / Leisure", "sport_leisure", "Sports Club", "Sports Clubs", "Football Club", "Swimming Club",
       "Leisure Centre"),
    _e("Sport and leisure - other", "sport_leisure", "Sport and leisure", "Sports and Leisure", "Sports & Leisure",
       "Sport", "Sports", "Leisure"),
    # transport
    _e("Transport Provider (Home to School)", "transport", "Home to School Transport", "School Transport",
       "Transport Provider"),
    _e("Transport - other", "transport", "Transport", "Taxi", "Taxi Firm", "Private Hire"),
    # voluntary and charity
    _e("Voluntary / Charity", "voluntary", "Voluntary Sector", "Charity", "Charities", "VCS", "Third Sector",
       "Voluntary/Charity", "Voluntary Organisation"),
    _e("Youth Service / Youth Club", "voluntary", "Youth Club", "Youth Service", "Youth Work"),
    _e("Voluntary and charity - other", "voluntary", "Voluntary and charity", "Voluntary"),
    # other
    _e("Other Local Authority", "other", "OLA", "Other LA", "Another Local Authority"),
    _e("Recruitment / Supply Agency", "other", "Supply Agency", "Recruitment Agency", "Employment Agency"),
    _e("Unknown", "other", "Not known"),
    _e("Other", "other", "Misc", "Miscellaneous"),
)
ENGLAND_PARTNERS: tuple[Entry, ...] = ENGLAND_AGENCIES + (
    _e("Safeguarding Children Partnership", "", "SCP", "LSCP", "the Partnership"),
)


PRESETS: dict[str, PresetLists] = {
    "board": {"agencies": BOARD_AGENCIES, "partners": BOARD_PARTNERS, **FIXED},
    "england": {"agencies": ENGLAND_AGENCIES, "partners": ENGLAND_PARTNERS, **FIXED},
}


def preset(name: str) -> PresetLists:
    """The lists of preset ``name`` ("board" or "england"): kind -> entries, for every kind.

    >>> from safeguard_tracker.vocab.presets import preset
    >>> [e.name for e in preset("board")["categories"]]
    ['enquiry', 'consultation', 'referral']
    >>> preset("scotland")
    Traceback (most recent call last):
    ...
    safeguard_tracker.errors.ValidationError: preset 'scotland' is not valid: one of: board, england
    """
    found = PRESETS.get(name) if isinstance(name, str) else None
    if found is None:
        raise ValidationError("preset", name, "one of: " + ", ".join(PRESETS))
    return dict(found)


__all__ = ["BOARD_AGENCY_NAMES", "PRESETS", "preset"]
