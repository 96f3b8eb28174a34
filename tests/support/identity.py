"""Pytest plugin: a real local OpenID issuer (discovery + JWKS over HTTP) and RS256 token minting.

Use `pytest_plugins = ["tests.support.identity"]`. Fixtures:
- `rsa_key` (session): the issuer's signing key; `other_rsa_key` (session): an attacker's key.
- `identity_server`: a stdlib HTTP server on 127.0.0.1 that counts requests and can fail on demand.
- `identity`: an `Identity` (settings, `mint`, `mint_app`, `authenticator`) bound to that server.
- `mint`: `identity.mint`.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.auth import Authenticator
from shared.settings import Settings, load_settings

TEST_TENANT_ID = "3b1c9a5e-8f0d-4e2a-9c71-5d6e7f8a9b0c"
TEST_CLIENT_ID = "0f5e2d1c-7b6a-4c3d-8e9f-1a2b3c4d5e6f"
TEST_AUDIENCE = "api://profile-api-test"
GRAPH_AUDIENCE = "https://graph.microsoft.com"
TEST_UPN = "adele.vance@contoso.test"
TEST_OID = "6e2c3f1a-4b5d-4c7e-8f90-a1b2c3d4e5f6"
TEST_APP_ID = "9d8c7b6a-5f4e-4d3c-8b2a-190817263544"
TEST_APP_OID = "11111111-2222-4333-8444-555555555555"
TEST_KID = "test-key-1"


def b64url(raw: bytes) -> str:
    """base64url without padding."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def public_jwk(key: rsa.RSAPrivateKey | rsa.RSAPublicKey, kid: str, **extra: Any) -> dict[str, Any]:
    """The public JWK of an RSA key, Entra-style (`use` sig, no `alg`)."""
    public = key.public_key() if isinstance(key, rsa.RSAPrivateKey) else key
    numbers = public.public_numbers()

    def as_bytes(value: int) -> bytes:
        return value.to_bytes((value.bit_length() + 7) // 8, "big")

    n, e = b64url(as_bytes(numbers.n)), b64url(as_bytes(numbers.e))
    return {"kty": "RSA", "use": "sig", "kid": kid, "n": n, "e": e, **extra}


class IdentityServer:
    """A local issuer: serves `documents` by path, counts every request, fails paths on demand."""

    def __init__(self) -> None:
        self.documents: dict[str, Any] = {}
        self.failing: set[str] = set()
        self.hits: Counter[str] = Counter()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                with server._lock:
                    server.hits[path] += 1
                    document = server.documents.get(path)
                    failing = path in server.failing
                status = 500 if failing else 200 if document is not None else 404
                body = json.dumps(document if status == 200 else {"error": "nope"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)

    def start(self) -> IdentityServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving (idempotent)."""
        if self._thread.is_alive():
            self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def total_hits(self) -> int:
        with self._lock:
            return sum(self.hits.values())


@dataclass
class Identity:
    """A test tenant served by an IdentityServer, with a token factory."""

    server: IdentityServer
    key: rsa.RSAPrivateKey
    kid: str = TEST_KID
    tenant_id: str = TEST_TENANT_ID
    audience: str = TEST_AUDIENCE
    audiences: tuple[str, ...] = (TEST_CLIENT_ID, TEST_AUDIENCE)
    settings: Settings = field(init=False)

    def __post_init__(self) -> None:
        self.settings = load_settings(
            {
                "ENTRA_TENANT_ID": self.tenant_id,
                "ENTRA_AUDIENCES": ",".join(self.audiences),
                "ENTRA_AUTHORITY": self.server.base_url,
            }
        )
        self.publish_keys({self.kid: self.key})

    @property
    def issuer(self) -> str:
        return f"{self.server.base_url}/{self.tenant_id}/v2.0"

    @property
    def metadata_path(self) -> str:
        return f"/{self.tenant_id}/v2.0/.well-known/openid-configuration"

    @property
    def jwks_path(self) -> str:
        return f"/{self.tenant_id}/discovery/v2.0/keys"

    @property
    def jwks_fetches(self) -> int:
        return self.server.hits[self.jwks_path]

    def publish_keys(self, keys: dict[str, rsa.RSAPrivateKey | rsa.RSAPublicKey]) -> None:
        """Serve discovery + a JWKS holding exactly `keys` (by kid)."""
        self.server.documents[self.metadata_path] = {
            "issuer": self.issuer,
            "jwks_uri": self.server.base_url + self.jwks_path,
            "id_token_signing_alg_values_supported": ["RS256"],
        }
        jwks = [public_jwk(k, kid, issuer=self.issuer) for kid, k in keys.items()]
        self.server.documents[self.jwks_path] = {"keys": jwks}

    def authenticator(self, **kwargs: Any) -> Authenticator:
        """An Authenticator for this tenant (real HTTP fetches unless `fetch_json` is given)."""
        return Authenticator(self.settings, **kwargs)

    def claims(self, **overrides: Any) -> dict[str, Any]:
        """A valid delegated token's claims (scp User.ReadWrite); an override of None drops the claim."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "aud": self.audience,
            "iss": self.issuer,
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "tid": self.tenant_id,
            "oid": TEST_OID,
            "sub": "pairwise-subject-of-adele",
            "azp": TEST_APP_ID,
            "azpacr": "1",
            "name": "Adele Vance",
            "preferred_username": TEST_UPN,
            "scp": "User.ReadWrite",
            "ver": "2.0",
            "uti": uuid.uuid4().hex,
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def mint(
        self,
        *,
        headers_overrides: dict[str, Any] | None = None,
        key: rsa.RSAPrivateKey | None = None,
        **claims_overrides: Any,
    ) -> str:
        """A real RS256 token; headers/claims overridden as given (None drops a claim or header)."""
        headers: dict[str, Any] = {"kid": self.kid, "typ": "JWT"}
        headers.update(headers_overrides or {})
        headers = {k: v for k, v in headers.items() if v is not None}
        return jwt.encode(self.claims(**claims_overrides), key or self.key, algorithm="RS256", headers=headers)

    def mint_app(self, roles: list[str] | None = None, **claims_overrides: Any) -> str:
        """An app-only (client-credentials) token with `roles` (default User.ReadWrite.All)."""
        app = {
            "idtyp": "app",
            "oid": TEST_APP_OID,
            "sub": TEST_APP_OID,
            "app_displayname": "Contoso sync",
            "roles": ["User.ReadWrite.All"] if roles is None else roles,
            "scp": None,
            "name": None,
            "preferred_username": None,
        }
        return self.mint(**{**app, **claims_overrides})

    @staticmethod
    def bearer(token: str) -> dict[str, str]:
        """Request headers carrying `token`."""
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    """The test issuer's signing key (2048-bit RSA, generated for this run)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def other_rsa_key() -> rsa.RSAPrivateKey:
    """A key the issuer never published (an attacker's)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def identity_server() -> Iterator[IdentityServer]:
    """A started local HTTP issuer, stopped after the test."""
    server = IdentityServer().start()
    yield server
    server.stop()


@pytest.fixture
def identity(identity_server: IdentityServer, rsa_key: rsa.RSAPrivateKey) -> Identity:
    """The test tenant: settings pointing at the local issuer, and a token factory."""
    return Identity(server=identity_server, key=rsa_key)


@pytest.fixture
def mint(identity: Identity) -> Callable[..., str]:
    """`mint(**claims_overrides, headers_overrides=..., key=...)` → a signed RS256 token."""
    return identity.mint
