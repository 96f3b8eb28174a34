"""Shared by the facet unit tests: parametrisation over the catalog's property paths, and 400 checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from shared.errors import BadRequest
from shared.facets.catalog import FACET_TYPES
from shared.facets.kinds import Complex, Kind
from shared.facets.model import FacetType
from shared.facets.validate import validate_create, validate_patch
from shared.facets.wire import to_wire
from shared.models import DirectoryUser
from tests.support.facet_bodies import full_body, paths, stored, target, value_at, with_value

USER = DirectoryUser(
    tenant_id="t",
    object_id="o",
    user_principal_name="innocenty.popov@adventureworks.com",
    age_group="adult",
    user_persona="internalMember",
    origin_tenant_info={"originTenantId": "t0", "originUserId": "u0"},
)


def by_type(**kwargs: Any) -> pytest.MarkDecorator:
    """Parametrise a test's `facet_type` over every collection."""
    return pytest.mark.parametrize("facet_type", FACET_TYPES, ids=[ft.collection for ft in FACET_TYPES], **kwargs)


def path_cases(wanted: Callable[[Kind], bool]) -> list[Any]:
    """(facet_type, path) for every writable path of every collection whose kind `wanted` accepts."""
    cases = [
        pytest.param(facet_type, path, id=f"{facet_type.collection}:{target(path)}")
        for facet_type in FACET_TYPES
        for path, _ in paths(facet_type, wanted)
    ]
    assert cases, "the catalog declares no such property"
    return cases


def kind_at(facet_type: FacetType, path: tuple) -> Kind:
    """The kind declared at `path` (list indices step into the item kind)."""
    for candidate, kind in paths(facet_type, lambda _: True):
        if candidate == path:
            return kind
    raise AssertionError(f"{facet_type.collection} declares no {path}")


def sample_at(facet_type: FacetType, path: tuple) -> Any:
    """The valid value the fully populated body holds at `path` (sources name properties of this type)."""
    return value_at(full_body(facet_type), path)


def is_required(facet_type: FacetType, path: tuple) -> bool:
    """True when `path` is a member its complex type requires (null refused)."""
    if len(path) < 2 or isinstance(path[-1], int):
        return False
    parent = kind_at(facet_type, path[:-1])
    return isinstance(parent, Complex) and path[-1] in parent.type.required


def current(facet_type: FacetType, **values: Any) -> dict[str, Any]:
    """The wire body of a stored facet holding the fully populated body (plus `values`)."""
    return to_wire(facet_type, stored(facet_type, {**full_body(facet_type), **values}), USER)


def accepted_create(facet_type: FacetType, path: tuple, value: Any) -> Any:
    """The canonical value validate_create keeps at `path` when `value` is sent there in a full body."""
    values = validate_create(facet_type, with_value(full_body(facet_type), path, value))
    for segment in path:
        values = values[segment]
    return values


def accepted_patch(facet_type: FacetType, path: tuple, value: Any) -> Any:
    """The canonical value validate_patch keeps at `path` when only that property (with `value` inside) is sent."""
    top = path[0]
    doc = {top: with_value(full_body(facet_type), path, value)[top]}
    changes: Any = validate_patch(facet_type, doc, current(facet_type))
    assert set(changes) == {top}
    for segment in path:
        changes = changes[segment]
    return changes


def refused(facet_type: FacetType, doc: Any, *, patch: bool = False) -> BadRequest:
    """The 400 that validate_create (or validate_patch against `current`) raises for `doc`."""
    with pytest.raises(BadRequest) as info:
        if patch:
            validate_patch(facet_type, doc, current(facet_type))
        else:
            validate_create(facet_type, doc)
    error = info.value
    assert error.status == 400 and error.code == "invalidRequest" and error.details
    assert error.message.startswith(error.details[0].message)
    return error


def refused_at(facet_type: FacetType, path: tuple, value: Any, *, patch: bool = False) -> BadRequest:
    """Send `value` at `path` in a full body (create) or as the one changed property (patch): one problem, at `path`."""
    body = with_value(full_body(facet_type), path, value)
    error = refused(facet_type, {path[0]: body[path[0]]} if patch else body, patch=patch)
    assert [detail.target for detail in error.details] == [target(path)], error.details
    return error


BOTH = pytest.mark.parametrize("patch", [False, True], ids=["create", "patch"])
