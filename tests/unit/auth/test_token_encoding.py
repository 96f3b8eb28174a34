"""Strict compact-JWS parsing (RFC 7515 §3.1/§7.1, RFC 7519 §7.2): base64url without padding, UTF-8
JSON objects, a signature over exactly the transmitted text. Every token here is validly signed by
the issuer's real key unless a test says otherwise, so only the encoding can be the reason for a 401."""

from __future__ import annotations

import base64
import json
import time
from functools import partial

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from shared.auth.authenticator import MAX_TOKEN_BYTES
from tests.support.identity import TEST_KID, TEST_OID
from tests.unit.auth.helpers import b64url_json, reject, sign, sign_segments

HEADER = {"alg": "RS256", "kid": TEST_KID, "typ": "JWT"}


@pytest.fixture
def auth(identity):
    authenticator = identity.authenticator()
    return lambda token: authenticator.authenticate(identity.bearer(token), {})


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_utf8_json_segments_are_accepted_including_non_ascii_text(auth, identity, rsa_key):
    claims = identity.claims(name="Zoë Ñandú 日本 😀")
    token = sign_segments(rsa_key, json.dumps(HEADER).encode(), json.dumps(claims, ensure_ascii=False).encode())
    assert auth(token).display_name == "Zoë Ñandú 日本 😀"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-8-sig"])
@pytest.mark.parametrize("segment", ["payload", "header"])
def test_json_that_is_not_utf8_is_401(auth, identity, rsa_key, encoding, segment):
    """RFC 7519 §7.2 / RFC 8259 §8.1: UTF-8 only. Python's json.loads(bytes) would guess UTF-16/32."""
    header, claims = json.dumps(HEADER), json.dumps(identity.claims())
    token = sign_segments(
        rsa_key,
        header.encode(encoding if segment == "header" else "utf-8"),
        claims.encode(encoding if segment == "payload" else "utf-8"),
    )
    reject(partial(auth, token), token)


def test_latin1_text_in_a_claim_is_401(auth, identity, rsa_key):
    claims = json.dumps(identity.claims(name="Zoë"), ensure_ascii=False)
    token = sign_segments(rsa_key, json.dumps(HEADER).encode(), claims.encode("latin-1"))
    reject(partial(auth, token), token)


@pytest.mark.parametrize("bad", ["+", "/", "=", "%", "é", "*", "\\", "\u0000"])
@pytest.mark.parametrize("segment", [0, 1, 2])
def test_a_character_outside_base64url_in_any_segment_is_401(auth, mint, segment, bad):
    parts = mint().split(".")
    parts[segment] = parts[segment][:5] + bad + parts[segment][6:]
    token = ".".join(parts)
    reject(partial(auth, token), token)


@pytest.mark.parametrize("segment", [0, 1, 2])
def test_padding_is_401_in_any_segment(auth, identity, rsa_key, segment):
    """Even `=` that a lenient decoder would skip: the signature covers the text without it."""
    # Vary the lengths until the segment is not a multiple of 4 long, so padding is meaningful.
    for extra in ("", "x", "xy"):
        token = sign(rsa_key, {**HEADER, "x": extra}, identity.claims(uti="u" + extra))
        parts = token.split(".")
        if len(parts[segment]) % 4:
            parts[segment] += "=" * (-len(parts[segment]) % 4)
            padded = ".".join(parts)
            reject(partial(auth, padded), padded)
            return
    pytest.fail("no variant produced a segment needing padding")


def test_non_canonical_final_character_is_401(auth, mint):
    """Base64url with non-zero spare bits in the last character decodes to the same bytes: refused."""
    header, payload, signature = mint().split(".")
    assert len(signature) % 4 == 2  # 256 bytes: the last character carries 4 spare bits
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(signature[-1])
    assert last & 0x0F == 0
    token = f"{header}.{payload}.{signature[:-1]}{alphabet[last | 1]}"
    assert base64.urlsafe_b64decode(token.split(".")[2] + "==") == base64.urlsafe_b64decode(signature + "==")
    reject(partial(auth, token), token)


@pytest.mark.parametrize("length_mod_4_is_1", ["A", "AAAAA"])
def test_a_segment_of_impossible_length_is_401(auth, mint, length_mod_4_is_1):
    header, payload, _ = mint().split(".")
    token = f"{header}.{payload}.{length_mod_4_is_1}"
    reject(partial(auth, token), token)


def _signature(key, data: bytes, pad=None, digest=None) -> str:
    return _b64(key.sign(data, pad or padding.PKCS1v15(), digest or hashes.SHA256()))


