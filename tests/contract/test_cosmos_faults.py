"""Cosmos failures the adapter must map (contract §6), with faults injected at the transport or by
stopping a real test server. Messages never carry SDK text.
"""
from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from azure.core.exceptions import ServiceRequestError, ServiceResponseError

from shared.errors import ApiError, ServiceUnavailable, Throttled
from shared.repository.cosmos import CosmosRepository
from shared.repository.cosmos_connection import CosmosTimeouts
from shared.repository.port import IdempotencyReplay
from tests.contract.cosmos_transports import Fault, FaultTransport, is_batch, is_document_request
from tests.contract.helpers import account, guid, profile, record
from tests.support.cosmos_server import DUMMY_KEY, create_database, free_port, settings_for

OUR_MESSAGES = {
    "The profile store is unavailable.",
    "The profile store could not be reached.",
    "Too many requests to the profile store.",
}


def assert_clean(error: BaseException) -> None:
    """Our fixed text only: nothing from the SDK, the socket layer or the injected body."""
    text = f"{error} {getattr(error, 'message', '')}"
    assert getattr(error, "message", None) in OUR_MESSAGES
    for leak in ("SDK-INTERNAL", "Status code", "HTTPSConnection", "Errno", "127.0.0.1", "Traceback"):
        assert leak not in text


def _add(repo, tenant, oid, **kw):
    return repo.add_account(tenant, oid, account(), profile_if_missing=profile(), max_accounts=10, **kw)


