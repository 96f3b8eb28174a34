"""The compact JWS of an access token, parsed once and strictly; RS256 signatures checked with `cryptography`.

Why our own parser: PyJWT parses a token twice on our path (header, then decode) and checks base64
character by character in Python, which cost more than the RSA verification itself. Here each
segment is checked by one regular expression and decoded by binascii, and the JSON must be UTF-8
(RFC 7519 §7.2: `json.loads(bytes)` would also take UTF-16/32), RFC 8259 strict (no NaN/Infinity)
and free of duplicate member names (RFC 7515 §4 / RFC 7519 §4 allow refusing them).
`cryptography` is imported on the first signature check, not at import (cold start).
"""

from __future__ import annotations

import binascii
import functools
import json
import re
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_TO_STANDARD = bytes.maketrans(b"-_", b"+/")
#: By segment length mod 4: the spare low bits of the last character (must be zero) and the padding to add.
_TAIL = {0: (0, b""), 2: (0x0F, b"=="), 3: (0x03, b"=")}


class MalformedToken(ValueError):
    """The token is not a compact JWS of two UTF-8 JSON objects and a signature (never says more)."""


class CompactJws(NamedTuple):
    """A parsed token: header and claims as JSON objects, and what the signature covers."""

    header: dict[str, Any]
    claims: dict[str, Any]
    signing_input: bytes
    signature: bytes


def parse_compact(token: str) -> CompactJws:
    """Split `header.payload.signature`, decode each segment once; raise MalformedToken on any defect."""
    parts = token.split(".")
    if len(parts) != 3 or not all(parts):
        raise MalformedToken
    header, claims, signature = (b64url_decode(part) for part in parts)
    return CompactJws(
        _json_object(header),
        _json_object(claims),
        token[: len(parts[0]) + 1 + len(parts[1])].encode("ascii"),
        signature,
    )


def b64url_decode(segment: str) -> bytes:
    """Strict base64url without padding (RFC 7515 §2): alphabet only, canonical last character."""
    tail = _TAIL.get(len(segment) % 4)
    if tail is None or not _BASE64URL.fullmatch(segment):
        raise MalformedToken
    spare_bits, padding = tail
    if spare_bits and _ALPHABET.index(segment[-1]) & spare_bits:
        raise MalformedToken  # another text for the same bytes: refuse, the signature covers the text
    return binascii.a2b_base64(segment.encode("ascii").translate(_TO_STANDARD) + padding, strict_mode=True)


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    members = dict(pairs)
    if len(members) != len(pairs):
        raise MalformedToken
    return members


def _no_constants(name: str) -> Any:
    raise MalformedToken  # NaN, Infinity, -Infinity: not JSON (RFC 8259 §6)


_DECODER = json.JSONDecoder(object_pairs_hook=_unique_members, parse_constant=_no_constants)


def _json_object(raw: bytes) -> dict[str, Any]:
    """A UTF-8 JSON object (a BOM, any other encoding, or nesting deep enough to recurse is refused)."""
    try:
        value = _DECODER.decode(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        raise MalformedToken from None
    if not isinstance(value, dict):
        raise MalformedToken
    return value


@functools.lru_cache(maxsize=1)
def _rs256() -> tuple[Any, Any, type[Exception]]:
    """PKCS#1 v1.5 padding, SHA-256 and InvalidSignature, imported once on first use."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from cryptography.hazmat.primitives.hashes import SHA256

    return PKCS1v15(), SHA256(), InvalidSignature


def verify_rs256(key: RSAPublicKey, signing_input: bytes, signature: bytes) -> bool:
    """True when `signature` is RSASSA-PKCS1-v1_5 with SHA-256 over `signing_input` by `key` (RFC 7518 §3.3)."""
    pkcs1v15, sha256, invalid = _rs256()
    try:
        key.verify(signature, signing_input, pkcs1v15, sha256)
    except invalid:
        return False
    return True
