"""Delta query handlers (contract §12): `GET {me | users/{user}}/profile/{collection}/delta`, and the
tenant-wide `GET users/profile/{collection}/delta` and `GET users/profile/delta` (every collection).

Each takes the call and its row of the route table (functions/routes.py); the row names the collection
(None: every collection, tenant-wide only). The permission is checked before the options are read, as
on every read route.
"""

from __future__ import annotations

from typing import Any

import azure.functions as func

from shared.facets.catalog import FACET_TYPES
from shared.query.model import MAX_TOP
from shared.routing.table import Route
from shared.services import delta
from shared.web import Call
from shared.web.prefer import PREFERENCE_APPLIED, max_page_size
from shared.web.responses import json_response


def user_round(call: Call, route: Route) -> func.HttpResponse:
    """One page of a round over one user's collection."""
    if route.facet_type is None:  # a table row without a collection: a programming error
        raise LookupError(f"route {route.name} names no collection")
    target = call.target_of(route)
    options = delta.parse_delta_options(call.req.params, [route.facet_type])
    feed = delta.Feed(target.tenant_id, target, (route.facet_type,))
    context = call.context(target.object_id, f"profile/{route.facet_type.collection}")
    return _page(call, feed, options, context)


def tenant_round(call: Call, route: Route) -> func.HttpResponse:
    """One page of a round over every user's facets of one collection (or of every collection)."""
    delta.authorize_tenant_read(call.caller)
    facet_types = (route.facet_type,) if route.facet_type is not None else tuple(FACET_TYPES)
    options = delta.parse_delta_options(call.req.params, facet_types)
    feed = delta.Feed(call.caller.tenant_id, None, facet_types)
    kind = route.facet_type.qualified if route.facet_type is not None else "microsoft.graph.itemFacet"
    return _page(call, feed, options, f"{call.api_root}/$metadata#Collection({kind})")


def _page(call: Call, feed: delta.Feed, options: delta.DeltaOptions, context: str) -> func.HttpResponse:
    size = max_page_size(call.req.headers)
    page = delta.run_round(call.repo, call.caller, feed, options, key=call.paging_key, page_size=size or MAX_TOP)
    body: dict[str, Any] = {"@odata.context": context, "value": page.items}
    link = f"{call.base_url}{call.path}"
    if page.next_token is not None:
        body["@odata.nextLink"] = f"{link}?$skiptoken={page.next_token}"
    else:
        body["@odata.deltaLink"] = f"{link}?$deltatoken={page.delta_token}"
    headers = {PREFERENCE_APPLIED: f"odata.maxpagesize={size}"} if size is not None else None
    return json_response(call.ids, body, headers=headers)
