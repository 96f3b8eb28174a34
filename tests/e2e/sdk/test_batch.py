"""JSON batching through msgraph-beta-sdk's own batch content, against the local host on both stores.

Requests built by the SDK's request builders (`to_post_request_information`, ...) go into msgraph-core's
`BatchRequestItem` / `BatchRequestContent` and are sent by its `BatchRequestBuilder` over the SDK's request
adapter. msgraph-core (Python) writes `dependsOn` as `depends_on`, which the service accepts as the same
member (contract §10). Its `BatchResponseItem` reads a response body only when it is a base64 string, so
JSON bodies (Graph's shape, and ours) arrive as `None` there: the statuses and headers are read from the
SDK's batch response, the data through the SDK's ordinary requests.
"""

from __future__ import annotations

import pytest
from msgraph_beta.generated.models.skill_proficiency import SkillProficiency
from msgraph_beta.generated.models.skill_proficiency_level import SkillProficiencyLevel
from msgraph_core.requests.batch_request_builder import BatchRequestBuilder
from msgraph_core.requests.batch_request_content import BatchRequestContent
from msgraph_core.requests.batch_request_item import BatchRequestItem

from tests.e2e.sdk.conftest import SdkApi
from tests.e2e.sdk.support import run

pytestmark = pytest.mark.filterwarnings("ignore:.*is deprecated:DeprecationWarning")  # the SDK's own
MISSING = "0fb4c1e3-c1e3-0fb4-e3c1-b40fe3c1b40f"


def test_the_sdks_batch_request_content(sdk_api: SdkApi) -> None:
    user = sdk_api.new_user()
    reader = sdk_api.new_user(scopes="User.Read")

    async def scenario() -> None:
        async with sdk_api.client(user.token) as graph:
            skills = graph.me().profile.skills
            body = SkillProficiency(display_name="SDK batch", proficiency=SkillProficiencyLevel.Expert)
            create = BatchRequestItem(skills.to_post_request_information(body), id="create")
            listing = BatchRequestItem(skills.to_get_request_information(), id="list", depends_on=[create])
            gone = skills.by_skill_proficiency_id(MISSING)
            missing = BatchRequestItem(gone.to_get_request_information(), id="missing")
            after = BatchRequestItem(gone.to_delete_request_information(), id="after", depends_on=[missing])
            content = BatchRequestContent({"create": create, "list": listing, "missing": missing, "after": after})
            answer = await BatchRequestBuilder(graph.request_adapter).post(content)
            assert answer.get_response_status_codes() == {"create": 201, "list": 200, "missing": 404, "after": 424}
            created = answer.get_response_by_id("create")
            assert created is not None and created.headers is not None
            headers = {name.lower(): value for name, value in created.headers.items()}
            location, etag = headers["location"], headers["etag"]
            assert location.startswith(f"{sdk_api.url}/users/{user.oid}/profile/skills/")
            assert headers["content-type"].startswith("application/json")

            # What the batch created reads back through the SDK as any facet does.
            facet_id = location.rsplit("/", 1)[1]
            stored = await skills.by_skill_proficiency_id(facet_id).get()
            assert stored is not None and stored.id == facet_id
            assert stored.display_name == "SDK batch" and stored.proficiency == SkillProficiencyLevel.Expert
            page = await skills.get()
            assert page is not None and [item.id for item in page.value or []] == [facet_id]
            assert etag

        async with sdk_api.client(reader.token) as graph:
            skills = graph.me().profile.skills
            refused = BatchRequestItem(skills.to_post_request_information(SkillProficiency(display_name="x")), id="w")
            allowed = BatchRequestItem(skills.to_get_request_information(), id="r")
            answer = await BatchRequestBuilder(graph.request_adapter).post(
                BatchRequestContent({"w": refused, "r": allowed})
            )
            assert answer.get_response_status_codes() == {"w": 403, "r": 200}

    run(scenario())