@pytest.fixture
def blackhole() -> Iterator[int]:
    """A port that accepts TCP connections and never answers (a hung server)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield sock.getsockname()[1]


def _repo(settings, *faults, **timeouts):
    transport = FaultTransport(*faults)
    return CosmosRepository.from_settings(settings, transport=transport, timeouts=CosmosTimeouts(**timeouts)), transport


def settings_for_port(port: int):
    """Settings for an endpoint on `port` where no test server runs."""

    class _Server:  # just enough of CosmosServer for settings_for
        endpoint, key = f"https://127.0.0.1:{port}/", DUMMY_KEY

    return settings_for(_Server())  # type: ignore[arg-type]


# --- unreachable -----------------------------------------------------------------------------
def test_connection_refused_is_service_unavailable():
    settings = settings_for_port(free_port())
    repo = CosmosRepository.from_settings(settings)
    for call in (lambda: repo.get_profile(guid(), guid()), lambda: _add(repo, guid(), guid()),
                 lambda: repo.find_user_by_upn(guid(), "a@b.c")):
        with pytest.raises(ServiceUnavailable) as caught:
            call()
        assert caught.value.retry_after == 5 and caught.value.headers["Retry-After"] == "5"
        assert_clean(caught.value)


def test_hung_server_is_service_unavailable(blackhole):
    repo = CosmosRepository.from_settings(settings_for_port(blackhole))
    with pytest.raises(ServiceUnavailable) as caught:
        repo.get_profile(guid(), guid())
    assert_clean(caught.value)


def test_outage_then_recovery_with_a_restarted_server(cosmos_server_factory):
    server = cosmos_server_factory()
    settings = settings_for(server)
    repo = CosmosRepository.from_settings(settings)
    tenant, oid = guid(), guid()
    _add(repo, tenant, oid)
    server.stop()
    with pytest.raises(ServiceUnavailable) as caught:
        _add(repo, tenant, oid, idempotency=record("during-outage"))
    assert_clean(caught.value)
    server.restart()  # empty: the test server keeps data in memory
    create_database(settings)
    assert repo.get_idempotency_record(tenant, oid, "during-outage") is None  # nothing partial
    _add(repo, tenant, oid)  # the same repository (and client) works again
    assert len(repo.list_accounts(tenant, oid, limit=10).items) == 1


def test_first_use_during_an_outage_is_not_cached(cosmos_server_factory):
    server = cosmos_server_factory()
    server.stop()
    settings = settings_for(server)
    repo = CosmosRepository.from_settings(settings)
    with pytest.raises(ServiceUnavailable):
        repo.get_profile(guid(), guid())
    server.start()
    assert repo.get_profile(guid(), guid()) is None  # connects now (key auth creates the container)


# --- throttling ------------------------------------------------------------------------------
def test_throttled_after_the_sdk_retries(cosmos_settings):
    throttle = Fault(is_document_request, times=100, status=429, headers={"x-ms-retry-after-ms": "1001"})
    repo, transport = _repo(cosmos_settings, throttle, throttle_retries=2, throttle_max_wait=10)
    with pytest.raises(Throttled) as caught:
        repo.get_profile(guid(), guid())
    assert caught.value.retry_after == 2 and caught.value.headers["Retry-After"] == "2"  # 1001 ms, rounded up
    assert throttle.hits == 3  # the first attempt + the SDK's 2 retries
    assert_clean(caught.value)


def test_a_short_throttle_is_absorbed_by_the_sdk(cosmos_settings):
    throttle = Fault(is_batch, times=1, status=429, headers={"x-ms-retry-after-ms": "50"})
    repo, _ = _repo(cosmos_settings, throttle, throttle_retries=2)
    tenant, oid = guid(), guid()
    _add(repo, tenant, oid)
    assert throttle.hits == 1 and len(repo.list_accounts(tenant, oid, limit=5).items) == 1


# --- 503 and lost writes ---------------------------------------------------------------------
def test_service_unavailable_status(cosmos_settings):
    repo, _ = _repo(cosmos_settings, Fault(is_document_request, times=100, status=503))
    with pytest.raises(ServiceUnavailable) as caught:
        repo.get_account(guid(), guid(), guid())
    assert caught.value.retry_after == 5
    assert_clean(caught.value)


def test_batch_never_sent_writes_nothing(cosmos_settings):
    refused = Fault(is_batch, times=100, error=lambda: ServiceRequestError("SDK-INTERNAL refused"))
    repo, _ = _repo(cosmos_settings, refused)
    tenant, oid = guid(), guid()
    with pytest.raises(ServiceUnavailable) as caught:
        _add(repo, tenant, oid, idempotency=record("k"))
    assert_clean(caught.value)
    assert repo.get_profile(tenant, oid) is None
    assert repo.list_accounts(tenant, oid, limit=5).items == []
    assert repo.get_idempotency_record(tenant, oid, "k") is None


def test_reply_lost_after_commit_replays_with_the_same_key(cosmos_settings):
    lost = Fault(is_batch, times=1, after_send=True, error=lambda: ServiceResponseError("SDK-INTERNAL reset"))
    repo, _ = _repo(cosmos_settings, lost)
    tenant, oid = guid(), guid()
    kept = record("retry-me")
    with pytest.raises(ServiceUnavailable) as caught:
        _add(repo, tenant, oid, idempotency=kept)
    assert_clean(caught.value)
    assert lost.hits == 1  # a write is never resent by the SDK
    with pytest.raises(IdempotencyReplay) as replay:  # the client's retry finds the committed outcome
        _add(repo, tenant, oid, idempotency=record("retry-me"))
    assert replay.value.record == kept
    assert len(repo.list_accounts(tenant, oid, limit=5).items) == 1


def test_missing_container_is_a_server_error_not_an_absent_item(cosmos_server):
    repo = CosmosRepository(connection_with_key(settings_for(cosmos_server), cosmos_server.key))
    with pytest.raises(ApiError) as caught:
        repo.get_profile(guid(), guid())
    assert caught.value.status == 500 and "does not exist" in caught.value.message


def connection_with_key(settings, key):
    """A connection that authenticates with `key` but, like Entra auth, never creates anything."""
    from shared.repository.cosmos_connection import CosmosConnection

    return CosmosConnection(settings.cosmos_endpoint, settings.cosmos_database, settings.cosmos_container, key)
