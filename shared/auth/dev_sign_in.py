"""The development issuer's sign-in: OAuth 2.0 authorization code with PKCE (RFC 6749 §4.1, RFC 7636).

What the explorer's Authorize button talks to in a local run, shaped like Entra ID's v2.0 endpoints:
- `GET .../oauth2/v2.0/authorize` checks the request and shows a page listing the development users and
  an app-only choice; choosing one (`POST` to the same address) redirects to the explorer with a code.
- `POST .../oauth2/v2.0/token` exchanges the code and its PKCE verifier for an access token signed like
  `make -s token`'s.

Rules: the only client is the development client; the only redirect URI is the explorer's OAuth page on
the origin the request reached (the page and the issuer are one host), so a code never leaves it; PKCE
with S256 is required; a code lives 5 minutes and is redeemed once (kept in this process's memory: a
local host is one process). A request whose client or redirect URI is wrong is answered with a page,
never redirected (RFC 6749 §4.1.2.1); other errors go back to the explorer as `error=...`. Scopes are
this API's permission names (`openid`, `profile`, `email`, `offline_access` are ignored); none means
`User.ReadWrite`, like `make token`. The app-only choice gets the application roles among the requested
scopes, else `User.ReadWrite.All`. There is no password: the issuer serves only without ENTRA_TENANT_ID,
and never in Azure (shared/settings.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import parse_qsl, urlencode

from shared.auth.dev_issuer import DEFAULT_USER, DEV_APP_NAME, DEV_CLIENT_ID, DEV_USERS, display_name
from shared.auth.permissions import PERMISSIONS

CODE_LIFETIME_S = 300
TOKEN_LIFETIME_S = 3600
#: Codes issued and not yet redeemed, at most (the oldest goes first).
MAX_PENDING = 1024
#: The sign-in page's choice of the app-only token (every other choice is a UPN of DEV_USERS).
APP_ONLY = "app"
DEFAULT_SCOPE = "User.ReadWrite"
APP_ROLES = ("User.Read.All", "User.ReadWrite.All")
DEFAULT_ROLE = "User.ReadWrite.All"
IGNORED_SCOPES = frozenset({"openid", "profile", "email", "offline_access"})
MAX_STATE = 2048
MAX_FORM_BYTES = 16 * 1024
_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")
_VERIFIER = re.compile(r"[A-Za-z0-9._~-]{43,128}")


class PageError(Exception):
    """The request cannot be sent back to its redirect URI: answered with a page (400)."""


class RedirectError(Exception):
    """An error for the client, sent back to its redirect URI as `error` and `error_description`."""

    def __init__(self, error: str, description: str, request: AuthorizationRequest) -> None:
        super().__init__(description)
        self.error, self.description, self.request = error, description, request

    def location(self) -> str:
        return self.request.redirect(error=self.error, error_description=self.description)


class TokenError(Exception):
    """An error of the token endpoint: 400 with `{"error", "error_description"}` (RFC 6749 §5.2)."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error, self.description = error, description

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


@dataclass(frozen=True)
class AuthorizationRequest:
    """A checked authorization request."""

    redirect_uri: str
    state: str
    challenge: str
    #: The permissions asked for, canonical spelling, in the order asked.
    scopes: tuple[str, ...]

    def query(self) -> str:
        """The request as a query string again (the sign-in page posts it back to the same address)."""
        return urlencode(
            {
                "client_id": DEV_CLIENT_ID,
                "response_type": "code",
                "redirect_uri": self.redirect_uri,
                "scope": " ".join(self.scopes),
                "state": self.state,
                "code_challenge": self.challenge,
                "code_challenge_method": "S256",
            }
        )

    def redirect(self, **values: str) -> str:
        """The redirect URI with `values` and the request's `state` in its query."""
        query = {**values, **({"state": self.state} if self.state else {})}
        return f"{self.redirect_uri}?{urlencode(query)}"

    def grant_for(self, choice: str) -> Grant:
        """What the token will carry for the sign-in page's choice (a listed UPN, or APP_ONLY)."""
        if choice == APP_ONLY:
            roles = tuple(s for s in self.scopes if s in APP_ROLES) or (DEFAULT_ROLE,)
            return Grant(self, None, (), roles)
        upn = next((u for u in DEV_USERS if u.casefold() == choice.casefold()), None)
        if upn is None:
            raise PageError("Choose one of the listed development users or the app-only token.")
        return Grant(self, upn, self.scopes or (DEFAULT_SCOPE,), ())


