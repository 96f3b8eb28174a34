"""The development issuer's sign-in (authorization code with PKCE), through the app's own functions.

Each request goes through the function the worker registers (the edge included); the token it issues is
validated by the app's authenticator, as any request's token is.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import azure.functions as func
import jwt
import pytest

from functions import dev_issuer as dev_issuer_functions
from shared.auth import Authenticator, dev_issuer, dev_sign_in
from shared.auth.dev_issuer import DEV_CLIENT_ID, DEV_USERS, in_process_fetch
from shared.settings import DEV_TENANT_ID, Settings, get_settings
from tests.functions.helpers import FUNCTIONS

ORIGIN = "http://127.0.0.1:7071"
BASE = f"{ORIGIN}/api/dev-issuer/{DEV_TENANT_ID}/oauth2/v2.0"
REDIRECT = f"{ORIGIN}/api/docs/oauth2-redirect.html"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """The development issuer's settings, its keys in tmp_path, and a fresh store of codes."""
    for name in ("ENTRA_TENANT_ID", "ENTRA_AUDIENCES", "ENTRA_AUTHORITY", "WEBSITE_INSTANCE_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(dev_issuer, "default_key_dir", lambda: tmp_path / "dev-issuer")
    monkeypatch.setattr(dev_issuer_functions, "_codes", None)
    get_settings.cache_clear()
    try:
        yield get_settings()
    finally:
        get_settings.cache_clear()


def verifier_and_challenge() -> tuple[str, str]:
    verifier = base64.urlsafe_b64encode(os.urandom(48)).rstrip(b"=").decode()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorization(challenge: str, **changes: str | None) -> dict[str, str]:
    """An authorization request as Swagger UI sends it (a change of None leaves the parameter out)."""
    params: dict[str, str | None] = {
        "response_type": "code",
        "client_id": DEV_CLIENT_ID,
        "redirect_uri": REDIRECT,
        "scope": "User.ReadWrite",
        "state": "s-1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **changes,
    }
    return {k: v for k, v in params.items() if v is not None}


def call(
    name: str,
    method: str,
    url: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    tenant: str = DEV_TENANT_ID,
) -> func.HttpResponse:
    parts = urlsplit(url)
    params = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    request = func.HttpRequest(
        method, url, headers=headers or {}, params=params, route_params={"tenant": tenant}, body=body
    )
    return FUNCTIONS[name](request)


def authorize_page(params: dict[str, str]) -> func.HttpResponse:
    return call("dev_issuer_authorize", "GET", f"{BASE}/authorize?{urlencode(params)}")


def choose(params: dict[str, str], user: str) -> func.HttpResponse:
    return call(
        "dev_issuer_authorize_choice",
        "POST",
        f"{BASE}/authorize?{urlencode(params)}",
        urlencode({"user": user}).encode(),
        FORM,
    )


def redeem(form: dict[str, str]) -> func.HttpResponse:
    return call("dev_issuer_token", "POST", f"{BASE}/token", urlencode(form).encode(), FORM)


def code_of(response: func.HttpResponse) -> str:
    assert response.status_code == 302, response.get_body()
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = parse_qs(location.query)
    assert query["state"] == ["s-1"]
    return query["code"][0]


def token_form(code: str, verifier: str) -> dict[str, str]:
    return {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": DEV_CLIENT_ID,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
    }


class Buttons(HTMLParser):
    """The sign-in page's choices (button values) and its form's action."""

    def __init__(self) -> None:
        super().__init__()
        self.values: list[str] = []
        self.action = ""
        self.inline = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "button":
            self.values.append(found["value"] or "")
        if tag == "form":
            self.action = found["action"] or ""
        if tag in {"script", "style"} or "style" in found or any(a.startswith("on") for a in found):
            self.inline = True


def test_the_sign_in_page_lists_the_development_users_and_the_app_only_choice(settings: Settings) -> None:
    _, challenge = verifier_and_challenge()
    response = authorize_page(authorization(challenge))
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/html; charset=utf-8"
    policy = response.headers["Content-Security-Policy"]
    assert "script-src" not in policy and "'unsafe-inline'" not in policy and "form-action 'self'" in policy
    assert response.headers["Cache-Control"] == "no-store"
    page = Buttons()
    page.feed(response.get_body().decode())
    assert page.values == [*DEV_USERS, dev_sign_in.APP_ONLY]
    assert not page.inline, "nothing inline for the policy to allow"
    # The form posts the same request back to the same address.
    action = urlsplit(page.action)
    assert action.path == urlsplit(BASE).path + "/authorize"
    assert {k: v[0] for k, v in parse_qs(action.query).items()} == authorization(challenge)


def test_code_and_verifier_give_a_token_of_the_chosen_user_that_the_app_accepts(settings: Settings) -> None:
    verifier, challenge = verifier_and_challenge()
    code = code_of(choose(authorization(challenge, scope="openid User.ReadWrite user.read"), DEV_USERS[1]))
    response = redeem(token_form(code, verifier))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    body = json.loads(response.get_body())
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and body["scope"] == "User.ReadWrite User.Read"
    principal = Authenticator(settings, fetch_json=in_process_fetch(settings)).authenticate(
        {"Authorization": f"Bearer {body['access_token']}"}, {}
    )
    assert principal.upn == DEV_USERS[1] and principal.display_name == "Megan Bowen" and not principal.is_app
    assert principal.object_id == dev_issuer.dev_object_id(DEV_USERS[1])
    assert principal.scopes == {"User.ReadWrite", "User.Read"}
    assert jwt.get_unverified_header(body["access_token"])["alg"] == "RS256"
    # A code is redeemed once.
    again = redeem(token_form(code, verifier))
    assert again.status_code == 400 and _error(again) == "invalid_grant"


def test_no_scope_asked_means_user_readwrite_and_app_only_gets_the_asked_roles(settings: Settings) -> None:
    verifier, challenge = verifier_and_challenge()
    code = code_of(choose(authorization(challenge, scope=None), DEV_USERS[0]))
    claims = _claims(redeem(token_form(code, verifier)))
    assert claims["scp"] == "User.ReadWrite" and claims["preferred_username"] == DEV_USERS[0]

    code = code_of(choose(authorization(challenge, scope="User.Read User.Read.All"), dev_sign_in.APP_ONLY))
    claims = _claims(redeem(token_form(code, verifier)))
    assert claims["idtyp"] == "app" and claims["roles"] == ["User.Read.All"] and "scp" not in claims
    code = code_of(choose(authorization(challenge), dev_sign_in.APP_ONLY))
    assert _claims(redeem(token_form(code, verifier)))["roles"] == ["User.ReadWrite.All"]


@pytest.mark.parametrize(
    "change",
    [
        {"code_verifier": "x" * 43},  # another verifier
        {"code_verifier": "short"},  # not a verifier at all
        {"redirect_uri": f"{ORIGIN}/api/docs/other.html"},
        {"client_id": "00000000-0000-0000-0000-000000000000"},
        {"code": "not-a-code"},
    ],
)
def test_a_wrong_verifier_redirect_client_or_code_is_invalid_grant(settings: Settings, change: dict[str, str]) -> None:
    verifier, challenge = verifier_and_challenge()
    code = code_of(choose(authorization(challenge), DEV_USERS[0]))
    response = redeem({**token_form(code, verifier), **change})
    assert response.status_code == 400 and _error(response) == "invalid_grant"
    assert "access_token" not in response.get_body().decode()


def test_the_token_endpoint_takes_only_forms_of_the_code_grant(settings: Settings) -> None:
    verifier, challenge = verifier_and_challenge()
    code = code_of(choose(authorization(challenge), DEV_USERS[0]))
    form = token_form(code, verifier)
    as_json = call(
        "dev_issuer_token", "POST", f"{BASE}/token", urlencode(form).encode(), {"Content-Type": "application/json"}
    )
    assert as_json.status_code == 400 and _error(as_json) == "invalid_request"
    repeated = urlencode(form).encode() + b"&code=again"
    assert _error(call("dev_issuer_token", "POST", f"{BASE}/token", repeated, FORM)) == "invalid_request"
    assert _error(redeem({**form, "grant_type": "client_credentials"})) == "unsupported_grant_type"
    assert redeem(form).status_code == 200, "refused requests did not use the code up"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"client_id": "someone-else"}, "client_id"),
        ({"redirect_uri": "https://evil.example/api/docs/oauth2-redirect.html"}, "redirect_uri"),
        ({"redirect_uri": "http://localhost:7071/api/docs/oauth2-redirect.html"}, "redirect_uri"),  # another origin
        ({"redirect_uri": None}, "redirect_uri"),
    ],
)
def test_a_request_for_another_client_or_redirect_is_answered_with_a_page_never_redirected(
    settings: Settings, change: dict[str, str | None], message: str
) -> None:
    _, challenge = verifier_and_challenge()
    for response in (
        authorize_page(authorization(challenge, **change)),
        choose(authorization(challenge, **change), DEV_USERS[0]),
    ):
        assert response.status_code == 400 and "Location" not in response.headers
        assert message in response.get_body().decode()


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge_method": None}, "invalid_request"),
        ({"code_challenge": None}, "invalid_request"),
        ({"code_challenge": "too-short"}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "User.ReadWrite Mail.Send"}, "invalid_scope"),
    ],
)
def test_other_errors_go_back_to_the_explorer(settings: Settings, change: dict[str, str | None], error: str) -> None:
    _, challenge = verifier_and_challenge()
    for response in (
        authorize_page(authorization(challenge, **change)),
        choose(authorization(challenge, **change), DEV_USERS[0]),
    ):
        assert response.status_code == 302
        query = parse_qs(urlsplit(response.headers["Location"]).query)
        assert query["error"] == [error] and query["state"] == ["s-1"] and "code" not in query


