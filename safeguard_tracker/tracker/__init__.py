"""The tracker service: the one API for the CLI, the TUI and scripts."""

from __future__ import annotations

import os
from datetime import date
from typing import Callable, Optional

from ..store import Store
from .base import ENV_DB, Change, TrackerBase, default_store_path
from .contacts import ContactsMixin
from .lado import LadoMixin
from .privacy_mixin import PrivacyMixin
from .reviews import ReviewsMixin
from .due import DueMixin


class Tracker(PrivacyMixin, DueMixin, LadoMixin, ReviewsMixin, ContactsMixin, TrackerBase):
    """Everything a LADO, the Learning Lessons sub group, or a script can do to a store."""


def open_tracker(path: Optional[str | os.PathLike] = None, *, user: Optional[str] = None,
                 today: Optional[Callable[[], date]] = None, lock_timeout: float = 15.0,
                 on_wait: Optional[Callable[[str], None]] = None,
                 progress: Optional[Callable[[str], None]] = None) -> Tracker:
    """Open (or create) a store.  ``path=None``: $SAFEGUARD_TRACKER_DB, else the user data folder."""
    store = Store(path if path is not None else default_store_path(), user=user, lock_timeout=lock_timeout,
                  on_wait=on_wait, progress=progress).open()
    return Tracker(store, today=today)


__all__ = ["Change", "ENV_DB", "Tracker", "default_store_path", "open_tracker"]
