"""`profile/responsibilities` through msgraph-beta-sdk, written as the SDK generates every other collection.

msgraph-beta-sdk 1.66 has Graph beta's `personResponsibility` model (`PersonResponsibility`) but, like
Graph's CSDL, no `responsibilities` navigation property on the profile: no request builders for it and no
typed list on its `Profile` model. What a developer writes until the SDK generates them, and what the
suite uses, follows the SDK's own generated `skills` builders line for line, over the SDK's request
adapter, serializers and error mapping:
- `ResponsibilitiesRequestBuilder.of(profile_builder)`: GET (list) and POST on the collection, and
  `by_person_responsibility_id(id)` for one facet (GET, PATCH, DELETE);
- `PersonResponsibilityCollectionResponse`: a page of the collection;
- `ProfileWithResponsibilities`: the SDK's `Profile` with the expanded `responsibilities` as a typed list
  (`read_profile` reads a profile into it through the profile builder's own request).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiota_abstractions.base_request_builder import BaseRequestBuilder
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_abstractions.get_path_parameters import get_path_parameters
from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation
from kiota_abstractions.serialization import ParseNode, SerializationWriter
from msgraph_beta.generated.models.base_collection_pagination_count_response import (
    BaseCollectionPaginationCountResponse,
)
from msgraph_beta.generated.models.person_responsibility import PersonResponsibility
from msgraph_beta.generated.models.profile import Profile

from tests.e2e.sdk.support import ERROR_MAPPING

#: The collection's segment under the profile, and the item's path parameter (the generator's naming).
SEGMENT = "responsibilities"
ID_PARAMETER = "personResponsibility%2Did"
LIST_OPTIONS = "{?%24count,%24expand,%24filter,%24orderby,%24search,%24select,%24skip,%24top}"
ITEM_OPTIONS = "{?%24expand,%24select}"


@dataclass
class PersonResponsibilityCollectionResponse(BaseCollectionPaginationCountResponse):
    value: list[PersonResponsibility] | None = None

    @staticmethod
    def create_from_discriminator_value(parse_node: ParseNode) -> PersonResponsibilityCollectionResponse:
        if parse_node is None:
            raise TypeError("parse_node cannot be null.")
        return PersonResponsibilityCollectionResponse()

    def get_field_deserializers(self) -> dict[str, Callable[[ParseNode], None]]:
        fields: dict[str, Callable[[Any], None]] = {
            "value": lambda n: setattr(self, "value", n.get_collection_of_object_values(PersonResponsibility)),
        }
        fields.update(super().get_field_deserializers())
        return fields

    def serialize(self, writer: SerializationWriter) -> None:
        super().serialize(writer)
        writer.write_collection_of_object_values("value", self.value)


@dataclass
class ProfileWithResponsibilities(Profile):
    responsibilities: list[PersonResponsibility] | None = None

    @staticmethod
    def create_from_discriminator_value(parse_node: ParseNode) -> ProfileWithResponsibilities:
        if parse_node is None:
            raise TypeError("parse_node cannot be null.")
        return ProfileWithResponsibilities()

    def get_field_deserializers(self) -> dict[str, Callable[[ParseNode], None]]:
        fields = super().get_field_deserializers()
        fields["responsibilities"] = lambda n: setattr(
            self, "responsibilities", n.get_collection_of_object_values(PersonResponsibility)
        )
        return fields

    def serialize(self, writer: SerializationWriter) -> None:
        super().serialize(writer)
        writer.write_collection_of_object_values("responsibilities", self.responsibilities)


def _base(profile_builder: BaseRequestBuilder) -> str:
    """The profile builder's URL template without its query options (`{+baseurl}/me/profile`, ...)."""
    return profile_builder.url_template.split("{?", 1)[0]


