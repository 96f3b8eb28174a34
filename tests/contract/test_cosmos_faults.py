"""Cosmos failures the adapter must map (contract §6), with faults injected at the transport or by
stopping a real test server. A store failure is 503 with Retry-After (429 when throttled), never a
500 and never SDK text; a lost race on the user document is contention, never a 409.
"""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Iterator

import pytest
from azure.core.exceptions import ServiceRequestError, ServiceResponseError

from shared.errors import ApiError, IdempotencyReplay, ServiceUnavailable, Throttled
from shared.repository.cosmos import CosmosRepository
from shared.repository.cosmos.connection import CosmosConnection
from shared.repository.cosmos.policy import RETRIES, CosmosTimeouts
from tests.contract.cosmos_transports import Fault, FaultTransport, is_batch, is_document_request, is_query
from tests.contract.helpers import POSITIONS, SKILLS, facet, guid, idempotency_record, record
from tests.support.cosmos_server import DUMMY_KEY, create_database, free_port, settings_for

pytestmark = pytest.mark.long_running

OUR_MESSAGES = {
    "The profile store is unavailable.",
    "The profile store could not be reached.",
    "Too many requests to the profile store.",
    "The user's data is being changed by other requests. Try again.",
}


def assert_clean(error: BaseException) -> None:
    """Our fixed text only: nothing from the SDK, the socket layer or the injected body."""
    text = f"{error} {getattr(error, 'message', '')}"
    assert getattr(error, "message", None) in OUR_MESSAGES
    for leak in ("SDK-INTERNAL", "Status code", "HTTPSConnection", "Errno", "127.0.0.1", "Traceback", "OrderedDict"):
        assert leak not in text


def _add(repo, tenant, oid, **kw):
    return repo.add_facet(tenant, oid, SKILLS, facet(SKILLS), max_count=10, **kw)


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

    return settings_for(_Server())  # type: ignore[arg-type]  # a stand-in: only endpoint and key are read


# --- unreachable -----------------------------------------------------------------------------
def test_connection_refused_is_service_unavailable():
    repo = CosmosRepository.from_settings(settings_for_port(free_port()))
    tenant, oid = guid(), guid()
    for call in (
        lambda: repo.get_user(tenant, oid),
        lambda: _add(repo, tenant, oid),
        lambda: repo.find_user_by_upn(tenant, "a@b.c"),
        lambda: repo.list_facets(tenant, oid, [SKILLS]),
        lambda: repo.secret("paging-token-key"),
        lambda: repo.delete_profile(tenant, oid),
    ):
        with pytest.raises(ServiceUnavailable) as caught:
            call()
        assert caught.value.retry_after == 5 and caught.value.headers["Retry-After"] == "5"
        assert_clean(caught.value)


def test_hung_server_is_service_unavailable(blackhole):
    repo = CosmosRepository.from_settings(settings_for_port(blackhole))
    with pytest.raises(ServiceUnavailable) as caught:
        repo.get_facet(guid(), guid(), SKILLS, guid())
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
    assert idempotency_record(repo, tenant, oid, "during-outage") is None  # nothing partial
    _add(repo, tenant, oid)  # the same repository (and client) works again
    assert len(repo.list_facets(tenant, oid, [SKILLS])["skills"]) == 1


def test_first_use_during_an_outage_is_not_cached(cosmos_server_factory):
    server = cosmos_server_factory()
    server.stop()
    repo = CosmosRepository.from_settings(settings_for(server))
    with pytest.raises(ServiceUnavailable):
        repo.get_user(guid(), guid())
    server.start()
    assert repo.get_user(guid(), guid()) is None  # connects now (key auth creates the container)


def test_a_missing_container_is_503_and_logged_not_an_absent_item(cosmos_server, caplog):
    settings = settings_for(cosmos_server)  # never created; a key that, like Entra auth, creates nothing
    repo = CosmosRepository(
        CosmosConnection(cosmos_server.endpoint, settings.cosmos_database, settings.cosmos_container, cosmos_server.key)
    )
    with caplog.at_level(logging.ERROR, logger="profile_api.cosmos"), pytest.raises(ServiceUnavailable) as caught:
        repo.get_facet(guid(), guid(), SKILLS, guid())
    assert caught.value.status == 503 and caught.value.headers["Retry-After"] == "5"
    assert_clean(caught.value)
    assert any("StoreMissing" in entry.getMessage() for entry in caplog.records)  # the operator sees why


# --- throttling ------------------------------------------------------------------------------
def test_throttled_after_the_sdk_retries(cosmos_settings):
    throttle = Fault(is_document_request, times=100, status=429, headers={"x-ms-retry-after-ms": "1001"})
    repo, _ = _repo(cosmos_settings, throttle, throttle_retries=2, throttle_max_wait=10)
    with pytest.raises(Throttled) as caught:
        repo.get_facet(guid(), guid(), SKILLS, guid())
    assert caught.value.retry_after == 2 and caught.value.headers["Retry-After"] == "2"  # 1001 ms, rounded up
    assert throttle.hits == 3  # the first attempt + the SDK's 2 retries
    assert_clean(caught.value)


def test_a_throttled_batch_is_throttled_not_contention(cosmos_settings):
    throttle = Fault(is_batch, times=100, status=429, headers={"x-ms-retry-after-ms": "20"})
    repo, _ = _repo(cosmos_settings, throttle, throttle_retries=1, throttle_max_wait=1)
    tenant, oid = guid(), guid()
    with pytest.raises(Throttled) as caught:
        _add(repo, tenant, oid)
    assert caught.value.retry_after == 1 and throttle.hits == 2  # no adapter retry on top of the SDK's
    assert repo.list_facets(tenant, oid, [SKILLS]) == {"skills": []}


