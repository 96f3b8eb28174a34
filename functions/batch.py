"""`POST $batch`: JSON batching as Graph documents it (contract §10).

The whole body is checked first (shared/web/batch.py): a malformed batch is one 400 and nothing runs.
Then each request, in the order written, is turned into the `func.HttpRequest` the host would have
built for it directly (method, absolute URL under the same API root, query parsed by the host's rule,
route values from the host's routing rule over the route table) and handed to the function of the row
that rule picks, exactly as registered (functions/routes.py `as_function`): the same authentication,
permissions, visibility, If-Match, Idempotency-Key, limits, envelopes and headers as a direct call.

- The batch's `Authorization` is the caller of every request; a request that carries its own is 400
  (it would otherwise silently run as someone else). The batch's `client-request-id` stands in for a
  request's own when the request has none.
- A request whose body is over MAX_BODY_BYTES is 413, as the host refuses it before any function runs.
- A request whose `dependsOn` names a request that failed (status 400 or above, a 424 included) is not
  run: 424 `failedDependency`.
- Not atomic: each request commits (or fails) on its own; the responses come in the requests' order.
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

import azure.functions as func

from functions.routes import BATCH_NAME, BATCH_TEMPLATE
from shared.errors import ApiError, BadRequest, FailedDependency, NotFound, PayloadTooLarge
from shared.routing.query_string import parse_query_string
from shared.routing.router import Match, full_template
from shared.routing.table import Route, RouteTable
from shared.routing.templates import RequestPath, Template
from shared.validation.names import shorten
from shared.web import Call
from shared.web.responses import JSON, RequestIds, error_response

if TYPE_CHECKING:
    from collections.abc import Callable

    from shared.web.batch import BatchRequest

FUNCTION_NAME, TEMPLATE = BATCH_NAME, BATCH_TEMPLATE
_BODILESS = frozenset((204, 304))
OWN_AUTHORIZATION = (
    "A request in a batch cannot carry its own Authorization header: the batch's applies to every request."
)


def run(call: Call, route: Route) -> func.HttpResponse:
    """Check the whole batch, then run its requests one by one; 200 with every request's response."""
    from shared.web.batch import read_batch  # on the first batch, not at start-up (cold start)

    table = call.table
    if table is None:  # every registered function has the table (functions/routes.py)
        raise LookupError("$batch needs the route table")
    if any(name.lower() == "access_token" for name in call.req.params):
        call.principal()  # a token in the query string: the direct call's 400/401, for the whole batch
    requests = read_batch(
        call.req.get_body(),
        call.req.headers.get("content-type"),
        max_bytes=call.settings.max_batch_body_bytes,
        api_root=call.api_root,
        prefix=table.prefix,
    )
    matches = [_resolve(table, route, request) for request in requests]
    statuses: list[int] = []
    entries: list[bytes] = []
    for request, match in zip(requests, matches, strict=True):
        response = _answer(call, table, request, match, statuses, requests)
        statuses.append(response.status_code)
        entries.append(_entry(request.id, response))
    body = b'{"responses":[' + b",".join(entries) + b"]}"
    return func.HttpResponse(body, status_code=200, headers=call.ids.headers(), mimetype=JSON, charset="utf-8")


def _full_path(prefix: str, path: str) -> str:
    """The raw request path the host would have seen: `/<prefix>/<path>`."""
    return f"/{prefix}/{path}" if prefix else f"/{path}"


def _resolve(table: RouteTable, batch: Route, request: BatchRequest) -> Match[Route] | None:
    """The row the host's rule picks for the request; a request that is itself a `$batch` refuses the batch."""
    full = _full_path(table.prefix, request.path)
    if Template.parse(full_template(table.prefix, batch.template)).match(RequestPath.parse(full)) is not None:
        raise BadRequest(f"Request '{shorten(request.id)}' is itself a $batch request; batches do not nest.")
    return table.router().resolve(request.method, full)


def _refusal(call: Call, request: BatchRequest, headers: dict[str, str], failed: list[str]) -> ApiError | None:
    """Why the request is answered without running, if it is: 424, then 400, then 413."""
    if failed:
        return FailedDependency(f"The request depends on request '{shorten(failed[0])}', which failed.")
    if "authorization" in headers:
        return BadRequest(OWN_AUTHORIZATION)
    limit = call.settings.max_body_bytes
    if len(request.body) > limit:
        return PayloadTooLarge(f"The request body is larger than the limit of {limit} bytes.")
    return None


def _answer(
    call: Call,
    table: RouteTable,
    request: BatchRequest,
    match: Match[Route] | None,
    statuses: list[int],
    requests: list[BatchRequest],
) -> func.HttpResponse:
    """The response to one request: refused here, or the function's own."""
    headers = dict(request.headers)
    batch_client_id = call.req.headers.get("client-request-id")
    if "client-request-id" not in headers and batch_client_id is not None:
        headers["client-request-id"] = batch_client_id
    refusal = _refusal(call, request, headers, [requests[d].id for d in request.depends_on if statuses[d] >= 400])
    if refusal is None and match is None:  # only a table without the catch-all: the host's own 404
        refusal = NotFound("No resource matches the requested path.")
    if refusal is not None or match is None:
        return error_response(RequestIds.for_request(headers), refusal or NotFound("No resource matches."))
    authorization = call.req.headers.get("authorization")
    if authorization is not None:
        headers["authorization"] = authorization
    from shared.web.batch import url_query

    url = f"{call.api_root}/{request.path}" + (f"?{url_query(request.query)}" if request.query else "")
    item = func.HttpRequest(
        method=request.method,
        url=url,
        headers=headers,
        params=parse_query_string(request.query),
        route_params=match.values,
        body=request.body,
    )
    return _function(match.entry.target, table)(item)


def _function(route: Route, table: RouteTable) -> Callable[[func.HttpRequest], func.HttpResponse]:
    """The row's function exactly as registered (imported here: functions/routes.py imports this module)."""
    from functions.routes import as_function

    return as_function(route, table)


def _entry(request_id: str, response: func.HttpResponse) -> bytes:
    """Graph's response item, encoded: id, status, headers (an object), and the body (JSON inline, else base64).

    A JSON body is the function's own UTF-8 JSON text (every JSON response of the app is written by
    `json.dumps`), placed as it is: never parsed and written again, so a batch costs one copy of each body.
    """
    status = int(response.status_code)
    headers = {
        name: value
        for name, value in response.headers.items()
        if name.lower() not in ("content-type", "content-length")
    }
    entry: dict[str, Any] = {"id": request_id, "status": status, "headers": headers}
    body = response.get_body() or b""
    if status in _BODILESS or status < 200 or not body:
        return _encode(entry)
    content_type = response.headers.get("content-type") or (
        f"{response.mimetype}; charset={response.charset}" if response.charset else response.mimetype
    )
    headers["Content-Type"] = content_type
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type == "application/json" or media_type.endswith("+json"):
        return _encode(entry)[:-1] + b',"body":' + body + b"}"
    entry["body"] = base64.b64encode(body).decode()
    return _encode(entry)


def _encode(value: dict[str, Any]) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
