"""DIRECTORY=graph: Microsoft Graph is the directory (contract §5).

Every user of the tenant resolves, by object id or by UPN (Graph compares UPNs case-insensitively;
so does the cache). Lookups go through a per-process cache (shared/directory/cache.py), so a warm
request costs no Graph call; a miss costs one GET (shared/directory/graph_client.py).

The caller's own requests (`me`) look the caller up too: the account facet's ageGroup and
userPersona come from the directory. If Graph does not (yet) know the caller — a user created
moments ago — the token's own claims stand in; if Graph cannot answer, the request is 503.
"""

from __future__ import annotations

import functools
from typing import Any

from shared.auth import Principal
from shared.directory.cache import DirectoryCache, Key, id_key, upn_key
from shared.directory.graph_client import GraphClient
from shared.directory.graph_user import to_directory_user
from shared.directory.port import token_entry
from shared.models import DirectoryUser
from shared.settings import Settings


class GraphDirectory:
    """Users from Microsoft Graph, cached per process. Cheap to construct: no I/O, no SDK import."""

    def __init__(self, client: GraphClient, cache: DirectoryCache | None = None) -> None:
        self.client = client
        self.cache = cache if cache is not None else DirectoryCache()

    @classmethod
    def from_settings(cls, settings: Settings) -> GraphDirectory:
        return cls(GraphClient(settings.graph_endpoint, credential=functools.partial(graph_credential, settings)))

    def remember(self, principal: Principal) -> None:
        """Nothing to record: Graph already knows every user."""

    def caller(self, principal: Principal) -> DirectoryUser:
        return self.by_id(principal.tenant_id, principal.object_id) or token_entry(principal)

    def by_id(self, tenant_id: str, object_id: str) -> DirectoryUser | None:
        return self._lookup(tenant_id, id_key(tenant_id, object_id), object_id)

    def by_upn(self, tenant_id: str, upn: str) -> DirectoryUser | None:
        return self._lookup(tenant_id, upn_key(tenant_id, upn), upn)

    def _lookup(self, tenant_id: str, key: Key, ref: str) -> DirectoryUser | None:
        hit, cached = self.cache.get(key)
        if hit:
            return cached
        doc = self.client.get_user(ref)
        if doc is None:
            self.cache.put((key,), None)
            return None
        user = to_directory_user(tenant_id, doc)
        keys = {key, id_key(tenant_id, user.object_id)}
        if user.user_principal_name:
            keys.add(upn_key(tenant_id, user.user_principal_name))
        self.cache.put(keys, user)
        return user

    def close(self) -> None:
        self.client.close()


def graph_credential(settings: Settings) -> Any:
    """The app's identity for Graph: the managed identity in Azure, DefaultAzureCredential elsewhere.

    In Azure, AZURE_CLIENT_ID names the user-assigned identity (unset: the system-assigned one).
    """
    from azure.identity import DefaultAzureCredential, ManagedIdentityCredential

    if settings.in_azure:
        return ManagedIdentityCredential(client_id=settings.azure_client_id)
    return DefaultAzureCredential()
