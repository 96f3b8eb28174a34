"""Fetching the OpenID metadata and JWKS documents: small, bounded, no redirects.

urllib.request is imported on the first fetch, not at import (cold start).
"""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from shared.settings import is_loopback_host, is_trusted_url

if TYPE_CHECKING:
    import urllib.request

#: Seconds before a metadata or JWKS fetch gives up (contract: at most 5 s).
FETCH_TIMEOUT_S = 5.0
#: Largest document accepted; Entra's JWKS is a few KB.
MAX_DOCUMENT_BYTES = 512 * 1024


class FetchError(Exception):
    """A metadata or JWKS document could not be fetched or is not a JSON object."""


@functools.lru_cache(maxsize=2)
def _opener(loopback: bool) -> urllib.request.OpenerDirector:
    """An opener that refuses redirects; loopback URLs never go through a proxy named in the environment."""
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        """Refuse redirects: the URL we were given is the only one we talk to."""

        def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]  # stdlib override
            raise FetchError(f"redirect ({code}) refused")

    if loopback:
        return urllib.request.build_opener(NoRedirect, urllib.request.ProxyHandler({}))
    return urllib.request.build_opener(NoRedirect)


def fetch_json(url: str) -> dict[str, Any]:
    """GET `url` and return its JSON object; raise FetchError on any failure."""
    if not is_trusted_url(url):
        raise FetchError("refusing a URL that is neither https nor loopback http")
    import urllib.request

    # S310: the scheme was checked above (https, or http on loopback only).
    request = urllib.request.Request(url, headers={"Accept": "application/json"}, method="GET")  # noqa: S310
    try:
        with _opener(is_loopback_host(urlsplit(url).hostname)).open(request, timeout=FETCH_TIMEOUT_S) as response:
            body = response.read(MAX_DOCUMENT_BYTES + 1)
    except FetchError:
        raise
    except Exception as error:
        raise FetchError(f"fetch failed: {type(error).__name__}") from None
    if len(body) > MAX_DOCUMENT_BYTES:
        raise FetchError("document too large")
    try:
        document = json.loads(body.decode("utf-8"))  # RFC 8259: UTF-8 only (bytes would let json guess UTF-16/32)
    except ValueError:
        raise FetchError("document is not UTF-8 JSON") from None
    if not isinstance(document, dict):
        raise FetchError("document is not a JSON object")
    return document
