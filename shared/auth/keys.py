"""The signing-key cache: OpenID discovery, JWKS parsing, refresh with cooldown and last-good keys.

`cryptography` is imported when a JWKS is first parsed, not at import (cold start).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from shared.auth.jws import b64url_decode
from shared.settings import is_trusted_url

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

log = logging.getLogger(__name__)

#: Keys are re-read this often even when every `kid` is known (Entra: "24 h is reasonable").
REFRESH_INTERVAL_S = 24 * 3600.0
#: An unknown `kid` triggers at most one refetch per this many seconds (contract: 5 min).
UNKNOWN_KID_COOLDOWN_S = 300.0
#: After a failed fetch with no usable keys, wait this long before trying again.
FAILURE_BACKOFF_S = 10.0
#: A `kid` we are willing to look up (use `fullmatch`): base64url-ish, short (no path characters, no quotes).
KID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,128}")
#: Keys read from one JWKS document at most.
MAX_KEYS = 64
MIN_RSA_BITS = 2048


class KeySet(NamedTuple):
    """One successful discovery: the issuer the metadata names and its RSA signing keys by `kid`."""

    issuer: str
    keys: dict[str, RSAPublicKey]
    fetched_at: float


class KeyCache:
    """Thread-safe cache of the tenant's signing keys, refreshed through OpenID discovery."""

    def __init__(
        self,
        metadata_url: str,
        fetch_json: Callable[[str], dict[str, Any]],
        monotonic: Callable[[], float],
    ) -> None:
        self._metadata_url = metadata_url
        self._fetch_json = fetch_json
        self._monotonic = monotonic
        self._current: KeySet | None = None
        self._last_attempt: float | None = None
        self._lock = threading.Lock()

    def lookup(self, kid: str) -> tuple[str | None, RSAPublicKey | None]:
        """Return (issuer, key for `kid`), refetching within the cooldown rules; (None, None) if no keys."""
        current = self._current
        if current is not None and kid in current.keys:
            # Known key: never wait for a periodic refresh another thread is already doing.
            if not self._stale(current) or not self._lock.acquire(blocking=False):
                return current.issuer, current.keys[kid]
        else:
            self._lock.acquire()
        try:
            current = self._current
            wanted = current is None or self._stale(current) or kid not in current.keys
            if wanted and self._may_fetch(current):
                self._refresh()
            current = self._current
        finally:
            self._lock.release()
        if current is None:
            return None, None
        return current.issuer, current.keys.get(kid)

    def _stale(self, current: KeySet) -> bool:
        return self._monotonic() - current.fetched_at >= REFRESH_INTERVAL_S

    def _may_fetch(self, current: KeySet | None) -> bool:
        """Whether a fetch may start now: cooldown for unknown kids, short back-off after failures."""
        if self._last_attempt is None:
            return True
        waited = self._monotonic() - self._last_attempt
        if current is None or self._stale(current):
            return waited >= FAILURE_BACKOFF_S
        return waited >= UNKNOWN_KID_COOLDOWN_S

    def _refresh(self) -> None:
        """Fetch metadata then JWKS; on success replace the key set, on failure keep the last good one."""
        self._last_attempt = self._monotonic()
        try:
            metadata = self._fetch_json(self._metadata_url)
            issuer, jwks_uri = metadata.get("issuer"), metadata.get("jwks_uri")
            if not isinstance(issuer, str) or not issuer or not isinstance(jwks_uri, str):
                raise ValueError("metadata lacks issuer or jwks_uri")
            if not is_trusted_url(jwks_uri):
                raise ValueError("jwks_uri is neither https nor loopback http")
            keys = parse_jwks(self._fetch_json(jwks_uri))
            if not keys:
                raise ValueError("JWKS holds no usable RSA signing key")
        except Exception as error:
            log.warning("Signing-key refresh failed (%s); keeping the last good keys.", type(error).__name__)
            return
        self._current = KeySet(issuer=issuer, keys=keys, fetched_at=self._monotonic())


def parse_jwks(document: dict[str, Any]) -> dict[str, RSAPublicKey]:
    """RSA signature keys of a JWKS document by `kid`; other and malformed entries are skipped."""
    entries = document.get("keys")
    if not isinstance(entries, list):
        raise ValueError("JWKS has no keys array")
    keys: dict[str, RSAPublicKey] = {}
    for entry in entries[:MAX_KEYS]:
        key = _rsa_key(entry)
        if key is not None:
            keys[entry["kid"]] = key
    return keys


def _rsa_key(entry: Any) -> RSAPublicKey | None:
    """The public key of one JWK when it is an RSA signing key with a sane `kid`, else None."""
    if not isinstance(entry, dict) or entry.get("kty") != "RSA" or entry.get("use", "sig") != "sig":
        return None
    if entry.get("alg", "RS256") != "RS256" or not _is_kid(entry.get("kid")):
        return None
    n, e = entry.get("n"), entry.get("e")
    if not isinstance(n, str) or not isinstance(e, str):
        return None
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicNumbers

    try:
        # Padding is tolerated here (the document comes from the configured issuer), never in tokens.
        modulus, exponent = (int.from_bytes(b64url_decode(value.rstrip("=")), "big") for value in (n, e))
        key = RSAPublicNumbers(exponent, modulus).public_key()
    except ValueError:  # MalformedToken included; cryptography refuses bad numbers with ValueError
        return None
    return key if key.key_size >= MIN_RSA_BITS else None


def _is_kid(value: Any) -> bool:
    return isinstance(value, str) and KID_PATTERN.fullmatch(value) is not None
