"""The host's routing over what the worker indexed: HTTP functions in name order, first match wins.

`build_router` turns `app.get_functions()` (names, routes, methods: the metadata the Functions host
receives from the worker) into the shared rule (shared/routing/router.py), with the route prefix
joined to each route, and each function's callable, trigger argument name and whether it wants a
`context`, all computed once at start.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from shared.routing.router import Entry, Match, Router, full_template, methods_of
from shared.routing.templates import Template


@dataclass(frozen=True)
class Target:
    """What invoking one function needs: its name, callable, trigger argument and whether it takes `context`."""

    name: str
    function: Callable[..., Any]
    arg_name: str = "req"
    wants_context: bool = False


Resolved = Match[Target]


def entry(
    name: str,
    route: str | None,
    prefix: str,
    methods: Iterable[Any] | None,
    function: Callable[..., Any],
    arg_name: str = "req",
) -> Entry[Target]:
    """One function's entry; a template the host rule here cannot serve raises ValueError at start."""
    wants_context = "context" in inspect.signature(function).parameters
    template = Template.parse(full_template(prefix, route or name))
    return Entry(name, template, methods_of(methods), Target(name, function, arg_name, wants_context))


def build_router(functions: Iterable[Any], route_prefix: str) -> Router[Target]:
    """The host's rule over every HTTP-triggered function (other triggers are ignored)."""
    entries = []
    for fn in functions:
        if not fn.is_http_function():
            continue
        trigger = fn.get_trigger()
        entries.append(
            entry(
                fn.get_function_name(),
                trigger.route,
                route_prefix,
                trigger.methods,
                fn.get_user_function(),
                trigger.name,
            )
        )
    return Router(entries)
