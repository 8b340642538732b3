"""Models to JSON-safe dicts and back (cattrs): dates as ISO strings, enums by value.

Fields named ``from_`` are written as ``from``.  ``rev`` is stored as ``_rev``
by the store, so it is moved in and out here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TypeVar

from .model.enums import Choice
from .documents import Doc

import attrs
import cattrs
from attrs import AttrsInstance
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

T = TypeVar("T", bound=AttrsInstance)

converter = cattrs.Converter()
converter.register_unstructure_hook(date, lambda d: d.isoformat())
converter.register_structure_hook(date, lambda v, _: v if isinstance(v, date) else date.fromisoformat(v))
converter.register_unstructure_hook(datetime, lambda d: d.isoformat(timespec="seconds"))
converter.register_structure_hook(datetime, lambda v, _: v if isinstance(v, datetime) else datetime.fromisoformat(v))
for _enum in Choice.__subclasses__():
    converter.register_unstructure_hook(_enum, lambda e: e.value)
    converter.register_unstructure_hook(_enum | None, lambda e: None if e is None else e.value)


def _has_from(cls: type) -> bool:
    return attrs.has(cls) and any(a.name == "from_" for a in attrs.fields(cls))


converter.register_unstructure_hook_factory(
    _has_from, lambda cls: make_dict_unstructure_fn(cls, converter, from_=override(rename="from"))
)
converter.register_structure_hook_factory(
    _has_from, lambda cls: make_dict_structure_fn(cls, converter, from_=override(rename="from"))
)


def to_doc(obj: AttrsInstance) -> Doc:
    """A model object as its stored document (``rev`` left out: the store keeps it as ``_rev``)."""
    doc: Doc = converter.unstructure(obj)
    if "rev" in doc:
        doc.pop("rev")
    return doc


def from_doc(cls: type[T], doc: Doc) -> T:
    """The model object for a stored document (its ``_rev`` becomes ``rev`` where the model has one)."""
    data = dict(doc)
    rev = data.pop("_rev", 0)
    data.pop("rev", None)
    if any(a.name == "rev" for a in attrs.fields(cls)):
        data["rev"] = rev
    return converter.structure(data, cls)
