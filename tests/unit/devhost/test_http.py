"""Through real HTTP: devhost.create() on port 0 with waitress serving in a thread."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
import requests
from requests.structures import CaseInsensitiveDict

import devhost
from tests.unit.devhost.echo_app import build_app


@contextlib.contextmanager
def running(root: Path, body_cap: int | None = None) -> Iterator[str]:
    """Serve the echo app from `root` on a free port in a thread; yield its base URL."""
    server, url = devhost.create(build_app(), "127.0.0.1", 0, root=root, threads=4, body_cap=body_cap)
    with socket.create_connection(("127.0.0.1", server.effective_port), timeout=5):
        pass  # already listening before run()
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield url
    finally:
        devhost.stop(server, thread)
    assert not thread.is_alive()


@pytest.fixture
def base(tmp_path: Path) -> Iterator[str]:
    """A running server with the default prefix; yields `http://127.0.0.1:<port>/api`."""
    with running(tmp_path) as url:
        yield url


def test_round_trip(base: str) -> None:
    assert base.startswith("http://127.0.0.1:") and base.endswith("/api")
    resp = requests.post(f"{base}/users/a%40b.com/profile?q=1", data=b"hello", headers={"X-Test": "yes"}, timeout=5)
    got = resp.json()
    assert resp.status_code == 200
    assert got["route_params"] == {"user": "a@b.com"}
    assert got["url"] == f"{base}/users/a%40b.com/profile?q=1"
    assert (got["params"], got["body"], got["headers"]["x-test"]) == ({"q": "1"}, "hello", "yes")


def test_a_chunked_upload_reaches_the_function_empty_as_on_the_host(base: str) -> None:
    resp = requests.post(f"{base}/anything", data=iter([b"ab", b"cd"]), timeout=5)
    assert resp.status_code == 200 and resp.json()["body"] == ""
    follow = requests.post(f"{base}/anything", data=b"abcd", timeout=5)  # the connection is still usable
    assert follow.json()["body"] == "abcd"


def test_multi_value_headers_on_the_wire(base: str) -> None:
    resp = requests.get(f"{base}/multi", timeout=5)
    assert resp.status_code == 201
    assert resp.raw.headers.getlist("X-Many") == ["x", "y"]
    assert resp.raw.headers.getlist("Set-Cookie") == ["a=1", "b=2"]


def test_errors_on_the_wire(base: str) -> None:
    missing = requests.get(f"{base}/missing", timeout=5)
    assert missing.status_code == 404
    assert_envelope(missing.status_code, missing.headers, missing.content, "itemNotFound")
    resp = requests.delete(f"{base}/users/x/profile", timeout=5)  # no function takes DELETE there: the host's 404
    assert resp.status_code == 404
    resp = requests.get(f"{base}/boom", timeout=5)
    assert resp.status_code == 500 and "secret" not in resp.text
    assert requests.head(f"{base}/users/x/profile", timeout=5).status_code == 404  # GET and POST only
    head = requests.head(f"{base}/anything", timeout=5)
    assert head.status_code == 200 and head.content == b""


def test_oversized_headers_are_refused_by_waitress_not_500(base: str) -> None:
    resp = requests.get(f"{base}/anything", headers={"X-Big": "a" * 300_000}, timeout=10)
    assert resp.status_code == 431
    assert_envelope(resp.status_code, resp.headers, resp.content, "invalidRequest")


def assert_envelope(status: int, headers: Mapping[str, str], body: bytes, code: str) -> dict:
    """Graph's envelope with the support ids (contract §6); returns `error`."""
    assert headers["Content-Type"] == "application/json", (status, body)
    error = json.loads(body)["error"]
    assert error["code"] == code and error["message"]
    assert headers["request-id"] == error["innerError"]["request-id"]
    assert headers["client-request-id"] == error["innerError"]["client-request-id"]
    return error


