"""The profile resource: POST, GET and DELETE on `me/profile` and `users/{user}/profile`."""
from __future__ import annotations

import azure.functions as func

from shared import query
from shared.facets.catalog import by_collection
from shared.services import profiles
from shared.validation.profile import validate_profile_body
from shared.web import Call, handle
from shared.web.responses import empty_response, json_response

bp = func.Blueprint()
ANONYMOUS = func.AuthLevel.ANONYMOUS


def _create(call: Call, ref: str) -> func.HttpResponse:
    target = call.target(ref, write=True)
    validate_profile_body(call.json_object(allow_empty=True))
    body = profiles.create_profile(call.repo, target)
    location = f"{call.base_url}/api/users/{target.object_id}/profile"
    body = _with_context(call, target.object_id, body)
    return json_response(call.ids, body, status=201, headers={"Location": location})


def _get(call: Call, ref: str) -> func.HttpResponse:
    target = call.target(ref, write=False)  # 401/403 before anything about the query (as on writes)
    options = query.parse_profile_query(call.req.params)
    body = query.project(profiles.profile_body(target), options.select)
    if options.expand:
        facet_types = {name: by_collection(name) for name in options.expand}
        found = profiles.expand_profile(
            call.repo, call.caller, target, {name: ft for name, ft in facet_types.items() if ft is not None}
        )
        for name, items in found.items():
            body[name] = [query.project(item.body, options.expand[name]) for item in items]
    return json_response(call.ids, _with_context(call, target.object_id, body))


def _delete(call: Call, ref: str) -> func.HttpResponse:
    profiles.delete_profile(call.repo, call.target(ref, write=True))
    return empty_response(call.ids)


def _with_context(call: Call, object_id: str, body: dict) -> dict:
    return {"@odata.context": call.context(object_id, "profile/$entity"), **body}


@bp.route(route="me/profile", methods=["POST"], auth_level=ANONYMOUS)
def create_my_profile(req: func.HttpRequest) -> func.HttpResponse:
    return handle(req, lambda call: _create(call, "me"))


@bp.route(route="users/{user}/profile", methods=["POST"], auth_level=ANONYMOUS)
def create_user_profile(req: func.HttpRequest) -> func.HttpResponse:
    return handle(req, lambda call: _create(call, call.route("user")))


@bp.route(route="me/profile", methods=["GET"], auth_level=ANONYMOUS)
def get_my_profile(req: func.HttpRequest) -> func.HttpResponse:
    return handle(req, lambda call: _get(call, "me"))


@bp.route(route="users/{user}/profile", methods=["GET"], auth_level=ANONYMOUS)
def get_user_profile(req: func.HttpRequest) -> func.HttpResponse:
    return handle(req, lambda call: _get(call, call.route("user")))


@bp.route(route="me/profile", methods=["DELETE"], auth_level=ANONYMOUS)
def delete_my_profile(req: func.HttpRequest) -> func.HttpResponse:
    return handle(req, lambda call: _delete(call, "me"))


@bp.route(route="users/{user}/profile", methods=["DELETE"], auth_level=ANONYMOUS)
def delete_user_profile(req: func.HttpRequest) -> func.HttpResponse:
    return handle(req, lambda call: _delete(call, call.route("user")))
