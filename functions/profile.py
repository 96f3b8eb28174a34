"""The profile resource's handlers: create, get (with `$select` and `$expand`) and delete.

Each takes the call and its row of the route table (functions/routes.py), which says whose profile it is.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import azure.functions as func

from shared import query
from shared.facets.catalog import by_collection
from shared.routing.table import Route
from shared.services import profiles
from shared.validation.profile import validate_profile_body
from shared.web import Call
from shared.web.prefer import page_limits
from shared.web.responses import empty_response, json_response


def create(call: Call, route: Route) -> func.HttpResponse:
    target = call.target_of(route)
    validate_profile_body(call.json_object(allow_empty=True))
    body = profiles.create_profile(call.repo, target)
    location = f"{call.api_root}/users/{target.object_id}/profile"
    body = _with_context(call, target.object_id, body)
    return json_response(call.ids, body, status=201, headers={"Location": location})


def get(call: Call, route: Route) -> func.HttpResponse:
    target = call.target_of(route)  # 401/403 before anything about the query (as on writes)
    options = query.parse_profile_query(call.req.params)
    body = query.project(profiles.profile_body(target), options.select)
    applied: dict[str, str] = {}
    if options.expand:
        limits, applied = page_limits(call.req.headers, call.settings.max_response_bytes)
        facet_types = {name: ft for name in options.expand if (ft := by_collection(name)) is not None}
        pages = profiles.expand_profile(
            call.repo,
            call.caller,
            target,
            facet_types,
            select=options.expand,
            paging_key=call.paging_key,
            limits=limits,
        )
        for name, page in pages.items():
            body[name] = page.items
            if page.next_skiptoken:
                select = options.expand[name]
                params = {"$select": ",".join(select)} if select is not None else {}
                params["$skiptoken"] = page.next_skiptoken
                query_string = urlencode(params, quote_via=quote, safe="$,")
                body[f"{name}@odata.nextLink"] = f"{call.base_url}{call.path}/{name}?{query_string}"
    return json_response(call.ids, _with_context(call, target.object_id, body), headers=applied)


def delete(call: Call, route: Route) -> func.HttpResponse:
    profiles.delete_profile(call.repo, call.target_of(route))
    return empty_response(call.ids)


def _with_context(call: Call, object_id: str, body: dict) -> dict:
    return {"@odata.context": call.context(object_id, "profile/$entity"), **body}
