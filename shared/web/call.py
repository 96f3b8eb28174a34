"""One HTTP call through the edge: the fixed order of cross-cutting steps around a handler.

`handle(req, handler)`:
1. assigns the request ids (every response carries them);
2. runs the handler, which authenticates (`call.principal()`), parses the body
   (`call.json_object()`), calls a service and returns a response;
3. maps `ApiError` to Graph's envelope, and anything else to a 500 `generalException` whose
   message says nothing of the cause (the cause is logged with the request id, never a token).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cached_property
from urllib.parse import urlsplit

import azure.functions as func

from shared import composition
from shared.auth import Principal
from shared.errors import ApiError
from shared.repository import ProfileRepository
from shared.settings import Settings
from shared.validation import parse_json_object
from shared.web.responses import RequestIds, error_response

log = logging.getLogger("profile_api")


class Call:
    """What a handler needs from the request, resolved lazily."""

    def __init__(self, req: func.HttpRequest, ids: RequestIds) -> None:
        self.req = req
        self.ids = ids

    @cached_property
    def settings(self) -> Settings:
        return composition.settings()

    @cached_property
    def repo(self) -> ProfileRepository:
        return composition.repository()

    def principal(self) -> Principal:
        """The authenticated caller (401 if the bearer token is missing or invalid)."""
        return composition.authenticator().authenticate(self.req.headers, self.req.params)

    def json_object(self, *, allow_empty: bool) -> dict | None:
        """The body as a JSON object, checked strictly (size first, then content type, then JSON)."""
        return parse_json_object(
            self.req.get_body(),
            content_type=self.req.headers.get("content-type"),
            max_bytes=self.settings.max_body_bytes,
            allow_empty=allow_empty,
        )

    def route(self, name: str) -> str:
        return self.req.route_params.get(name, "")

    @cached_property
    def base_url(self) -> str:
        """scheme://host of this request, for absolute Location URLs."""
        parts = urlsplit(self.req.url)
        return f"{parts.scheme}://{parts.netloc}"


def handle(req: func.HttpRequest, handler: Callable[[Call], func.HttpResponse]) -> func.HttpResponse:
    """Run `handler` for `req` with request ids and error mapping (see the module docstring)."""
    ids = RequestIds.for_request(req.headers)
    try:
        response = handler(Call(req, ids))
    except ApiError as error:
        response = error_response(ids, error)
    except Exception:
        log.exception("Unhandled error (request-id %s, %s %s)", ids.request_id, req.method, urlsplit(req.url).path)
        response = error_response(ids, ApiError("An unexpected error occurred. Quote the request-id when asking for help."))
    if response.status_code >= 400:
        log.info("%s %s -> %s (request-id %s)", req.method, urlsplit(req.url).path, response.status_code, ids.request_id)
    return response
