"""The Graph client against the Graph stub over real HTTP: paths, encoding, retries, failures → 503."""

from __future__ import annotations

import logging
import socket
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.directory.graph_client import GRAPH_SCOPE, GraphClient, GraphPolicy, retry_after_seconds, user_path
from shared.errors import ServiceUnavailable
from tests.support.graph_stub import GraphStub

OID = "4f3e2d1c-0b9a-4876-8543-210fedcba987"


class Sleeps:
    """Records the waits the client asks for, instead of sleeping (the stub answers at once)."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def client(graph_stub: GraphStub, sleeps: Sleeps) -> GraphClient:
    return GraphClient(graph_stub.base_url, policy=GraphPolicy(read_timeout=2.0), sleep=sleeps)


def test_gets_a_user_by_id_with_the_select_the_mapping_needs(graph_stub: GraphStub, client: GraphClient) -> None:
    graph_stub.add_user("adele@contoso.test", oid=OID, age_group="minor")
    doc = client.get_user(OID)
    assert doc is not None and doc["id"] == OID and doc["ageGroup"] == "minor" and doc["userType"] == "Member"
    seen = graph_stub.requests[-1]
    assert seen.path == f"/v1.0/users/{OID}"
    assert set(seen.query["$select"][0].split(",")) >= {
        "id",
        "userPrincipalName",
        "displayName",
        "ageGroup",
        "userType",
        "externalUserState",
        "identities",
    }
    assert not seen.authorization, "a plain-http loopback endpoint gets no token"


def test_gets_a_user_by_upn_case_insensitively(graph_stub: GraphStub, client: GraphClient) -> None:
    graph_stub.add_user("Adele.Vance@Contoso.test", oid=OID)
    doc = client.get_user("ADELE.VANCE@contoso.TEST")
    assert doc is not None and doc["id"] == OID and doc["userPrincipalName"] == "Adele.Vance@Contoso.test"


@pytest.mark.parametrize(
    "upn",
    [
        "adele_fabrikam.test#EXT#@contoso.test",  # a guest's UPN
        "o'brien@contoso.test",
        "what?now@contoso.test",
        "a/b@contoso.test",
        "100%real@contoso.test",
        "space here@contoso.test",
        "jürgen.groß@contoso.test",
        "$dollar@contoso.test",
        "$o'dollar@contoso.test",
        "a&b=c+d;e@contoso.test",
    ],
)
def test_every_upn_reaches_graph_intact(graph_stub: GraphStub, client: GraphClient, upn: str) -> None:
    graph_stub.add_user(upn, oid=OID)
    doc = client.get_user(upn)
    assert doc is not None and doc["userPrincipalName"] == upn
    raw = graph_stub.requests[-1].path
    assert raw.isascii() and "#" not in raw and "?" not in raw


def test_a_dollar_upn_uses_graphs_key_form() -> None:
    assert user_path("$x@y.com") == "users('$x@y.com')"
    assert user_path("$o'x@y.com") == "users('$o''x@y.com')"
    assert user_path("x#EXT#@y.com") == "users/x%23EXT%23@y.com"


def test_an_unknown_user_is_none(graph_stub: GraphStub, client: GraphClient) -> None:
    assert client.get_user(OID) is None
    assert client.get_user("nobody@contoso.test") is None
    assert graph_stub.user_requests == 2


def test_a_reference_graph_cannot_parse_is_none(graph_stub: GraphStub, client: GraphClient) -> None:
    """Graph answers 400 for a malformed reference; to the API's caller that is an unknown user."""
    graph_stub.fail_next(400)
    assert client.get_user("bad@contoso.test") is None


def test_429_is_retried_after_retry_after(graph_stub: GraphStub, client: GraphClient, sleeps: Sleeps) -> None:
    graph_stub.add_user("adele@contoso.test", oid=OID)
    graph_stub.fail_next(429, retry_after="2")
    doc = client.get_user(OID)
    assert doc is not None and doc["id"] == OID
    assert sleeps.waits == [2.0]
    assert graph_stub.user_requests == 2


def test_503_without_retry_after_backs_off(graph_stub: GraphStub, client: GraphClient, sleeps: Sleeps) -> None:
    graph_stub.add_user("adele@contoso.test", oid=OID)
    graph_stub.fail_next(503, times=2)
    assert client.get_user(OID) is not None
    assert sleeps.waits == [0.5, 1.0]
    assert graph_stub.user_requests == 3


def test_a_retry_after_past_the_budget_is_503_at_once(
    graph_stub: GraphStub, client: GraphClient, sleeps: Sleeps
) -> None:
    graph_stub.add_user("adele@contoso.test", oid=OID)
    graph_stub.fail_next(429, retry_after="30")
    with pytest.raises(ServiceUnavailable) as raised:
        client.get_user(OID)
    assert raised.value.status == 503 and raised.value.headers["Retry-After"] == "30"
    assert sleeps.waits == [] and graph_stub.user_requests == 1


