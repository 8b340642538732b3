"""The JSON Schemas of the JSON exports (safeguard_tracker/schemas, docs/json-schema.md).

The schemas are hand-written files; these tests hold them to the code: every export of the demo
store validates, a wrong value does not, the enums and fields are the model's (read from the
attrs classes and enums, so a field or an enum value added to the model without the schema fails
here), the version consts are the exporters', and the importers refuse a newer version.
"""

from __future__ import annotations

import copy
import json
import typing
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pytest

from safeguard_tracker import schemas
from safeguard_tracker.demo import build_demo
from safeguard_tracker.errors import ImportFailed
from safeguard_tracker.lado import contacts_json
from safeguard_tracker.model import Action, Contact, Review
from safeguard_tracker.plans import plans_json
from safeguard_tracker.plans.plan_dates import EVENT_FIELDS

MODELS = {"contacts": Contact, "reviews": Review, "actions": Action}
EXPORTER_VERSIONS = {"contacts": contacts_json.JSON_VERSION, "reviews": plans_json.JSON_VERSION,
                     "actions": plans_json.JSON_VERSION}
# Fields the model types as plain text whose values the code keeps to a fixed list: the schema may
# (and does) give them an enum, which must be exactly this list.
REFINED = {("DueRule", "event"): sorted(set(EVENT_FIELDS.values()) | {"completion"})}


# --- one demo store for the module, with the rarer shapes added ---------------------------------------

@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> dict[str, dict]:
    tracker = build_demo(tmp_path_factory.mktemp("schema") / "demo.json", user="a.lado")
    try:
        closed = [c for c in tracker.contacts(status="closed") if c.outcome is not None]
        malicious = next(c for c in closed if c.outcome.value in ("false", "malicious"))
        tracker.redact_contact(malicious.reference)                   # "[redacted]" text, null personal dates
        other = next(c for c in closed if c.reference != malicious.reference and c.outcome.value == "substantiated")
        tracker.reopen(other.reference, "new information from the police")   # a reopening
        plans: dict[tuple[str, int], list[str]] = {}
        for a in tracker.actions():
            plans.setdefault((a.review, a.recommendation), []).append(a.status.value)
        review, number = next(k for k, statuses in sorted(plans.items()) if set(statuses) == {"signed_off"})
        tracker.record_impact_finding(review, number, "Audit of 20 cases found the checklist in use",
                                      on=date(2018, 6, 1))
        out = {"contacts": json.loads(tracker.export_contacts("json")),
               "reviews": json.loads(tracker.export_plans("reviews", "json")),
               "actions": json.loads(tracker.export_plans("actions", "json"))}
    finally:
        tracker.close()
    return out


def validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schemas.load(name),
                                           format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


@pytest.mark.parametrize("name", schemas.NAMES)
def test_each_schema_is_a_valid_draft_2020_12_schema(name):
    schema = schemas.load(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("name", schemas.NAMES)
def test_every_export_of_the_demo_store_validates(exports, name):
    data = exports[name]
    assert len(data[name]) > 5                      # real records, not an empty list that passes anything
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator(name).iter_errors(data)]
    assert errors == []


def test_the_rarer_shapes_are_in_the_export_that_was_validated(exports):
    contacts = exports["contacts"]["contacts"]
    assert any(c["redacted_on"] and c["summary"] == "[redacted]" for c in contacts)
    assert any(c["reopenings"] for c in contacts)
    assert any(r["impact_finding"] for rv in exports["reviews"]["reviews"] for r in rv["recommendations"])
    actions = exports["actions"]["actions"]
    assert any(a["due_rule"] for a in actions) and any(a["revisions"] for a in actions)
    assert any(a["updates"] for a in actions)