@pytest.mark.parametrize(
    "variant",
    ["decoded bytes", "padded text", "header only", "payload only", "with trailing dot", "sha384", "pss", "raw sha256"],
)
def test_signature_over_anything_but_the_exact_signing_input_is_401(auth, identity, rsa_key, variant):
    header, payload = b64url_json(HEADER), b64url_json(identity.claims())
    raw_header, raw_payload = json.dumps(HEADER).encode(), json.dumps(identity.claims()).encode()
    signing_input = f"{header}.{payload}".encode()
    signature = {
        "decoded bytes": lambda: _signature(rsa_key, raw_header + b"." + raw_payload),
        "padded text": lambda: _signature(rsa_key, f"{header}==.{payload}==".encode()),
        "header only": lambda: _signature(rsa_key, header.encode()),
        "payload only": lambda: _signature(rsa_key, payload.encode()),
        "with trailing dot": lambda: _signature(rsa_key, signing_input + b"."),
        "sha384": lambda: _signature(rsa_key, signing_input, digest=hashes.SHA384()),
        "pss": lambda: _signature(
            rsa_key, signing_input, pad=padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.MAX_LENGTH)
        ),
        "raw sha256": lambda: _b64(__import__("hashlib").sha256(signing_input).digest()),
    }[variant]()
    token = f"{header}.{payload}.{signature}"
    assert "signature" in reject(partial(auth, token), token).message.lower()


@pytest.mark.parametrize("change", ["drop last byte", "add a zero byte", "flip a bit", "empty"])
def test_a_damaged_signature_is_401(auth, mint, change):
    header, payload, signature = mint().split(".")
    raw = base64.urlsafe_b64decode(signature + "==")
    damaged = {
        "drop last byte": raw[:-1],
        "add a zero byte": raw + b"\x00",
        "flip a bit": raw[:100] + bytes([raw[100] ^ 1]) + raw[101:],
        "empty": b"",
    }[change]
    token = f"{header}.{payload}.{_b64(damaged)}"
    reject(partial(auth, token), token)


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"",
        b"[1, 2]",
        b'"a string"',
        b"null",
        b'{"oid": 1} trailing',
        b"\xff\xfe\x00\x00",
        b'{"a": NaN}',
        b'{"a": Infinity}',
        b'{"a": -Infinity}',
        b'{"a": 1}\x00',
        b"[" * 5000 + b"]" * 5000,
        b'{"a":' * 1900 + b"1" + b"}" * 1900,
    ],
)
def test_a_signed_payload_that_is_not_a_json_object_is_401(auth, rsa_key, payload):
    token = sign_segments(rsa_key, json.dumps(HEADER).encode(), payload)
    assert len(token) <= MAX_TOKEN_BYTES
    assert "well formed" in reject(partial(auth, token), token).message


@pytest.mark.parametrize("header", [b"not json", b"[]", b'{"alg": "RS256", "kid": "test-key-1"', b"\xc3\x28"])
def test_a_header_that_is_not_a_json_object_is_401(auth, identity, rsa_key, header):
    token = sign_segments(rsa_key, header, json.dumps(identity.claims()).encode())
    reject(partial(auth, token), token)
    assert identity.server.total_hits == 0, "a malformed token never reaches the key cache"


def test_duplicate_claims_are_401(auth, identity, rsa_key):
    """RFC 7519 §4 allows refusing duplicates; we do, so no reader can see a different `aud` or `oid`."""
    body = json.dumps(identity.claims())[:-1] + ', "oid": "00000000-0000-4000-8000-000000000001"}'
    token = sign_segments(rsa_key, json.dumps(HEADER).encode(), body.encode())
    reject(partial(auth, token), token)


def test_duplicate_header_members_are_401(auth, identity, rsa_key):
    header = b'{"alg": "none", "alg": "RS256", "kid": "test-key-1"}'
    token = sign_segments(rsa_key, header, json.dumps(identity.claims()).encode())
    reject(partial(auth, token), token)


def test_nan_in_an_informational_claim_is_401(auth, identity, rsa_key):
    body = json.dumps(identity.claims())[:-1] + ', "extra": NaN}'
    token = sign_segments(rsa_key, json.dumps(HEADER).encode(), body.encode())
    reject(partial(auth, token), token)


@pytest.mark.parametrize("claim", ["sub", "jti"])
def test_sub_and_jti_must_be_strings_when_present(auth, mint, claim):
    assert auth(mint(**{claim: "text"})).object_id == TEST_OID
    token = mint(**{claim: 12})
    reject(partial(auth, token), token)


def test_trailing_newline_after_the_token_is_not_part_of_it(auth, mint):
    """The header value is trimmed; a newline inside the compact form is refused."""
    token = mint()
    assert auth(token + "\n").object_id == TEST_OID
    header, payload, signature = token.split(".")
    bad = f"{header}\n.{payload}.{signature}"
    reject(lambda: auth(bad), bad)


def test_the_same_token_checked_again_after_expiry_is_401(identity, mint):
    """Nothing about a token is remembered past its lifetime: the second check sees the new time."""
    now = [time.time()]
    authenticator = identity.authenticator(clock=lambda: now[0])
    token = mint(exp=int(now[0]) + 120)
    assert authenticator.authenticate(identity.bearer(token), {}).object_id == TEST_OID
    now[0] += 600
    reject(partial(authenticator.authenticate, identity.bearer(token), {}), token)
