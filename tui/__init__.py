"""The Textual terminal UI for safeguard-tracker.  It calls the tracker API only.

Importing the package registers every area listed in ``tui.registry.AREAS``, in that order,
whichever module is imported first: the tabs, palette commands, top-bar counts and help sections
then always come in the same order (the snapshot tests rely on it).
"""


def _load_areas() -> None:
    import importlib

    from .registry import AREAS
    for area in AREAS:
        importlib.import_module(area)


_load_areas()
