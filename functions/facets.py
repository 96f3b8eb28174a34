"""The facet collections' handlers: create, list, get, update and delete, for any declared collection.

Each handler takes the call and its row of the route table (functions/routes.py), which names the
collection (`route.facet_type`), whose data it is (`me` or `{user}`) and the permission it needs.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import azure.functions as func

from shared import query
from shared.facets.model import FacetType
from shared.routing.table import Route
from shared.services import facets
from shared.services.facets import FacetResult, IdempotentRequest
from shared.web import Call
from shared.web.conditions import parse_idempotency_key
from shared.web.prefer import page_limits
from shared.web.responses import empty_response, json_response


def _collection(route: Route) -> FacetType:
    if route.facet_type is None:  # a table row without a collection: a programming error
        raise LookupError(f"route {route.name} names no collection")
    return route.facet_type


def create(call: Call, route: Route) -> func.HttpResponse:
    facet_type = _collection(route)
    target = call.target_of(route)
    doc = call.json_object(allow_empty=False)
    created = facets.create_facet(
        call.repo,
        call.caller,
        target,
        facet_type,
        doc,
        max_count=call.settings.max_facets_per_user,
        idempotent=_idempotent(call),
        max_bytes=call.settings.max_stored_bytes_per_user,
    )
    location = f"{call.api_root}/users/{created.object_id}/profile/{facet_type.collection}/{created.facet_id}"
    return _facet_response(call, facet_type, created, status=201, extra={"Location": location})


def list_(call: Call, route: Route) -> func.HttpResponse:
    facet_type = _collection(route)
    target = call.target_of(route)  # 401/403 before anything about the query (as on writes)
    options = query.parse_list_query(call.req.params, facet_type)
    limits, applied = page_limits(call.req.headers, call.settings.max_response_bytes)
    page = facets.list_page(
        call.repo, call.caller, target, facet_type, options, paging_key=call.paging_key, limits=limits
    )
    body: dict = {"@odata.context": call.context(target.object_id, f"profile/{facet_type.collection}")}
    if page.count is not None:
        body["@odata.count"] = page.count
    body["value"] = page.items
    if page.next_skiptoken:
        params = {**options.link_params(), "$skiptoken": page.next_skiptoken}
        body["@odata.nextLink"] = f"{call.base_url}{call.path}?{urlencode(params, quote_via=quote, safe='$,')}"
    return json_response(call.ids, body, headers=applied)


def get(call: Call, route: Route) -> func.HttpResponse:
    facet_type = _collection(route)
    target = call.target_of(route)
    select = query.parse_get_query(call.req.params, facet_type)
    found = facets.get_facet(call.repo, call.caller, target, facet_type, call.route("id"))
    return _facet_response(call, facet_type, found, select=select)


def update(call: Call, route: Route) -> func.HttpResponse:
    facet_type = _collection(route)
    target = call.target_of(route)
    if_match = call.if_match()
    doc = call.json_object(allow_empty=False)
    updated = facets.update_facet(
        call.repo,
        call.caller,
        target,
        facet_type,
        call.route("id"),
        doc,
        if_match=if_match,
        max_bytes=call.settings.max_stored_bytes_per_user,
    )
    return _facet_response(call, facet_type, updated)


def delete(call: Call, route: Route) -> func.HttpResponse:
    facet_type = _collection(route)
    target = call.target_of(route)
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
    return IdempotentRequest(key, facets.fingerprint(call.req.method, call.api_path, call.req.get_body()))
