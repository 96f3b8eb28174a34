"""Shared assertions and token forgery for the auth tests."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest

from shared.errors import ApiError, Unauthorized


def b64url_json(value: Any) -> str:
    """base64url(JSON) without padding."""
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def forge(header: Any, claims: Any, signature: bytes = b"") -> str:
    """A compact JWS with arbitrary header, claims and signature bytes."""
    sig = base64.urlsafe_b64encode(signature).rstrip(b"=").decode()
    return f"{b64url_json(header)}.{b64url_json(claims)}.{sig}"


def assert_leaks_nothing(error: ApiError, token: str) -> None:
    """Neither the message nor the headers contain the token or any of its segments."""
    exposed = error.message + " " + " ".join(error.headers.values()) + " " + str(error)
    for part in [token, *token.split(".")]:
        if len(part) >= 8:
            assert part not in exposed


def reject(call: Callable[[], Any], token: str = "") -> Unauthorized:
    """Run `call`, expect a 401 invalid_token whose texts leak no part of `token`."""
    with pytest.raises(Unauthorized) as caught:
        call()
    error = caught.value
    assert error.status == 401 and error.code == "InvalidAuthenticationToken"
    assert error.error == "invalid_token"
    assert error.headers["WWW-Authenticate"].startswith('Bearer realm="", error="invalid_token", error_description="')
    assert error.message.startswith("Access token")
    if token:
        assert_leaks_nothing(error, token)
    return error


def sign(key: Any, header: Any, claims: Any) -> str:
    """RS256-sign arbitrary header and claims (values PyJWT's encoder would refuse, e.g. a numeric kid)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    signing_input = f"{b64url_json(header)}.{b64url_json(claims)}"
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def sign_segments(key: Any, header: bytes, payload: bytes) -> str:
    """RS256-sign a token whose header and payload segments are exactly these bytes (any encoding)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    encode = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()  # noqa: E731
    signing_input = f"{encode(header)}.{encode(payload)}"
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{encode(signature)}"
