"""The metadata/JWKS fetcher: only trusted URLs, no redirects, bounded JSON objects."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shared.auth.fetch import MAX_DOCUMENT_BYTES, FetchError, fetch_json

RESPONSES = {
    "/ok": (200, b'{"issuer": "x"}'),
    "/array": (200, b"[1, 2]"),
    "/text": (200, b"not json"),
    "/big": (200, b'{"k": "' + b"x" * (MAX_DOCUMENT_BYTES + 10) + b'"}'),
    "/error": (500, b"{}"),
    "/utf16": (200, '{"issuer": "x"}'.encode("utf-16")),
    "/bom": (200, b'\xef\xbb\xbf{"issuer": "x"}'),
}


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            if self.path == "/redirect":
                self.send_response(302)
                self.send_header("Location", "/ok")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status, body = RESPONSES[self.path]
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    httpd.shutdown()
    httpd.server_close()


def test_fetches_a_json_object(server):
    base, _ = server
    assert fetch_json(f"{base}/ok") == {"issuer": "x"}


@pytest.mark.parametrize("path", ["/array", "/text", "/big", "/error", "/utf16", "/bom"])
def test_bad_documents_raise_fetch_error(server, path):
    base, _ = server
    with pytest.raises(FetchError):
        fetch_json(base + path)


def test_redirects_are_not_followed(server):
    base, hits = server
    with pytest.raises(FetchError):
        fetch_json(f"{base}/redirect")
    assert hits == ["/redirect"]


def test_untrusted_url_is_refused_without_a_request():
    with pytest.raises(FetchError):
        fetch_json("http://192.0.2.1/keys")
