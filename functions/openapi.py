"""The API's OpenAPI 3.1 document at `GET api/openapi.json` (anonymous: it describes, it exposes no data).

The document is generated from the facet declarations on the first request and cached, encoded, for
the life of the process (shared/openapi); importing this module builds nothing.
"""
from __future__ import annotations

import azure.functions as func

from shared import openapi
from shared.web import Call, handle
from shared.web.responses import JSON

bp = func.Blueprint()


def _document(call: Call) -> func.HttpResponse:
    return func.HttpResponse(
        openapi.document_bytes(),
        status_code=200,
        headers={"ETag": openapi.document_etag(), **call.ids.headers()},
        mimetype=JSON,
        charset="utf-8",
    )


@bp.route(route="openapi.json", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def openapi_document(req: func.HttpRequest) -> func.HttpResponse:
    return handle(req, _document)
