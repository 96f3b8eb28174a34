"""The `account` collection in depth through msgraph-beta-sdk, on both stores.

Query options through the SDK's request configuration ($top, $skip, $filter, $orderby, $count, $select),
paging through `odata_next_link`, get, get-modify-patch, delete, and `source.type`: a list on the wire,
even for a facet written with the older single-string shape (the SDK fails on a string there).
"""

from __future__ import annotations

from typing import Any

import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph_beta.generated.models.allowed_audiences import AllowedAudiences
from msgraph_beta.generated.models.locale_info import LocaleInfo
from msgraph_beta.generated.models.person_data_sources import PersonDataSources
from msgraph_beta.generated.models.user_account_information import UserAccountInformation

from tests.e2e.sdk.support import facet_values, odata_error, run, send_json, wire

pytestmark = pytest.mark.filterwarnings("ignore:.*is deprecated:DeprecationWarning")  # the SDK's own
COUNTRIES = ("NO", "SE", "DK", "FI", "IS", "DE", "NO")


def list_options(**query: Any) -> RequestConfiguration:
    """A request configuration for GET .../account with these query parameters."""
    from msgraph_beta.generated.users.item.profile.account.account_request_builder import AccountRequestBuilder

    return RequestConfiguration(query_parameters=AccountRequestBuilder.AccountRequestBuilderGetQueryParameters(**query))


def item_options(**query: Any) -> RequestConfiguration:
    """A request configuration for GET .../account/{id} with these query parameters."""
    from msgraph_beta.generated.users.item.profile.account.item.user_account_information_item_request_builder import (
        UserAccountInformationItemRequestBuilder as Item,
    )

    parameters = Item.UserAccountInformationItemRequestBuilderGetQueryParameters(**query)
    return RequestConfiguration(query_parameters=parameters)


async def all_pages(account: Any, options: RequestConfiguration) -> list[list[Any]]:
    """Every page of a list, following `odata_next_link` with the SDK's `with_url`."""
    page = await account.get(options)
    pages = [page.value]
    while page.odata_next_link:
        assert len(pages) <= 10, "the next links never end"
        page = await account.with_url(page.odata_next_link).get()
        pages.append(page.value)
    return pages


def test_list_with_query_options_and_paging(sdk_api: Any) -> None:
    user = sdk_api.new_user()

    async def scenario() -> None:
        async with sdk_api.client(user.token) as graph:
            account = graph.me().profile.account
            created = []
            for index, country in enumerate(COUNTRIES):
                facet = UserAccountInformation(
                    country_code=country, is_searchable=index % 2 == 0, allowed_audiences=AllowedAudiences.Organization
                )
                created.append(await account.post(facet))
            by_id = {facet.id: facet for facet in created}
            everything = [facet.id for facet in (await account.get()).value]
            assert sorted(everything) == sorted(by_id)  # default order: createdDateTime, then id

            pages = await all_pages(account, list_options(top=3))
            assert [len(page) for page in pages] == [3, 3, 1]
            assert [facet.id for page in pages for facet in page] == everything  # no repeats, no skips
            assert [facet_values(facet) for facet in pages[0]] == [facet_values(by_id[i]) for i in everything[:3]]

            first = await account.get(list_options(top=3, count=True))
            assert (first.odata_count, len(first.value)) == (7, 3) and first.odata_next_link

            page = await account.get(list_options(skip=2, top=2))
            assert [facet.id for facet in page.value] == everything[2:4]

            norwegian = await account.get(list_options(filter="countryCode eq 'NO'", count=True))
            assert norwegian.odata_count == 2
            assert [facet.id for facet in norwegian.value] == [i for i in everything if by_id[i].country_code == "NO"]

            ordered = await account.get(list_options(orderby=["countryCode desc"]))
            assert [facet.country_code for facet in ordered.value] == sorted(COUNTRIES, reverse=True)

            walk = await all_pages(account, list_options(filter="isSearchable eq true", orderby=["countryCode"], top=2))
            assert [len(page) for page in walk] == [2, 2]
            searchable = sorted((by_id[i] for i in everything if by_id[i].is_searchable), key=lambda f: f.country_code)
            assert [facet.id for page in walk for facet in page] == [facet.id for facet in searchable]

            selected = await account.get(list_options(select=["id", "countryCode"], top=100))
            assert [(facet.id, facet.country_code) for facet in selected.value] == [
                (i, by_id[i].country_code) for i in everything
            ]
            for facet in selected.value:
                assert (facet.created_by, facet.allowed_audiences, facet.user_principal_name) == (None, None, None)

            error = await odata_error(account.get(list_options(filter="countryCode eq")))
            assert (error.response_status_code, error.error.code) == (400, "invalidRequest")
            assert "$filter" in error.error.message

    run(scenario())


