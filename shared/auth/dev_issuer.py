"""The development issuer: a local RSA key pair, Entra-like discovery + JWKS, and token minting.

Used only when ENTRA_TENANT_ID is unset (settings refuse that in Azure). Tokens it mints are
validated by the ordinary Authenticator, through discovery over HTTP, exactly like Entra's.

The issuer identifier (`iss`) names no port: a token from `make -s token` is accepted by a local
host on any port, because the host fetches its discovery document and JWKS from itself.

Two files under `.data/dev-issuer/`: the private key (PEM, 0600) and its public JWK with the SHA-256
of the PEM it was derived from. Serving the JWKS reads only the public file; the private key is
parsed only to sign, and its (slow) RSA consistency check runs once, when the public file is
written: later loads of the same PEM, recognised by its hash, skip it.
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
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shared
from shared.settings import DEV_AUDIENCE, Settings

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

DEFAULT_USER = "adele.vance@contoso.dev"
#: The users the explorer's sign-in page lists (any UPN works with `make token USER=...`).
DEV_USERS = (DEFAULT_USER, "megan.bowen@contoso.dev", "alex.wilber@contoso.dev")
#: Namespace of the development issuer's deterministic object ids (uuid5).
DEV_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://profile-api.invalid/dev-issuer")
#: The issuer identifier's root: `.invalid` (RFC 2606) says it is a name, never a place to fetch.
DEV_ISSUER_ID = "https://profile-api.invalid/dev-issuer"
#: The client application the development tokens claim to come from.
DEV_CLIENT_ID = str(uuid.uuid5(DEV_NAMESPACE, "client"))
DEV_APP_NAME = "Profile API development client"
PRIVATE_KEY_FILE = "signing-key.pem"
#: `{"pem_sha256": ..., "key": {kty, use, kid, n, e}}`: the public half, and which PEM it belongs to.
PUBLIC_KEY_FILE = "signing-key.jwk.json"

_private: dict[Path, tuple[RSAPrivateKey, str]] = {}
_public: dict[Path, dict[str, str]] = {}
_cache_lock = threading.Lock()


def default_key_dir() -> Path:
    """`<project root>/.data/dev-issuer/` (the project root holds function_app.py)."""
    return Path(shared.__file__).resolve().parent.parent / ".data" / "dev-issuer"


def clear_cache() -> None:
    """Forget the keys read so far (tests replace the files)."""
    with _cache_lock:
        _private.clear()
        _public.clear()


def signing_key(key_dir: Path | None = None) -> tuple[RSAPrivateKey, str]:
    """The issuer's private key and its `kid`, generated on first use (safe across processes)."""
    directory = (key_dir or default_key_dir()).resolve()
    with _cache_lock:
        if directory not in _private:
            pem = _read_or_create_pem(directory)
            record = _read_record(directory, pem)
            key = _load_private(pem, checked=record is not None)
            if record is None:
                record = _write_record(directory, pem, key)
            _private[directory] = (key, record["kid"])
            _public[directory] = record
        return _private[directory]


def public_jwk(key_dir: Path | None = None) -> dict[str, str]:
    """The public JWK (`kty`, `use`, `kid`, `n`, `e`), read from the public file when it matches the PEM."""
    directory = (key_dir or default_key_dir()).resolve()
    with _cache_lock:
        if directory not in _public:
            pem = _read_or_create_pem(directory)
            record = _read_record(directory, pem)
            if record is None:
                record = _write_record(directory, pem, _load_private(pem, checked=False))
            _public[directory] = record
        return dict(_public[directory])


def _read_or_create_pem(directory: Path) -> bytes:
    """The private key file's bytes; if absent, write one atomically (first writer wins) and re-read."""
    path = directory / PRIVATE_KEY_FILE
    if not path.exists():
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        temp = _write_temp(directory, ".signing-key-", pem)
        try:
            os.link(temp, path)  # atomic and fails if another process got there first
        except FileExistsError:
            pass
        finally:
            os.unlink(temp)
    return path.read_bytes()


