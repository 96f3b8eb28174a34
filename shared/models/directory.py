"""What the service knows of a user from the directory (contract §5).

A plain frozen dataclass, not a pydantic model: it is built on every request that names a user, and
`import function_app` must stay cheap. Constructed by keyword only (the repository adapters do so).
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: `originTenantInfo` as Graph writes it: {"originTenantId": ..., "originUserId": ...}.
OriginTenantInfo = dict[str, str | None]


@dataclass(frozen=True, kw_only=True)
class DirectoryUser:
    """A user of one tenant. Keyed on (tenant_id, object_id); the UPN is only a way to find it.

    The last four fields are the account facet's read-only directory properties, `None` when the
    directory does not say. `origin_tenant_info` is shared by every request that sees this user
    (the directory cache hands out one instance): treat it as read-only.
    """

    tenant_id: str
    object_id: str
    user_principal_name: str | None = None
    display_name: str | None = None
    age_group: str | None = None
    #: One of Graph's userPersona members ("internalMember", "externalGuest", ...).
    user_persona: str | None = None
    origin_tenant_info: OriginTenantInfo | None = field(default=None, hash=False)
