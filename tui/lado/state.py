"""The app's LADO caches: brought up to the app's data version, the deadlines worked out in a thread."""

from __future__ import annotations

from typing import Any

from .data import LadoData


def lado_data(app: Any) -> LadoData:
    """The app's LADO caches, brought up to the app's data version."""
    data = app.area_data.get("lado")
    if data is None or data.tracker is not app.tracker:
        data = app.area_data["lado"] = LadoData(app.tracker)
    if data.version != app.data_version:
        data.sync(app.data_version, app.changed_since(data.version) if data.version >= 0 else None)
    # Not before the first screen is painted: the work holds the GIL for a second at 100,000.
    if data.due_pending and not data.due_running and getattr(app, "first_screen_shown", True):
        _due_in_background(app, data)
    return data


def _due_in_background(app: Any, data: LadoData) -> None:
    """Work out the deadlines in a thread; the screens show the previous ones meanwhile."""
    data.due_running = True
    version = data.version

    index = data.needs_index()   # the first time: the search text and the default order too

    def work() -> None:
        items = built = None
        for _attempt in range(5):
            try:
                items = list(app.tracker.due())
                break
            except RuntimeError:  # the store took in a change while we read it: read again
                continue
        if index:
            for _attempt in range(5):
                try:
                    built = data.build_index()
                    break
                except RuntimeError:
                    continue
        app.call_from_thread(done, items, built)

    def done(items, built) -> None:
        if built is not None:
            data.set_index(built, version)
        if items is None:
            data.due_running = False
            return
        if data.set_due(items, version):
            app.views_changed()
        else:
            lado_data(app)  # a newer version is waiting: start again for it

    app.run_worker(work, thread=True, group="lado-due", name="deadlines")
