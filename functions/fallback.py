"""The catch-all: Graph's envelope for any other path or method under the route prefix (contract §1).

Without it the Functions host answers an unknown route or method with an empty 404 of its own. One
anonymous HTTP function on `{*path}` (every method) takes whatever no other function took. The host
tries functions in name order and the first whose template and method match wins, so the catch-all is
named to sort after every other function (`zz_fallback`), and a method is part of the match: it also
receives `PUT me/profile` when `me/profile` has no PUT function, and `HEAD` on a GET-only route.

It answers 405 `methodNotAllowed` with `Allow` when the path matches a route of the table under other
methods, else 404 `itemNotFound`. The routes come from the call's route table (functions/routes.py).
"""

from __future__ import annotations

import azure.functions as func

from functions.routes import FALLBACK_NAME, FALLBACK_TEMPLATE
from shared.errors import MethodNotAllowed, NotFound
from shared.routing.table import Route
from shared.web import Call

FUNCTION_NAME, TEMPLATE = FALLBACK_NAME, FALLBACK_TEMPLATE


def answer(call: Call, route: Route) -> func.HttpResponse:
    """405 with `Allow` when the path is a route of the table under other methods, else 404."""
    allowed = call.table.router().allowed(call.path) if call.table is not None else ()
    if allowed:
        raise MethodNotAllowed(
            f"The method is not allowed on this resource; allowed: {', '.join(allowed)}.", allowed=allowed
        )
    raise NotFound("No resource matches the requested path.")
