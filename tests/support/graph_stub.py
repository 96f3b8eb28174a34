"""Pytest plugin: a Microsoft Graph stub that speaks Graph's protocol for `GET /v1.0/users/...` on 127.0.0.1.

What it does as Graph does (docs: user-get.md, user resource):
- `GET /v1.0/users/{id | userPrincipalName}` and the key form `GET /v1.0/users('{upn}')` (an apostrophe
  inside doubled); the path segment is percent-decoded as UTF-8; UPNs match case-insensitively.
- A path segment starting with '$' is 400 (Graph documents this; the key form is the way round it).
- `$select` returns exactly the named properties; an unknown one is 400. Without `$select`, the
  default property set.
- 404 `Request_ResourceNotFound` with Graph's error envelope for a user it does not have.
Fault injection: `fail_next(status, times=, retry_after=)`, `outage` (every request 503), `delay`
(seconds before answering: a slow Graph). Every request is recorded in `requests` (path, query,
whether an Authorization header came). Fixture: `graph_stub` (started, stopped after the test).
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote

import pytest

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
KEY_FORM = re.compile(r"^\('(.*)'\)\Z", re.DOTALL)
USER_PROPERTIES = frozenset(
    {
        "id",
        "userPrincipalName",
        "displayName",
        "givenName",
        "surname",
        "mail",
        "jobTitle",
        "ageGroup",
        "userType",
        "externalUserState",
        "creationType",
        "identities",
        "accountEnabled",
        "businessPhones",
        "mobilePhone",
        "officeLocation",
        "preferredLanguage",
    }
)
DEFAULT_SELECT = (
    "businessPhones",
    "displayName",
    "givenName",
    "id",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
)


@dataclass(frozen=True)
class Seen:
    """One request the stub received."""

    method: str
    path: str  # raw, still percent-encoded
    query: dict[str, list[str]]
    authorization: bool


@dataclass
class _Fault:
    status: int
    retry_after: str | None
    times: int


class GraphStub:
    """Graph's users endpoint over real HTTP on 127.0.0.1, with a user table and faults on demand."""

    def __init__(self) -> None:
        self.users: dict[str, dict[str, Any]] = {}
        self.requests: list[Seen] = []
        self.outage = False
        self.outage_retry_after: str | None = "7"
        self.delay = 0.0
        self._faults: deque[_Fault] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)

    # --- set-up -------------------------------------------------------------------------------
    def add_user(
        self,
        upn: str,
        *,
        oid: str | None = None,
        display_name: str = "Test User",
        age_group: str | None = "adult",
        user_type: str | None = "Member",
        external_user_state: str | None = None,
        creation_type: str | None = None,
        identities: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Add a directory user; returns its Graph representation (every property this stub knows)."""
        oid = oid or str(uuid.uuid4())
        user: dict[str, Any] = {
            "id": oid,
            "userPrincipalName": upn,
            "displayName": display_name,
            "givenName": None,
            "surname": None,
            "mail": None,
            "jobTitle": None,
            "businessPhones": [],
            "mobilePhone": None,
            "officeLocation": None,
            "preferredLanguage": None,
            "accountEnabled": True,
            "ageGroup": age_group,
            "userType": user_type,
            "externalUserState": external_user_state,
            "creationType": creation_type,
            "identities": identities
            if identities is not None
            else [{"signInType": "userPrincipalName", "issuer": upn.rsplit("@", 1)[-1], "issuerAssignedId": upn}],
        }
        with self._lock:
            self.users[oid.lower()] = user
        return user

    def fail_next(self, status: int, *, times: int = 1, retry_after: str | None = None) -> None:
        """Answer the next `times` requests with `status` (and Retry-After, if given)."""
        with self._lock:
            self._faults.append(_Fault(status, retry_after, times))

    # --- observation --------------------------------------------------------------------------
    @property
    def user_requests(self) -> int:
        """How many `/v1.0/users...` requests arrived."""
        with self._lock:
            return sum(1 for seen in self.requests if seen.path.startswith("/v1.0/users"))

    def start(self) -> GraphStub:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; a delayed answer in flight is cut short (idempotent)."""
        self._stopping.set()
        if self._thread.is_alive():
            self._httpd.shutdown()
        self._httpd.server_close()

    # --- protocol -----------------------------------------------------------------------------
    def _answer(self, method: str, raw: str, authorization: bool) -> tuple[int, dict[str, str], Any]:
        path, _, query_text = raw.partition("?")
        query = parse_qs(query_text, keep_blank_values=True)
        with self._lock:
            self.requests.append(Seen(method, path, query, authorization))
            fault = self._take_fault()
            outage = self.outage
        if outage:
            return 503, _retry_after(self.outage_retry_after), _error("serviceNotAvailable", "Service unavailable.")
        if fault is not None:
            return fault.status, _retry_after(fault.retry_after), _error(_code(fault.status), "Injected fault.")
        if method != "GET":
            return 405, {}, _error("Request_BadRequest", "Method not allowed.")
        if not path.startswith("/v1.0/users"):
            return 400, {}, _error("BadRequest", f"Resource not found for the segment '{path}'.")
        try:
            ref, problem = _reference(path[len("/v1.0/users") :])
        except UnicodeDecodeError:
            ref, problem = "", "The reference is not UTF-8."

        if problem:
            return 400, {}, _error("Request_BadRequest", problem)
        select = [name for item in query.get("$select", []) for name in item.split(",") if name]
        unknown = [name for name in select if name not in USER_PROPERTIES]
        if unknown:
            return (
                400,
                {},
                _error("BadRequest", f"Could not find a property named '{unknown[0]}' on type 'microsoft.graph.user'."),
            )
        user = self._find(ref)
        if user is None:
            return (
                404,
                {},
                _error(
                    "Request_ResourceNotFound",
                    f"Resource '{ref}' does not exist or one of its "
                    "queried reference-property objects are not present.",
                ),
            )
        names = select or list(DEFAULT_SELECT)
        body = {"@odata.context": f"{self.base_url}/v1.0/$metadata#users/$entity", **{n: user.get(n) for n in names}}
        return 200, {}, body

    def _take_fault(self) -> _Fault | None:
        if not self._faults:
            return None
        fault = self._faults[0]
        fault.times -= 1
        if fault.times <= 0:
            self._faults.popleft()
        return fault

    def _find(self, ref: str) -> dict[str, Any] | None:
        with self._lock:
            if GUID.match(ref):
                return self.users.get(ref.lower())
            wanted = ref.lower()
            return next((u for u in self.users.values() if u["userPrincipalName"].lower() == wanted), None)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in two writes; no 40 ms delayed-ACK stall

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                if stub.delay and stub._stopping.wait(stub.delay):
                    return
                status, headers, body = stub._answer(self.command, self.path, "Authorization" in self.headers)
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.send_header("request-id", str(uuid.uuid4()))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its read timeout)

            do_GET = do_POST = do_PATCH = do_DELETE = _serve

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


