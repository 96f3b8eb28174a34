"""Facets on the wire and in the store (contract §2 "Resources on the wire"): to_wire and to_store."""

from __future__ import annotations

from typing import Any

import pytest

from shared.facets.catalog import FACET_TYPES
from shared.facets.kinds import instant_ticks, is_date
from shared.facets.model import FacetType
from shared.facets.validate import validate_create
from shared.facets.wire import to_store, to_wire
from tests.support.facet_bodies import CREATED, FACET_ID, IDENTITY_SET, INHERITED, MODIFIED, full_body, stored
from tests.unit.facets.helpers import USER, by_type

STORAGE_FIELDS = {
    "_etag": '"0a00"',
    "_ts": 1700000000,
    "_rid": "abc==",
    "_self": "dbs/x/colls/y/docs/z/",
    "_attachments": "a/",
    "pk": "t:o",
    "tenantId": "t",
    "objectId": "o",
    "tid": "t",
    "oid": "o",
    "type": "facet",
    "collection": "skills",
    "ttl": 10,
    "etag": "e",
}


@by_type()
def test_a_fully_populated_facet_reads_back_as_it_was_sent(facet_type: FacetType) -> None:
    body = full_body(facet_type)
    wire = to_wire(facet_type, stored(facet_type, validate_create(facet_type, body)), USER)
    assert {name: wire[name] for name in facet_type.writable} == body
    assert wire["id"] == FACET_ID and wire["createdDateTime"] == CREATED and wire["lastModifiedDateTime"] == MODIFIED
    assert wire["createdBy"] == wire["lastModifiedBy"] == IDENTITY_SET


@by_type()
def test_every_declared_property_is_present_in_order_null_where_unset(facet_type: FacetType) -> None:
    wire = to_wire(facet_type, stored(facet_type, validate_create(facet_type, {})), None)
    assert list(wire) == list(facet_type.properties)
    assert tuple(wire)[: len(INHERITED)] == INHERITED
    own = list(wire)[len(INHERITED) :]
    assert own and own == sorted(own)  # Graph's declaration order for every type's own properties
    unset = {name for name, value in wire.items() if value is None}
    assert unset == set(facet_type.properties) - {"allowedAudiences", *INHERITED[:1], *INHERITED[3:7]}
    assert wire["allowedAudiences"] == "me"


@by_type()
def test_storage_fields_never_reach_the_wire(facet_type: FacetType) -> None:
    kept = {**stored(facet_type, full_body(facet_type)), **STORAGE_FIELDS}
    wire = to_wire(facet_type, kept, USER)
    assert list(wire) == list(facet_type.properties)
    assert not set(wire) & (set(STORAGE_FIELDS) - set(facet_type.properties))


@by_type()
def test_the_store_keeps_the_stored_properties_and_nothing_else(facet_type: FacetType) -> None:
    values = {**full_body(facet_type), "id": FACET_ID, **STORAGE_FIELDS, "userPrincipalName": "x@y.z"}
    kept = to_store(facet_type, values)
    assert list(kept) == list(facet_type.stored)
    assert set(facet_type.stored) == set(facet_type.properties) - set(facet_type.directory)
    assert to_store(facet_type, {}) == dict.fromkeys(facet_type.stored)


@by_type()
@pytest.mark.parametrize("audiences", [None, ""])
def test_audiences_stored_empty_read_back_as_me(facet_type: FacetType, audiences: str | None) -> None:
    kept = {**stored(facet_type, {}), "allowedAudiences": audiences}
    assert to_wire(facet_type, kept, None)["allowedAudiences"] == "me"


@by_type()
def test_missing_or_malformed_stored_values_read_back_as_null(facet_type: FacetType) -> None:
    wire = to_wire(facet_type, {"id": FACET_ID, "inference": "garbage", "createdBy": [1]}, None)
    assert wire["inference"] is None and wire["createdBy"] is None and wire["source"] is None
    assert list(wire) == list(facet_type.properties)


@by_type()
@pytest.mark.parametrize(
    ("old", "new"),
    [({"type": "User"}, {"type": ["User"]}), ({"type": ["User"]}, {"type": ["User"]}), ({}, {"type": None})],
)
def test_the_older_single_string_source_is_read_back_as_a_list(facet_type: FacetType, old: Any, new: Any) -> None:
    kept = {**stored(facet_type, {}), "source": old}
    assert to_wire(facet_type, kept, None)["source"] == new


@by_type()
def test_complex_values_read_back_with_every_member(facet_type: FacetType) -> None:
    kept = {**stored(facet_type, {}), "inference": {"confidenceScore": 0.5}, "sources": [{"sourceId": "s"}]}
    wire = to_wire(facet_type, kept, None)
    assert wire["inference"] == {"confidenceScore": 0.5, "userHasVerifiedAccuracy": None}
    assert wire["sources"] == [{"isDefaultSource": None, "properties": None, "sourceId": "s"}]


# --- instants and dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("2020-07-06T06:34:12.2294868Z", "2020-07-06T06:34:12.2294868+00:00"),
        ("2020-07-06T06:34:12.2294868Z", "2020-07-06T07:34:12.2294868+01:00"),
        ("2020-07-06T00:30:00Z", "2020-07-05T23:00:00-01:30"),
        ("2020-07-06T06:34:12.229Z", "2020-07-06T06:34:12.2290000Z"),
        ("2020-07-06T06:34:12Z", "2020-07-06T06:34:12.0000000Z"),
    ],
)
def test_equal_instants_have_equal_ticks(a: str, b: str) -> None:
    assert instant_ticks(a) is not None and instant_ticks(a) == instant_ticks(b)


def test_instants_one_tick_apart_differ() -> None:
    assert instant_ticks("2020-07-06T06:34:12.2294869Z") == instant_ticks("2020-07-06T06:34:12.2294868Z") + 1  # type: ignore[operator]


@pytest.mark.parametrize(
    "value",
    [
        "2020-07-06T06:34:12",
        "2020-07-06",
        "2020-07-06T06:34:12.12345678Z",
        "2020-02-30T00:00:00Z",
        "2020-07-06T25:00:00Z",
        "2020-07-06t06:34:12Z",
        "2020-07-06T06:34:12+0100",
        "\uff12020-07-06T06:34:12Z",
        " 2020-07-06T06:34:12Z",
        "",
    ],
)
def test_anything_else_is_no_instant(value: str) -> None:
    assert instant_ticks(value) is None


@pytest.mark.parametrize(
    ("value", "ok"), [("2020-02-29", True), ("2019-02-29", False), ("2020-2-9", False), ("", False)]
)
def test_dates(value: str, ok: bool) -> None:
    assert is_date(value) is ok


def test_collections_types_and_storage_prefixes_are_distinct() -> None:
    """Routes match case-insensitively and Cosmos keys documents by prefix: no two collections may share either."""
    assert len({ft.collection.lower() for ft in FACET_TYPES}) == len(FACET_TYPES)
    assert len({ft.type_name for ft in FACET_TYPES}) == len(FACET_TYPES)
    assert len({ft.prefix for ft in FACET_TYPES}) == len(FACET_TYPES)


def test_instants_at_the_edges_of_the_calendar_compare_without_overflow() -> None:
    from shared.facets.kinds import DateTime

    assert not DateTime().same("0001-01-01T00:00:00+01:00", "2020-01-01T00:00:00Z")
    assert not DateTime().same("9999-12-31T23:59:59-14:00", "2020-01-01T00:00:00Z")
    assert DateTime().same("2020-07-06T08:34:12.2294868+02:00", "2020-07-06T06:34:12.2294868Z")