@dataclass(frozen=True)
class Grant:
    """What a code stands for: the request it answers and the token's user, scopes and roles."""

    request: AuthorizationRequest
    user: str | None
    scopes: tuple[str, ...]
    roles: tuple[str, ...]


def parse_authorization_request(params: Mapping[str, str], redirect_uri: str) -> AuthorizationRequest:
    """Check an authorization request; `redirect_uri` is the one the explorer on this origin uses."""
    if params.get("client_id") != DEV_CLIENT_ID:
        raise PageError(f"Unknown client_id: the development issuer has one client, {DEV_CLIENT_ID}.")
    if params.get("redirect_uri") != redirect_uri:
        raise PageError(f"redirect_uri must be the API explorer's OAuth page on this host: {redirect_uri}")
    state = params.get("state") or ""
    if len(state) > MAX_STATE:
        raise PageError(f"state is longer than {MAX_STATE} characters.")
    request = AuthorizationRequest(redirect_uri, state, "", ())
    if params.get("response_type") != "code":
        raise RedirectError("unsupported_response_type", "Only response_type=code is supported.", request)
    challenge = params.get("code_challenge") or ""
    if params.get("code_challenge_method") != "S256" or not _CHALLENGE.fullmatch(challenge):
        raise RedirectError(
            "invalid_request", "PKCE is required: code_challenge (S256) and code_challenge_method=S256.", request
        )
    return AuthorizationRequest(redirect_uri, state, challenge, _scopes(params.get("scope") or "", request))


def _scopes(text: str, request: AuthorizationRequest) -> tuple[str, ...]:
    """The permissions asked for (the OpenID scopes ignored); another scope is `invalid_scope`."""
    canonical = {name.casefold(): name for name in PERMISSIONS}
    found: list[str] = []
    for word in text.split():
        if word.casefold() in IGNORED_SCOPES:
            continue
        name = canonical.get(word.casefold())
        if name is None:
            raise RedirectError(
                "invalid_scope", f"Unknown scope; this API's scopes are {', '.join(PERMISSIONS)}.", request
            )
        if name not in found:
            found.append(name)
    return tuple(found)


