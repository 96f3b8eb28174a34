"""Request bodies of a facet type, checked against its declaration (contract §2 "Rules for every body").

- POST: every writable property may be sent; omitted ones get their defaults (null; allowedAudiences
  "me"). A read-only property is 400 naming it.
- PATCH: only the properties sent change. A read-only property whose value equals the current one
  (date-times as instants, objects by value, absent and null alike) is accepted and ignored, so an
  SDK can PATCH the object it just read; a different value is 400 naming it.
- `@odata.type` may name the facet's type, at the top level and inside complex values.
- `@odata.context` at the top level (a string) is control information and ignored: the Graph SDKs keep
  the context URL of the object they read and send it back when that object is PATCHed (OData allows a
  context URL in request payloads).
- Every problem is collected; the 400 lists at most MAX_DETAILS of them, with the count in the message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.errors import BadRequest
from shared.facets.kinds import ODATA_TYPE, check_odata_type
from shared.facets.model import FacetType
from shared.validation.json_body import NOT_OBJECT_MESSAGE
from shared.validation.problems import Problems

ODATA_CONTEXT = "@odata.context"


def validate_create(facet_type: FacetType, doc: object) -> dict[str, Any]:
    """The canonical writable values of a create body, every writable property present."""
    body = _object(doc)
    problems = Problems()
    values: dict[str, Any] = {}
    for key, value in body.items():
        if _common(facet_type, key, value, problems):
            continue
        if key in facet_type.read_only:
            problems.read_only(key)
    for name in facet_type.writable:
        values[name] = facet_type.properties[name].check(body.get(name), name, problems)
    _check_sources(facet_type, values.get("sources"), problems)
    problems.raise_if_any()
    return values


def validate_patch(facet_type: FacetType, doc: object, current: Mapping[str, Any]) -> dict[str, Any]:
    """The canonical values of the properties a PATCH body changes. `current` is the facet's wire body."""
    body = _object(doc)
    problems = Problems()
    changes: dict[str, Any] = {}
    for key, value in body.items():
        if _common(facet_type, key, value, problems):
            continue
        kind = facet_type.properties[key]
        if key in facet_type.read_only:
            if not kind.same(value, current.get(key)):
                problems.add(
                    "readOnlyProperty",
                    f"The property '{key}' is read-only; its value cannot be changed.",
                    key,
                )
            continue
        changes[key] = kind.check(value, key, problems)
    if "sources" in changes:
        _check_sources(facet_type, changes["sources"], problems)
    problems.raise_if_any()
    return changes


def _object(doc: object) -> Mapping[str, Any]:
    if not isinstance(doc, dict):
        raise BadRequest(NOT_OBJECT_MESSAGE)
    return doc


def _common(facet_type: FacetType, key: str, value: object, problems: Problems) -> bool:
    """Handle `@odata.type`, `@odata.context` and unknown properties; True when `key` needs nothing more."""
    if key == ODATA_TYPE:
        check_odata_type(value, facet_type.qualified, key, problems)
        return True
    if key == ODATA_CONTEXT:
        if not isinstance(value, str):
            problems.wrong_type(key, "a string")
        return True
    if key not in facet_type.properties:
        problems.unknown(str(key), facet_type.qualified)
        return True
    return False


def _check_sources(facet_type: FacetType, sources: object, problems: Problems) -> None:
    """profileSourceAnnotation.properties must name properties of this facet type."""
    if not isinstance(sources, list):
        return
    for index, annotation in enumerate(sources):
        for position, name in enumerate((annotation or {}).get("properties") or ()):
            if name not in facet_type.properties:
                target = f"sources[{index}].properties[{position}]"
                problems.invalid(target, f"The value of '{target}' must name a property of '{facet_type.qualified}'.")
