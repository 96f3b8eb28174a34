"""Assembles the OpenAPI 3.1 document from the facet declarations (never at import time: see __init__)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final

from shared.facets.catalog import FACET_TYPES
from shared.openapi import operations, parameters, responses, schemas
from shared.routing.prefix import route_prefix

if TYPE_CHECKING:
    from shared.auth.sign_in import SignIn
    from shared.routing.table import Route

#: `build`'s default: the sign-in of the process's settings (a tenant's Entra ID, or the development issuer).
FROM_SETTINGS: Final = "settings"
#: What each permission allows, as the Entra app registration's consent texts say (infra/app/entra.bicep).
SCOPE_TEXTS = {
    "User.Read": "Read your profile",
    "User.ReadWrite": "Read and write your profile",
    "User.ReadBasic.All": "Read all users' shared profile information",
    "User.Read.All": "Read all users' profiles",
    "User.ReadWrite.All": "Read and write all users' profiles",
}

TITLE = "Profile API"
VERSION = "1.0.0"
DESCRIPTION = """\
A self-hostable reimplementation of Microsoft Graph's beta `profile` API: the profile and all its facet \
collections, under `me/profile` and `users/{user}/profile`, with Graph's names, types and envelopes.

- Authentication: an Entra ID access token for this API (`Authorization: Bearer ...`). Each operation \
lists the permissions any one of which suffices (delegated scopes `scp`, application roles `roles`); \
`x-permissions` tells which apply to the caller's own data, to other users' data, and to app-only callers.
- Query options are documented with their `$`; they are also accepted without it, as Graph beta accepts them. \
An option a route does not support, or a malformed value, is 400 naming it.
- Every response carries `request-id` and `client-request-id`. Errors use Graph's envelope (`odataError`).
- Paths and methods not listed here answer 404 `itemNotFound` or 405 `methodNotAllowed` in the same envelope."""


def build(routes: Iterable[Route], sign_in: SignIn | str | None = FROM_SETTINGS) -> dict[str, Any]:
    """The whole document, for the routes of the app's table; `sign_in` names the `oauth2` scheme's flow
    (None: no such scheme, only the bearer one)."""
    from shared.query import MAX_FILTER_LENGTH, MAX_ORDERBY_KEYS, MAX_SKIP, MAX_TOP

    if isinstance(sign_in, str):
        from shared.auth.sign_in import sign_in as sign_in_of
        from shared.settings import get_settings

        sign_in = sign_in_of(get_settings(), route_prefix())

    all_parameters = parameters.common_parameters(MAX_TOP, MAX_SKIP)
    for facet_type in FACET_TYPES:
        all_parameters.update(parameters.facet_parameters(facet_type, MAX_FILTER_LENGTH, MAX_ORDERBY_KEYS))
    all_parameters.update(parameters.profile_parameters(FACET_TYPES))
    from shared.openapi.delta import delta_parameters

    all_parameters.update(delta_parameters())
    tags = [{"name": operations.PROFILE_TAG, "description": "The profile: one per user, always there."}]
    tags += [
        {"name": ft.collection, "description": f"The `{ft.collection}` collection ({ft.qualified})."}
        for ft in FACET_TYPES
    ]
    tags.append({"name": "batch", "description": "JSON batching: up to 20 requests in one call."})
    tags.append({"name": operations.DOCUMENT_TAG, "description": "This document."})
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION, "description": DESCRIPTION},
        "servers": [{"url": "/" + route_prefix()}],
        "tags": tags,
        "paths": operations.paths(routes, sign_in),
        "components": {
            "schemas": schemas.all_schemas(FACET_TYPES),
            "parameters": all_parameters,
            "headers": responses.headers(),
            "responses": responses.error_responses(),
            "securitySchemes": _security_schemes(sign_in),
        },
    }


def _security_schemes(sign_in: SignIn | None) -> dict[str, Any]:
    """The bearer scheme (a token brought along), and the sign-in's `oauth2` scheme when there is one."""
    schemes: dict[str, Any] = {
        operations.SECURITY_SCHEME: {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": (
                "An Entra ID v2.0 access token issued for this API. The names in each operation's "
                "requirements are permissions: delegated scopes (`scp`) or application roles (`roles`)."
            ),
        }
    }
    if sign_in is None:
        return schemes
    issuer, client = (
        ("the development issuer (local runs only)", "the development client")
        if sign_in.development
        else ("Entra ID", "the API's own app registration")
    )
    schemes[operations.SIGN_IN_SCHEME] = {
        "type": "oauth2",
        "description": (
            f"Sign in with {issuer}: authorization code with PKCE (S256), public client `{sign_in.client_id}` "
            f"({client}). The token carries the granted scopes in `scp`; the same "
            "permissions as the bearer scheme apply."
        ),
        "flows": {
            "authorizationCode": {
                "authorizationUrl": sign_in.authorization_url,
                "tokenUrl": sign_in.token_url,
                "scopes": {sign_in.scope(name): text for name, text in SCOPE_TEXTS.items()},
            }
        },
    }
    return schemes