def test_a_choice_that_is_not_listed_is_refused(settings: Settings) -> None:
    _, challenge = verifier_and_challenge()
    for user in ("someone@contoso.dev", ""):
        response = choose(authorization(challenge), user)
        assert response.status_code == 400 and "Location" not in response.headers


def test_codes_expire_and_the_store_is_bounded() -> None:
    now = [1000.0]
    store = dev_sign_in.CodeStore(clock=lambda: now[0])
    request = dev_sign_in.AuthorizationRequest(REDIRECT, "", "c" * 43, ())
    grant = request.grant_for(DEV_USERS[0])
    code = store.issue(grant)
    now[0] += dev_sign_in.CODE_LIFETIME_S
    assert store.redeem(code) is None, "a code lives 5 minutes"
    codes = [store.issue(grant) for _ in range(dev_sign_in.MAX_PENDING + 1)]
    assert store.redeem(codes[0]) is None, "past the bound, the oldest goes first"
    assert store.redeem(codes[-1]) is grant


def test_the_sign_in_serves_nothing_for_another_tenant_or_with_a_tenant_configured(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    verifier, challenge = verifier_and_challenge()
    other = "11111111-2222-4333-8444-555555555555"
    url = f"{BASE}/authorize?{urlencode(authorization(challenge))}"
    assert call("dev_issuer_authorize", "GET", url, tenant=other).status_code == 404
    code = code_of(choose(authorization(challenge), DEV_USERS[0]))
    monkeypatch.setenv("ENTRA_TENANT_ID", DEV_TENANT_ID)
    monkeypatch.setenv("ENTRA_AUDIENCES", "api://x")
    get_settings.cache_clear()
    assert call("dev_issuer_authorize", "GET", url).status_code == 404
    assert redeem(token_form(code, verifier)).status_code == 404


def test_the_explorer_redirect_path_is_the_one_the_issuer_accepts() -> None:
    from shared.auth.sign_in import REDIRECT_PATH

    assert REDIRECT.endswith("/api/" + REDIRECT_PATH)
    assert re.fullmatch(r"docs/[a-z0-9-]+\.html", REDIRECT_PATH)


def _error(response: func.HttpResponse) -> str:
    return json.loads(response.get_body())["error"]


def _claims(response: func.HttpResponse) -> dict[str, Any]:
    assert response.status_code == 200, response.get_body()
    return jwt.decode(json.loads(response.get_body())["access_token"], options={"verify_signature": False})
