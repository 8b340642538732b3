"""The app's Learning Lessons caches, brought up to the app's data version."""

from __future__ import annotations

from typing import Any

from .data import PlansData


def plans_data(app: Any) -> PlansData:
    """The app's Learning Lessons caches, brought up to the app's data version."""
    data = app.area_data.get("plans")
    if data is None or data.tracker is not app.tracker:
        data = app.area_data["plans"] = PlansData(app.tracker)
    data.sync(app.data_version)
    return data
