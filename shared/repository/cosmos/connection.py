"""One lazily created, reused CosmosClient per repository: credential, timeouts, container set-up.

Nothing here imports azure-cosmos or azure-identity at module import, and nothing runs at import
time: the client constructor does network I/O (it reads the account), so `CosmosConnection.container()`
builds it on first use, under a lock, and keeps it. A failed construction is not cached: the next
call tries again. Failures surface as SDK exceptions; `Store` routes them (errors.py).

Thread safety (one client serves every request thread of the process): azure-cosmos keeps the
headers of "the last response" in ONE attribute of the shared client connection,
`CosmosClientConnection.last_response_headers`. Every call assigns its own response headers there,
and after every request `_retry_utility.Execute` writes the throttle counters
(`x-ms-throttle-retry-count`, `x-ms-throttle-retry-wait-time-ms`) into whatever object that
attribute holds at that moment, which may be another thread's response headers while that thread
is still copying them (`__QueryFeed`: `response_headers.update(post_response_headers)`). The
copy then fails with `RuntimeError: OrderedDict mutated during iteration` (measured: about 1 in
1,600 requests under 32 threads), and a query's continuation is read from the same shared
attribute. `isolate_response_headers` gives that attribute one value per thread, so every thread
reads and writes only the headers of its own responses. It relies on those internals, so it is
applied only to the azure-cosmos versions the tests ran (`shared.library_versions.AZURE_COSMOS`,
the range requirements.txt pins); with another version the client is left as the library built it.

No code here is for a particular server: `set_process_client_options` lets a process add client
options (the tests add the request adjustments their Cosmos test server needs, tests/support/).
"""

from __future__ import annotations

import json
import threading
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from shared.repository.cosmos.errors import StoreMissing
from shared.repository.cosmos.policy import CosmosTimeouts
from shared.settings import Settings, is_loopback_host

if TYPE_CHECKING:
    from azure.cosmos import ContainerProxy, CosmosClient, DatabaseProxy

#: Partition key, TTL and indexing policy of the container; infra/app/cosmos.bicep loads the same file.
CONTAINER_DEFINITION = Path(__file__).resolve().parent.parent / "cosmos_container.json"
_HEADERS_ATTRIBUTE = "last_response_headers"
#: Client options every client of this process gets (none in production; see set_process_client_options).
_process_options: dict[str, Any] = {}


def set_process_client_options(**options: Any) -> None:
    """Options (azure-core / azure-cosmos client keywords) for every client created from now on in this
    process, before a connection's own. Production sets none; the tests install their Cosmos test
    server's request adjustments here, so no production module carries code for that server."""
    _process_options.clear()
    _process_options.update(options)


def container_definition() -> dict[str, Any]:
    """cosmos_container.json: partition key, default TTL, indexing policy."""
    definition: dict[str, Any] = json.loads(CONTAINER_DEFINITION.read_text(encoding="utf-8"))
    return definition


def create_container(database: DatabaseProxy, name: str) -> ContainerProxy:
    """Create (if missing) a container exactly as cosmos_container.json describes it."""
    from azure.cosmos import PartitionKey

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


class _PerThreadHeaders:
    """A data descriptor: `last_response_headers` with one value per thread (see the module docstring)."""

    def __init__(self) -> None:
        self._local = threading.local()

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            return self
        headers = getattr(self._local, "headers", None)
        if headers is None:
            from azure.core.utils import CaseInsensitiveDict

            headers = self._local.headers = CaseInsensitiveDict()
        return headers

    def __set__(self, instance: object, value: Any) -> None:
        self._local.headers = value


def isolate_response_headers(client: CosmosClient) -> None:
    """Give the client connection's `last_response_headers` one value per thread (the fix above).

    The connection's class is swapped for a subclass whose descriptor shadows the instance
    attribute; nothing else about the client changes. A client whose connection lacks the attribute
    (a future SDK that fixed this) is left alone, and so is every client of an azure-cosmos version
    outside the tested range (one line is logged).
    """
    import azure.cosmos

    from shared.library_versions import AZURE_COSMOS

    connection = getattr(client, "client_connection", None)
    if connection is None or _HEADERS_ATTRIBUTE not in vars(connection):
        return
    if not AZURE_COSMOS.applies(getattr(azure.cosmos, "__version__", None), "the per-thread response headers"):
        return
    base = type(connection)
    isolated = type(f"PerThreadHeaders{base.__name__}", (base,), {_HEADERS_ATTRIBUTE: _PerThreadHeaders()})
    connection.__class__ = isolated


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
        from azure.cosmos.documents import ConnectionPolicy

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
        if self.loopback:  # emulator / test server: self-signed certificate
            kwargs["connection_verify"] = False
            warnings.filterwarnings(
                "ignore", message=r"Unverified HTTPS request is being made to host '(127\.|localhost|::1)"
            )
        kwargs.update(_process_options)
        kwargs.update(self._options)
        return kwargs

    def container(self) -> ContainerProxy:
        """The container proxy, connecting on first use (nothing cached on failure)."""
        if self._container is not None:
            return self._container
        with self._lock:
            if self._container is None:
                self._client, self._container = self._connect()
        return self._container

    def _connect(self) -> tuple[CosmosClient, ContainerProxy]:
        from azure.cosmos import CosmosClient
        from azure.cosmos.exceptions import CosmosResourceNotFoundError

        client = CosmosClient(self.endpoint, self._credential, **self._client_kwargs())
        try:
            isolate_response_headers(client)
            database = client.get_database_client(self.database_name)
            if self._create:
                database = client.create_database_if_not_exists(self.database_name)
                container = create_container(database, self.container_name)
            else:
                container = database.get_container_client(self.container_name)
            container.read(timeout=self.timeouts.operation)  # primes the SDK's properties cache
        except CosmosResourceNotFoundError as missing:
            client.close()
            raise StoreMissing(f"{self.database_name}/{self.container_name}") from missing
        except BaseException:
            client.close()
            raise
        return client, container

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
