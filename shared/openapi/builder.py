"""Assembles the OpenAPI 3.1 document from the facet declarations (never at import time: see __init__)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from shared.facets.catalog import FACET_TYPES
from shared.openapi import operations, parameters, responses, schemas
from shared.routing.prefix import route_prefix

if TYPE_CHECKING:
    from shared.routing.table import Route

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


def build(routes: Iterable[Route]) -> dict[str, Any]:
    """The whole document, for the routes of the app's table."""
    from shared.query import MAX_FILTER_LENGTH, MAX_ORDERBY_KEYS, MAX_SKIP, MAX_TOP

    all_parameters = parameters.common_parameters(MAX_TOP, MAX_SKIP)
    for facet_type in FACET_TYPES:
        all_parameters.update(parameters.facet_parameters(facet_type, MAX_FILTER_LENGTH, MAX_ORDERBY_KEYS))
    all_parameters.update(parameters.profile_parameters(FACET_TYPES))
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
        "paths": operations.paths(routes),
        "components": {
            "schemas": schemas.all_schemas(FACET_TYPES),
            "parameters": all_parameters,
            "headers": responses.headers(),
            "responses": responses.error_responses(),
            "securitySchemes": {
                operations.SECURITY_SCHEME: {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": (
                        "An Entra ID v2.0 access token issued for this API. The names in each operation's "
                        "requirements are permissions: delegated scopes (`scp`) or application roles (`roles`)."
                    ),
                }
            },
        },
    }
