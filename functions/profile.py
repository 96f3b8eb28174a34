"""The profile resource: POST, GET and DELETE on `me/profile` and `users/{user}/profile`."""
from __future__ import annotations

import azure.functions as func

from shared.models.profile import PROFILE_ODATA_TYPE
from shared.services import profiles
from shared.validation import validate_profile_body
from shared.web import Call, handle
from shared.web.query import parse_options
from shared.web.responses import empty_response, json_response

bp = func.Blueprint()
ANONYMOUS = func.AuthLevel.ANONYMOUS


def _create(call: Call, ref: str) -> func.HttpResponse:
    principal = call.principal()
    validate_profile_body(call.json_object(allow_empty=True))
    target, profile = profiles.create_profile(call.repo, principal, ref)
    location = f"{call.base_url}/api/users/{target.object_id}/profile"
    return json_response(call.ids, _body(profile.id), status=201, headers={"Location": location})


def _get(call: Call, ref: str) -> func.HttpResponse:
    principal = call.principal()
    parse_options(call.req.params, allowed=frozenset())  # the profile has no options: any `$` option is 400
    _, profile = profiles.get_profile(call.repo, principal, ref)
    return json_response(call.ids, _body(profile.id))


def _delete(call: Call, ref: str) -> func.HttpResponse:
    profiles.delete_profile(call.repo, call.principal(), ref)
    return empty_response(call.ids)


def _body(profile_id: str) -> dict:
    return {"@odata.type": PROFILE_ODATA_TYPE, "id": profile_id}


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
