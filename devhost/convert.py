"""Conversion between WSGI and `func.HttpRequest` / `func.HttpResponse`, as the Functions host does it."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

import azure.functions as func

from shared.routing.query_string import parse_query_string

#: The Functions front end's cap on request bodies (100 MB): the default of `make_wsgi_app` for any app.
#: The local host itself (`devhost.create`) caps bodies at the app's largest body setting instead.
MAX_BODY_BYTES = 100 * 1024 * 1024
#: (status, headers, body) of one response.
Response = tuple[int, list[tuple[str, str]], bytes]
_HOP_BY_HOP = frozenset(
    (
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "content-length",
    )
)
_NO_BODY = frozenset((204, 304))


class BodyTooLarge(Exception):
    """The request body exceeds the cap."""


class BadContentLength(Exception):
    """The Content-Length header is not a whole number."""


def wire_to_text(value: str) -> str:
    """Turn a WSGI (latin-1) string back into UTF-8 text."""
    return value.encode("latin-1").decode("utf-8", "replace")


def raw_path(environ: dict[str, Any]) -> str:
    """The request path exactly as sent (still percent-encoded), without the query string."""
    uri = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    if uri:
        path = urlsplit(uri).path
        return path or "/"
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    return quote(wire_to_text(path), safe="/@:!$&'()*+,;=~") or "/"


def headers(environ: dict[str, Any]) -> dict[str, str]:
    """All request headers, lower-cased names (the server joins repeated headers with ', ')."""
    result = {
        name[5:].replace("_", "-").lower(): wire_to_text(v)
        for name, v in environ.items()
        if name.startswith("HTTP_") and isinstance(v, str)
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            result[key.replace("_", "-").lower()] = wire_to_text(environ[key])
    return result


def query(query_string: str) -> dict[str, str]:
    """Parse the query like the host: keys case-insensitive, repeated values joined by ',', empty values dropped."""
    return parse_query_string(query_string)


def read_body(environ: dict[str, Any], cap: int = MAX_BODY_BYTES) -> bytes:
    """Read exactly Content-Length bytes (or to EOF for chunked bodies), refusing more than `cap`.

    A chunked body (no Content-Length) is read and refused over the cap like any other, but the caller
    hands the function an empty body, as the Functions host does for out-of-process workers
    (`function_body`).
    """
    stream = environ.get("wsgi.input")
    length_text = (environ.get("CONTENT_LENGTH") or "").strip()
    if length_text:
        if not length_text.isdigit():
            raise BadContentLength()
        length = int(length_text)
        if length > cap:
            raise BodyTooLarge()
        return stream.read(length) if length and stream is not None else b""
    if stream is None:
        return b""
    data = stream.read(cap + 1) if environ.get("wsgi.input_terminated") else b""
    if len(data) > cap:
        raise BodyTooLarge()
    return data


#: The WSGI environ key that says the request's body came chunked (waitress de-chunks it and sets a length).
CHUNKED = "devhost.chunked"


def function_body(environ: dict[str, Any], body: bytes) -> bytes:
    """What the function receives: the body only when the request declared a Content-Length above 0.

    The Functions host forwards a request body to an out-of-process worker (Python's included) only when
    `Content-Length` is present and above 0, so a `Transfer-Encoding: chunked` body arrives empty
    (azure-functions-host issues #4926 and #7930).
    """
    if environ.get(CHUNKED):  # waitress de-chunked it and set CONTENT_LENGTH (devhost/errors.py sets the key)
        return b""
    length = (environ.get("CONTENT_LENGTH") or "").strip()
    return body if length.isdigit() and int(length) > 0 else b""


def absolute_url(environ: dict[str, Any], path: str) -> str:
    """`scheme://host[:port]/path[?query]`, the host taken from the Host header as the Functions host does."""
    host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME', '127.0.0.1')}:{environ.get('SERVER_PORT', '80')}"
    qs = environ.get("QUERY_STRING", "")
    return f"{environ.get('wsgi.url_scheme', 'http')}://{host}{path}" + (f"?{qs}" if qs else "")


def to_request(environ: dict[str, Any], method: str, route_params: dict[str, str], body: bytes) -> func.HttpRequest:
    """Build the `func.HttpRequest` a function receives."""
    return func.HttpRequest(
        method=method,
        url=absolute_url(environ, raw_path(environ)),
        headers=headers(environ),
        params=query(environ.get("QUERY_STRING", "")),
        route_params=route_params,
        body=body,
    )


def _latin1(text: str) -> str:
    """Encode header text as UTF-8 bytes carried in a WSGI latin-1 string; refuse CR/LF."""
    if "\r" in text or "\n" in text or "\0" in text:
        raise ValueError("response header contains a line break")
    return text.encode("utf-8").decode("latin-1")


def from_response(result: Any) -> Response:
    """Turn what a function returned into (status, headers, body); raises TypeError for other types.

    A response without a body (1xx, 204, 304) carries neither Content-Type nor Content-Length.
    """
    if result is None:
        return 204, [], b""
    if isinstance(result, (str, bytes, bytearray)):
        result = func.HttpResponse(bytes(result) if isinstance(result, bytearray) else result)
    if not isinstance(result, func.HttpResponse):
        raise TypeError(f"an HTTP function returned {type(result).__name__}, not func.HttpResponse")
    status = int(result.status_code)
    bodiless = status in _NO_BODY or status < 200
    pairs = [(str(k), str(v)) for k, v in result.headers.items()]
    if bodiless:
        pairs = [(k, v) for k, v in pairs if k.lower() != "content-type"]
    elif not any(k.lower() == "content-type" for k, _ in pairs):
        mime = result.mimetype or "text/plain"
        pairs.append(("Content-Type", f"{mime}; charset={result.charset}" if mime.startswith("text/") else mime))
    body = b"" if bodiless else result.get_body() or b""
    out = [(_latin1(k), _latin1(v)) for k, v in pairs if k.lower() not in _HOP_BY_HOP]
    if not bodiless:
        out.append(("Content-Length", str(len(body))))
    return status, out, body