class CodeStore:
    """Codes issued and not yet redeemed, in this process (thread-safe; each redeemed once)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._pending: dict[str, tuple[float, Grant]] = {}
        self._lock = threading.Lock()

    def issue(self, grant: Grant) -> str:
        """A new code for `grant` (expired codes are dropped; past MAX_PENDING, the oldest)."""
        code = secrets.token_urlsafe(32)
        now = self._clock()
        with self._lock:
            for old in [c for c, (expires, _) in self._pending.items() if expires <= now]:
                del self._pending[old]
            while len(self._pending) >= MAX_PENDING:
                del self._pending[next(iter(self._pending))]
            self._pending[code] = (now + CODE_LIFETIME_S, grant)
        return code

    def redeem(self, code: str) -> Grant | None:
        """The grant of a code issued and not expired, once; None otherwise."""
        with self._lock:
            entry = self._pending.pop(code, None)
        if entry is None or entry[0] <= self._clock():
            return None
        return entry[1]


def parse_form(body: bytes, content_type: str | None) -> dict[str, str]:
    """An `application/x-www-form-urlencoded` body; each parameter at most once (RFC 6749 §3.2)."""
    if (content_type or "").split(";", 1)[0].strip().lower() != "application/x-www-form-urlencoded":
        raise TokenError("invalid_request", "The body must be application/x-www-form-urlencoded.")
    if len(body) > MAX_FORM_BYTES:
        raise TokenError("invalid_request", "The body is too large.")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body), max_num_fields=32)
    except (UnicodeDecodeError, ValueError):
        raise TokenError("invalid_request", "The body is not a valid form.") from None
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            raise TokenError("invalid_request", f"Parameter {name} is repeated.")
        form[name] = value
    return form


def redeem(form: Mapping[str, str], store: CodeStore, mint: Callable[[Grant], str]) -> dict[str, Any]:
    """The token endpoint: a code and its verifier for an access token (the response body)."""
    if form.get("grant_type") != "authorization_code":
        raise TokenError("unsupported_grant_type", "Only grant_type=authorization_code is supported.")
    grant = store.redeem(form.get("code") or "")
    if grant is None:
        raise TokenError("invalid_grant", "The code is unknown, expired or already redeemed.")
    if form.get("client_id") != DEV_CLIENT_ID or form.get("redirect_uri") != grant.request.redirect_uri:
        raise TokenError("invalid_grant", "client_id and redirect_uri must be those of the authorization request.")
    verifier = form.get("code_verifier") or ""
    if not _VERIFIER.fullmatch(verifier) or not hmac.compare_digest(challenge_of(verifier), grant.request.challenge):
        raise TokenError("invalid_grant", "The code_verifier does not match the code_challenge.")
    body: dict[str, Any] = {"token_type": "Bearer", "expires_in": TOKEN_LIFETIME_S, "access_token": mint(grant)}
    if grant.scopes:
        body["scope"] = " ".join(grant.scopes)
    return body


def challenge_of(verifier: str) -> str:
    """The S256 code challenge of a verifier: BASE64URL(SHA256(verifier)) without padding."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode("ascii")


def _document(title: str, docs: str, content: str) -> bytes:
    """A page with the API explorer's icon and stylesheet (`docs`: the explorer's path, `/api/docs`)."""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<link rel="icon" type="image/png" href="{escape(docs)}/favicon-32x32.png">
<link rel="stylesheet" href="{escape(docs)}/explorer.css">
</head>
<body class="dev-sign-in">
<main>
{content}
</main>
</body>
</html>
""".encode()


def sign_in_page(request: AuthorizationRequest, action: str, docs: str) -> bytes:
    """The page listing the development users and the app-only choice; each is a button posting the choice."""
    scopes = ", ".join(request.scopes or (DEFAULT_SCOPE,))
    roles = ", ".join(tuple(s for s in request.scopes if s in APP_ROLES) or (DEFAULT_ROLE,))
    default = " (the default of make token)"
    users = "\n".join(
        f'<button type="submit" name="user" value="{escape(upn)}">{escape(display_name(upn))}'
        f'<span class="upn">{escape(upn)}{default if upn == DEFAULT_USER else ""}</span></button>'
        for upn in DEV_USERS
    )
    return _document(
        "Sign in: Profile API development issuer",
        docs,
        f"""<h1>Sign in to the Profile API</h1>
<p class="note">Development issuer: local runs only, no password. The token is signed with the keys under
<code>.data/dev-issuer/</code>, like <code>make -s token</code>'s.</p>
<form method="post" action="{escape(action)}">
<fieldset>
<legend>A development user (delegated: {escape(scopes)})</legend>
{users}
</fieldset>
<fieldset>
<legend>No user (app-only: roles {escape(roles)})</legend>
<button type="submit" name="user" value="{APP_ONLY}">{escape(DEV_APP_NAME)}<span class="upn">app-only token: use
users/{{user}}/..., never me/...</span></button>
</fieldset>
</form>""",
    )


def error_page(message: str, docs: str) -> bytes:
    """A request that cannot go back to its client."""
    return _document(
        "Sign-in error: Profile API development issuer",
        docs,
        f"""<h1>This sign-in request cannot
be answered</h1>
<p class="error">{escape(message)}</p>
<p class="note">Open the API explorer on this host and use its Authorize button.</p>""",
    )