def test_the_total_wait_is_capped(graph_stub: GraphStub, client: GraphClient, sleeps: Sleeps) -> None:
    graph_stub.fail_next(429, times=5, retry_after="3")
    with pytest.raises(ServiceUnavailable) as raised:
        client.get_user(OID)
    assert sum(sleeps.waits) <= client.policy.max_wait
    assert sleeps.waits == [3.0] and graph_stub.user_requests == 2
    assert raised.value.headers["Retry-After"] == "3"


def test_an_outage_is_503_with_retry_after_and_no_graph_text(
    graph_stub: GraphStub, client: GraphClient, sleeps: Sleeps
) -> None:
    graph_stub.outage, graph_stub.outage_retry_after = True, None
    with pytest.raises(ServiceUnavailable) as raised:
        client.get_user(OID)
    error = raised.value
    assert error.code == "serviceNotAvailable" and int(error.headers["Retry-After"]) >= 1
    assert "Service unavailable." not in error.message
    assert graph_stub.user_requests == client.policy.attempts
    assert sum(sleeps.waits) <= client.policy.max_wait


@pytest.mark.parametrize("status", [401, 403, 500])
def test_other_graph_failures_are_503_without_retry(
    graph_stub: GraphStub, client: GraphClient, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    graph_stub.fail_next(status)
    with caplog.at_level(logging.INFO), pytest.raises(ServiceUnavailable):
        client.get_user(OID)
    assert graph_stub.user_requests == 1
    assert str(status) in caplog.text and "Injected fault." not in caplog.text  # Graph's code logged, not its text


def test_a_slow_answer_past_the_read_timeout_is_503(graph_stub: GraphStub) -> None:
    graph_stub.add_user("adele@contoso.test", oid=OID)
    graph_stub.delay = 30.0
    slow = GraphClient(graph_stub.base_url, policy=GraphPolicy(read_timeout=0.2), sleep=Sleeps())
    with pytest.raises(ServiceUnavailable) as raised:
        slow.get_user(OID)
    assert raised.value.headers["Retry-After"] == str(slow.policy.retry_after)


def test_a_refused_connection_is_503() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = GraphClient(f"http://127.0.0.1:{port}", sleep=Sleeps())
    with pytest.raises(ServiceUnavailable):
        client.get_user(OID)


def test_an_answer_that_is_not_a_user_is_503(graph_stub: GraphStub, client: GraphClient) -> None:
    graph_stub.add_user("adele@contoso.test", oid="not-a-guid")
    with pytest.raises(ServiceUnavailable):
        client.get_user("adele@contoso.test")


class FailingCredential:
    """A credential that cannot get a token (fault injection); records the scopes asked for."""

    def __init__(self) -> None:
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.exceptions import ClientAuthenticationError

        self.scopes.append(scopes)
        raise ClientAuthenticationError("no managed identity endpoint")

    def get_token_info(self, *scopes: str, **kwargs: Any) -> Any:
        return self.get_token(*scopes)


def test_https_asks_for_graphs_scope_and_a_credential_failure_is_503(
    graph_stub: GraphStub, caplog: pytest.LogCaptureFixture
) -> None:
    credential = FailingCredential()
    client = GraphClient(f"https://127.0.0.1:{graph_stub.port}", credential=lambda: credential, sleep=Sleeps())
    with caplog.at_level(logging.INFO), pytest.raises(ServiceUnavailable):
        client.get_user(OID)
    assert credential.scopes == [(GRAPH_SCOPE,)]
    assert graph_stub.user_requests == 0, "no request leaves without a token"
    assert "no managed identity endpoint" not in caplog.text


def test_one_pipeline_per_client_built_on_first_use(graph_stub: GraphStub, client: GraphClient) -> None:
    before = client._pipeline
    graph_stub.add_user("adele@contoso.test", oid=OID)
    client.get_user(OID)
    first = client._pipeline
    client.get_user(OID)
    assert before is None and first is not None and client._pipeline is first


def test_racing_first_lookups_share_one_pipeline(
    graph_stub: GraphStub, client: GraphClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds: list[object] = []
    build = client._build_pipeline

    def counted() -> object:
        builds.append(build())
        return builds[-1]

    monkeypatch.setattr(client, "_build_pipeline", counted)
    graph_stub.add_user("adele@contoso.test", oid=OID)
    with ThreadPoolExecutor(8) as pool:
        found = list(pool.map(lambda _n: client.get_user(OID), range(16)))
    assert all(doc is not None and doc["id"] == OID for doc in found)
    assert len(builds) == 1 and client._pipeline is builds[0]


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("3", 3.0),
        (" 0 ", 0.0),
        (None, None),
        ("", None),
        ("soon", None),
        ("-1", None),
        ("\u0661", None),
        ("Wed, 21 Oct 2015 07:28:10 GMT", 10.0),
        ("Wed, 21 Oct 2015 07:27:00 GMT", 0.0),
    ],
)
def test_retry_after_forms(value: str | None, seconds: float | None) -> None:
    now = datetime(2015, 10, 21, 7, 28, 0, tzinfo=UTC)
    assert retry_after_seconds(value, now=lambda: now) == seconds
