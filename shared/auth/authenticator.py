"""Bearer-token authentication (contract §4): from request headers to a validated Principal."""
from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

import jwt

from shared.auth.fetch import fetch_json as default_fetch_json
from shared.auth.keys import KID_PATTERN, KeyCache
from shared.auth.principal import Principal
from shared.errors import BadRequest, Unauthorized
from shared.ids import is_guid
from shared.settings import Settings

#: Largest token accepted, checked before any parsing (Entra tokens are 1-3 KB).
MAX_TOKEN_BYTES = 16 * 1024
#: Clock skew tolerated on `exp`, `nbf` and `iat`.
LEEWAY_S = 60
#: Claims every accepted token must carry.
REQUIRED_CLAIMS = ("exp", "nbf", "iat", "iss", "aud", "tid", "oid")
#: Longest value kept from an informational claim (name, UPN, app id).
MAX_CLAIM_CHARS = 256

_COMPACT_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
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
        self._settings = settings
        self._clock = clock
        self._keys = KeyCache(settings.metadata_url, fetch_json or default_fetch_json, monotonic)

    def authenticate(self, headers: Mapping[str, str], query: Mapping[str, str]) -> Principal:
        """Return the caller of a request, or raise Unauthorized (401) / BadRequest (400)."""
        token = _bearer_token(headers, query)
        claims = self._validate(token)
        return _principal(claims)

    def _validate(self, token: str) -> dict[str, Any]:
        """Signature, then issuer, tenant, audience, lifetime and `oid`; return the claims."""
        if len(token) > MAX_TOKEN_BYTES:
            raise _invalid("Token is too large.")
        if not _COMPACT_JWS.match(token):
            raise _invalid("JWT is not well formed.")
        try:
            header = jwt.get_unverified_header(token)
        except Exception:
            raise _invalid("JWT is not well formed.") from None
        if not isinstance(header, dict):
            raise _invalid("JWT is not well formed.")
        if header.get("alg") != "RS256":
            raise _invalid("Invalid signing algorithm.")
        if "crit" in header or "b64" in header:
            raise _invalid("Unsupported critical header.")
        kid = header.get("kid")
        if not isinstance(kid, str) or not KID_PATTERN.match(kid):
            raise _invalid("Invalid signing key identifier.")
        issuer, key = self._keys.lookup(kid)
        if issuer is None:
            raise _invalid("Signing keys are unavailable.")
        if key is None:
            raise _invalid("Signing key not found.")
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=["RS256"],
                options={
                    "require": list(REQUIRED_CLAIMS),
                    "verify_signature": True,
                    "verify_aud": False,
                    "verify_iss": False,
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
        except jwt.InvalidSignatureError:
            raise _invalid("Invalid signature.") from None
        except jwt.MissingRequiredClaimError as error:
            raise _invalid(f"Missing claim: {error.claim}.") from None
        except Exception:
            raise _invalid("JWT is not well formed.") from None
        self._check_claims(claims, issuer)
        return claims

    def _check_claims(self, claims: dict[str, Any], issuer: str) -> None:
        """Exact issuer, our tenant, one of our audiences, lifetime with leeway, a GUID `oid`."""
        if claims.get("iss") != issuer:
            raise _invalid("Invalid issuer.")
        tid = claims.get("tid")
        if not isinstance(tid, str) or tid.lower() != self._settings.tenant_id.lower():
            raise _invalid("Invalid tenant.")
        aud = claims.get("aud")
        if not isinstance(aud, str) or aud not in self._settings.audiences:
            raise _invalid("Invalid audience.")
        now = self._clock()
        exp, nbf, iat = (_numeric(claims, name) for name in ("exp", "nbf", "iat"))
        if exp <= now - LEEWAY_S:
            raise _invalid("Lifetime validation failed, the token is expired.")
        if nbf > now + LEEWAY_S or iat > now + LEEWAY_S:
            raise _invalid("Lifetime validation failed, the token is not yet valid.")
        oid = claims.get("oid")
        if not is_guid(oid):
            raise _invalid("Invalid object identifier.")
        scp, roles = claims.get("scp"), claims.get("roles")
        if scp is not None and not isinstance(scp, str):
            raise _invalid("Invalid scope claim.")
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