def _set(record: dict, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for key in parents:
        record = record[int(key)] if isinstance(record, list) else record[key]
    if value is _DELETE:
        del record[last]
    elif isinstance(record, list):
        record[int(last)] = value
    else:
        record[last] = value


class _Delete:
    def __repr__(self) -> str:
        return "<deleted>"


_DELETE = _Delete()
BAD = [
    ("contacts", "received_on", 20180105),                   # wrong type
    ("contacts", "received_on", "05/01/2018"),               # not ISO
    ("contacts", "received_on", "2018-02-31"),               # no such day (the format check)
    ("contacts", "category", "allegation"),                  # unknown enum value
    ("contacts", "outcome", "proven"),
    ("contacts", "harm", "Physical"),
    ("contacts", "threshold", ["harmed", "danger"]),
    ("contacts", "children_ages", [4, 18]),
    ("contacts", "children_count", "2"),
    ("contacts", "police_involved", "yes"),
    ("contacts", "reference", "L-18-1"),
    ("contacts", "subject.date_of_birth", "1980"),
    ("contacts", "subject.nickname", "x"),                   # unknown nested key
    ("contacts", "category_history.0.kind", "promoted"),
    ("contacts", "notes.0.at", "yesterday"),
    ("contacts", "colour", "red"),                           # unknown key
    ("contacts", "agency", _DELETE),                         # a required key missing
    ("contacts", "revision", -1),
    ("reviews", "kind", "inquest"),
    ("reviews", "status", "draft"),
    ("reviews", "recommendations.0.number", 0),
    ("reviews", "published_on", "2018-13-01"),
    ("actions", "status", "done"),                           # a synonym the CSV import reads, not a stored value
    ("actions", "recommendation", "1"),
    ("actions", "reference", "A-"),
    ("actions", "due_rule", {"period": "3 months", "event": "christmas", "action": ""}),
    ("actions", "updates", [{"at": "2018-01-05T10:00:00+00:00", "by": "x", "text": "", "on": None}]),
    ("actions", "rag", "red"),                               # derived, never exported
]


@pytest.mark.parametrize("name,path,value", BAD, ids=[f"{n}.{p}={v!r}"[:60] for n, p, v in BAD])
def test_a_wrong_value_fails_validation(exports, name, path, value):
    full = exports[name]
    record = copy.deepcopy(next(r for r in full[name] if r.get("notes") or r.get("recommendations")
                                or name == "actions"))
    data = {"format": full["format"], "version": full["version"], name: [record]}
    assert validator(name).is_valid(data)
    _set(record, path, value)
    assert not validator(name).is_valid(data)


@pytest.mark.parametrize("name", schemas.NAMES)
@pytest.mark.parametrize("key,value", [("version", 2), ("format", "safeguard-tracker/other"), ("extra", 1)])
def test_the_envelope_is_exact(exports, name, key, value):
    data = {**exports[name], name: exports[name][name][:1]}
    assert validator(name).is_valid(data)
    data[key] = value
    assert not validator(name).is_valid(data)


# --- the schema against the model -------------------------------------------------------------------------

def _key(field: str) -> str:
    return "from" if field == "from_" else field


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/$defs/"), ref
        node = schema["$defs"][ref.rsplit("/", 1)[1]]
    return node


def _describe_schema(schema: dict, node: dict) -> Any:
    """A node of the schema as a comparable shape: ('str',), ('enum', [...]), ('optional', inner) ..."""
    ref = node.get("$ref", "")
    if ref == "#/$defs/date":
        return ("date",)
    if ref == "#/$defs/datetime":
        return ("datetime",)
    node = _resolve(schema, node)
    if "anyOf" in node:
        kinds = [k for k in node["anyOf"] if k != {"type": "null"}]
        assert len(kinds) == 1 and len(node["anyOf"]) == 2, node
        return ("optional", _describe_schema(schema, kinds[0]))
    types = node["type"] if isinstance(node["type"], list) else [node["type"]]
    if "null" in types:
        inner = {**node, "type": [t for t in types if t != "null"][0]}
        if "enum" in node:
            assert None in node["enum"], node
            inner["enum"] = [v for v in node["enum"] if v is not None]
        return ("optional", _describe_schema(schema, inner))
    (kind,) = types
    if kind == "string":
        return ("enum", sorted(node["enum"])) if "enum" in node else ("str",)
    if kind == "array":
        return ("list", _describe_schema(schema, node["items"]))
    if kind == "object" and "properties" not in node:              # a mapping: heading -> text
        return ("mapping", _describe_schema(schema, node["additionalProperties"]))
    if kind == "object":
        assert node["additionalProperties"] is False, node
        assert sorted(node["required"]) == sorted(node["properties"]), node      # the exporters write every key
        return ("object", {k: _describe_schema(schema, v) for k, v in node["properties"].items()})
    return ({"integer": "int", "boolean": "bool"}[kind],)


def _describe_model(tp: Any, owner: str = "", field: str = "") -> Any:
    """The shape ``convert.to_doc`` gives a value of the type ``tp``."""
    origin = typing.get_origin(tp)
    if origin is typing.Union:
        (inner,) = [a for a in typing.get_args(tp) if a is not type(None)]
        return ("optional", _describe_model(inner, owner, field))
    if origin is dict:
        return ("mapping", _describe_model(typing.get_args(tp)[1], owner, field))
    if origin in (tuple, list):
        return ("list", _describe_model(typing.get_args(tp)[0], owner, field))
    if isinstance(tp, type) and issubclass(tp, Enum):
        return ("enum", sorted(m.value for m in tp))
    if attrs.has(tp):
        hints = typing.get_type_hints(tp)
        return ("object", {_key(a.name): _describe_model(hints[a.name], tp.__name__, a.name)
                           for a in attrs.fields(tp) if a.name != "rev"})
    if tp is str and (owner, field) in REFINED:
        return ("enum", REFINED[(owner, field)])
    return ({str: ("str",), int: ("int",), bool: ("bool",), date: ("date",), datetime: ("datetime",)}[tp])


@pytest.mark.parametrize("name", schemas.NAMES)
def test_the_schema_has_exactly_the_models_fields_types_and_enum_values(name):
    schema = schemas.load(name)
    record = _describe_schema(schema, schema["properties"][name]["items"])
    expected = _describe_model(MODELS[name])
    expected[1]["revision"] = ("int",)                   # the store's revision, written by every exporter
    assert record == expected


@pytest.mark.parametrize("name", schemas.NAMES)
def test_the_schema_covers_exactly_the_keys_the_exporter_writes(exports, name):
    schema = schemas.load(name)
    record = _resolve(schema, schema["properties"][name]["items"])
    written = {k for r in exports[name][name] for k in r}
    assert written == set(record["properties"])
    assert set(exports[name]) == set(schema["properties"]) == set(schema["required"])


@pytest.mark.parametrize("name", schemas.NAMES)
def test_the_version_and_format_are_the_exporters(exports, name):
    schema = schemas.load(name)
    assert schema["properties"]["version"]["const"] == EXPORTER_VERSIONS[name] == schemas.VERSIONS[name]
    assert schema["properties"]["format"]["const"] == exports[name]["format"] == schemas.format_name(name)
    assert exports[name]["version"] == EXPORTER_VERSIONS[name]
    assert contacts_json.JSON_FORMAT == schemas.format_name("contacts")


@pytest.mark.parametrize("name", schemas.NAMES)
def test_the_importer_refuses_a_newer_version_by_name(exports, name, tmp_path):
    data = copy.deepcopy(exports[name])
    newer = EXPORTER_VERSIONS[name] + 1
    data["version"] = newer
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    tracker = build_demo(tmp_path / "fresh.json", user="a.lado", reviews=name == "actions")
    try:
        importer = {"contacts": tracker.import_contacts, "reviews": tracker.import_reviews,
                    "actions": tracker.import_actions}[name]
        with pytest.raises(ImportFailed) as caught:
            importer(path)
    finally:
        tracker.close()
    assert caught.value.problems == [f"{name}.json: version {newer} of safeguard-tracker/{name}; this version reads "
                                     f"version {EXPORTER_VERSIONS[name]}"]


def test_load_names_the_exports_and_returns_a_fresh_copy():
    with pytest.raises(ValueError, match="contacts, reviews, actions"):
        schemas.load("meetings")
    first = schemas.load("actions")
    first["properties"].clear()
    assert schemas.load("actions")["properties"]
    shipped = Path(schemas.__file__).parent
    assert {schemas.filename(n) for n in schemas.NAMES} <= {p.name for p in shipped.glob("*.json")}
