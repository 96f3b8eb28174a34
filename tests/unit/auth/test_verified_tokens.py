"""A token's signature is verified once per signing key object; everything else is checked on every request."""

from __future__ import annotations

import hashlib
import time
from functools import partial

import pytest

import shared.auth.authenticator as authenticator_module
from shared.auth.authenticator import VERIFIED_TOKENS
from shared.auth.keys import REFRESH_INTERVAL_S
from tests.unit.auth.helpers import reject


class Clocks:
    """Injected wall clock (claims) and monotonic clock (key refresh) the test moves forward."""

    def __init__(self) -> None:
        self.wall = time.time()
        self.mono = 1000.0


@pytest.fixture
def clocks() -> Clocks:
    return Clocks()


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The signing inputs the RSA check actually ran on."""
    seen: list[bytes] = []
    real = authenticator_module.verify_rs256

    def counting(key, signing_input, signature):  # type: ignore[no-untyped-def]
        seen.append(signing_input)
        return real(key, signing_input, signature)

    monkeypatch.setattr(authenticator_module, "verify_rs256", counting)
    return seen


@pytest.fixture
def checker(identity, clocks):
    return identity.authenticator(clock=lambda: clocks.wall, monotonic=lambda: clocks.mono)


def test_a_repeated_token_is_verified_once(identity, mint, checker, verifications):
    token = mint()
    for _ in range(5):
        assert checker.authenticate(identity.bearer(token), {}).object_id
    assert len(verifications) == 1


def test_a_tampered_copy_of_a_verified_token_is_still_refused(identity, mint, checker, verifications):
    token = mint()
    checker.authenticate(identity.bearer(token), {})
    head, body, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    for forged in (f"{head}.{body}.{flipped}", f"{head}.{mint(name='Mallory').split('.')[1]}.{signature}"):
        reject(partial(checker.authenticate, identity.bearer(forged), {}), forged)
    assert len(verifications) == 3


def test_lifetime_is_checked_on_every_request(identity, mint, checker, clocks):
    token = mint(exp=int(clocks.wall) + 120)
    assert checker.authenticate(identity.bearer(token), {}).object_id
    clocks.wall += 3600
    reject(partial(checker.authenticate, identity.bearer(token), {}), token)


def test_refreshed_keys_verify_again(identity, mint, checker, clocks, verifications, other_rsa_key):
    token = mint()
    checker.authenticate(identity.bearer(token), {})
    clocks.mono += REFRESH_INTERVAL_S
    checker.authenticate(identity.bearer(token), {})  # same key re-published: a new key object, checked again
    assert len(verifications) == 2
    identity.publish_keys({"next": other_rsa_key})
    clocks.mono += REFRESH_INTERVAL_S
    reject(partial(checker.authenticate, identity.bearer(token), {}), token)  # its key was withdrawn


def test_the_remembered_tokens_are_bounded(identity, mint, checker, monkeypatch):
    monkeypatch.setattr(authenticator_module, "VERIFIED_TOKENS", 3)
    tokens = [mint(name=f"user {n}") for n in range(5)]
    for token in tokens:
        checker.authenticate(identity.bearer(token), {})
    assert list(checker._verified) == [hashlib.sha256(token.encode()).digest() for token in tokens[-3:]]
    assert VERIFIED_TOKENS >= 256


def test_no_token_is_kept_in_memory_only_its_digest(identity, mint, checker):
    token = mint()
    checker.authenticate(identity.bearer(token), {})
    assert token not in checker._verified and all(len(key) == 32 for key in checker._verified)
