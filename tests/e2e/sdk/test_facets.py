"""Each collection through msgraph-beta-sdk, unchanged, against the local host on both stores.

For each collection, with the `me()` builder (delegated token) and `users.by_user_id(oid)` (app-only token,
role User.ReadWrite.All): create a fully populated facet from the SDK's models, read it back field by
field, list it, get-modify-patch it, delete it, and see 404 `itemNotFound` after. Bodies the SDK's
models cannot express (an enum string that is no member) go through the SDK's own request adapter.
`responsibilities`, whose model the SDK has but not its request builders, goes through builders written
in the SDK's generated shape over its request adapter (tests/e2e/sdk/responsibilities.py).
"""

from __future__ import annotations

import copy
import datetime
import uuid
from typing import Any

import pytest
from msgraph_beta.generated.models.identity import Identity
from msgraph_beta.generated.models.identity_set import IdentitySet

from shared.facets.catalog import by_collection
from shared.facets.kinds import Complex, Kind, ListOf
from tests.e2e.sdk.facets import CASES, FacetCase
from tests.e2e.sdk.support import facet_values, odata_error, plain, run, send_json, wire
from tests.support.identity import TEST_APP_ID

pytestmark = [
    pytest.mark.filterwarnings("ignore:.*is deprecated:DeprecationWarning"),  # the SDK's own
    pytest.mark.long_running,
]
BY_CASE = pytest.mark.parametrize("case", CASES, ids=str)
APP_NAME = "Contoso sync"  # the app_displayname of tests.support.identity's app-only tokens


# --- the builders themselves ------------------------------------------------------------------------------


def unset_paths(kind: Kind, value: Any, path: str) -> list[str]:
    """The paths under `value` (a JSON value of `kind`) that are null: complex members and list items included."""
    if value is None:
        return [path]
    if isinstance(kind, ListOf):
        found = [] if value else [f"{path}[]"]
        for index, item in enumerate(value):
            found += unset_paths(kind.item, item, f"{path}[{index}]")
        return found
    if isinstance(kind, Complex):
        found = []
        for name, member in kind.type.properties.items():
            found += unset_paths(member, value.get(name), f"{path}.{name}")
        return found
    return []


@BY_CASE
def test_every_writable_property_is_set_by_the_builder(case: FacetCase) -> None:
    """The SDK body of each case carries every writable property of the service's declaration, nested ones too."""
    facet_type = by_collection(case.collection)
    assert facet_type is not None
    body = wire(case.build())
    assert body["@odata.type"] == facet_type.odata_type
    unset = []
    for name in facet_type.writable:
        unset += unset_paths(facet_type.properties[name], body.get(name), name)
    assert unset == ["sources[1].properties[]"]  # the one deliberately empty list
    assert not set(body) - set(facet_type.properties) - {"@odata.type"}


# --- create, read, list, patch, delete --------------------------------------------------------------------


def created_by(user: Identity | None = None, application: Identity | None = None) -> dict[str, Any]:
    """createdBy / lastModifiedBy as the SDK parses them: one member set, the others null."""
    return plain(IdentitySet(user=user, application=application))


def expected_values(sent: Any) -> dict[str, Any]:
    """Every property set on `sent`, as it reads back (the SDK parses the flags enum allowedAudiences as a list)."""
    values = {name: value for name, value in plain(sent).items() if value is not None and name != "additional_data"}
    if "allowed_audiences" in values:
        values["allowed_audiences"] = [values["allowed_audiences"]]
    return values


def assert_stored_as_sent(sent: Any, got: Any, creator: dict[str, Any], upn: str | None) -> None:
    """Every property set comes back equal; the server-set ones are present; nothing else is there."""
    values = facet_values(got)
    for name, value in expected_values(sent).items():
        assert values[name] == value, name
    assert values["additional_data"] == {}  # no property the SDK does not know (storage fields, ...)
    assert str(uuid.UUID(got.id)) == got.id
    for moment in (got.created_date_time, got.last_modified_date_time):
        assert isinstance(moment, datetime.datetime) and moment.utcoffset() == datetime.timedelta(0)
    assert got.last_modified_date_time >= got.created_date_time
    assert plain(got.created_by) == creator
    assert plain(got.last_modified_by) == creator
    if hasattr(got, "user_principal_name"):  # account: the directory's properties
        directory = (got.user_principal_name, got.age_group, got.user_persona, got.origin_tenant_info)
        assert directory == (upn, None, None, None)


