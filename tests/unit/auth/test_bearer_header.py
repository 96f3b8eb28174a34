"""How the token travels: Authorization header only (T1, T2, T21, T22, T23)."""

from __future__ import annotations

import pytest

from shared.auth.authenticator import MAX_TOKEN_BYTES
from shared.errors import BadRequest, Unauthorized
from tests.unit.auth.helpers import reject


def _no_credentials(call) -> Unauthorized:
    with pytest.raises(Unauthorized) as caught:
        call()
    assert caught.value.error is None
    assert caught.value.headers["WWW-Authenticate"] == 'Bearer realm=""'
    return caught.value


def test_t1_no_header_is_401_without_error(identity):
    _no_credentials(lambda: identity.authenticator().authenticate({}, {}))
    assert identity.server.total_hits == 0


@pytest.mark.parametrize("value", ["Basic dXNlcjpwYXNz", "Negotiate abc", "", "Token x.y.z", "Bearer"])
def test_t2_other_scheme_is_401_without_error(identity, value):
    if value == "Bearer":
        reject(lambda: identity.authenticator().authenticate({"Authorization": value}, {}))
    else:
        _no_credentials(lambda: identity.authenticator().authenticate({"Authorization": value}, {}))


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
@pytest.mark.parametrize("header_name", ["Authorization", "authorization", "AUTHORIZATION"])
def test_scheme_and_header_name_are_case_insensitive(identity, mint, scheme, header_name):
    principal = identity.authenticator().authenticate({header_name: f"{scheme} {mint()}"}, {})
    assert principal.upn == "adele.vance@contoso.test"


def test_t22_token_in_query_only_is_never_accepted(identity, mint):
    token = mint()
    error = _no_credentials(lambda: identity.authenticator().authenticate({}, {"access_token": token}))
    assert token not in error.message
    assert identity.server.total_hits == 0


def test_t22_query_token_with_another_scheme_is_still_401(identity, mint):
    query = {"access_token": mint()}
    _no_credentials(lambda: identity.authenticator().authenticate({"Authorization": "Basic eA=="}, query))


@pytest.mark.parametrize("name", ["access_token", "ACCESS_TOKEN"])
def test_t23_header_and_query_token_is_400_invalid_request(identity, mint, name):
    token = mint()
    with pytest.raises(BadRequest) as caught:
        identity.authenticator().authenticate(identity.bearer(token), {name: token})
    assert caught.value.status == 400
    assert 'error="invalid_request"' in caught.value.headers["WWW-Authenticate"]
    assert token not in caught.value.message


def test_two_authorization_headers_differing_in_case_are_400(identity, mint):
    with pytest.raises(BadRequest):
        identity.authenticator().authenticate({"Authorization": f"Bearer {mint()}", "authorization": "Bearer x"}, {})


def test_empty_bearer_token_is_invalid_token(identity):
    reject(lambda: identity.authenticator().authenticate({"Authorization": "Bearer    "}, {}))


def test_t21_oversized_header_is_401_before_any_fetch(identity):
    token = "a" * (300 * 1024)
    reject(lambda: identity.authenticator().authenticate({"Authorization": f"Bearer {token}"}, {}), token)
    assert identity.server.total_hits == 0


def test_t21_token_just_over_the_cap_is_401(identity, mint):
    size = MAX_TOKEN_BYTES * 3 // 4 - 800
    while len(token := mint(padding="x" * size)) <= MAX_TOKEN_BYTES:
        size += 1
    assert len(token) <= MAX_TOKEN_BYTES + 4
    error = reject(lambda: identity.authenticator().authenticate(identity.bearer(token), {}), token)
    assert "too large" in error.message
    assert identity.server.total_hits == 0


def test_a_large_but_valid_token_under_the_cap_is_accepted(identity, mint):
    size = MAX_TOKEN_BYTES * 3 // 4
    while len(token := mint(padding="x" * size)) > MAX_TOKEN_BYTES:
        size -= 1
    assert len(token) >= MAX_TOKEN_BYTES - 4
    assert identity.authenticator().authenticate(identity.bearer(token), {}).object_id