def _reference(rest: str) -> tuple[str, str | None]:
    """The user reference in what follows `/v1.0/users` (path or key form), or a 400 message."""
    if rest.startswith("/"):
        segment = rest[1:]
        if not segment or "/" in segment:
            return "", "Unsupported segment."
        ref = unquote(segment, errors="strict")
        if ref.startswith("$"):
            return "", "Invalid request: a segment starting with '$' is a system query option."
        return ref, None
    found = KEY_FORM.match(unquote(rest, errors="strict"))
    if not found:
        return "", "Syntax error in the key."
    inner = found[1]
    if "'" in inner.replace("''", ""):
        return "", "Syntax error: unescaped quote in the key."
    return inner.replace("''", "'"), None


def _retry_after(value: str | None) -> dict[str, str]:
    return {"Retry-After": value} if value is not None else {}


def _code(status: int) -> str:
    codes = {
        429: "TooManyRequests",
        503: "serviceNotAvailable",
        504: "gatewayTimeout",
        401: "InvalidAuthenticationToken",
        403: "Authorization_RequestDenied",
    }
    return codes.get(status, "generalException")


def _error(code: str, message: str) -> dict[str, Any]:
    """Graph's error envelope."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    request_id = str(uuid.uuid4())
    return {
        "error": {
            "code": code,
            "message": message,
            "innerError": {"date": now, "request-id": request_id, "client-request-id": request_id},
        }
    }


@pytest.fixture
def graph_stub() -> Iterator[GraphStub]:
    """A started Graph stub on 127.0.0.1, stopped after the test."""
    stub = GraphStub().start()
    yield stub
    stub.stop()
