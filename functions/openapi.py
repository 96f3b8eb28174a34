"""The API's OpenAPI 3.1 document at `GET api/openapi.json` (anonymous: it describes, it exposes no data)."""
from __future__ import annotations

import azure.functions as func

from shared import openapi
from shared.web import Call, handle
from shared.web.responses import json_response

bp = func.Blueprint()


def _document(call: Call) -> func.HttpResponse:
    return json_response(call.ids, openapi.document())


@bp.route(route="openapi.json", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def openapi_document(req: func.HttpRequest) -> func.HttpResponse:
    return handle(req, _document)
