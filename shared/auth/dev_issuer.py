"""The development issuer: a local RSA key pair, Entra-like discovery + JWKS, and token minting.

Used only when ENTRA_TENANT_ID is unset (settings refuse that in Azure). Tokens it mints are
validated by the ordinary Authenticator, through discovery over HTTP, exactly like Entra's.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

import shared
from shared.settings import DEV_AUDIENCE, Settings

DEFAULT_USER = "adele.vance@contoso.dev"
#: Namespace of the development issuer's deterministic object ids (uuid5).
DEV_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://profile-api.invalid/dev-issuer")
#: The client application the development tokens claim to come from.
DEV_CLIENT_ID = str(uuid.uuid5(DEV_NAMESPACE, "client"))
DEV_APP_NAME = "Profile API development client"
PRIVATE_KEY_FILE = "signing-key.pem"

_cache: dict[Path, tuple[rsa.RSAPrivateKey, str]] = {}
_cache_lock = threading.Lock()


def default_key_dir() -> Path:
    """`<project root>/.data/dev-issuer/` (the project root holds function_app.py)."""
    return Path(shared.__file__).resolve().parent.parent / ".data" / "dev-issuer"


def signing_key(key_dir: Path | None = None) -> tuple[rsa.RSAPrivateKey, str]:
    """The issuer's private key and its `kid`, generated on first use (safe across processes)."""
    directory = (key_dir or default_key_dir()).resolve()
    with _cache_lock:
        if directory not in _cache:
            key = _load_or_create(directory)
            _cache[directory] = (key, thumbprint(key.public_key()))
        return _cache[directory]


def _load_or_create(directory: Path) -> rsa.RSAPrivateKey:
    """Read the key file; if absent, write one atomically (first writer wins) and re-read."""
    path = directory / PRIVATE_KEY_FILE
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        fd, temp = tempfile.mkstemp(prefix=".signing-key-", suffix=".tmp", dir=directory)
        try:
            os.chmod(temp, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temp, path)  # atomic and fails if another process got there first
            except FileExistsError:
                pass
        finally:
            os.unlink(temp)
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, rsa.RSAPrivateKey):
        raise ValueError(f"{path} does not hold an RSA private key")
    return loaded


def thumbprint(public_key: rsa.RSAPublicKey) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url) of an RSA public key."""
    jwk = _public_jwk(public_key)
    canonical = json.dumps({"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}, separators=(",", ":"), sort_keys=True)
    return _b64url(hashlib.sha256(canonical.encode()).digest())


def issuer(settings: Settings) -> str:
    """The `iss` of development tokens (Entra v2.0 shape)."""
    return f"{settings.authority}/{settings.tenant_id}/v2.0"


def discovery_document(settings: Settings) -> dict[str, Any]:
    """The OpenID configuration, shaped like Entra's v2.0 document."""
    base = f"{settings.authority}/{settings.tenant_id}"
    return {
        "issuer": issuer(settings),
        "jwks_uri": f"{base}/discovery/v2.0/keys",
        "token_endpoint": f"{base}/oauth2/v2.0/token",
        "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nbf", "name", "oid", "tid", "preferred_username"],
        "tenant_region_scope": None,
    }


def jwks(settings: Settings, key_dir: Path | None = None) -> dict[str, Any]:
    """The JSON Web Key Set: the public key only."""
    key, kid = signing_key(key_dir)
    entry = {"kty": "RSA", "use": "sig", "kid": kid, **_public_jwk(key.public_key()), "issuer": issuer(settings)}
    return {"keys": [entry]}


def mint_token(
    settings: Settings,
    *,
    user: str | None,
    scopes: list[str],
    roles: list[str],
    name: str | None,
    lifetime_s: int = 3600,
    key_dir: Path | None = None,
) -> str:
    """An RS256 access token: delegated unless only `roles` are given (then app-only)."""
    if not settings.dev_issuer:
        raise RuntimeError("The development issuer is disabled: ENTRA_TENANT_ID is set.")
    key, kid = signing_key(key_dir)
    now = int(time.time())
    claims: dict[str, Any] = {
        "aud": DEV_AUDIENCE,
        "iss": issuer(settings),
        "iat": now,
        "nbf": now,
        "exp": now + int(lifetime_s),
        "tid": settings.tenant_id,
        "ver": "2.0",
        "azp": DEV_CLIENT_ID,
        "azpacr": "0",
        "uti": _b64url(os.urandom(16)),
    }
    if roles and not scopes:
        app_oid = str(uuid.uuid5(DEV_NAMESPACE, f"app:{DEV_CLIENT_ID}"))
        display = name or DEV_APP_NAME
        claims |= {"idtyp": "app", "oid": app_oid, "sub": app_oid, "app_displayname": display, "roles": list(roles)}
    else:
        upn = user or DEFAULT_USER
        oid = dev_object_id(upn)
        claims |= {"oid": oid, "sub": oid, "preferred_username": upn, "name": name or _name_of(upn)}
        if scopes:
            claims["scp"] = " ".join(scopes)
        if roles:
            claims["roles"] = list(roles)
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid, "typ": "JWT"})


def dev_object_id(upn: str) -> str:
    """The deterministic object id the development issuer gives a UPN (case-insensitive)."""
    return str(uuid.uuid5(DEV_NAMESPACE, f"user:{upn.lower()}"))


def _name_of(upn: str) -> str:
    """`adele.vance@contoso.dev` → `Adele Vance`."""
    local = upn.split("@", 1)[0]
    return " ".join(part.capitalize() for part in local.replace("_", ".").split(".") if part) or upn


def _public_jwk(public_key: rsa.RSAPublicKey) -> dict[str, str]:
    numbers = public_key.public_numbers()
    return {"n": _b64url(_int_bytes(numbers.n)), "e": _b64url(_int_bytes(numbers.e))}


def _int_bytes(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
