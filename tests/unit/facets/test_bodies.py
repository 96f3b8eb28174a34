"""Rules for every body (contract §2), for each collection: validate_create and validate_patch."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from shared.facets.catalog import FACET_TYPES, by_collection
from shared.facets.model import FacetType
from shared.facets.validate import validate_create, validate_patch
from shared.validation.problems import MAX_DETAILS
from tests.support.facet_bodies import INHERITED, SERVER_SET, full_body
from tests.unit.facets.helpers import BOTH, USER, by_type, current, refused

#: A value of every read-only property that differs from what `current()` holds.
DIFFERENT = {
    "id": "2b3c4d5e-0000-4000-8000-000000000000",
    "createdDateTime": "2020-07-06T06:34:12.2294869Z",
    "createdBy": {"application": None, "device": None, "user": {"displayName": "Someone Else", "id": "x"}},
    "lastModifiedDateTime": "2000-01-01T00:00:00Z",
    "lastModifiedBy": {"application": {"displayName": "App", "id": "y"}, "device": None, "user": None},
    "ageGroup": "minor",
    "originTenantInfo": {"originTenantId": "t2", "originUserId": "u2"},
    "userPersona": "externalGuest",
    "userPrincipalName": "someone.else@adventureworks.com",
}
READ_ONLY_CASES = [
    pytest.param(ft, name, id=f"{ft.collection}:{name}") for ft in FACET_TYPES for name in sorted(ft.read_only)
]


def test_the_catalog_is_graphs_collections_in_order() -> None:
    assert [(ft.collection, ft.type_name) for ft in FACET_TYPES] == [
        ("account", "userAccountInformation"),
        ("addresses", "itemAddress"),
        ("anniversaries", "personAnnualEvent"),
        ("awards", "personAward"),
        ("certifications", "personCertification"),
        ("educationalActivities", "educationalActivity"),
        ("emails", "itemEmail"),
        ("interests", "personInterest"),
        ("languages", "languageProficiency"),
        ("names", "personName"),
        ("notes", "personAnnotation"),
        ("patents", "itemPatent"),
        ("phones", "itemPhone"),
        ("positions", "workPosition"),
        ("projects", "projectParticipation"),
        ("publications", "itemPublication"),
        ("responsibilities", "personResponsibility"),
        ("skills", "skillProficiency"),
        ("webAccounts", "webAccount"),
        ("websites", "personWebsite"),
    ]


@pytest.mark.parametrize("name", ["skills", "SKILLS", "Skills", "educationalactivities", "WEBACCOUNTS"])
def test_collections_are_found_case_insensitively(name: str) -> None:
    found = by_collection(name)
    assert found is not None and found.collection.lower() == name.lower()


@pytest.mark.parametrize("name", ["skill", "profile", "", "skills/", "accounts"])
def test_other_names_are_no_collection(name: str) -> None:
    assert by_collection(name) is None


@by_type()
def test_every_facet_inherits_item_facet_first_in_the_seeds_order(facet_type: FacetType) -> None:
    assert tuple(facet_type.properties)[: len(INHERITED)] == INHERITED
    assert facet_type.read_only >= frozenset(SERVER_SET)
    assert facet_type.read_only - frozenset(SERVER_SET) == frozenset(facet_type.directory)


# --- the fully populated body ----------------------------------------------------------------------


@by_type()
def test_a_fully_populated_body_is_accepted_unchanged(facet_type: FacetType) -> None:
    body = full_body(facet_type)
    assert set(body) == set(facet_type.writable)
    assert validate_create(facet_type, copy.deepcopy(body)) == body
    assert validate_patch(facet_type, copy.deepcopy(body), current(facet_type)) == body


@by_type()
@pytest.mark.parametrize("doc", [{}, {"@odata.type": "TYPE"}], ids=["empty", "odata-type-only"])
def test_every_writable_property_is_optional_on_create(facet_type: FacetType, doc: dict) -> None:
    doc = {key: facet_type.odata_type if value == "TYPE" else value for key, value in doc.items()}
    values = validate_create(facet_type, doc)
    assert values == {name: "me" if name == "allowedAudiences" else None for name in facet_type.writable}


@by_type()
def test_patch_changes_only_what_was_sent(facet_type: FacetType) -> None:
    body = full_body(facet_type)
    for name in facet_type.writable:
        assert validate_patch(facet_type, {name: body[name]}, current(facet_type)) == {name: body[name]}
    assert validate_patch(facet_type, {}, current(facet_type)) == {}
    assert validate_patch(facet_type, {"@odata.type": facet_type.odata_type}, current(facet_type)) == {}


# --- @odata.type and unknown properties ------------------------------------------------------------


@BOTH
@by_type()
def test_top_level_odata_type_may_name_the_facets_type(facet_type: FacetType, patch: bool) -> None:
    for name in (facet_type.odata_type, facet_type.qualified):
        doc = {"@odata.type": name, "isSearchable": True}
        values = validate_patch(facet_type, doc, current(facet_type)) if patch else validate_create(facet_type, doc)
        assert values["isSearchable"] is True and "@odata.type" not in values


@BOTH
@by_type()
def test_top_level_odata_type_naming_another_type_is_400(facet_type: FacetType, patch: bool) -> None:
    others = [
        "#microsoft.graph.itemFacet",
        "#microsoft.graph.profile",
        facet_type.type_name,
        None,
        1,
        f"#microsoft.graph.{facet_type.type_name.upper()}",
        [facet_type.odata_type],
    ]
    others += [other.odata_type for other in FACET_TYPES if other is not facet_type][:3]
    for name in others:
        error = refused(facet_type, {"@odata.type": name}, patch=patch)
        assert [d.target for d in error.details] == ["@odata.type"] and facet_type.odata_type in error.message


@BOTH
@by_type()
@pytest.mark.parametrize("name", ["foo", "DisplayName", "_etag", "_ts", "_rid", "_self", "pk", "tenantId", "type_"])
def test_an_unknown_property_is_400_with_graphs_message(facet_type: FacetType, name: str, patch: bool) -> None:
    error = refused(facet_type, {name: "x"}, patch=patch)
    assert error.message == f"The property '{name}' does not exist on type 'microsoft.graph.{facet_type.type_name}'."
    assert [(d.code, d.target) for d in error.details] == [("unknownProperty", name)]


@by_type()
def test_a_property_of_another_type_is_unknown(facet_type: FacetType) -> None:
    foreign = next(name for other in FACET_TYPES for name in other.writable if name not in facet_type.properties)
    error = refused(facet_type, {foreign: None})
    assert error.message == f"The property '{foreign}' does not exist on type '{facet_type.qualified}'."


@BOTH
@by_type()
def test_6000_unknown_properties_are_one_400_with_at_most_20_details(facet_type: FacetType, patch: bool) -> None:
    error = refused(facet_type, {f"unknown{i}": i for i in range(6000)}, patch=patch)
    assert MAX_DETAILS == 20 and len(error.details) == 20
    assert "6000" in error.message
    assert error.message.startswith(f"The property 'unknown0' does not exist on type '{facet_type.qualified}'.")
    assert [d.target for d in error.details] == [f"unknown{i}" for i in range(20)]


@by_type()
def test_a_body_with_up_to_20_problems_lists_them_all_without_a_count(facet_type: FacetType) -> None:
    error = refused(facet_type, {f"unknown{i}": i for i in range(20)})
    assert len(error.details) == 20 and "problems" not in error.message


@by_type()
def test_sources_must_name_properties_of_this_type(facet_type: FacetType) -> None:
    everything = [*facet_type.properties]
    sources = [{"sourceId": "s", "isDefaultSource": True, "properties": everything}]
    assert validate_create(facet_type, {"sources": sources})["sources"] == sources
    foreign = next(name for other in FACET_TYPES for name in other.properties if name not in facet_type.properties)
    error = refused(facet_type, {"sources": [{"properties": [everything[0], foreign]}]})
    assert [d.target for d in error.details] == ["sources[0].properties[1]"] and facet_type.qualified in error.message
    error = refused(facet_type, {"sources": [{"properties": ["foo"]}]}, patch=True)
    assert [d.target for d in error.details] == ["sources[0].properties[0]"]


# --- read-only properties --------------------------------------------------------------------------------


@pytest.mark.parametrize(("facet_type", "name"), READ_ONLY_CASES)
def test_a_read_only_property_on_create_is_400_naming_it(facet_type: FacetType, name: str) -> None:
    for value in (current(facet_type)[name], None, DIFFERENT[name]):
        error = refused(facet_type, {"isSearchable": True, name: value})
        assert [(d.code, d.target) for d in error.details] == [("readOnlyProperty", name)]
        assert error.message == f"The property '{name}' is read-only and cannot be set."


@pytest.mark.parametrize(("facet_type", "name"), READ_ONLY_CASES)
def test_a_read_only_property_equal_to_the_stored_one_is_ignored_on_patch(facet_type: FacetType, name: str) -> None:
    now = current(facet_type)
    assert validate_patch(facet_type, {name: now[name], "isSearchable": False}, now) == {"isSearchable": False}


@pytest.mark.parametrize(("facet_type", "name"), READ_ONLY_CASES)
def test_a_read_only_property_with_another_value_is_400_on_patch(facet_type: FacetType, name: str) -> None:
    error = refused(facet_type, {name: DIFFERENT[name], "isSearchable": False}, patch=True)
    assert [(d.code, d.target) for d in error.details] == [("readOnlyProperty", name)]
    assert error.message == f"The property '{name}' is read-only; its value cannot be changed."


@by_type()
def test_patching_the_object_just_read_changes_only_its_writable_properties(facet_type: FacetType) -> None:
    now = current(facet_type)
    assert validate_patch(facet_type, copy.deepcopy(now), now) == {name: now[name] for name in facet_type.writable}
    assert validate_patch(facet_type, {"@odata.type": facet_type.odata_type, **now}, now) == {
        name: now[name] for name in facet_type.writable
    }


@by_type()
@pytest.mark.parametrize(
    "sent",
    [
        "2020-07-06T06:34:12.2294868Z",
        "2020-07-06T06:34:12.2294868+00:00",
        "2020-07-06T06:34:12.2294868-00:00",
        "2020-07-06T08:34:12.2294868+02:00",
        "2020-07-05T21:04:12.2294868-09:30",
    ],
)
def test_read_only_date_times_are_compared_as_instants(facet_type: FacetType, sent: str) -> None:
    now = current(facet_type)
    assert now["createdDateTime"] == "2020-07-06T06:34:12.2294868Z"
    assert validate_patch(facet_type, {"createdDateTime": sent}, now) == {}


@by_type()
@pytest.mark.parametrize(
    "sent",
    [
        "2020-07-06T06:34:12.2294869Z",
        "2020-07-06T06:34:12.2294868+01:00",
        "2020-07-06T06:34:12Z",
        "2020-07-06T06:34:12",
        "2020-07-06 06:34:12.2294868Z",
        "2020-07-06",
        "yesterday",
        "2020-02-30T00:00:00Z",
        1593930852,
        None,
    ],
)
def test_read_only_date_times_at_another_instant_or_malformed_are_400(facet_type: FacetType, sent: Any) -> None:
    error = refused(facet_type, {"createdDateTime": sent}, patch=True)
    assert [d.target for d in error.details] == ["createdDateTime"]


@by_type()
@pytest.mark.parametrize(
    "sent",
    [
        {"user": {"displayName": "Innocenty Popov", "id": "db789417-4ccb-41d1-a0a9-47b01a09ea49"}},
        {
            "@odata.type": "#microsoft.graph.identitySet",
            "application": None,
            "device": None,
            "user": {
                "@odata.type": "#microsoft.graph.identity",
                "displayName": "Innocenty Popov",
                "id": "db789417-4ccb-41d1-a0a9-47b01a09ea49",
            },
        },
        {"application": None, "user": {"id": "db789417-4ccb-41d1-a0a9-47b01a09ea49", "displayName": "Innocenty Popov"}},
    ],
    ids=["null-members-absent", "annotated", "some-members-null"],
)
def test_read_only_identity_sets_are_compared_by_value(facet_type: FacetType, sent: dict) -> None:
    assert validate_patch(facet_type, {"createdBy": sent, "lastModifiedBy": sent}, current(facet_type)) == {}


@by_type()
@pytest.mark.parametrize(
    "sent",
    [
        {"user": {"displayName": "Innocenty Popov"}},
        {"user": {"displayName": "Innocenty Popov", "id": "db789417-4ccb-41d1-a0a9-47b01a09ea49", "extra": 1}},
        {
            "user": {"displayName": "Innocenty Popov", "id": "db789417-4ccb-41d1-a0a9-47b01a09ea49"},
            "device": {"id": "d"},
        },
        {"application": {"displayName": "Innocenty Popov", "id": "db789417-4ccb-41d1-a0a9-47b01a09ea49"}},
        {},
        None,
        "Innocenty Popov",
    ],
)
def test_read_only_identity_sets_with_another_value_are_400(facet_type: FacetType, sent: Any) -> None:
    error = refused(facet_type, {"createdBy": sent}, patch=True)
    assert [d.target for d in error.details] == ["createdBy"]


@by_type()
def test_nothing_is_changed_when_one_read_only_value_differs(facet_type: FacetType) -> None:
    """A 400 never comes with a partial result: the writable properties of the same body are not applied."""
    body = {**full_body(facet_type), "id": DIFFERENT["id"]}
    error = refused(facet_type, body, patch=True)
    assert [d.target for d in error.details] == ["id"]


def test_directory_properties_are_compared_with_the_directorys_values() -> None:
    account = by_collection("account")
    assert account is not None
    now = current(account)
    assert now["userPrincipalName"] == USER.user_principal_name and now["ageGroup"] == "adult"
    same = {
        "userPrincipalName": USER.user_principal_name,
        "ageGroup": "adult",
        "userPersona": "internalMember",
        "originTenantInfo": {"originUserId": "u0", "originTenantId": "t0"},
        "countryCode": "se",
    }
    assert validate_patch(account, same, now) == {"countryCode": "SE"}
    assert validate_patch(account, {"countryCode": "se"}, now) == {"countryCode": "SE"}  # absent is also "equal"
