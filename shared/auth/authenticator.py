"""Bearer-token authentication (contract §4): from request headers to a validated Principal.

The token is parsed once (shared.auth.jws), its RS256 signature checked against the key its `kid`
names, then its claims. Nothing heavy is imported here: `cryptography` loads with the first key set,
urllib with the first fetch.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from shared.auth.fetch import fetch_json as default_fetch_json
from shared.auth.jws import MalformedToken, parse_compact, verify_rs256
from shared.auth.keys import KID_PATTERN, KeyCache
from shared.auth.principal import Principal
from shared.errors import BadRequest, Unauthorized
from shared.ids import is_guid

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

    from shared.settings import Settings

#: Largest token accepted, checked before any parsing (Entra tokens are 1-3 KB).
MAX_TOKEN_BYTES = 16 * 1024
#: Clock skew tolerated on `exp`, `nbf` and `iat`.
LEEWAY_S = 60
#: Claims every accepted token must carry (a null counts as missing).
REQUIRED_CLAIMS = ("exp", "nbf", "iat", "iss", "aud", "tid", "oid")
#: Optional claims that must be strings unless absent or null (RFC 7519 §4.1.2, §4.1.7), with their labels.
STRING_CLAIMS = {"scp": "scope", "sub": "subject", "jti": "token identifier"}
#: Longest value kept from an informational claim (name, UPN, app id).
MAX_CLAIM_CHARS = 256
#: Tokens whose signature is remembered as verified (the oldest is forgotten first).
VERIFIED_TOKENS = 1024

_FAILURE = "Access token validation failure."


def _invalid(reason: str) -> Unauthorized:
    """A 401 invalid_token with a Graph-like message; `reason` never carries token content."""
    return Unauthorized(f"{_FAILURE} {reason}")


class Authenticator:
    """Validates `Authorization: Bearer` access tokens against the tenant's OpenID metadata."""

    def __init__(
        self,
        settings: Settings,
        *,
        fetch_json: Callable[[str], dict[str, Any]] | None = None,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._tenant_id = settings.tenant_id.lower()
        self._audiences = frozenset(settings.audiences)
        self._clock = clock
        self._keys = KeyCache(settings.metadata_url, fetch_json or default_fetch_json, monotonic)
        #: SHA-256 of a token -> the key object that verified its signature (insertion order: oldest first).
        #: Digests, not tokens: no bearer token outlives its request in this process's memory.
        self._verified: dict[bytes, RSAPublicKey] = {}
        self._verified_lock = threading.Lock()

    def authenticate(self, headers: Mapping[str, str], query: Mapping[str, str]) -> Principal:
        """Return the caller of a request, or raise Unauthorized (401) / BadRequest (400)."""
        token = _bearer_token(headers, query)
        claims = self._validate(token)
        return _principal(claims)

    def _validate(self, token: str) -> dict[str, Any]:
        """Well-formed, then signature, then issuer, tenant, audience, lifetime and `oid`; return the claims."""
        if len(token) > MAX_TOKEN_BYTES:
            raise _invalid("Token is too large.")
        try:
            jws = parse_compact(token)
        except MalformedToken:
            raise _invalid("JWT is not well formed.") from None
        issuer, key = self._signing_key(jws.header)
        if not self._signature_valid(token, key, jws.signing_input, jws.signature):
            raise _invalid("Invalid signature.")
        self._check_claims(jws.claims, issuer)
        return jws.claims

    def _signature_valid(self, token: str, key: RSAPublicKey, signing_input: bytes, signature: bytes) -> bool:
        """verify_rs256, skipped for a token whose signature this very key object already verified.

        RSA verification is a pure function of key, input and signature, so the answer is the same;
        only valid signatures are remembered, by the SHA-256 of the whole token, and a refreshed key
        set brings new key objects, so its tokens are verified again. Claims and lifetime are still
        checked on every request.
        """
        digest = hashlib.sha256(token.encode()).digest()
        if self._verified.get(digest) is key:
            return True
        if not verify_rs256(key, signing_input, signature):
            return False
        with self._verified_lock:
            self._verified[digest] = key
            if len(self._verified) > VERIFIED_TOKENS:
                del self._verified[next(iter(self._verified))]
        return True

    def _signing_key(self, header: dict[str, Any]) -> tuple[str, RSAPublicKey]:
        """The metadata issuer and the key `kid` names; `alg` must be RS256 and `crit` absent.

        Nothing is ever fetched from what the token names (`jku`, `x5u`, `jwk`, `x5c` are ignored).
        """
        if header.get("alg") != "RS256":
            raise _invalid("Invalid signing algorithm.")
        if "crit" in header or "b64" in header:
            raise _invalid("Unsupported critical header.")
        kid = header.get("kid")
        if not isinstance(kid, str) or not KID_PATTERN.fullmatch(kid):
            raise _invalid("Invalid signing key identifier.")
        issuer, key = self._keys.lookup(kid)
        if issuer is None:
            raise _invalid("Signing keys are unavailable.")
        if key is None:
            raise _invalid("Signing key not found.")
        return issuer, key

    def _check_claims(self, claims: dict[str, Any], issuer: str) -> None:
        """Required claims, exact issuer, our tenant, one of our audiences, lifetime with leeway, a GUID `oid`."""
        for name in REQUIRED_CLAIMS:
            if claims.get(name) is None:
                raise _invalid(f"Missing claim: {name}.")
        if claims["iss"] != issuer:
            raise _invalid("Invalid issuer.")
        tid = claims["tid"]
        if not isinstance(tid, str) or tid.lower() != self._tenant_id:
            raise _invalid("Invalid tenant.")
        aud = claims["aud"]
        if not isinstance(aud, str) or aud not in self._audiences:
            raise _invalid("Invalid audience.")
        self._check_lifetime(claims)
        if not is_guid(claims["oid"]):
            raise _invalid("Invalid object identifier.")
        _check_types(claims)

    def _check_lifetime(self, claims: dict[str, Any]) -> None:
        """`exp` not passed and `nbf`, `iat` not in the future, each with LEEWAY_S."""
        now = self._clock()
        exp, nbf, iat = (_numeric(claims, name) for name in ("exp", "nbf", "iat"))
        if exp <= now - LEEWAY_S:
            raise _invalid("Lifetime validation failed, the token is expired.")
        if nbf > now + LEEWAY_S or iat > now + LEEWAY_S:
            raise _invalid("Lifetime validation failed, the token is not yet valid.")


def _check_types(claims: dict[str, Any]) -> None:
    """Optional claims of the wrong JSON type are refused rather than ignored."""
    for name, label in STRING_CLAIMS.items():
        value = claims.get(name)
        if value is not None and not isinstance(value, str):
            raise _invalid(f"Invalid {label} claim.")
    roles = claims.get("roles")
    if roles is not None and not (isinstance(roles, list) and all(isinstance(r, str) for r in roles)):
        raise _invalid("Invalid roles claim.")


def _numeric(claims: dict[str, Any], name: str) -> float:
    """A NumericDate claim as a number; anything else (strings, booleans) is rejected."""
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _invalid(f"Invalid {name} claim.")
    try:
        number = float(value)
    except OverflowError:
        raise _invalid(f"Invalid {name} claim.") from None
    if not math.isfinite(number):
        raise _invalid(f"Invalid {name} claim.")
    return number


def _bearer_token(headers: Mapping[str, str], query: Mapping[str, str]) -> str:
    """The token of `Authorization: Bearer`, case-insensitive scheme; the query string never counts."""
    values = [v for k, v in headers.items() if isinstance(k, str) and k.lower() == "authorization"]
    in_query = any(isinstance(k, str) and k.lower() == "access_token" for k in query)
    if not values:
        raise Unauthorized("Authentication required. Send an access token in the Authorization header.", error=None)
    if len(values) > 1:
        raise _invalid_request("Send exactly one Authorization header.")
    value = values[0] or ""
    if len(value) > MAX_TOKEN_BYTES + 64:
        raise _invalid("Token is too large.")
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise Unauthorized("Authentication required. Only the Bearer scheme is supported.", error=None)
    if in_query:
        raise _invalid_request("Send the access token in the Authorization header only, not also in the query string.")
    token = token.strip()
    if not token:
        raise _invalid("Access token is empty.")
    return token


def _invalid_request(message: str) -> BadRequest:
    """400 with RFC 6750's `invalid_request` challenge (more than one way of sending credentials)."""
    challenge = f'Bearer realm="", error="invalid_request", error_description="{message}"'
    return BadRequest(message, headers={"WWW-Authenticate": challenge})


def _principal(claims: dict[str, Any]) -> Principal:
    """Build the Principal of validated claims (delegated vs app-only per contract §4)."""
    scp, roles = claims.get("scp"), claims.get("roles")
    scopes = frozenset(s for s in (scp or "").split(" ") if s)
    role_set = frozenset(r for r in (roles or []) if r)
    is_app = claims.get("idtyp") == "app" or (scp is None and roles is not None)
    return Principal(
        tenant_id=claims["tid"].lower(),
        object_id=claims["oid"].lower(),
        is_app=is_app,
        scopes=frozenset() if is_app else scopes,
        roles=role_set,
        app_id=_text(claims.get("azp")) or _text(claims.get("appid")),
        app_display_name=_text(claims.get("app_displayname")),
        upn=None if is_app else _upn(claims),
        display_name=None if is_app else _text(claims.get("name")),
    )


def _upn(claims: dict[str, Any]) -> str | None:
    """The caller's UPN: `preferred_username`, else `upn`; dropped when implausible."""
    for name in ("preferred_username", "upn"):
        value = claims.get(name)
        if isinstance(value, str) and 0 < len(value) <= MAX_CLAIM_CHARS:
            return value
    return None


def _text(value: Any) -> str | None:
    """An informational string claim, cut to the model's 256-character limit."""
    return value[:MAX_CLAIM_CHARS] if isinstance(value, str) and value else None
