"""JSON Schemas (draft 2020-12) of the JSON exports, shipped inside the package.

``load("contacts")`` is the schema of ``export contacts --format json``; ``load("reviews")`` and
``load("actions")`` those of ``export reviews|actions --format json``.  ``VERSIONS`` names the
format version each schema describes (its ``version`` const).  The policy for changing a format is
in docs/json-schema.md.  Validating needs the ``jsonschema`` package, which the library itself does
not depend on::

    import jsonschema
    from safeguard_tracker import schemas
    jsonschema.Draft202012Validator(schemas.load("contacts")).validate(data)
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

NAMES: tuple[str, ...] = ("contacts", "reviews", "actions")
# The format version each schema file describes: the same number as the exporter's JSON_VERSION
# (tests/test_json_schema.py holds the two together).
VERSIONS: dict[str, int] = {"contacts": 1, "reviews": 1, "actions": 1}


def filename(name: str) -> str:
    """'contacts' -> 'contacts.schema.json', or ValueError naming the exports there are."""
    if name not in NAMES:
        raise ValueError(f"no JSON schema for {name!r}: one of {', '.join(NAMES)}")
    return f"{name}.schema.json"


@lru_cache(maxsize=None)
def _text(name: str) -> str:
    return resources.files(__name__).joinpath(filename(name)).read_text(encoding="utf-8")


def load(name: str) -> dict[str, Any]:
    """The JSON Schema of one export as a dict (a fresh copy each call: change it freely)."""
    schema: dict[str, Any] = json.loads(_text(name))
    return schema


def format_name(name: str) -> str:
    """The ``format`` value of an export: 'safeguard-tracker/contacts'."""
    filename(name)
    return f"safeguard-tracker/{name}"


__all__ = ["NAMES", "VERSIONS", "filename", "format_name", "load"]
