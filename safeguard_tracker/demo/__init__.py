"""The synthetic demo store: realistic in shape, invented in every detail (``contacts.py``, ``reviews.py``)."""

from .contacts import DEMO_TODAY, FIRST, LAST, build_demo, demo_contacts, make_contact

__all__ = ["DEMO_TODAY", "FIRST", "LAST", "build_demo", "demo_contacts", "make_contact"]
