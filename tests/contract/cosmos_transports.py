"""azure-core transports for the Cosmos tests: count real HTTP round trips, or inject faults.

Both wrap the real `RequestsTransport` (every request still goes to the server unless a fault rule
says otherwise); fakes are used only to inject faults.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
from azure.core.pipeline.transport import RequestsTransport, RequestsTransportResponse
from requests.structures import CaseInsensitiveDict


def is_query(request: Any) -> bool:
    return str(request.headers.get("x-ms-documentdb-isquery", "")).lower() == "true"


def is_batch(request: Any) -> bool:
    return str(request.headers.get("x-ms-cosmos-is-batch-request", "")).lower() == "true"


def is_document_request(request: Any) -> bool:
    """A request on items (point operations, queries, batches), not account/container metadata."""
    return "/docs" in request.url


def kind_of(request: Any) -> str:
    """'read' (GET, or a query POST) or 'write' (anything else)."""
    return "read" if request.method == "GET" or is_query(request) else "write"


class CountingTransport(RequestsTransport):
    """Records every HTTP request that actually leaves the client."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        #: (kind, method, url, is a batch) of every request sent.
        self.requests: list[tuple[str, str, str, bool]] = []
        self._lock = threading.Lock()

    def send(self, request: Any, **kwargs: Any) -> Any:
        with self._lock:
            self.requests.append(_seen(request))
        return super().send(request, **kwargs)

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()

    @property
    def reads(self) -> int:
        return sum(1 for kind, *_ in self.requests if kind == "read")

    @property
    def writes(self) -> int:
        return sum(1 for kind, *_ in self.requests if kind == "write")

    @property
    def batches(self) -> int:
        return sum(1 for *_, batch in self.requests if batch)

    @property
    def total(self) -> int:
        return len(self.requests)


@dataclass
class Fault:
    """Fail up to `times` requests matching `when`: answer `status` (with `headers`), or raise `error`.

    `after_send=True` forwards the request first (the server commits it) and then raises `error`:
    a reply lost after the write happened.
    """

    when: Callable[[Any], bool]
    times: int = 1
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b'{"code":"Injected","message":"SDK-INTERNAL-DETAIL injected by the test"}'
    error: Callable[[], BaseException] | None = None
    after_send: bool = False
    hits: int = 0


class FaultTransport(CountingTransport):
    """A counting transport that applies `Fault` rules (first matching rule with budget left)."""

    def __init__(self, *faults: Fault, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.faults = list(faults)

    def send(self, request: Any, **kwargs: Any) -> Any:
        fault = next((f for f in self.faults if f.hits < f.times and f.when(request)), None)
        if fault is None:
            return super().send(request, **kwargs)
        fault.hits += 1
        if fault.after_send:
            super().send(request, **kwargs)
        else:
            with self._lock:
                self.requests.append(_seen(request))
        if fault.error is not None:
            raise fault.error()
        return _response(request, fault)


def _seen(request: Any) -> tuple[str, str, str, bool]:
    return kind_of(request), request.method, request.url, is_batch(request)


def _response(request: Any, fault: Fault) -> RequestsTransportResponse:
    raw = requests.Response()
    raw.status_code = int(fault.status or 500)
    raw.headers = CaseInsensitiveDict({"content-type": "application/json", **fault.headers})
    raw._content = fault.body
    raw.url = request.url
    raw.reason = "Injected"
    return RequestsTransportResponse(request, raw)