def _write_temp(directory: Path, prefix: str, data: bytes) -> str:
    """A new 0600 file in `directory` holding `data`, flushed to disk; returns its path."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=directory)
    try:
        os.chmod(temp, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        os.unlink(temp)
        raise
    return temp


def _load_private(pem: bytes, *, checked: bool) -> RSAPrivateKey:
    """Parse the PEM; the RSA consistency check is skipped only for a PEM already checked (same hash)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    loaded = serialization.load_pem_private_key(pem, password=None, unsafe_skip_rsa_key_validation=checked)
    if not isinstance(loaded, rsa.RSAPrivateKey):
        raise ValueError(f"{PRIVATE_KEY_FILE} does not hold an RSA private key")
    return loaded


def _read_record(directory: Path, pem: bytes) -> dict[str, str] | None:
    """The public JWK from the public file, or None if it is missing, malformed or for another PEM."""
    try:
        data = json.loads((directory / PUBLIC_KEY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("pem_sha256") != hashlib.sha256(pem).hexdigest():
        return None
    key = data.get("key")
    names = ("kty", "use", "kid", "n", "e")
    if not isinstance(key, dict) or not all(isinstance(key.get(n), str) for n in names) or key["kty"] != "RSA":
        return None
    return {n: key[n] for n in names}


def _write_record(directory: Path, pem: bytes, key: RSAPrivateKey) -> dict[str, str]:
    """Write the public file for `pem` (atomic replace; concurrent writers write the same content)."""
    public = key.public_key()
    record = {"kty": "RSA", "use": "sig", "kid": thumbprint(public), **_public_numbers(public)}
    document = {"pem_sha256": hashlib.sha256(pem).hexdigest(), "key": record}
    temp = _write_temp(directory, ".signing-key-jwk-", (json.dumps(document, indent=2) + "\n").encode())
    os.replace(temp, directory / PUBLIC_KEY_FILE)
    return record


def thumbprint(public_key: RSAPublicKey) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url) of an RSA public key."""
    jwk = _public_numbers(public_key)
    canonical = json.dumps({"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}, separators=(",", ":"), sort_keys=True)
    return _b64url(hashlib.sha256(canonical.encode()).digest())


def issuer(settings: Settings) -> str:
    """The `iss` of development tokens (Entra v2.0 shape, `{root}/{tenant}/v2.0`), the same on every port."""
    return f"{DEV_ISSUER_ID}/{settings.tenant_id}/v2.0"


def discovery_document(settings: Settings, authority: str | None = None) -> dict[str, Any]:
    """The OpenID configuration, shaped like Entra's v2.0 document; its URLs point at the running app.

    `authority` is where the document was fetched from (`.../api/dev-issuer`), so the JWKS is named on
    the address and port the caller used; without it, the settings' (PORT).
    """
    base = f"{(authority or settings.authority).rstrip('/')}/{settings.tenant_id}"
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


def in_process_fetch(settings: Settings) -> Callable[[str], dict[str, Any]]:
    """The token validator's fetcher for the development issuer: its own documents, without HTTP.

    The app serves these documents over HTTP for other clients, but never calls itself: a host whose
    threads were all busy validating a first token would wait for a key request no thread can answer.
    Tokens still go through the same validation code as a real tenant's; only the transport differs.
    """
    metadata_url = settings.metadata_url
    jwks_uri = discovery_document(settings)["jwks_uri"]

    def fetch(url: str) -> dict[str, Any]:
        if url == metadata_url:
            return discovery_document(settings)
        if url == jwks_uri:
            return jwks(settings)
        from shared.auth.fetch import FetchError

        raise FetchError("not a document of the development issuer")

    return fetch


def jwks(settings: Settings, key_dir: Path | None = None) -> dict[str, Any]:
    """The JSON Web Key Set: the public key only (read from the public file, no private key parsed)."""
    return {"keys": [{**public_jwk(key_dir), "issuer": issuer(settings)}]}


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
    import jwt

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


def display_name(upn: str) -> str:
    """The `name` claim the development issuer gives a UPN: `adele.vance@contoso.dev` → `Adele Vance`."""
    return _name_of(upn)


def _name_of(upn: str) -> str:
    """`adele.vance@contoso.dev` → `Adele Vance`."""
    local = upn.split("@", 1)[0]
    return " ".join(part.capitalize() for part in local.replace("_", ".").split(".") if part) or upn


def _public_numbers(public_key: RSAPublicKey) -> dict[str, str]:
    numbers = public_key.public_numbers()
    return {"n": _b64url(_int_bytes(numbers.n)), "e": _b64url(_int_bytes(numbers.e))}


def _int_bytes(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
