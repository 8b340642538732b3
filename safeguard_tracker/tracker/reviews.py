"""Reviews, recommendations and actions (the Learning Lessons sub group's plans)."""

from __future__ import annotations


class ReviewsMixin:
    pass