def raw_exchange(base: str, head: bytes, body: bytes = b"") -> tuple[int, Mapping[str, str], bytes]:
    """Send `head` (and `body`) on a fresh connection; read one response until the server closes."""
    port = int(base.split(":")[2].split("/", maxsplit=1)[0])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head + body)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    header_text, _, payload = data.partition(b"\r\n\r\n")
    lines = header_text.decode("latin-1").split("\r\n")
    fields = CaseInsensitiveDict(dict(line.split(": ", 1) for line in lines[1:]))
    return int(lines[0].split()[1]), fields, payload


def test_too_large_content_length_is_refused_before_the_body_is_sent(tmp_path: Path) -> None:
    """The 413 comes back while the client has sent only the headers: the body is never read."""
    with running(tmp_path, body_cap=1000) as url:
        path = url.split("/", 3)[3]
        head = (
            f"POST /{path}/anything HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n"
            "client-request-id: mine-1\r\nContent-Type: application/json\r\n\r\n"
        ).encode()
        status, fields, body = raw_exchange(url, head)  # no body sent: waiting for it would time out
        assert status == 413
        error = assert_envelope(status, fields, body, "requestTooLarge")
        assert "1000 bytes" in error["message"] and error["innerError"]["client-request-id"] == "mine-1"
        assert requests.post(f"{url}/anything", data=b"x" * 1000, timeout=5).status_code == 200, "exactly the cap"
        chunked = requests.post(f"{url}/anything", data=iter([b"x" * 600, b"x" * 600]), timeout=5)
        assert chunked.status_code == 413
        assert_envelope(chunked.status_code, chunked.headers, chunked.content, "requestTooLarge")


@pytest.mark.parametrize(("body", "batch"), [("100", "150"), ("150", "100")])
def test_the_body_cap_defaults_to_the_largest_body_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, batch: str
) -> None:
    """The larger of MAX_BODY_BYTES and MAX_BATCH_BODY_BYTES: the host must let a full `$batch` through."""
    from shared.settings import get_settings

    monkeypatch.setenv("MAX_BODY_BYTES", body)
    monkeypatch.setenv("MAX_BATCH_BODY_BYTES", batch)
    get_settings.cache_clear()
    try:
        with running(tmp_path) as url:
            assert requests.post(f"{url}/anything", data=b"x" * 150, timeout=5).status_code == 200
            assert requests.post(f"{url}/anything", data=b"x" * 151, timeout=5).status_code == 413
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize(
    "head",
    [
        b"GET /api/anything HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n",
        b"POST /api/anything HTTP/1.1\r\nHost: x\r\nContent-Length: 12x\r\n\r\n",
        b"GET /api/anything HTTP/1.1\r\nHost: x\r\nX-Bad : space before colon\r\n\r\n",
    ],
)
def test_malformed_requests_get_a_json_400(base: str, head: bytes) -> None:
    status, fields, body = raw_exchange(base, head)
    assert status == 400
    error = assert_envelope(status, fields, body, "invalidRequest")
    assert "colon" not in error["message"] and "12x" not in error["message"], "the request is never echoed"


def test_204_on_the_wire_has_no_content_type(base: str) -> None:
    resp = requests.delete(f"{base}/empty", timeout=5)
    assert resp.status_code == 204 and "Content-Type" not in resp.headers and resp.content == b""


def test_a_busy_port_is_named_with_a_way_out(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(devhost.server.PortUnavailable) as caught:
            devhost.create(build_app(), "127.0.0.1", port, root=tmp_path)
    message = str(caught.value)
    assert f"port {port}" in message and "already in use" in message
    assert re.search(r"PORT=\d+ make run", message)


def test_concurrent_requests_to_the_same_host(base: str) -> None:
    results: list[int] = []

    def fetch() -> None:
        results.append(requests.get(f"{base}/anything", timeout=5).status_code)

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results == [200] * 8


def test_route_prefix_from_host_json(tmp_path: Path) -> None:
    host_json = {"version": "2.0", "extensions": {"http": {"routePrefix": "v1/x"}}}
    (tmp_path / "host.json").write_text(json.dumps(host_json))
    with running(tmp_path) as url:
        assert url.endswith("/v1/x")
        assert requests.get(f"{url}/anything", timeout=5).status_code == 200
        assert requests.get(url.replace("/v1/x", "/api") + "/anything", timeout=5).status_code == 404
