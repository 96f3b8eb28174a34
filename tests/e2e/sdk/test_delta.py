"""Delta query (contract §12) through msgraph-beta-sdk, unchanged, against the local host on both stores.

Graph's profile has no delta function, so the SDK has no request builder for it: a developer uses the
SDK's generic request path (a `RequestInformation` sent by the SDK's request adapter, with the SDK's
own `BaseDeltaFunctionResponse` shape) and msgraph-core's `PageIterator`. Both must follow
`@odata.nextLink` and stop at the page that carries `@odata.deltaLink`, and calling that link must
give only the changes, `@removed` in the item's additional data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation
from kiota_abstractions.serialization import ParseNode, SerializationWriter
from msgraph_beta.generated.models.base_delta_function_response import BaseDeltaFunctionResponse
from msgraph_beta.generated.models.skill_proficiency import SkillProficiency
from msgraph_core.tasks.page_iterator import PageIterator

from tests.e2e.sdk.support import ERROR_MAPPING, run

pytestmark = pytest.mark.filterwarnings("ignore:.*is deprecated:DeprecationWarning")  # the SDK's own


@dataclass
class SkillProficiencyDeltaResponse(BaseDeltaFunctionResponse):
    """A page of a delta round of `skills`, in the shape the SDK generates for every delta function."""

    value: list[SkillProficiency] | None = None

    @staticmethod
    def create_from_discriminator_value(parse_node: ParseNode) -> SkillProficiencyDeltaResponse:
        if parse_node is None:
            raise TypeError("parse_node cannot be null.")
        return SkillProficiencyDeltaResponse()

    def get_field_deserializers(self) -> dict[str, Callable[[ParseNode], None]]:
        fields: dict[str, Callable[[Any], None]] = {
            "value": lambda n: setattr(self, "value", n.get_collection_of_object_values(SkillProficiency)),
        }
        fields.update(super().get_field_deserializers())
        return fields

    def serialize(self, writer: SerializationWriter) -> None:
        super().serialize(writer)
        writer.write_collection_of_object_values("value", self.value)


def _get(url: str, page_size: int | None = None) -> RequestInformation:
    info = RequestInformation()
    info.http_method = Method.GET
    info.url = url
    info.headers.try_add("Accept", "application/json")
    if page_size is not None:
        info.headers.try_add("Prefer", f"odata.maxpagesize={page_size}")
    return info


def test_the_sdk_follows_next_links_and_stops_at_the_delta_link(sdk_api: Any) -> None:
    owner = sdk_api.new_user()

    async def scenario() -> None:
        async with sdk_api.client(owner.token) as graph:
            skills = graph.me().profile.skills
            made = [await skills.post(SkillProficiency(display_name=f"skill {n}")) for n in range(5)]
            adapter = graph.request_adapter
            url = f"{sdk_api.url}/me/profile/skills/delta"

            # msgraph-core's PageIterator: every item of the first round, over three pages of two
            first = await adapter.send_async(_get(url, 2), SkillProficiencyDeltaResponse, ERROR_MAPPING)
            assert first.odata_next_link and first.odata_delta_link is None
            iterator = PageIterator(first, adapter)
            iterator.headers.add("Prefer", "odata.maxpagesize=2")  # (its set_headers() passes them as keywords)
            seen: list[str] = []
            await iterator.iterate(lambda item: seen.append(item.id) or True)
            assert seen == [skill.id for skill in made]
            assert not iterator.current_page.odata_next_link  # it stopped at the page without a nextLink

            # the generic path by hand, as a sync client keeps its deltaLink: nextLink until deltaLink
            page, pages, items = first, 1, list(first.value or [])
            while page.odata_next_link:
                assert page.odata_delta_link is None
                page = await adapter.send_async(
                    _get(page.odata_next_link, 2), SkillProficiencyDeltaResponse, ERROR_MAPPING
                )
                pages += 1
                items += page.value or []
            assert pages == 3 and [item.id for item in items] == [skill.id for skill in made]
            delta_link = page.odata_delta_link
            assert delta_link and delta_link.startswith(f"{sdk_api.url}/me/profile/skills/delta?$deltatoken=")

            renamed = SkillProficiency(display_name="renamed")
            await skills.by_skill_proficiency_id(made[0].id).patch(renamed)
            await skills.by_skill_proficiency_id(made[1].id).delete()
            changes = await adapter.send_async(_get(delta_link), SkillProficiencyDeltaResponse, ERROR_MAPPING)
            assert changes.odata_next_link is None and changes.odata_delta_link
            assert [item.id for item in changes.value] == [made[0].id, made[1].id]
            assert changes.value[0].display_name == "renamed" and "@removed" not in changes.value[0].additional_data
            assert changes.value[1].additional_data["@removed"] == {"reason": "deleted"}

            quiet = await adapter.send_async(
                _get(changes.odata_delta_link), SkillProficiencyDeltaResponse, ERROR_MAPPING
            )
            assert quiet.value == [] and quiet.odata_delta_link and quiet.odata_next_link is None

    run(scenario())
