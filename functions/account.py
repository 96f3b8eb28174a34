"""The account facet collection under `me/profile/account` and `users/{user}/profile/account`."""
from __future__ import annotations

from urllib.parse import quote

import azure.functions as func

from shared.errors import BadRequest
from shared.services import accounts
from shared.services.accounts import AccountResult, IdempotentRequest
from shared.validation import validate_account_create, validate_account_patch
from shared.web import Call, handle
from shared.web.query import parse_options, project
from shared.web.responses import empty_response, json_response

bp = func.Blueprint()
ANONYMOUS = func.AuthLevel.ANONYMOUS
_LIST_OPTIONS = frozenset({"$top", "$select", "$skiptoken"})
_GET_OPTIONS = frozenset({"$select"})


def _create(call: Call, ref: str) -> func.HttpResponse:
    principal = call.principal()
    data = validate_account_create(call.json_object(allow_empty=False))
    created = accounts.create_account(
        call.repo, principal, ref, data,
        max_accounts=call.settings.max_facets_per_user, idempotent=_idempotent(call),
    )
    location = f"{call.base_url}/api/users/{created.object_id}/profile/account/{created.account_id}"
    return _account_response(call, created, status=201, extra={"Location": location})


def _list(call: Call, ref: str) -> func.HttpResponse:
    principal = call.principal()
    options = parse_options(call.req.params, allowed=_LIST_OPTIONS)
    items, cursor = accounts.list_accounts(call.repo, principal, ref, top=options.top, cursor=options.skiptoken)
    body: dict = {"value": [project(item.body, options.select) for item in items]}
    if cursor:
        body["@odata.nextLink"] = _next_link(call, options, cursor)
    return json_response(call.ids, body)


def _get(call: Call, ref: str) -> func.HttpResponse:
    principal = call.principal()
    options = parse_options(call.req.params, allowed=_GET_OPTIONS)
    found = accounts.get_account(call.repo, principal, ref, call.route("id"))
    return _account_response(call, found, select=options.select)


def _update(call: Call, ref: str) -> func.HttpResponse:
    principal = call.principal()
    changes = validate_account_patch(call.json_object(allow_empty=False))
    updated = accounts.update_account(call.repo, principal, ref, call.route("id"), changes, if_match=_if_match(call))
    return _account_response(call, updated)


def _delete(call: Call, ref: str) -> func.HttpResponse:
    accounts.delete_account(call.repo, call.principal(), ref, call.route("id"), if_match=_if_match(call))
    return empty_response(call.ids)


def _account_response(
    call: Call, result: AccountResult, *, status: int = 200, select: tuple[str, ...] | None = None, extra: dict | None = None
) -> func.HttpResponse:
    headers = dict(extra or {})
    if result.etag:
        headers["ETag"] = result.etag
    return json_response(call.ids, project(result.body, select), status=status, headers=headers)


def _next_link(call: Call, options, cursor: str) -> str:
    path = call.req.url.split("?", 1)[0]
    query = f"$top={options.top}&$skiptoken={quote(cursor)}"
    if options.select:
        query += "&$select=" + quote(",".join(options.select), safe=",")
    return f"{path}?{query}"


def _if_match(call: Call) -> str | None:
    value = (call.req.headers.get("if-match") or "").strip()
    return value or None


def _idempotent(call: Call) -> IdempotentRequest | None:
    key = call.req.headers.get("idempotency-key")
    if key is None:
        return None
    key = key.strip()
    if not 1 <= len(key) <= 255 or not key.isascii() or not key.isprintable():
        raise BadRequest("The Idempotency-Key header must be 1 to 255 printable ASCII characters.")
    path = call.req.url.split("?", 1)[0].split("/api/", 1)[-1]
    return IdempotentRequest(key, accounts.fingerprint(call.req.method, path, call.req.get_body()))


@bp.route(route="me/profile/account", methods=["POST"], auth_level=ANONYMOUS)
def create_my_account(req: func.HttpRequest) -> func.HttpResponse:
    return handle(req, lambda call: _create(call, "me"))


@bp.route(route="users/{user}/profile/account", methods=["POST"], auth_level=ANONYMOUS)
def create_user_account(req: func.HttpRequest) -> func.HttpResponse:
    return handle(req, lambda call: _create(call, call.route("user")))


@bp.route(route="me/profile/account", methods=["GET"], auth_level=ANONYMOUS)
def list_my_accounts(req: func.HttpRequest) -> func.HttpResponse:
    return handle(req, lambda call: _list(call, "me"))


@bp.route(route="users/{user}/profile/account", methods=["GET"], auth_level=ANONYMOUS)
def list_user_accounts(req: func.HttpRequest) -> func.HttpResponse:
    return handle(req, lambda call: _list(call, call.route("user")))


@bp.route(route="me/profile/account/{id}", methods=["GET"], auth_level=ANONYMOUS)
def get_my_account(req: func.HttpRequest) -> func.HttpResponse:
    return handle(req, lambda call: _get(call, "me"))


@bp.route(route="users/{user}/profile/account/{id}", methods=["GET"], auth_level=ANONYMOUS)
def get_user_account(req: func.HttpRequest) -> func.HttpResponse:
    return handle(req, lambda call: _get(call, call.route("user")))


@bp.route(route="me/profile/account/{id}", methods=["PATCH"], auth_level=ANONYMOUS)
def update_my_account(req: func.HttpRequest) -> func.HttpResponse:
    return handle(req, lambda call: _update(call, "me"))


@bp.route(route="users/{user}/profile/account/{id}", methods=["PATCH"], auth_level=ANONYMOUS)
def update_user_account(req: func.HttpRequest) -> func.HttpResponse:
    return handle(req, lambda call: _update(call, call.route("user")))


@bp.route(route="me/profile/account/{id}", methods=["DELETE"], auth_level=ANONYMOUS)
def delete_my_account(req: func.HttpRequest) -> func.HttpResponse:
    return handle(req, lambda call: _delete(call, "me"))


@bp.route(route="users/{user}/profile/account/{id}", methods=["DELETE"], auth_level=ANONYMOUS)
def delete_user_account(req: func.HttpRequest) -> func.HttpResponse:
    return handle(req, lambda call: _delete(call, call.route("user")))