async def lifecycle(graph: Any, profile: Any, case: FacetCase, creator: dict[str, Any], upn: str | None) -> None:
    collection = case.collection_of(profile)
    sent = case.build()
    created = await collection.post(sent)
    assert_stored_as_sent(sent, created, creator, upn)

    item = case.item_of(profile, created.id)
    got = await item.get()
    assert facet_values(got) == facet_values(created)

    listed = await collection.get()
    assert [facet_values(value) for value in listed.value] == [facet_values(created)]
    assert listed.odata_next_link is None

    # get-modify-patch: the object just read, one property changed, sent back whole (read-only ones included).
    attribute, new_value = case.change
    assert getattr(got, attribute) != new_value
    setattr(got, attribute, new_value)
    patched = await item.patch(got)
    expected = {**facet_values(created), attribute: plain(new_value)}
    for values in (facet_values(patched), facet_values(await item.get())):
        assert values["last_modified_date_time"] >= created.last_modified_date_time
        values["last_modified_date_time"] = created.last_modified_date_time
        assert values == expected

    assert await item.delete() is None
    error = await odata_error(item.get())
    assert (error.response_status_code, error.error.code) == (404, "itemNotFound")
    assert error.error.inner_error is not None and error.error.inner_error.request_id


@BY_CASE
def test_lifecycle_through_me(sdk_api: Any, case: FacetCase) -> None:
    user = sdk_api.new_user()

    async def scenario() -> None:
        async with sdk_api.client(user.token) as graph:
            creator = created_by(user=Identity(id=user.oid, display_name=user.name))
            await lifecycle(graph, graph.me().profile, case, creator, user.upn)

    run(scenario())


@BY_CASE
def test_lifecycle_through_users_by_id_with_an_app_only_token(sdk_api: Any, case: FacetCase) -> None:
    user = sdk_api.new_user()

    async def scenario() -> None:
        async with sdk_api.client(user.token) as graph:
            await graph.me().profile.get()  # the user signs in once: the local directory learns the UPN
        async with sdk_api.client(sdk_api.app_token()) as graph:
            creator = created_by(application=Identity(id=TEST_APP_ID, display_name=APP_NAME))
            await lifecycle(graph, graph.users.by_user_id(user.oid).profile, case, creator, user.upn)

    run(scenario())


# --- bodies the service refuses -----------------------------------------------------------------------


def assert_bad_request_naming(error: Any, target: str) -> None:
    assert (error.response_status_code, error.error.code) == (400, "invalidRequest")
    assert f"'{target}'" in error.error.message
    assert [detail.target for detail in error.error.details or ()] == [target]


def with_bad_enum(case: FacetCase, body: dict[str, Any], value: str) -> dict[str, Any]:
    """`body` with `value` where the case's enum member is."""
    body = copy.deepcopy(body)
    path = case.bad_enum[0]
    node: Any = body
    for segment in path[:-1]:
        node = node[segment]
    node[path[-1]] = value
    return body


@BY_CASE
def test_an_enum_string_that_is_no_member_and_an_unknown_property_are_400_naming_them(
    sdk_api: Any, case: FacetCase
) -> None:
    """Unknown properties as a developer sends them (the model's additional_data); enum strings that are no
    member through the SDK's request adapter (its enums cannot express them). Nothing is written on a 400."""
    user = sdk_api.new_user()
    target = case.bad_enum[1]

    async def scenario() -> None:
        async with sdk_api.client(user.token) as graph:
            collection = case.collection_of(graph.me().profile)
            for bad in ("notAMember", "unknownFutureValue"):
                info = collection.to_post_request_information(case.build())
                body = with_bad_enum(case, wire(case.build()), bad)
                assert_bad_request_naming(await odata_error(send_json(graph, info, body)), target)
            facet = case.build()
            facet.additional_data["favouriteColour"] = "teal"
            assert_bad_request_naming(await odata_error(collection.post(facet)), "favouriteColour")
            assert (await collection.get()).value == []

            created = await collection.post(case.build())
            item = case.item_of(graph.me().profile, created.id)
            got = await item.get()
            got.additional_data["favouriteColour"] = "teal"
            assert_bad_request_naming(await odata_error(item.patch(got)), "favouriteColour")
            del got.additional_data["favouriteColour"]
            body = with_bad_enum(case, wire(got), "notAMember")
            info = item.to_patch_request_information(got)
            assert_bad_request_naming(await odata_error(send_json(graph, info, body)), target)
            assert facet_values(await item.get()) == facet_values(created)

    run(scenario())
