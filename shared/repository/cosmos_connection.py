"""One lazily created, reused CosmosClient per repository: credential, timeouts, container set-up.

Nothing here runs at import time: the client constructor does network I/O (it reads the account),
so `CosmosConnection.container()` builds it on first use, under a lock, and keeps it. A failed
construction is not cached: the next call tries again.
"""
from __future__ import annotations

import json
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from azure.cosmos import ContainerProxy, CosmosClient, DatabaseProxy, PartitionKey
from azure.cosmos.documents import ConnectionPolicy
from azure.cosmos.exceptions import CosmosResourceNotFoundError

from shared.errors import ApiError
from shared.repository.cosmos_compat import local_server_request_hook
from shared.repository.cosmos_errors import translated
from shared.settings import Settings, is_loopback_host

CONTAINER_DEFINITION = Path(__file__).with_name("cosmos_container.json")


@dataclass(frozen=True)
class CosmosTimeouts:
    """Client timeouts and retry budgets (seconds / attempts); see docs/data-model.md."""

    connect: float = 3.0  # TCP + TLS connect, per attempt
    read: float = 6.0  # socket read, per attempt (the service caps one operation at 5 s)
    account_read: float = 2.0  # the account read done by the constructor and endpoint refreshes
    construct: float = 5.0  # absolute budget of the constructor, all attempts included
    operation: float = 10.0  # absolute budget of one operation, SDK retries included
    retry_connect: int = 1  # extra attempts after a failed connect
    retry_read: int = 1  # extra attempts after a read failure (reads only; writes are never resent)
    throttle_retries: int = 3  # SDK retries of a 429 before we answer Throttled
    throttle_max_wait: int = 4  # cumulative seconds the SDK may wait on 429s


def container_definition() -> dict[str, Any]:
    """cosmos_container.json: partition key, default TTL, indexing policy (Bicep loads it too)."""
    return json.loads(CONTAINER_DEFINITION.read_text(encoding="utf-8"))


def create_container(database: DatabaseProxy, name: str) -> ContainerProxy:
    """Create (if missing) a container exactly as cosmos_container.json describes it."""
    spec = container_definition()
    key = spec["partitionKey"]
    return database.create_container_if_not_exists(
        id=name,
        partition_key=PartitionKey(path=key["paths"][0], kind=key.get("kind", "Hash"), version=key.get("version", 2)),
        default_ttl=spec.get("defaultTtl"),
        indexing_policy=spec.get("indexingPolicy"),
    )


def make_credential(settings: Settings) -> Any:
    """Key for emulators/test servers; managed identity in Azure; DefaultAzureCredential elsewhere."""
    if settings.cosmos_key:
        return settings.cosmos_key
    from azure.identity import DefaultAzureCredential, ManagedIdentityCredential

    if settings.in_azure:
        # AZURE_CLIENT_ID selects the user-assigned identity (None: the system-assigned one).
        return ManagedIdentityCredential(client_id=settings.azure_client_id)
    return DefaultAzureCredential()


class CosmosConnection:
    """Builds the client on first use and hands out the container proxy."""

    def __init__(
        self,
        endpoint: str,
        database: str,
        container: str,
        credential: Any,
        *,
        create_if_missing: bool = False,
        timeouts: CosmosTimeouts | None = None,
        **client_options: Any,
    ) -> None:
        self.endpoint, self.database_name, self.container_name = endpoint, database, container
        self.timeouts = timeouts or CosmosTimeouts()
        self._credential = credential
        self._create = create_if_missing
        self._options = client_options
        self._lock = threading.Lock()
        self._client: CosmosClient | None = None
        self._container: ContainerProxy | None = None

    @property
    def loopback(self) -> bool:
        return is_loopback_host(urlsplit(self.endpoint).hostname)

    def _client_kwargs(self) -> dict[str, Any]:
        t = self.timeouts
        policy = ConnectionPolicy()
        policy.DBAConnectionTimeout = policy.DBAReadTimeout = policy.RecoveryReadTimeout = t.account_read
        kwargs: dict[str, Any] = {
            "connection_policy": policy,
            "connection_timeout": t.connect,
            "read_timeout": t.read,
            "timeout": t.construct,
            "retry_connect": t.retry_connect,
            "retry_read": t.retry_read,
            "retry_throttle_total": t.throttle_retries,
            "retry_throttle_backoff_max": t.throttle_max_wait,
            "user_agent_suffix": "profile-api",
        }
        if self.loopback:  # emulator / test server: self-signed certificate, local quirks
            kwargs["connection_verify"] = False
            warnings.filterwarnings("ignore", message=r"Unverified HTTPS request is being made to host '(127\.|localhost|::1)")
            kwargs["raw_request_hook"] = local_server_request_hook
        kwargs.update(self._options)
        return kwargs

    def container(self) -> ContainerProxy:
        """The container proxy, connecting on first use (errors mapped, nothing cached on failure)."""
        if self._container is not None:
            return self._container
        with self._lock, translated():
            if self._container is None:
                client = CosmosClient(self.endpoint, self._credential, **self._client_kwargs())
                try:
                    database = client.get_database_client(self.database_name)
                    if self._create:
                        database = client.create_database_if_not_exists(self.database_name)
                        container = create_container(database, self.container_name)
                    else:
                        container = database.get_container_client(self.container_name)
                    container.read(timeout=self.timeouts.operation)  # primes the SDK's properties cache
                except CosmosResourceNotFoundError:
                    client.close()
                    raise ApiError("The profile store's database or container does not exist.") from None
                except BaseException:
                    client.close()
                    raise
                self._client, self._container = client, container
        return self._container

    def close(self) -> None:
        """Close the client; a later call to container() reconnects."""
        with self._lock:
            client, self._client, self._container = self._client, None, None
        if client is not None:
            client.close()


def connection_from_settings(settings: Settings, **client_options: Any) -> CosmosConnection:
    """The connection the settings describe (no I/O until first use)."""
    if not settings.cosmos_endpoint:
        raise ValueError("COSMOS_ENDPOINT is not set.")
    return CosmosConnection(
        settings.cosmos_endpoint,
        settings.cosmos_database,
        settings.cosmos_container,
        make_credential(settings),
        create_if_missing=bool(settings.cosmos_key),
        **client_options,
    )
