"""The demo store for tests, built once per worker process and copied per test (a quarter of a
second sooner than ``build_demo`` each time).  Library tests use it through the ``demo`` fixture
(conftest.py), so they need nothing of the TUI's."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from safeguard_tracker import Tracker, open_tracker

_DEMO_TEMPLATES: dict[tuple[str, str], Path] = {}


def demo_copy(path: "str | os.PathLike[str]", user: str = "a.lado") -> Tracker:
    """What ``build_demo(path, user=user)`` gives (the demo store, frozen at 15/06/2018, opened by
    ``user``), a quarter of a second sooner: this process builds the demo once per user and file
    name, and each call copies its files (snapshot, journal, lock, backups) beside ``path`` and opens
    the copy, as the app opens a store from disk."""
    from safeguard_tracker.demo import build_demo
    from safeguard_tracker.demo.contacts import DEMO_TODAY
    path = Path(path)
    if path.exists():
        build_demo(path, user=user)          # refuses, in its own words
    template = _DEMO_TEMPLATES.get((user, path.name))     # the name too: the backups inside are named after it
    if template is None:
        folder = Path(tempfile.mkdtemp(prefix="demo-template-"))
        atexit.register(shutil.rmtree, folder, True)
        build_demo(folder / path.name, user=user).close()
        template = _DEMO_TEMPLATES[(user, path.name)] = folder / path.name
    for source in template.parent.iterdir():
        target = path.with_name(path.name + source.name[len(template.name):])
        if source.is_dir():
            shutil.copytree(source, target, copy_function=shutil.copy)
        else:
            shutil.copy(source, target)
    return open_tracker(path, user=user, today=lambda: DEMO_TODAY)
