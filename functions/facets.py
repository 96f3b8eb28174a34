"""The 19 facet collections: one HTTP-triggered function per method and route, generated from the declarations.

For each collection in shared/facets/catalog, and for both `me/profile/{collection}` and
`users/{user}/profile/{collection}`: POST (create), GET (list), GET `/{id}`, PATCH `/{id}`,
DELETE `/{id}` — 10 functions per collection, named `{collection}_{op}_{me|user}`
(e.g. `skills_create_me`). `FUNCTIONS` maps those names to the function objects (tests call them).
"""
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote, urlencode

import azure.functions as func

from shared import query
from shared.facets.catalog import FACET_TYPES
from shared.facets.model import FacetType
from shared.services import facets
from shared.services.facets import FacetResult, IdempotentRequest
from shared.web import Call, handle
from shared.web.conditions import parse_idempotency_key
from shared.web.responses import empty_response, json_response

bp = func.Blueprint()
ANONYMOUS = func.AuthLevel.ANONYMOUS
FUNCTIONS: dict[str, Callable[[func.HttpRequest], func.HttpResponse]] = {}
Handler = Callable[[Call, FacetType, str], func.HttpResponse]


def _create(call: Call, facet_type: FacetType, ref: str) -> func.HttpResponse:
    target = call.target(ref, write=True)
    doc = call.json_object(allow_empty=False)
    created = facets.create_facet(
        call.repo, call.caller, target, facet_type, doc,
        max_count=call.settings.max_facets_per_user, idempotent=_idempotent(call),
    )
    location = f"{call.base_url}/api/users/{created.object_id}/profile/{facet_type.collection}/{created.facet_id}"
    return _facet_response(call, facet_type, created, status=201, extra={"Location": location})


def _list(call: Call, facet_type: FacetType, ref: str) -> func.HttpResponse:
    target = call.target(ref, write=False)  # 401/403 before anything about the query (as on writes)
    options = query.parse_list_query(call.req.params, facet_type)
    visible = facets.list_facets(call.repo, call.caller, target, facet_type)
    scope = f"{call.caller.tenant_id}|{call.caller.app_id if call.caller.is_app else call.caller.object_id}|" \
            f"{target.object_id}|{facet_type.collection}"
    page = query.run_list(
        options, [item.body for item in visible], facet_type=facet_type,
        paging=query.Paging(key=call.paging_key, scope=scope),
    )
    body: dict = {"@odata.context": call.context(target.object_id, f"profile/{facet_type.collection}")}
    if page.count is not None:
        body["@odata.count"] = page.count
    body["value"] = page.items
    if page.next_skiptoken:
        params = {**options.link_params(), "$skiptoken": page.next_skiptoken}
        body["@odata.nextLink"] = f"{call.base_url}{call.path}?{urlencode(params, quote_via=quote, safe='$,')}"
    return json_response(call.ids, body)


def _get(call: Call, facet_type: FacetType, ref: str) -> func.HttpResponse:
    target = call.target(ref, write=False)
    select = query.parse_get_query(call.req.params, facet_type)
    found = facets.get_facet(call.repo, call.caller, target, facet_type, call.route("id"))
    return _facet_response(call, facet_type, found, select=select)


def _update(call: Call, facet_type: FacetType, ref: str) -> func.HttpResponse:
    target = call.target(ref, write=True)
    if_match = call.if_match()
    doc = call.json_object(allow_empty=False)
    updated = facets.update_facet(
        call.repo, call.caller, target, facet_type, call.route("id"), doc, if_match=if_match
    )
    return _facet_response(call, facet_type, updated)


def _delete(call: Call, facet_type: FacetType, ref: str) -> func.HttpResponse:
    target = call.target(ref, write=True)
    if_match = call.if_match()
    facets.delete_facet(call.repo, call.caller, target, facet_type, call.route("id"), if_match=if_match)
    return empty_response(call.ids)


def _facet_response(
    call: Call,
    facet_type: FacetType,
    result: FacetResult,
    *,
    status: int = 200,
    select: tuple[str, ...] | None = None,
    extra: dict[str, str] | None = None,
) -> func.HttpResponse:
    headers = dict(extra or {})
    if result.etag:
        headers["ETag"] = result.etag
    context = call.context(result.object_id, f"profile/{facet_type.collection}/$entity")
    body = {"@odata.context": context, **query.project(result.body, select)}
    return json_response(call.ids, body, status=status, headers=headers)


def _idempotent(call: Call) -> IdempotentRequest | None:
    key = parse_idempotency_key(call.req.headers)
    if key is None:
        return None
    path = call.path.split("/api/", 1)[-1]
    return IdempotentRequest(key, facets.fingerprint(call.req.method, path, call.req.get_body()))


#: (operation, method, route suffix after the collection, handler)
_OPERATIONS: tuple[tuple[str, str, str, Handler], ...] = (
    ("create", "POST", "", _create),
    ("list", "GET", "", _list),
    ("get", "GET", "/{id}", _get),
    ("update", "PATCH", "/{id}", _update),
    ("delete", "DELETE", "/{id}", _delete),
)


def _register(facet_type: FacetType, operation: str, method: str, suffix: str, handler: Handler, *, me: bool) -> None:
    prefix = "me/profile" if me else "users/{user}/profile"
    name = f"{facet_type.collection}_{operation}_{'me' if me else 'user'}"

    def function(req: func.HttpRequest) -> func.HttpResponse:
        return handle(req, lambda call: handler(call, facet_type, "me" if me else call.route("user")))

    function.__name__ = function.__qualname__ = name
    route = bp.route(route=f"{prefix}/{facet_type.collection}{suffix}", methods=[method], auth_level=ANONYMOUS)
    bp.function_name(name)(route(function))
    FUNCTIONS[name] = function


for _facet_type in FACET_TYPES:
    for _operation, _method, _suffix, _handler in _OPERATIONS:
        for _me in (True, False):
            _register(_facet_type, _operation, _method, _suffix, _handler, me=_me)