def test_get_select_patch_and_delete(sdk_api: Any) -> None:
    user = sdk_api.new_user()

    async def scenario() -> None:
        async with sdk_api.client(user.token) as graph:
            account = graph.me().profile.account
            created = await account.post(
                UserAccountInformation(
                    country_code="no",
                    allowed_audiences=AllowedAudiences.Organization,
                    preferred_language_tag=LocaleInfo(locale="nb-NO", display_name="Norsk bokmål"),
                )
            )
            assert (created.country_code, created.user_principal_name) == ("NO", user.upn)  # upper-cased
            item = account.by_user_account_information_id(created.id)

            selected = await item.get(item_options(select=["countryCode"]))
            assert selected.country_code == "NO"
            assert (selected.created_by, selected.preferred_language_tag, selected.source) == (None, None, None)

            # The SDK reads allowedAudiences (a flags enum) as a list and leaves a list out of the body it
            # sends, so a get-modify-patch keeps the stored audiences...
            got = await item.get()
            assert got.allowed_audiences == [AllowedAudiences.Organization]
            assert "allowedAudiences" not in wire(got)
            got.preferred_language_tag = LocaleInfo(locale="en-GB", display_name="English (United Kingdom)")
            patched = await item.patch(got)
            assert patched.allowed_audiences == [AllowedAudiences.Organization]
            assert (patched.preferred_language_tag.locale, patched.preferred_language_tag.display_name) == (
                "en-GB",
                "English (United Kingdom)",
            )
            # ...and one member set as the SDK's enum changes them.
            got = await item.get()
            got.allowed_audiences = AllowedAudiences.Everyone
            got.country_code = "SE"
            patched = await item.patch(got)
            assert (patched.allowed_audiences, patched.country_code) == ([AllowedAudiences.Everyone], "SE")
            assert facet_values(await item.get()) == facet_values(patched)

            # A read-only property changed on the object read: 400 naming it, nothing written.
            got = await item.get()
            got.user_principal_name = "someone.else@contoso.test"
            got.country_code = "DK"
            error = await odata_error(item.patch(got))
            assert (error.response_status_code, error.error.code) == (400, "invalidRequest")
            assert [detail.target for detail in error.error.details] == ["userPrincipalName"]
            assert (await item.get()).country_code == "SE"

            assert await item.delete() is None
            error = await odata_error(item.get())
            assert (error.response_status_code, error.error.code) == (404, "itemNotFound")
            error = await odata_error(item.delete())
            assert (error.response_status_code, error.error.code) == (404, "itemNotFound")

    run(scenario())


def test_source_type_is_a_list_for_the_sdk(sdk_api: Any) -> None:
    user = sdk_api.new_user()

    async def scenario() -> None:
        async with sdk_api.client(user.token) as graph:
            account = graph.me().profile.account
            # The older documented shape, {"type": "User"}, which the SDK's models cannot send.
            info = account.to_post_request_information(UserAccountInformation())
            older = await send_json(
                graph, info, {"countryCode": "NO", "source": {"type": "User"}}, UserAccountInformation
            )
            assert older.source.type == ["User"]
            item = account.by_user_account_information_id(older.id)
            assert (await item.get()).source.type == ["User"]

            # The SDK's own shape.
            current = await account.post(UserAccountInformation(source=PersonDataSources(type=["User"])))
            assert current.source.type == ["User"]

            listed = await account.get()
            assert [(facet.id, facet.source.type) for facet in listed.value] == [
                (older.id, ["User"]),
                (current.id, ["User"]),
            ]

            info = item.to_patch_request_information(UserAccountInformation())
            patched = await send_json(graph, info, {"source": {"type": "HR"}}, UserAccountInformation)
            assert patched.source.type == ["HR"]
            got = await item.get()
            got.source.type.append("User")
            assert (await item.patch(got)).source.type == ["HR", "User"]

            for bad in ([""], "", ["x" * 65], [1], None):
                info = account.to_post_request_information(UserAccountInformation())
                error = await odata_error(send_json(graph, info, {"source": {"type": bad}}))
                assert (error.response_status_code, error.error.code) == (400, "invalidRequest")
                assert error.error.details[0].target.startswith("source.type")

    run(scenario())
