"""Through real HTTP: devhost.create() on port 0 with waitress serving in a thread."""
from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

import devhost
from tests.unit.devhost.echo_app import build_app


@contextlib.contextmanager
def running(root: Path) -> Iterator[str]:
    """Serve the echo app from `root` on a free port in a thread; yield its base URL."""
    server, url = devhost.create(build_app(), "127.0.0.1", 0, root=root, threads=4)
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
    resp = requests.post(f"{base}/users/a%40b.com/profile?q=1", data=b"hello",
                         headers={"X-Test": "yes"}, timeout=5)
    got = resp.json()
    assert resp.status_code == 200
    assert got["route_params"] == {"user": "a@b.com"}
    assert got["url"] == f"{base}/users/a%40b.com/profile?q=1"
    assert (got["params"], got["body"], got["headers"]["x-test"]) == ({"q": "1"}, "hello", "yes")


def test_chunked_upload(base: str) -> None:
    resp = requests.post(f"{base}/anything", data=iter([b"ab", b"cd"]), timeout=5)
    assert resp.json()["body"] == "abcd"


def test_multi_value_headers_on_the_wire(base: str) -> None:
    resp = requests.get(f"{base}/multi", timeout=5)
    assert resp.status_code == 201
    assert resp.raw.headers.getlist("X-Many") == ["x", "y"]
    assert resp.raw.headers.getlist("Set-Cookie") == ["a=1", "b=2"]


def test_errors_on_the_wire(base: str) -> None:
    assert requests.get(f"{base}/missing", timeout=5).status_code == 404
    resp = requests.delete(f"{base}/users/x/profile", timeout=5)
    assert resp.status_code == 405 and resp.headers["Allow"] == "GET, HEAD, POST"
    resp = requests.get(f"{base}/boom", timeout=5)
    assert resp.status_code == 500 and "secret" not in resp.text
    head = requests.head(f"{base}/users/x/profile", timeout=5)
    assert head.status_code == 200 and head.content == b""


def test_oversized_headers_are_refused_by_waitress_not_500(base: str) -> None:
    resp = requests.get(f"{base}/anything", headers={"X-Big": "a" * 300_000}, timeout=10)
    assert resp.status_code == 431


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
