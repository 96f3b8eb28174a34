"""The official Microsoft Graph beta SDK (msgraph-beta-sdk) against the local host, on both stores.

- `sdk_api` (module scope, once per store: `sqlite`, and `cosmos` with the `cosmos` marker): one
  `python -m devhost` per store per module, trusting a test tenant whose issuer serves real RS256 keys.
  With CI=true a Cosmos test server that cannot start fails the tests; elsewhere they are skipped.
- `SdkApi.new_user()`: a user never seen before (fresh oid and UPN) with a delegated token.
- `SdkApi.app_token(roles)`: an app-only token (default role User.ReadWrite.All).
- `SdkApi.client(token)`: an async context manager yielding a `GraphServiceClient` whose request
  adapter targets `http://127.0.0.1:<port>/api`. Authentication is kiota's own
  `BaseBearerTokenAuthenticationProvider` with an `AccessTokenProvider` that hands the test token
  to 127.0.0.1 only (kiota's Azure Identity provider insists on https; this one does not).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from kiota_abstractions.authentication import (
    AccessTokenProvider,
    AllowedHostsValidator,
    BaseBearerTokenAuthenticationProvider,
)
from msgraph_beta import GraphRequestAdapter, GraphServiceClient
from msgraph_beta.graph_request_adapter import options as graph_middleware_options
from msgraph_core import APIVersion, GraphClientFactory

from tests.e2e.conftest import STORES, User, store_host
from tests.support.identity import Identity
from tests.support.localhost import LocalHost


class TestTokenProvider(AccessTokenProvider):
    """Hands one bearer token to the allowed hosts only (an empty string elsewhere: no header)."""

    __test__ = False  # not a pytest test class

    def __init__(self, token: str, hosts: list[str]) -> None:
        self._token = token
        self._hosts = AllowedHostsValidator(hosts)

    async def get_authorization_token(
        self, uri: str, additional_authentication_context: dict[str, Any] | None = None
    ) -> str:
        return self._token if self._hosts.is_url_host_valid(uri) else ""

    def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
        return self._hosts


@dataclass
class SdkApi:
    """A running local host on one store, its tenant, and SDK clients for it."""

    host: LocalHost
    store: str
    identity: Identity

    @property
    def url(self) -> str:
        """`http://127.0.0.1:<port>/api`."""
        return self.host.url

    def new_user(self, scopes: str = "User.ReadWrite") -> User:
        """A user this service has never seen, with a delegated token."""
        oid = str(uuid.uuid4())
        upn = f"user-{oid[:8]}@contoso.test"
        name = f"Test User {oid[:8]}"
        token = self.identity.mint(oid=oid, sub=f"subject-{oid}", preferred_username=upn, name=name, scp=scopes)
        return User(oid, upn, name, token)

    def app_token(self, roles: list[str] | None = None) -> str:
        """An app-only (client credentials) token; role User.ReadWrite.All unless `roles` says otherwise."""
        return self.identity.mint_app(roles=roles)

    @asynccontextmanager
    async def client(self, token: str) -> AsyncIterator[GraphServiceClient]:
        """A GraphServiceClient on this host, authenticating with `token`; its HTTP client closed afterwards."""
        provider = TestTokenProvider(token, [urlsplit(self.url).hostname or ""])
        # The SDK's own middleware (retry, redirect, `/users/me-token-to-replace` → `/me`, telemetry).
        http = GraphClientFactory.create_with_default_middleware(
            api_version=APIVersion.beta, options=graph_middleware_options
        )
        async with http:
            adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(provider), client=http)
            adapter.base_url = self.url
            yield GraphServiceClient(request_adapter=adapter)


@pytest.fixture(scope="module", params=STORES)
def sdk_api(
    request: pytest.FixtureRequest, module_identity: Identity, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SdkApi]:
    """The local host on one store, shared by the module's tests for that store."""
    store: str = request.param
    with store_host(request, module_identity, store, tmp_path_factory.mktemp("sdk")) as host:
        yield SdkApi(host, store, module_identity)
