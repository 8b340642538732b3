"""One validator per record kind (``contact.py``, ``plans.py``) over one set of field parsers
(``fields.py``): the API, every import and the TUI's forms turn input into records here."""
