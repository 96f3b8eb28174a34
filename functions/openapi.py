"""The API's OpenAPI 3.1 document at `GET openapi.json` (anonymous: it describes, it exposes no data).

The document is generated from the route table and the facet declarations on the first request and
cached, encoded, for the life of the process (shared/openapi); importing this module builds nothing.
"""

from __future__ import annotations

import azure.functions as func

from shared import openapi
from shared.routing.table import Route
from shared.web import Call
from shared.web.responses import JSON


def document(call: Call, route: Route) -> func.HttpResponse:
    if call.table is None:  # every registered function has the table (functions/routes.py)
        raise LookupError("the OpenAPI document needs the route table")
    encoded, etag = openapi.document_bytes(call.table), openapi.document_etag(call.table)
    return func.HttpResponse(
        encoded, status_code=200, headers={"ETag": etag, **call.ids.headers()}, mimetype=JSON, charset="utf-8"
    )
