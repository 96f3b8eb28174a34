"""A Microsoft Graph v1.0 `user` as a DirectoryUser (contract §5; decisions in docs/contract.md).

- userPrincipalName, displayName and ageGroup are copied.
- userPersona: `userType` Member / Guest, made external when `externalUserState` is set (an invited
  user), `creationType` is `Invitation`, or an identity is federated or issued by another directory
  (`ExternalAzureAD`, `MicrosoftAccount`, `mail`). Any other userType is `unknown`; none is null.
- originTenantInfo: Graph v1.0 has no home-tenant property. It is filled only for an external user
  with an identity whose issuer names a tenant by id (a GUID, or an Entra issuer URL holding one);
  `originUserId` is that identity's issuerAssignedId when it is a GUID. Otherwise null.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from shared.ids import is_guid
from shared.models import DirectoryUser
from shared.models.directory import OriginTenantInfo

#: The `$select` of every lookup: what the mapping below reads, nothing more.
SELECT = "id,userPrincipalName,displayName,ageGroup,userType,externalUserState,creationType,identities"

#: Identity issuers that mean "signs in with an account from elsewhere" (Graph's objectIdentity values).
_EXTERNAL_ISSUERS = frozenset({"externalazuread", "microsoftaccount", "mail"})
_TENANT_IN_ISSUER = re.compile(
    r"^https://(?:sts\.windows\.net|login\.microsoftonline\.com)/([0-9a-fA-F-]{36})(?:/|/v2\.0/?)?$"
)


def to_directory_user(tenant_id: str, doc: Mapping[str, Any]) -> DirectoryUser:
    """The DirectoryUser of a Graph user body (`doc["id"]` was checked to be a GUID)."""
    external = _is_external(doc)
    return DirectoryUser(
        tenant_id=tenant_id,
        object_id=str(doc["id"]).lower(),
        user_principal_name=_text(doc.get("userPrincipalName")),
        display_name=_text(doc.get("displayName")),
        age_group=_text(doc.get("ageGroup")),
        user_persona=_persona(_text(doc.get("userType")), external),
        origin_tenant_info=_origin(doc, tenant_id) if external else None,
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _identities(doc: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = doc.get("identities")
    return [item for item in found if isinstance(item, Mapping)] if isinstance(found, list) else []


def _is_external(doc: Mapping[str, Any]) -> bool:
    if _text(doc.get("externalUserState")) or str(doc.get("creationType") or "").lower() == "invitation":
        return True
    for identity in _identities(doc):
        if str(identity.get("signInType") or "").lower() == "federated":
            return True
        if str(identity.get("issuer") or "").lower() in _EXTERNAL_ISSUERS:
            return True
    return False


def _persona(user_type: str | None, external: bool) -> str | None:
    if user_type is None:
        return None
    kind = user_type.lower()
    if kind == "member":
        return "externalMember" if external else "internalMember"
    if kind == "guest":
        return "externalGuest" if external else "internalGuest"
    return "unknown"


def _issuer_tenant(issuer: object) -> str | None:
    if not isinstance(issuer, str):
        return None
    if is_guid(issuer):
        return issuer.lower()
    found = _TENANT_IN_ISSUER.match(issuer)
    return found[1].lower() if found and is_guid(found[1]) else None


def _origin(doc: Mapping[str, Any], tenant_id: str) -> OriginTenantInfo | None:
    for identity in _identities(doc):
        home = _issuer_tenant(identity.get("issuer"))
        if home is None or home == tenant_id.lower():
            continue
        assigned = identity.get("issuerAssignedId")
        user_id = assigned.lower() if isinstance(assigned, str) and is_guid(assigned) else None
        return {"originTenantId": home, "originUserId": user_id}
    return None
