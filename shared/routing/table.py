"""A row of the app's route table (functions/routes.py builds the table; this module only describes a row).

Everything the app says about a route is here, once: its function name (which also sets the host's
routing order), method, template under the route prefix, handler, required permission and the OpenAPI
operation that documents it. Function registration, the catch-all, `$batch` and the OpenAPI document
all read the same rows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from shared.routing.prefix import route_prefix
from shared.routing.router import Entry, Router, full_template, methods_of
from shared.routing.templates import Template

if TYPE_CHECKING:
    from shared.facets.model import FacetType


class Access(Enum):
    """What the caller needs: nothing, a token (and no permission of the route's own), or the read or write
    permissions of contract §4."""

    ANONYMOUS = "anonymous"
    #: `$batch`: each of its requests is authorized as its direct call is.
    TOKEN = "token"  # noqa: S105  (a kind of access, not a secret)
    READ = "read"
    WRITE = "write"


class Resource(Enum):
    """Which kind of operation documents the route in OpenAPI (NONE: not in the document)."""

    NONE = "none"
    PROFILE = "profile"
    FACET = "facet"
    DOCUMENT = "document"
    BATCH = "batch"


@dataclass(frozen=True)
class Route:
    """One HTTP function: name, method (None: every method), template (no prefix), handler, permission, operation."""

    name: str
    method: str | None
    template: str
    handler: Callable[..., Any]
    access: Access = Access.READ
    resource: Resource = Resource.NONE
    #: The operation within the resource: create, list, get, update, delete, ...
    action: str = ""
    facet_type: FacetType | None = None

    @property
    def write(self) -> bool:
        """True when the route needs a write permission."""
        return self.access is Access.WRITE

    @property
    def me(self) -> bool:
        """True for the signed-in user's routes (`me/...`)."""
        return self.template.split("/", 1)[0].lower() == "me"

    @property
    def path(self) -> str:
        """The OpenAPI path: `/` + template."""
        return "/" + self.template


class RouteTable:
    """The app's rows in registration order, and the host's rule over them (built on first use, once)."""

    def __init__(self, rows: Iterable[Route], prefix: str | None = None) -> None:
        self.rows: tuple[Route, ...] = tuple(rows)
        self._prefix = prefix
        self._router: Router[Route] | None = None
        self._lock = threading.Lock()

    def __iter__(self) -> Iterator[Route]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def prefix(self) -> str:
        """The route prefix (host.json's, unless one was given)."""
        return route_prefix() if self._prefix is None else self._prefix

    def router(self) -> Router[Route]:
        """The host's rule over the rows (full templates, prefix included)."""
        if self._router is None:
            with self._lock:
                if self._router is None:
                    self._router = Router(
                        Entry(
                            r.name,
                            Template.parse(full_template(self.prefix, r.template)),
                            methods_of([r.method] if r.method else None),
                            r,
                        )
                        for r in self.rows
                    )
        return self._router
