"""The app's LADO caches: brought up to the app's data version, the deadlines worked out in a thread."""

from __future__ import annotations

from typing import Any, Optional

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


def order_in_background(app: Any, data: LadoData, column: str, reverse: bool) -> None:
    """Sort every contact by ``column`` in a thread (a second at 100,000); when it is done the
    screens are told (``views_changed``) and show it, each staying on the record it was on."""
    key = (column, reverse)
    running = data.sorting
    if key in running or data.has_order(column, reverse):
        return
    running.add(key)
    version = data.version
    sort_key = data.sort_key(column)   # here: the deadlines' look-up is made on this thread

    def work() -> Optional[list[str]]:
        for _attempt in range(5):
            try:
                return sorted(list(data.docs), key=sort_key, reverse=reverse)
            except (RuntimeError, KeyError):  # the store took in a change while we read it: read again
                continue
        return None   # the list stays as shown; the next reload asks again

    def done(order: Optional[list[str]]) -> None:
        running.discard(key)
        if order is not None and data.version != version:
            # Records changed meanwhile: take them in as ``sync`` does, if it is known which.
            changed = app.changed_since(version) if data.tracker is app.tracker else None
            order = data._patched(order, changed, column, reverse) \
                if changed is not None and len(changed) <= 1000 else None
        if order is not None and not data.has_order(column, reverse):
            data.set_order(column, reverse, order)
        app.views_changed()   # the views show the order, or ask again for it

    def run() -> None:
        order = work()
        app.call_from_thread(done, order)

    app.run_worker(run, thread=True, group="lado-sort", name=f"sort by {column}")
