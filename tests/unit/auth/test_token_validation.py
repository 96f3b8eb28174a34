"""The bad-token catalogue T3-T17 of security.md §2, each against real keys served over HTTP."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from functools import partial

import pytest
from cryptography.hazmat.primitives import serialization

from shared.auth.authenticator import LEEWAY_S
from tests.support.identity import (
    GRAPH_AUDIENCE,
    TEST_CLIENT_ID,
    TEST_KID,
    TEST_OID,
    TEST_TENANT_ID,
    IdentityServer,
    public_jwk,
)
from tests.unit.auth.helpers import b64url_json, forge, reject, sign

NOW = 1_900_000_000.0
OTHER_TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad"


@pytest.fixture
def auth(identity):
    """Authenticate one token with a fixed clock at NOW."""
    authenticator = identity.authenticator(clock=lambda: NOW)
    return lambda token: authenticator.authenticate(identity.bearer(token), {})


def timed(**overrides):
    """Claims valid at NOW, with overrides."""
    return {"iat": int(NOW) - 600, "nbf": int(NOW) - 600, "exp": int(NOW) + 3000, **overrides}


def test_valid_delegated_token_gives_the_principal(auth, mint):
    principal = auth(mint(**timed()))
    assert principal.object_id == TEST_OID and principal.tenant_id == TEST_TENANT_ID
    assert not principal.is_app and principal.scopes == {"User.ReadWrite"}


@pytest.mark.parametrize(
    "token",
    [
        "abc",
        "a.b",
        "a.b.c.d",
        "!!!.e30.sig",
        "e30.e30.",
        f"{b64url_json([1, 2])}.{b64url_json({})}.c2ln",
        f"{b64url_json('x')}.{b64url_json({})}.c2ln",
        f"{b64url_json(7)}.{b64url_json({})}.c2ln",
        "bm90anNvbg.e30.c2ln",
        f"{b64url_json({'alg': 'RS256', 'kid': TEST_KID})}.bm90anNvbg.c2ln",
        f"{b64url_json({'alg': 'RS256', 'kid': TEST_KID})}.{b64url_json([1])}.c2ln",
        "a b.c.d",
    ],
)
def test_t3_malformed_tokens_are_401(auth, token):
    reject(partial(auth, token), token)


def test_t4_alg_none_is_401(auth, identity):
    claims = identity.claims(**timed())
    unsigned = {"alg": "none", "kid": TEST_KID}
    for token in (forge(unsigned, claims), forge(unsigned, claims, b"x")):
        reject(partial(auth, token), token)
    for alg in ("None", "NONE", "RS384", "PS256", "ES256"):
        token = forge({"alg": alg, "kid": TEST_KID}, claims, b"sig")
        reject(partial(auth, token), token)


@pytest.mark.parametrize("secret_form", ["pem", "der", "n"])
def test_t5_hs256_key_confusion_is_401(auth, identity, rsa_key, secret_form):
    public = rsa_key.public_key()
    secret = {
        "pem": public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo),
        "der": public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo),
        "n": base64.urlsafe_b64decode(public_jwk(public, TEST_KID)["n"] + "=="),
    }[secret_form]
    header = b64url_json({"alg": "HS256", "kid": TEST_KID, "typ": "JWT"})
    claims = b64url_json(identity.claims(**timed()))
    signature = hmac.new(secret, f"{header}.{claims}".encode(), hashlib.sha256).digest()
    token = f"{header}.{claims}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"
    reject(partial(auth, token), token)


def test_t6_foreign_key_with_our_kid_is_401(auth, mint, other_rsa_key):
    token = mint(key=other_rsa_key, **timed())
    assert "signature" in reject(partial(auth, token), token).message.lower()


@pytest.mark.parametrize("kid", ["unknown-kid", None])
def test_t7_unknown_or_missing_kid_is_401(auth, mint, kid):
    token = mint(headers_overrides={"kid": kid}, **timed())
    reject(partial(auth, token), token)


@pytest.mark.parametrize(
    "kid",
    [
        "../../x",
        "' OR 1=1--",
        "a" * 10240,
        "keys/../../etc/passwd",
        "x\u0000y",
        "%2e%2e%2f",
        "",
        42,
        ["a"],
        {"a": 1},
        "kid\n",
        "a" * 129,
    ],
)
def test_t8_kid_injection_is_401_without_any_fetch(auth, identity, rsa_key, kid):
    token = sign(rsa_key, {"alg": "RS256", "typ": "JWT", "kid": kid}, identity.claims(**timed()))
    reject(partial(auth, token), token)
    assert identity.server.total_hits == 0


@pytest.mark.parametrize("member", ["jku", "x5u", "jwk", "x5c"])
def test_t9_embedded_key_references_are_ignored_and_never_fetched(auth, identity, other_rsa_key, member):
    attacker = IdentityServer().start()
    try:
        attacker.documents["/jwks"] = {"keys": [public_jwk(other_rsa_key, "evil")]}
        jwk = public_jwk(other_rsa_key, "evil")
        value = {
            "jku": f"{attacker.base_url}/jwks",
            "x5u": f"{attacker.base_url}/cert.pem",
            "jwk": jwk,
            "x5c": [base64.b64encode(b"not-a-cert").decode()],
        }[member]
        for kid in ("evil", TEST_KID):
            token = identity.mint(key=other_rsa_key, headers_overrides={"kid": kid, member: value}, **timed())
            reject(partial(auth, token), token)
        assert attacker.total_hits == 0
        assert all(path.startswith(f"/{TEST_TENANT_ID}/") for path in identity.server.hits)
    finally:
        attacker.stop()


@pytest.mark.parametrize(
    "headers",
    [
        {"crit": ["exp-x"], "exp-x": 1},
        {"crit": ["exp-x"]},
        {"crit": "exp-x"},
        {"crit": []},
        {"crit": ["b64"], "b64": True},
        {"crit": None},
        {"b64": False},
    ],
)
def test_t10_crit_headers_are_401(auth, identity, rsa_key, headers):
    token = sign(rsa_key, {"alg": "RS256", "typ": "JWT", "kid": TEST_KID, **headers}, identity.claims(**timed()))
    reject(partial(auth, token), token)


@pytest.mark.parametrize(
    "change", [{"oid": "00000000-0000-4000-8000-000000000001"}, {"scp": "User.ReadWrite.All"}, {"tid": OTHER_TENANT}]
)
def test_t11_tampered_payload_is_401(auth, mint, identity, change):
    header, _, signature = mint(**timed()).split(".")
    token = f"{header}.{b64url_json(identity.claims(**timed(**change)))}.{signature}"
    reject(partial(auth, token), token)


def test_t12_expiry_with_60s_leeway(auth, mint):
    assert auth(mint(**timed(exp=int(NOW) - (LEEWAY_S - 5)))).object_id
    for exp in (int(NOW) - 600, int(NOW) - LEEWAY_S):
        token = mint(**timed(exp=exp))
        assert "expired" in reject(partial(auth, token), token).message


@pytest.mark.parametrize("claim", ["nbf", "iat"])
def test_t13_not_yet_valid_is_401(auth, mint, claim):
    assert auth(mint(**timed(**{claim: int(NOW) + LEEWAY_S - 5}))).object_id
    token = mint(**timed(**{claim: int(NOW) + 600}))
    reject(partial(auth, token), token)


@pytest.mark.parametrize("claim", ["exp", "nbf", "iat", "tid", "oid", "iss", "aud"])
def test_t14_missing_required_claim_is_401(auth, mint, claim):
    token = mint(**timed(**{claim: None}))
    reject(partial(auth, token), token)


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": "9999999999"},
        {"exp": True},
        {"iat": [1]},
        {"nbf": 1e400},
        {"oid": "not-a-guid"},
        {"oid": TEST_OID + "\n"},
        {"oid": "{" + TEST_OID + "}"},
        {"oid": 12},
        {"tid": 12},
        {"scp": ["User.ReadWrite"]},
        {"roles": "User.ReadWrite.All"},
        {"roles": [1]},
    ],
)
def test_badly_typed_claims_are_401(auth, mint, claims):
    token = mint(**timed(**claims))
    reject(partial(auth, token), token)


@pytest.mark.parametrize("value", [float("inf"), float("nan"), 10**400])
def test_non_finite_exp_is_401(auth, identity, rsa_key, value):
    """Python's json accepts Infinity/NaN and huge integers; a token that never expires is still refused."""
    token = sign(rsa_key, {"alg": "RS256", "kid": TEST_KID}, identity.claims(**timed(exp=value)))
    reject(partial(auth, token), token)


