"""One GET of a Microsoft Graph user, over azure-core's pipeline, with bounded retries (contract §5).

azure-core (and requests under it) and azure-identity are slow to import, so nothing
here imports them at module level: the pipeline is built on the first lookup, once per client,
under a lock. An https endpoint gets a bearer token for `https://graph.microsoft.com/.default`
from azure-identity; a plain-http endpoint (only loopback passes the settings check) gets none.

Outcomes: a user body, None when Graph says the user does not exist (404, or 400 for a reference
Graph cannot parse), or `ServiceUnavailable` (503 + Retry-After) for everything else — an outage,
throttling past the retry budget, a connection failure, a timeout, a credential failure, or an
answer that is not a user. Graph's own text never reaches a response, and no token is ever logged.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

from shared.directory.graph_user import SELECT
from shared.errors import ServiceUnavailable
from shared.ids import is_guid

log = logging.getLogger("profile_api.directory")

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
UNAVAILABLE = "The directory is not available. Retry after the time given in Retry-After."
#: Graph statuses worth another attempt (after Retry-After, within the budget).
_TRANSIENT = frozenset({429, 503, 504})


@dataclass(frozen=True)
class GraphPolicy:
    """Timeouts (seconds) and the retry budget of one lookup."""

    connect_timeout: float = 3.0
    read_timeout: float = 5.0
    attempts: int = 3
    #: Total seconds one lookup may spend waiting between attempts (Retry-After or back-off).
    max_wait: float = 4.0
    #: First back-off when Graph sends no Retry-After (doubles per attempt).
    backoff: float = 0.5
    #: Retry-After we answer with when Graph gave none; and the most we ever pass on.
    retry_after: int = 5
    retry_after_max: int = 120


def user_path(ref: str) -> str:
    """`users/{ref}` with the reference percent-encoded as one path segment.

    '#' (guests' `#EXT#`), '/', '?', '%', spaces and non-ASCII (as UTF-8) are encoded; '@' is kept.
    A UPN starting with '$' would read as an OData system segment, so Graph documents the key form
    `users('$x@y.com')` for it; inside the quotes an apostrophe is doubled (OData string literal).
    """
    if ref.startswith("$"):
        return "users('" + quote(ref.replace("'", "''"), safe="@$'") + "')"
    return "users/" + quote(ref, safe="@")


def retry_after_seconds(value: str | None, *, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP-date), None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        return float(int(text))
    import email.utils  # only for the rare HTTP-date form (slow to import)

    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now()).total_seconds())


@dataclass(frozen=True)
class _Answer:
    status: int
    retry_after: float | None
    body: bytes


class GraphClient:
    """GETs users from one Graph endpoint. Thread-safe; the HTTP pipeline is shared and built once."""

    def __init__(
        self,
        endpoint: str,
        *,
        credential: Callable[[], Any] | None = None,
        policy: GraphPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """`credential` builds the azure-identity credential on first use (https endpoints only)."""
        self.endpoint = endpoint.rstrip("/")
        self.policy = policy or GraphPolicy()
        self.sends_token = urlsplit(self.endpoint).scheme == "https"
        self._credential = credential
        self._sleep = sleep
        self._lock = threading.Lock()
        self._pipeline: Any = None

    def url(self, ref: str) -> str:
        return f"{self.endpoint}/v1.0/{user_path(ref)}?$select={SELECT}"

    def get_user(self, ref: str) -> dict[str, Any] | None:
        """The Graph user `ref` names (object id or UPN), None if there is none; 503 when Graph fails."""
        url, waited = self.url(ref), 0.0
        for attempt in range(1, self.policy.attempts + 1):
            answer = self._send(url)
            if 200 <= answer.status < 300:
                body = _user_body(answer.body)
                if body is None:
                    log.warning("Directory lookup failed: Graph's answer (%s) is not a user", answer.status)
                    raise self.unavailable()
                return body
            if answer.status in (400, 404):
                if answer.status == 400:
                    log.warning("Graph rejected a user reference as malformed (%s); answering 404", _graph_code(answer))
                return None
            wait = self._next_wait(answer, attempt)
            if wait is None or waited + wait > self.policy.max_wait:
                raise self._unavailable(answer, wait)
            self._sleep(wait)
            waited += wait
        raise AssertionError("unreachable: the last attempt always returns or raises")  # pragma: no cover

    def _next_wait(self, answer: _Answer, attempt: int) -> float | None:
        """Seconds to wait before the next attempt, or None when this answer is final."""
        if answer.status not in _TRANSIENT or attempt >= self.policy.attempts:
            return None
        if answer.retry_after is not None:
            return answer.retry_after
        return self.policy.backoff * 2 ** (attempt - 1)

    def _unavailable(self, answer: _Answer, wait: float | None) -> ServiceUnavailable:
        if answer.status in (401, 403):
            log.error(
                "Graph refused the directory lookup (%s %s): does the app's identity hold User.Read.All?",
                answer.status,
                _graph_code(answer),
            )
        else:
            log.warning("Directory lookup failed: Graph answered %s (%s)", answer.status, _graph_code(answer))
        hint = answer.retry_after if answer.retry_after is not None else wait
        return self.unavailable(hint)

    def unavailable(self, hint: float | None = None) -> ServiceUnavailable:
        """503 with a Retry-After: Graph's hint when it gave one (capped), else the default."""
        seconds = self.policy.retry_after if hint is None else math.ceil(hint)
        return ServiceUnavailable(UNAVAILABLE, retry_after=min(max(seconds, 1), self.policy.retry_after_max))

    def _send(self, url: str) -> _Answer:
        """One GET; a failure to get any answer (connection, timeout, credential) is 503 at once."""
        from azure.core.exceptions import AzureError, ClientAuthenticationError
        from azure.core.rest import HttpRequest

        try:
            response = (
                self._get_pipeline()
                .run(
                    HttpRequest("GET", url, headers={"Accept": "application/json"}),
                    connection_timeout=self.policy.connect_timeout,
                    read_timeout=self.policy.read_timeout,
                )
                .http_response
            )
            return _Answer(
                response.status_code, retry_after_seconds(response.headers.get("Retry-After")), response.body()
            )
        except ClientAuthenticationError as error:
            log.error("No token for Microsoft Graph (%s); the directory is unavailable", type(error).__name__)
        except (AzureError, ValueError, OSError) as error:  # connection, timeout, credential set-up
            log.warning("Directory lookup failed: %s", type(error).__name__)
        raise self.unavailable()

    def _get_pipeline(self) -> Any:
        with self._lock:
            if self._pipeline is None:
                self._pipeline = self._build_pipeline()
            return self._pipeline

    def _build_pipeline(self) -> Any:
        from azure.core.pipeline import Pipeline
        from azure.core.pipeline.policies import BearerTokenCredentialPolicy, HeadersPolicy, UserAgentPolicy
        from azure.core.pipeline.transport import RequestsTransport

        policies: list[Any] = [HeadersPolicy(), UserAgentPolicy(base_user_agent="profile-api")]
        if self.sends_token:
            if self._credential is None:
                raise ValueError("an https Graph endpoint needs a credential")
            policies.append(BearerTokenCredentialPolicy(self._credential(), GRAPH_SCOPE))
        transport = RequestsTransport(use_env_settings=not _is_loopback(self.endpoint))
        transport.open()  # one session, opened here under the lock, not by two racing first requests
        return Pipeline(transport=transport, policies=policies)

    def close(self) -> None:
        with self._lock:
            if self._pipeline is not None:
                self._pipeline.__exit__()
                self._pipeline = None


def _is_loopback(url: str) -> bool:
    from shared.settings import is_loopback_host

    return is_loopback_host(urlsplit(url).hostname)


def _user_body(raw: bytes) -> dict[str, Any] | None:
    """The JSON object of a user (its `id` a GUID), or None for anything else."""
    try:
        doc = json.loads(raw)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) and is_guid(doc.get("id")) else None


def _graph_code(answer: _Answer) -> str:
    """Graph's error code (e.g. Request_ResourceNotFound) for the log; never its message (it may name a user)."""
    try:
        code = json.loads(answer.body)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return "no error code"
    return str(code)[:64] if isinstance(code, str) else "no error code"
