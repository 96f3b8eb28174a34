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
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import azure.functions as func

from shared import composition
from shared.auth import Principal
from shared.errors import ApiError
from shared.repository import IfMatch, ProfileRepository
from shared.routing.prefix import route_prefix
from shared.services.users import Target, resolve_target
from shared.settings import Settings
from shared.validation.json_body import parse_json_object
from shared.web.conditions import parse_if_match
from shared.web.responses import RequestIds, error_response

if TYPE_CHECKING:
    from shared.routing.table import Route, RouteTable

log = logging.getLogger("profile_api")
_UNEXPECTED = "An unexpected error occurred. Quote the request-id when asking for help."


class Call:
    """What a handler needs from the request, resolved lazily."""

    def __init__(self, req: func.HttpRequest, ids: RequestIds, table: RouteTable | None = None) -> None:
        self.req = req
        self.ids = ids
        #: The app's route table (the catch-all and `$batch` read it).
        self.table = table

    @cached_property
    def settings(self) -> Settings:
        return composition.settings()

    @cached_property
    def repo(self) -> ProfileRepository:
        return composition.repository()

    @property
    def paging_key(self) -> bytes:
        """The deployment's key for paging tokens (kept in the store, the same on every instance)."""
        return composition.paging_key()

    @cached_property
    def caller(self) -> Principal:
        """The authenticated caller (401 if the bearer token is missing or invalid)."""
        return composition.authenticator().authenticate(self.req.headers, self.req.params)

    def principal(self) -> Principal:
        """The authenticated caller (401 if the bearer token is missing or invalid)."""
        return self.caller

    def target(self, ref: str, *, write: bool) -> Target:
        """The user the request is about: the permission check first, then the lookup (contract §4-§5)."""
        return resolve_target(composition.directory(), self.caller, ref, write=write)

    def target_of(self, route: Route) -> Target:
        """The user a route is about (`me`, or its `{user}` value), checked against the route's permission."""
        return self.target("me" if route.me else self.route("user"), write=route.write)

    def if_match(self) -> IfMatch:
        """The If-Match precondition (None when the header is absent; 400 when it is malformed)."""
        return parse_if_match(self.req.headers)

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

    @cached_property
    def api_root(self) -> str:
        """scheme://host/<route prefix>: where every route of the API lives (no trailing slash)."""
        prefix = route_prefix()
        return f"{self.base_url}/{prefix}" if prefix else self.base_url

    @property
    def path(self) -> str:
        """The request's path, without the query."""
        return urlsplit(self.req.url).path

    @property
    def api_path(self) -> str:
        """The request's path under the route prefix, without leading slash or query (`me/profile/skills`)."""
        prefix = route_prefix()
        path = self.path.lstrip("/")
        if prefix and path.lower().startswith(prefix.lower() + "/"):
            return path[len(prefix) + 1 :]
        return path

    def context(self, object_id: str, suffix: str) -> str:
        """`@odata.context` for a resource of user `object_id`: `<api root>/$metadata#users('<oid>')/<suffix>`."""
        return f"{self.api_root}/$metadata#users('{object_id}')/{suffix}"


def handle(
    req: func.HttpRequest, handler: Callable[[Call], func.HttpResponse], table: RouteTable | None = None
) -> func.HttpResponse:
    """Run `handler` for `req` with request ids and error mapping (see the module docstring)."""
    ids = RequestIds.for_request(req.headers)
    try:
        response = handler(Call(req, ids, table))
    except ApiError as error:
        response = error_response(ids, error)
    except Exception:
        path = urlsplit(req.url).path
        log.exception("Unhandled error (request-id %s, %s %s)", ids.request_id, req.method, path)
        response = error_response(ids, ApiError(_UNEXPECTED))
    if response.status_code >= 400:
        path = urlsplit(req.url).path
        log.info("%s %s -> %s (request-id %s)", req.method, path, response.status_code, ids.request_id)
    return response