def test_a_short_throttle_is_absorbed_by_the_sdk(cosmos_settings):
    throttle = Fault(is_batch, times=1, status=429, headers={"x-ms-retry-after-ms": "50"})
    repo, _ = _repo(cosmos_settings, throttle, throttle_retries=2)
    tenant, oid = guid(), guid()
    _add(repo, tenant, oid)
    assert throttle.hits == 1 and len(repo.list_facets(tenant, oid, [SKILLS])["skills"]) == 1


# --- 503, other statuses, lost writes, unexpected exceptions -----------------------------------
@pytest.mark.parametrize("status", [400, 401, 403, 408, 413, 449, 500, 503])
def test_every_other_status_is_service_unavailable(cosmos_settings, status):
    repo, _ = _repo(cosmos_settings, Fault(is_document_request, times=100, status=status))
    with pytest.raises(ServiceUnavailable) as caught:
        repo.get_facet(guid(), guid(), SKILLS, guid())
    assert caught.value.retry_after == 5
    assert_clean(caught.value)


@pytest.mark.parametrize("where", ["point read", "query", "batch"])
def test_an_unexpected_exception_inside_the_sdk_is_503_never_500(cosmos_settings, caplog, where):
    """What finding (b) looked like from outside: a RuntimeError from inside the client became a 500."""
    when = {"point read": lambda r: is_document_request(r) and r.method == "GET", "query": is_query, "batch": is_batch}[
        where
    ]
    broken = Fault(when, times=100, error=lambda: RuntimeError("OrderedDict mutated during iteration"))
    repo, _ = _repo(cosmos_settings, broken)
    tenant, oid = guid(), guid()
    call = {
        "point read": lambda: repo.get_facet(tenant, oid, SKILLS, guid()),
        "query": lambda: repo.list_facets(tenant, oid, [SKILLS, POSITIONS]),
        "batch": lambda: _add(repo, tenant, oid),
    }[where]
    with caplog.at_level(logging.ERROR, logger="profile_api.cosmos"), pytest.raises(ServiceUnavailable) as caught:
        call()
    assert caught.value.status == 503 and caught.value.headers["Retry-After"] == "5" and broken.hits >= 1
    assert_clean(caught.value)
    assert any(entry.exc_info for entry in caplog.records)  # logged with its cause, server side only


def test_batch_never_sent_writes_nothing(cosmos_settings):
    refused = Fault(is_batch, times=100, error=lambda: ServiceRequestError("SDK-INTERNAL refused"))
    repo, _ = _repo(cosmos_settings, refused)
    tenant, oid = guid(), guid()
    with pytest.raises(ServiceUnavailable) as caught:
        _add(repo, tenant, oid, idempotency=record("k"))
    assert_clean(caught.value)
    assert repo.list_facets(tenant, oid, [SKILLS]) == {"skills": []}
    assert idempotency_record(repo, tenant, oid, "k") is None
    repo.create_profile(tenant, oid)  # no marker was set either


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
    assert len(repo.list_facets(tenant, oid, [SKILLS])["skills"]) == 1


# --- finding (c): contention past the budget is 503 with Retry-After, never 409 -------------------
def _lost_race_batch() -> Fault:
    """Every batch refused at operation 0 with 412, as when another request always wrote the user document first."""
    body = json.dumps([{"statusCode": 412, "requestCharge": 0}] + [{"statusCode": 424, "requestCharge": 0}] * 3)
    return Fault(is_batch, times=10_000, status=207, body=body.encode())


def _lost_race_user_write() -> Fault:
    """Every single write of the user document refused: 409 for its create, 412 for its if-match replace."""

    def user_write(request) -> bool:
        return (
            is_document_request(request)
            and request.method in ("POST", "PUT")
            and not is_query(request)
            and not is_batch(request)
        )

    return Fault(user_write, times=10_000, status=409)


@pytest.mark.parametrize("operation", ["add_facet", "delete_facet", "delete_profile", "create_profile"])
def test_contention_past_the_budget_is_503_with_retry_after_not_409(cosmos_settings, operation):
    repo = CosmosRepository.from_settings(cosmos_settings)
    tenant, oid = guid(), guid()
    stored = _add(repo, tenant, oid)
    fault = _lost_race_user_write() if operation == "create_profile" else _lost_race_batch()
    racing, _ = _repo(cosmos_settings, fault)
    oid_for = guid() if operation == "create_profile" else oid
    call = {
        "add_facet": lambda: _add(racing, tenant, oid_for),
        "delete_facet": lambda: racing.delete_facet(tenant, oid_for, SKILLS, stored.value["id"], if_match=None),
        "delete_profile": lambda: racing.delete_profile(tenant, oid_for),
        "create_profile": lambda: racing.create_profile(tenant, oid_for),
    }[operation]
    with pytest.raises(ApiError) as caught:
        call()
    assert isinstance(caught.value, ServiceUnavailable), f"{operation}: {caught.value.status} {caught.value.code}"
    assert caught.value.headers["Retry-After"] == "1"
    assert_clean(caught.value)
    assert 2 <= fault.hits <= RETRIES[operation].attempts  # retried, within the attempt budget
    assert repo.get_facet(tenant, oid, SKILLS, stored.value["id"]) == stored  # nothing changed