@pytest.mark.parametrize(
    "aud",
    [
        GRAPH_AUDIENCE,
        "00000003-0000-0000-c000-000000000000",
        "https://graph.microsoft.com/",
        "ffffffff-1111-4222-8333-444444444444",
        "api://profile-api-test/",
        "API://PROFILE-API-TEST",
        [GRAPH_AUDIENCE, "api://profile-api-test"],
        ["api://profile-api-test"],
        "",
    ],
)
def test_t15_foreign_audience_is_401(auth, mint, aud):
    token = mint(**timed(aud=aud))
    error = reject(partial(auth, token), token)
    assert error.message in (
        "Access token validation failure. Invalid audience.",
        "Access token validation failure. Missing claim: aud.",
    )


def test_t15_id_token_for_the_client_app_is_401(auth, mint):
    token = mint(**timed(aud="9d8c7b6a-5f4e-4d3c-8b2a-190817263544", scp=None))
    reject(partial(auth, token), token)


@pytest.mark.parametrize("aud", [TEST_CLIENT_ID, "api://profile-api-test"])
def test_each_configured_audience_is_accepted(auth, mint, aud):
    assert auth(mint(**timed(aud=aud))).object_id == TEST_OID


def _issuer_variants(issuer: str) -> list[str]:
    return [
        f"https://sts.windows.net/{TEST_TENANT_ID}/",
        f"https://login.microsoftonline.com/{TEST_TENANT_ID}/v2.0",
        issuer + "/",
        issuer + "x",
        "x" + issuer,
        issuer.upper(),
        issuer.replace("v2.0", "v1.0"),
        issuer.replace(TEST_TENANT_ID, OTHER_TENANT),
        issuer[:-1],
        " " + issuer,
    ]


