"""Signing keys: discovery, cache, unknown-kid cooldown, last-good keys, failure back-off (T7 burst)."""

from __future__ import annotations

import secrets
import threading
from functools import partial
from typing import Any

import pytest

from shared.auth.keys import FAILURE_BACKOFF_S, REFRESH_INTERVAL_S, UNKNOWN_KID_COOLDOWN_S, parse_jwks
from shared.errors import Unauthorized
from tests.support.identity import TEST_KID, public_jwk
from tests.unit.auth.helpers import reject


class Ticker:
    """An injected monotonic clock the test moves forward."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticker() -> Ticker:
    return Ticker()


@pytest.fixture
def auth(identity, ticker):
    authenticator = identity.authenticator(monotonic=ticker)
    return lambda token: authenticator.authenticate(identity.bearer(token), {})


def test_keys_are_fetched_once_and_cached(auth, identity, mint):
    for _ in range(5):
        auth(mint())
    assert identity.server.hits[identity.metadata_path] == 1
    assert identity.jwks_fetches == 1


def test_t7_random_kid_burst_fetches_at_most_once_per_cooldown(auth, identity, mint, ticker):
    auth(mint())
    assert identity.jwks_fetches == 1
    for _ in range(200):
        token = mint(headers_overrides={"kid": secrets.token_urlsafe(12)})
        reject(partial(auth, token), token)
    assert identity.jwks_fetches == 1, "unknown kids within the cooldown must not refetch"
    ticker.now += UNKNOWN_KID_COOLDOWN_S - 1
    token = mint(headers_overrides={"kid": "still-cooling"})
    reject(partial(auth, token), token)
    assert identity.jwks_fetches == 1
    ticker.now += 1
    for _ in range(50):
        token = mint(headers_overrides={"kid": secrets.token_urlsafe(12)})
        reject(partial(auth, token), token)
    assert identity.jwks_fetches == 2, "exactly one refetch once the cooldown has passed"


def test_t7_random_kid_burst_on_a_cold_cache_fetches_once(auth, identity, mint):
    for _ in range(100):
        token = mint(headers_overrides={"kid": secrets.token_urlsafe(12)})
        reject(partial(auth, token), token)
    assert identity.jwks_fetches == 1
    assert auth(mint()).object_id  # the known kid still works from that one fetch
    assert identity.jwks_fetches == 1


def test_t7_concurrent_random_kid_burst_from_threads_fetches_once(identity, mint):
    authenticator = identity.authenticator()
    tokens = [mint(headers_overrides={"kid": secrets.token_urlsafe(12)}) for _ in range(64)]
    failures: list[BaseException] = []
    barrier = threading.Barrier(len(tokens))

    def attack(token: str) -> None:
        barrier.wait()
        try:
            authenticator.authenticate(identity.bearer(token), {})
        except Unauthorized:
            return
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)
        failures.append(AssertionError("accepted"))

    threads = [threading.Thread(target=attack, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert identity.jwks_fetches == 1
    assert identity.server.hits[identity.metadata_path] == 1


def test_concurrent_valid_requests_on_a_cold_cache_discover_once(identity, mint):
    authenticator = identity.authenticator()
    token = mint()
    results: list[str] = []
    barrier = threading.Barrier(32)

    def call() -> None:
        barrier.wait()
        results.append(authenticator.authenticate(identity.bearer(token), {}).object_id)

    threads = [threading.Thread(target=call) for _ in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 32
    assert identity.jwks_fetches == 1


def test_rotated_key_is_picked_up_after_the_cooldown(auth, identity, mint, other_rsa_key, ticker):
    auth(mint())
    identity.publish_keys({TEST_KID: identity.key, "rotated": other_rsa_key})
    token = mint(key=other_rsa_key, headers_overrides={"kid": "rotated"})
    ticker.now += UNKNOWN_KID_COOLDOWN_S
    assert auth(token).object_id
    assert identity.jwks_fetches == 2


def test_failed_refetch_keeps_the_last_good_keys(auth, identity, mint, ticker):
    auth(mint())
    identity.server.failing.add(identity.jwks_path)
    ticker.now += UNKNOWN_KID_COOLDOWN_S
    token = mint(headers_overrides={"kid": "new-kid"})
    reject(partial(auth, token), token)
    assert identity.jwks_fetches == 2, "the refetch was attempted"
    assert auth(mint()).object_id, "and the old keys survived its failure"


def test_failed_periodic_refresh_keeps_the_last_good_keys(auth, identity, mint, ticker):
    auth(mint())
    identity.server.failing.add(identity.metadata_path)
    ticker.now += REFRESH_INTERVAL_S + 1
    assert auth(mint()).object_id
    assert identity.server.hits[identity.metadata_path] == 2
    assert auth(mint()).object_id
    assert identity.server.hits[identity.metadata_path] == 2, "back-off between failed refreshes"


def test_periodic_refresh_replaces_keys(auth, identity, mint, other_rsa_key, ticker):
    auth(mint())
    identity.publish_keys({"next": other_rsa_key})
    ticker.now += REFRESH_INTERVAL_S
    token = mint()
    reject(partial(auth, token), token)  # the old key was withdrawn from the JWKS
    assert auth(mint(key=other_rsa_key, headers_overrides={"kid": "next"})).object_id


@pytest.mark.parametrize("failing", ["metadata", "jwks"])
def test_failed_first_fetch_is_401_then_retried_after_a_back_off(auth, identity, mint, ticker, failing):
    path = identity.metadata_path if failing == "metadata" else identity.jwks_path
    identity.server.failing.add(path)
    token = mint()
    assert "unavailable" in reject(partial(auth, token), token).message
    assert identity.server.hits[path] == 1
    reject(partial(auth, token), token)
    assert identity.server.hits[path] == 1, "no fetch storm during an outage"
    identity.server.failing.clear()
    ticker.now += FAILURE_BACKOFF_S
    assert auth(token).object_id
    assert identity.server.hits[path] == 2


def test_a_fetch_that_raises_gives_401_not_500(identity, mint):
    def broken(url: str) -> dict:
        raise RuntimeError("connection reset")

    token = mint()
    reject(lambda: identity.authenticator(fetch_json=broken).authenticate(identity.bearer(token), {}), token)


def test_unreachable_issuer_gives_401(identity, mint):
    identity.server.stop()
    token = mint()
    reject(lambda: identity.authenticator().authenticate(identity.bearer(token), {}), token)


@pytest.mark.parametrize(
    "jwks_uri",
    ["http://attacker.example/keys", "file:///etc/passwd", "ftp://127.0.0.1/keys", "", None, "http://10.0.0.1/keys"],
)
def test_jwks_uri_must_be_https_or_loopback(identity, mint, jwks_uri):
    fetched: list[str] = []
    documents = {identity.settings.metadata_url: {"issuer": identity.issuer, "jwks_uri": jwks_uri}}

    def fetch(url: str) -> dict:
        fetched.append(url)
        return documents[url]

    token = mint()
    reject(lambda: identity.authenticator(fetch_json=fetch).authenticate(identity.bearer(token), {}), token)
    assert fetched == [identity.settings.metadata_url]


def test_jwks_url_comes_from_the_metadata(identity, mint):
    moved = "/elsewhere/keys"
    identity.server.documents[moved] = identity.server.documents.pop(identity.jwks_path)
    identity.server.documents[identity.metadata_path]["jwks_uri"] = identity.server.base_url + moved
    assert identity.authenticator().authenticate(identity.bearer(mint()), {}).object_id
    assert identity.server.hits[moved] == 1 and identity.jwks_fetches == 0


def test_metadata_issuer_is_the_one_enforced(identity, mint):
    identity.server.documents[identity.metadata_path]["issuer"] = "https://issuer.example/t/v2.0"
    token = mint()
    reject(lambda: identity.authenticator().authenticate(identity.bearer(token), {}), token)
    assert identity.authenticator().authenticate(identity.bearer(mint(iss="https://issuer.example/t/v2.0")), {})


def test_jwks_parsing_keeps_only_rsa_signature_keys(rsa_key):
    from cryptography.hazmat.primitives.asymmetric import rsa

    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - the weak key must be refused
    document: dict[str, Any] = {
        "keys": [
            public_jwk(rsa_key, "good"),
            public_jwk(rsa_key, "no-use", use=None),
            public_jwk(rsa_key, "enc", use="enc"),
            public_jwk(rsa_key, "hs", alg="HS256"),
            {"kty": "oct", "kid": "sym", "k": "c2VjcmV0"},
            {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "AA", "y": "AA"},
            public_jwk(rsa_key, "../bad"),
            public_jwk(small, "small"),
            {"kty": "RSA", "kid": "broken", "n": "!!", "e": "AQAB"},
            {**public_jwk(rsa_key, "even-e"), "e": "Ag"},
            {**public_jwk(rsa_key, "no-e"), "e": None},
            {**public_jwk(rsa_key, "padded"), "n": public_jwk(rsa_key, "padded")["n"] + "=="},
            "not-an-object",
        ]
    }
    document["keys"][1].pop("use")
    keys = parse_jwks(document)
    assert sorted(keys) == ["good", "no-use", "padded"]  # padding is tolerated from the issuer, never in tokens
    assert keys["good"].public_numbers() == rsa_key.public_key().public_numbers() == keys["padded"].public_numbers()


def test_jwks_without_usable_keys_counts_as_a_failure(auth, identity, mint, ticker):
    auth(mint())
    identity.server.documents[identity.jwks_path] = {"keys": [{"kty": "oct", "kid": "x", "k": "AA"}]}
    ticker.now += REFRESH_INTERVAL_S
    assert auth(mint()).object_id, "an empty key set never replaces the last good one"


def test_known_keys_are_served_while_another_thread_refreshes(identity, mint, ticker):
    """A slow periodic refresh never holds up requests whose key is already known."""
    from shared.auth.fetch import fetch_json

    entered, release = threading.Event(), threading.Event()
    calls: list[str] = []

    def slow_after_priming(url: str) -> dict:
        calls.append(url)
        if len(calls) > 2:
            entered.set()
            release.wait(30)
        return fetch_json(url)

    authenticator = identity.authenticator(fetch_json=slow_after_priming, monotonic=ticker)
    token = mint()
    authenticator.authenticate(identity.bearer(token), {})
    ticker.now += REFRESH_INTERVAL_S
    refresher = threading.Thread(target=authenticator.authenticate, args=(identity.bearer(token), {}))
    refresher.start()
    try:
        assert entered.wait(30)
        assert authenticator.authenticate(identity.bearer(token), {}).object_id
        assert not release.is_set() and refresher.is_alive(), "served while the refresh was still in flight"
    finally:
        release.set()
        refresher.join(30)
    assert len(calls) == 4
