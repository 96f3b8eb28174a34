"""Helpers for driving the service with msgraph-beta-sdk.

- `run(coroutine)`: `asyncio.run` (the SDK is async; no plugin needed).
- `plain(model)`: an SDK object's values as plain data (nested models as dicts, enums as their values,
  the backing store left out), so two objects compare field by field.
- `facet_values(model)`: `plain`, without the `@odata.context` the SDK keeps in `additional_data`.
- `wire(model)`: the JSON body the SDK sends for a model.
- `send_json(graph, info, body, factory)`: send a request the SDK built (`to_post_request_information`, ...)
  with another JSON body, through the SDK's own request adapter (auth, middleware, error parsing), for
  bodies the SDK's models cannot express.
- `odata_error(awaitable)`: the ODataError the SDK raises for an error response.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Awaitable, Coroutine
from enum import Enum
from typing import Any, TypeVar

import pytest
from kiota_abstractions.request_information import RequestInformation
from kiota_serialization_json.json_serialization_writer import JsonSerializationWriter
from msgraph_beta.generated.models.o_data_errors.o_data_error import ODataError

T = TypeVar("T")
#: The SDK's builders pass this error mapping: any 4xx/5xx body is parsed as Graph's error envelope.
ERROR_MAPPING: dict[str, Any] = {"XXX": ODataError}


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run one SDK scenario to completion."""
    return asyncio.run(coroutine)


def plain(value: Any) -> Any:
    """An SDK object's values as plain data: models → dicts (no backing store), enums → values, lists item-wise."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name != "backing_store"}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def facet_values(model: Any) -> dict[str, Any]:
    """`plain(model)` less the response's `@odata.context` (a single GET and a list item then compare equal)."""
    values = plain(model)
    values["additional_data"].pop("@odata.context", None)
    return values


def wire(model: Any) -> dict[str, Any]:
    """The JSON body the SDK sends for `model`."""
    writer = JsonSerializationWriter()
    writer.write_object_value(None, model)
    return json.loads(writer.get_serialized_content())


async def send_json(graph: Any, info: RequestInformation, body: Any, factory: Any = None) -> Any:
    """Send `info` (built by an SDK request builder) with `body` as its JSON content."""
    info.content = json.dumps(body).encode()
    info.headers.try_add("Content-Type", "application/json")
    if factory is None:
        return await graph.request_adapter.send_no_response_content_async(info, ERROR_MAPPING)
    return await graph.request_adapter.send_async(info, factory, ERROR_MAPPING)


async def odata_error(awaitable: Awaitable[Any]) -> ODataError:
    """The ODataError that awaiting `awaitable` raises (the test fails if it succeeds)."""
    with pytest.raises(ODataError) as info:
        await awaitable
    error = info.value
    assert error.error is not None, "the error envelope did not parse"
    return error