class ResponsibilitiesRequestBuilder(BaseRequestBuilder):
    """The collection: GET (a page) and POST (create), as the SDK's `SkillsRequestBuilder`."""

    def __init__(self, request_adapter: Any, path_parameters: str | dict[str, Any], base: str) -> None:
        super().__init__(request_adapter, f"{base}/{SEGMENT}{LIST_OPTIONS}", path_parameters)
        self._base = base

    @classmethod
    def of(cls, profile_builder: BaseRequestBuilder) -> ResponsibilitiesRequestBuilder:
        """The collection under a profile builder (`graph.me().profile`, `graph.users.by_user_id(x).profile`)."""
        return cls(profile_builder.request_adapter, profile_builder.path_parameters, _base(profile_builder))

    def by_person_responsibility_id(self, person_responsibility_id: str) -> PersonResponsibilityItemRequestBuilder:
        parameters = get_path_parameters(self.path_parameters)
        parameters[ID_PARAMETER] = person_responsibility_id
        return PersonResponsibilityItemRequestBuilder(self.request_adapter, parameters, self._base)

    async def get(self, request_configuration: RequestConfiguration | None = None) -> Any:
        info = self.to_get_request_information(request_configuration)
        return await self.request_adapter.send_async(info, PersonResponsibilityCollectionResponse, ERROR_MAPPING)

    async def post(self, body: PersonResponsibility, request_configuration: RequestConfiguration | None = None) -> Any:
        info = self.to_post_request_information(body, request_configuration)
        return await self.request_adapter.send_async(info, PersonResponsibility, ERROR_MAPPING)

    def to_get_request_information(
        self, request_configuration: RequestConfiguration | None = None
    ) -> RequestInformation:
        info = RequestInformation(Method.GET, self.url_template, self.path_parameters)
        info.configure(request_configuration)
        info.headers.try_add("Accept", "application/json")
        return info

    def to_post_request_information(
        self, body: PersonResponsibility, request_configuration: RequestConfiguration | None = None
    ) -> RequestInformation:
        info = RequestInformation(Method.POST, self.url_template, self.path_parameters)
        info.configure(request_configuration)
        info.headers.try_add("Accept", "application/json")
        info.set_content_from_parsable(self.request_adapter, "application/json", body)
        return info


class PersonResponsibilityItemRequestBuilder(BaseRequestBuilder):
    """One facet: GET, PATCH, DELETE, as the SDK's `SkillProficiencyItemRequestBuilder`."""

    def __init__(self, request_adapter: Any, path_parameters: str | dict[str, Any], base: str) -> None:
        super().__init__(request_adapter, f"{base}/{SEGMENT}/{{{ID_PARAMETER}}}{ITEM_OPTIONS}", path_parameters)

    async def get(self, request_configuration: RequestConfiguration | None = None) -> Any:
        info = self._request(Method.GET, request_configuration)
        return await self.request_adapter.send_async(info, PersonResponsibility, ERROR_MAPPING)

    async def patch(self, body: PersonResponsibility, request_configuration: RequestConfiguration | None = None) -> Any:
        info = self.to_patch_request_information(body, request_configuration)
        return await self.request_adapter.send_async(info, PersonResponsibility, ERROR_MAPPING)

    async def delete(self, request_configuration: RequestConfiguration | None = None) -> None:
        info = self._request(Method.DELETE, request_configuration)
        await self.request_adapter.send_no_response_content_async(info, ERROR_MAPPING)

    def to_patch_request_information(
        self, body: PersonResponsibility, request_configuration: RequestConfiguration | None = None
    ) -> RequestInformation:
        info = self._request(Method.PATCH, request_configuration)
        info.set_content_from_parsable(self.request_adapter, "application/json", body)
        return info

    def _request(self, method: Method, request_configuration: RequestConfiguration | None) -> RequestInformation:
        info = RequestInformation(method, self.url_template, self.path_parameters)
        info.configure(request_configuration)
        info.headers.try_add("Accept", "application/json")
        return info


async def read_profile(
    profile_builder: Any, request_configuration: RequestConfiguration | None = None
) -> ProfileWithResponsibilities:
    """GET the profile as the builder's own `get` does, read into the `Profile` model with `responsibilities`."""
    info = profile_builder.to_get_request_information(request_configuration)
    return await profile_builder.request_adapter.send_async(info, ProfileWithResponsibilities, ERROR_MAPPING)
