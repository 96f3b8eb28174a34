"""The profile itself through msgraph-beta-sdk, on both stores: implicit for every user, `$expand` over
every collection into the SDK's typed lists, DELETE and then the same id again.

Profiles whose collections are looked at are read with `read_profile`: the profile builder's own request,
into the SDK's `Profile` model plus the typed `responsibilities` list the SDK does not have yet."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration

from tests.e2e.sdk.facets import BY_COLLECTION, CASES
from tests.e2e.sdk.responsibilities import read_profile
from tests.e2e.sdk.support import facet_values, odata_error, run

pytestmark = pytest.mark.filterwarnings("ignore:.*is deprecated:DeprecationWarning")  # the SDK's own
ALL_COLLECTIONS = [case.collection for case in CASES]
SKILLS, NAMES = BY_COLLECTION["skills"], BY_COLLECTION["names"]


def expand(*names: str) -> RequestConfiguration:
    """A request configuration for GET .../profile with `$expand`."""
    from msgraph_beta.generated.users.item.profile.profile_request_builder import ProfileRequestBuilder

    return RequestConfiguration(
        query_parameters=ProfileRequestBuilder.ProfileRequestBuilderGetQueryParameters(expand=list(names))
    )


def expanded(profile: Any) -> dict[str, list[Any] | None]:
    """Every collection of a profile read by `read_profile`, by Graph's name."""
    return {case.collection: getattr(profile, case.attr) for case in CASES}


def test_the_profile_of_a_new_user_is_there_with_one_id_for_every_builder(sdk_api: Any) -> None:
    user = sdk_api.new_user()

    async def scenario() -> None:
        async with sdk_api.client(user.token) as graph:
            mine = await read_profile(graph.me().profile)
            assert str(uuid.UUID(mine.id)) == mine.id
            assert mine.odata_type == "#microsoft.graph.profile"
            assert set(expanded(mine).values()) == {None}  # nothing expanded unless asked
            assert (await graph.users.by_user_id(user.oid).profile.get()).id == mine.id
            assert (await graph.users.by_user_id(user.upn).profile.get()).id == mine.id
        async with sdk_api.client(sdk_api.app_token()) as graph:
            assert (await graph.users.by_user_id(user.oid).profile.get()).id == mine.id
            error = await odata_error(graph.me().profile.get())  # /me needs a delegated token
            assert (error.response_status_code, error.error.code) == (400, "BadRequest")
            assert error.error.message == "/me request is only valid with delegated authentication flow."
        async with sdk_api.client(sdk_api.app_token(roles=["User.Read.All"])) as graph:
            assert (await graph.users.by_user_id(user.oid).profile.get()).id == mine.id
            skills = graph.users.by_user_id(user.oid).profile.skills
            error = await odata_error(skills.post(SKILLS.build()))
            assert (error.response_status_code, error.error.code) == (403, "accessDenied")

    run(scenario())


def test_expand_names_every_collection(sdk_api: Any) -> None:
    user = sdk_api.new_user()

    async def scenario() -> None:
        async with sdk_api.client(user.token) as graph:
            profile = graph.me().profile
            empty = await read_profile(profile, expand(*ALL_COLLECTIONS))
            assert expanded(empty) == {name: [] for name in ALL_COLLECTIONS}

            created = {case.collection: await case.collection_of(profile).post(case.build()) for case in CASES}
            full = await read_profile(profile, expand(*ALL_COLLECTIONS))
            for case in CASES:
                items = getattr(full, case.attr)
                assert [type(item) for item in items] == [type(created[case.collection])], case.collection
                assert [facet_values(item) for item in items] == [facet_values(created[case.collection])]
            assert full.id == empty.id

            some = await read_profile(profile, expand("names($select=first,last)", "skills"))
            assert {name for name, items in expanded(some).items() if items is not None} == {"names", "skills"}
            (name,) = some.names
            assert (name.id, name.first, name.last, name.display_name, name.created_by) == (
                created["names"].id,
                "Adele",
                "Vance",
                None,
                None,
            )
            assert [facet_values(skill) for skill in some.skills] == [facet_values(created["skills"])]

        async with sdk_api.client(sdk_api.app_token()) as graph:
            theirs = await read_profile(graph.users.by_user_id(user.oid).profile, expand(*ALL_COLLECTIONS))
            assert {name: [facet_values(item) for item in items] for name, items in expanded(theirs).items()} == {
                name: [facet_values(facet)] for name, facet in created.items()
            }

            error = await odata_error(graph.users.by_user_id(user.oid).profile.get(expand("friends")))
            assert (error.response_status_code, error.error.code) == (400, "invalidRequest")
            assert "'friends'" in error.error.message

    run(scenario())


def test_delete_of_the_profile_then_get_gives_the_same_id(sdk_api: Any) -> None:
    user = sdk_api.new_user()

    async def scenario() -> None:
        async with sdk_api.client(user.token) as graph:
            profile = graph.me().profile
            before = await profile.get()
            skill = await profile.skills.post(SKILLS.build())
            name = await profile.names.post(NAMES.build())

            assert await profile.delete() is None
            after = await read_profile(profile, expand(*ALL_COLLECTIONS))
            assert after.id == before.id
            assert expanded(after) == {name: [] for name in ALL_COLLECTIONS}
            for facet in (profile.skills.by_skill_proficiency_id(skill.id), profile.names.by_person_name_id(name.id)):
                error = await odata_error(facet.get())
                assert (error.response_status_code, error.error.code) == (404, "itemNotFound")
            assert (await profile.skills.get()).value == []

            again = await profile.skills.post(SKILLS.build())  # a new facet after the delete
            assert again.id != skill.id
            assert (await profile.get()).id == before.id

    run(scenario())
