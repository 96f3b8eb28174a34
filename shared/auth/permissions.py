"""The permission table of contract §4, checked before any user lookup."""

from __future__ import annotations

from shared.auth.principal import Principal
from shared.errors import DelegatedOnly, Forbidden

ME_REQUIRES_DELEGATED = "/me request is only valid with delegated authentication flow."
INSUFFICIENT = "Insufficient privileges to complete the operation."
#: Every permission the tables below name, spelled as Entra ID issues them.
PERMISSIONS = ("User.Read", "User.ReadWrite", "User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All")

#: Delegated scopes (compared case-insensitively) per (write, own).
_SCOPES: dict[tuple[bool, bool], frozenset[str]] = {
    (True, True): frozenset({"user.readwrite", "user.readwrite.all"}),
    (True, False): frozenset({"user.readwrite.all"}),
    (False, True): frozenset(
        {"user.read", "user.readwrite", "user.readbasic.all", "user.read.all", "user.readwrite.all"}
    ),
    (False, False): frozenset({"user.readbasic.all", "user.read.all", "user.readwrite.all"}),
}
#: Application roles per write (app-only callers never have "own" data).
_ROLES: dict[bool, frozenset[str]] = {
    True: frozenset({"user.readwrite.all"}),
    False: frozenset({"user.read.all", "user.readwrite.all"}),
}
#: The least permission that would do, named in the 403 challenge.
_LEAST_SCOPE = {
    (True, True): "User.ReadWrite",
    (True, False): "User.ReadWrite.All",
    (False, True): "User.Read",
    (False, False): "User.ReadBasic.All",
}
_LEAST_ROLE = {True: "User.ReadWrite.All", False: "User.Read.All"}


def sufficient(*, write: bool, own: bool, app: bool) -> tuple[str, ...]:
    """The permissions any one of which passes the check (app roles when `app`, else delegated scopes).

    The OpenAPI document states each operation's security from this, so it cannot drift from §4's table.
    """
    table = _ROLES[write] if app else _SCOPES[(write, own)]
    return tuple(name for name in PERMISSIONS if name.casefold() in table)


def is_own(principal: Principal, target: str) -> bool:
    """True when `target` ("me", the caller's oid or UPN, case-insensitive) is the delegated caller."""
    if principal.is_app:
        return False
    wanted = target.casefold()
    if wanted == "me" or wanted == principal.object_id.casefold():
        return True
    return principal.upn is not None and wanted == principal.upn.casefold()


def authorize(principal: Principal, *, write: bool, target: str) -> bool:
    """Apply §4's table; return True when `target` is the caller's own data (act on `principal.object_id` then).

    Raises DelegatedOnly (400 `BadRequest`) for `me` with an app-only token, Forbidden when the permissions
    do not suffice.
    """
    if principal.is_app:
        if target.casefold() == "me":
            raise DelegatedOnly(ME_REQUIRES_DELEGATED)
        if not {r.casefold() for r in principal.roles} & _ROLES[write]:
            raise Forbidden(INSUFFICIENT, scope=_LEAST_ROLE[write])
        return False
    own = is_own(principal, target)
    if not {s.casefold() for s in principal.scopes} & _SCOPES[(write, own)]:
        raise Forbidden(INSUFFICIENT, scope=_LEAST_SCOPE[(write, own)])
    return own


def sees_all_facets(principal: Principal, *, own: bool) -> bool:
    """Visibility rule of §4: own data, User.ReadWrite.All or app-only see every facet."""
    if own or principal.is_app:
        return True
    return "user.readwrite.all" in {s.casefold() for s in principal.scopes}