def test_t16_issuer_must_match_exactly(auth, mint, identity):
    assert auth(mint(**timed(iss=identity.issuer))).object_id
    for iss in _issuer_variants(identity.issuer):
        token = mint(**timed(iss=iss))
        error = reject(partial(auth, token), token)
        assert error.message == "Access token validation failure. Invalid issuer."


def test_t16_v1_token_is_401(auth, mint):
    token = mint(**timed(iss=f"https://sts.windows.net/{TEST_TENANT_ID}/", ver="1.0", appid="x", azp=None))
    reject(partial(auth, token), token)


def test_t16_iss_as_a_list_is_401(auth, rsa_key, identity):
    token = sign(rsa_key, {"alg": "RS256", "kid": TEST_KID}, identity.claims(**timed(iss=[identity.issuer])))
    reject(partial(auth, token), token)


def test_t17_wrong_tenant_is_401(auth, mint, identity):
    token = mint(**timed(tid=OTHER_TENANT))
    assert "tenant" in reject(partial(auth, token), token).message
    token = mint(**timed(tid=OTHER_TENANT, iss=identity.issuer.replace(TEST_TENANT_ID, OTHER_TENANT)))
    reject(partial(auth, token), token)


def test_t17_token_of_another_tenant_signed_by_its_own_issuer_is_401(identity, other_rsa_key):
    """A second, fully valid issuer for another tenant: its tokens never pass our authenticator."""
    other = IdentityServer().start()
    try:
        from tests.support.identity import Identity

        foreign = Identity(server=other, key=other_rsa_key, tenant_id=OTHER_TENANT)
        token = foreign.mint()
        assert foreign.authenticator().authenticate(foreign.bearer(token), {}).tenant_id == OTHER_TENANT
        reject(lambda: identity.authenticator().authenticate(identity.bearer(token), {}), token)
        assert other.total_hits == 1 + 1  # only the foreign authenticator's own discovery
    finally:
        other.stop()


def test_app_only_token_gives_an_app_principal(auth, identity):
    principal = auth(identity.mint_app(["User.Read.All"], **timed()))
    assert principal.is_app and principal.roles == {"User.Read.All"} and principal.scopes == frozenset()
    assert principal.app_id == "9d8c7b6a-5f4e-4d3c-8b2a-190817263544" and principal.upn is None


def test_no_scp_but_roles_without_idtyp_is_app_only(auth, mint):
    principal = auth(mint(**timed(scp=None, roles=["User.Read.All"], idtyp=None)))
    assert principal.is_app


def test_delegated_token_with_user_roles_stays_delegated(auth, mint):
    principal = auth(mint(**timed(roles=["Admin"])))
    assert not principal.is_app and principal.scopes == {"User.ReadWrite"}


def test_tokens_are_never_logged(identity, mint, caplog, other_rsa_key):
    caplog.set_level("DEBUG")
    identity.server.failing.add(identity.jwks_path)
    authenticator = identity.authenticator()
    tokens = [mint(), mint(key=other_rsa_key), mint(aud=GRAPH_AUDIENCE)]
    for token in tokens:
        reject(partial(authenticator.authenticate, identity.bearer(token), {}), token)
    text = caplog.text
    for token in tokens:
        for part in token.split("."):
            assert part not in text


def test_long_display_name_is_cut_to_the_model_limit(auth, mint):
    principal = auth(mint(**timed(name="N" * 5000)))
    assert len(principal.display_name) == 256
    assert principal.identity_set()["user"]["displayName"] == "N" * 256


def test_real_clock_accepts_a_fresh_token(identity, mint):
    assert identity.authenticator().authenticate(identity.bearer(mint()), {}).object_id == TEST_OID
    assert time.time() > 0
