"""Fetching the OpenID metadata and JWKS documents: small, bounded, no redirects."""
from __future__ import annotations

import json
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from shared.settings import is_loopback_host

#: Seconds before a metadata or JWKS fetch gives up (contract: at most 5 s).
FETCH_TIMEOUT_S = 5.0
#: Largest document accepted; Entra's JWKS is a few KB.
MAX_DOCUMENT_BYTES = 512 * 1024


class FetchError(Exception):
    """A metadata or JWKS document could not be fetched or is not a JSON object."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuse redirects: the URL we were given is the only one we talk to."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        raise FetchError(f"redirect ({code}) refused")


_opener = urllib.request.build_opener(_NoRedirect)
#: Loopback URLs never go through a proxy named in the environment.
_loopback_opener = urllib.request.build_opener(_NoRedirect, urllib.request.ProxyHandler({}))


def is_trusted_url(url: str) -> bool:
    """True for https URLs, and plain http only on loopback hosts."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme == "https" and parts.hostname:
        return True
    return parts.scheme == "http" and is_loopback_host(parts.hostname)


def fetch_json(url: str) -> dict[str, Any]:
    """GET `url` and return its JSON object; raise FetchError on any failure."""
    if not is_trusted_url(url):
        raise FetchError("refusing a URL that is neither https nor loopback http")
    request = urllib.request.Request(url, headers={"Accept": "application/json"}, method="GET")
    opener = _loopback_opener if is_loopback_host(urlsplit(url).hostname) else _opener
    try:
        with opener.open(request, timeout=FETCH_TIMEOUT_S) as response:
            body = response.read(MAX_DOCUMENT_BYTES + 1)
    except FetchError:
        raise
    except Exception as error:
        raise FetchError(f"fetch failed: {type(error).__name__}") from None
    if len(body) > MAX_DOCUMENT_BYTES:
        raise FetchError("document too large")
    try:
        document = json.loads(body)
    except ValueError:
        raise FetchError("document is not JSON") from None
    if not isinstance(document, dict):
        raise FetchError("document is not a JSON object")
    return document
