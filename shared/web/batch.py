"""JSON batching (contract §10): a `$batch` body read into its requests, checked as a whole first.

`read_batch` parses the body strictly (contract §3, with room for the three levels the batch adds
above each request's body) and checks every rule that makes the whole batch a 400: the `requests`
array (1 to `MAX_REQUESTS` objects), each request's members (`id`, `method`, `url`, `headers`, `body`,
`dependsOn`), unique ids (compared ignoring case, as Graph compares them), a `Content-Type` wherever
there is a body, and `dependsOn` naming only earlier requests (an unknown id, a cycle or a later
request is refused). Nothing runs unless the whole batch passes.

What a request then does is a direct call's business: functions/batch.py turns each `BatchRequest` into
the `func.HttpRequest` the host would have built and runs it through the same function.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from shared.errors import BadRequest
from shared.validation import json_scan
from shared.validation.json_body import parse_json_object
from shared.validation.names import shorten

#: Requests in one batch (Graph's limit).
MAX_REQUESTS = 20
#: Longest request id.
MAX_ID_LENGTH = 256
#: Longest `url` of a request (a batch is also how a long `$filter` travels: Graph's own advice).
MAX_URL_LENGTH = 32_768
#: Levels the batch adds above a request's body: the batch object, `requests`, the request.
ENVELOPE_DEPTH = 3
#: HTTP method names (RFC 9110 token).
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: A request's members. `depends_on` is msgraph-core's (Python) spelling of `dependsOn`.
_MEMBERS = frozenset({"id", "method", "url", "headers", "body", "dependsOn", "depends_on"})
#: Headers about the batch's own message, not a request's: a request's values are ignored.
_FRAMING = frozenset(
    {
        "connection",
        "content-length",
        "expect",
        "host",
        "keep-alive",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
#: Characters a path or query keeps as written; anything else (spaces, non-ASCII) is percent-encoded.
_PATH_SAFE = "/%!$&'()*+,;=:@-._~"
_QUERY_SAFE = _PATH_SAFE + "?"


@dataclass(frozen=True)
class BatchRequest:
    """One request of a batch, as the host would have received it directly."""

    #: The id as the client wrote it (responses carry it back).
    id: str
    #: Upper-case method.
    method: str
    #: The path under the API root, without a leading slash, percent-encoded (`me/profile/skills`).
    path: str
    #: The raw query string, without `?` (empty when there is none).
    query: str
    #: The request's own headers, names lower-cased (an `authorization` among them is kept, to be refused).
    headers: dict[str, str]
    #: The body's bytes: a JSON body re-serialised compactly, a string body base64-decoded; empty if none.
    body: bytes
    #: Positions (in the batch) of the requests this one depends on, all earlier than it.
    depends_on: tuple[int, ...]


def read_batch(
    body: bytes | None, content_type: str | None, *, max_bytes: int, api_root: str, prefix: str
) -> list[BatchRequest]:
    """The batch's requests in order; BadRequest (or PayloadTooLarge) for the whole batch otherwise.

    `api_root` is `scheme://host/<prefix>` of the batch request; `url`s are relative to it (an absolute
    one must start with it, and a leading `/<prefix>/` is accepted, as Graph accepts `/v1.0/...`).
    """
    doc = parse_json_object(
        body,
        content_type=content_type,
        max_bytes=max_bytes,
        allow_empty=False,
        max_depth=json_scan.MAX_DEPTH + ENVELOPE_DEPTH,
    )
    if doc is None:  # not reached: an empty body is refused above (allow_empty=False)
        raise BadRequest("A batch request must have a 'requests' array.")
    unknown = [name for name in doc if name != "requests"]
    if unknown:
        raise BadRequest(
            f"The property '{shorten(unknown[0])}' does not exist on a batch request; a batch has only 'requests'."
        )
    raw = doc.get("requests")
    if not isinstance(raw, list):
        raise BadRequest("A batch request must have a 'requests' array.")
    if not 1 <= len(raw) <= MAX_REQUESTS:
        raise BadRequest(f"A batch holds from 1 to {MAX_REQUESTS} requests; this one has {len(raw)}.")
    items = [_object(value, position) for position, value in enumerate(raw)]
    ids = _ids(items)
    positions = {request_id.lower(): position for position, request_id in enumerate(ids)}
    dependencies = [_depends_on(item, ids[position], positions) for position, item in enumerate(items)]
    _check_order(ids, dependencies)
    return [
        _request(item, ids[position], dependencies[position], api_root=api_root, prefix=prefix)
        for position, item in enumerate(items)
    ]


def _object(value: Any, position: int) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadRequest(f"Request {position + 1} of the batch is not a JSON object.")
    unknown = [name for name in value if name not in _MEMBERS]
    if unknown:
        name = shorten(unknown[0])
        if unknown[0] == "atomicityGroup":
            raise BadRequest(
                f"Request {position + 1} of the batch has an 'atomicityGroup': atomic groups are not "
                "supported (the requests of a batch run one by one, each on its own)."
            )
        raise BadRequest(f"The property '{name}' does not exist on a request of a batch (request {position + 1}).")
    return value


def _ids(items: list[dict[str, Any]]) -> list[str]:
    """Every request's id, checked: a string of 1 to MAX_ID_LENGTH characters, unique ignoring case."""
    ids: list[str] = []
    seen: set[str] = set()
    for position, item in enumerate(items):
        value = item.get("id")
        if not isinstance(value, str) or not 1 <= len(value) <= MAX_ID_LENGTH:
            raise BadRequest(
                f"Request {position + 1} of the batch needs an 'id': a string of 1 to {MAX_ID_LENGTH} characters."
            )
        if value.lower() in seen:
            raise BadRequest(f"The id '{shorten(value)}' is used by more than one request of the batch.")
        seen.add(value.lower())
        ids.append(value)
    return ids


def _depends_on(item: dict[str, Any], request_id: str, positions: dict[str, int]) -> tuple[int, ...]:
    """The positions `dependsOn` names (any position yet: _check_order refuses cycles and later ones)."""
    if "dependsOn" in item and "depends_on" in item:
        raise BadRequest(f"Request '{shorten(request_id)}' has both 'dependsOn' and 'depends_on'.")
    value = item.get("dependsOn", item.get("depends_on"))
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(each, str) for each in value):
        raise BadRequest(f"The 'dependsOn' of request '{shorten(request_id)}' must be an array of request ids.")
    found: list[int] = []
    for each in value:
        position = positions.get(each.lower())
        if position is None:
            raise BadRequest(
                f"Request '{shorten(request_id)}' depends on '{shorten(each)}', which is no request of the batch."
            )
        if position not in found:
            found.append(position)
    return tuple(found)


def _check_order(ids: list[str], dependencies: list[tuple[int, ...]]) -> None:
    """A cycle is refused as such; otherwise a request may depend only on requests before it."""
    cycle = _find_cycle(dependencies)
    if cycle:
        path = " -> ".join(f"'{shorten(ids[position])}'" for position in cycle)
        raise BadRequest(f"The requests' dependsOn form a cycle: {path}.")
    for position, depends in enumerate(dependencies):
        later = [d for d in depends if d > position]
        if later:
            raise BadRequest(
                f"Request '{shorten(ids[position])}' depends on '{shorten(ids[later[0]])}', which comes "
                "after it: dependsOn may name only earlier requests."
            )


def _find_cycle(dependencies: list[tuple[int, ...]]) -> list[int]:
    """One dependency cycle (its positions, the first repeated at the end), or [] (iterative DFS)."""
    state = [0] * len(dependencies)  # 0 new, 1 on the current path, 2 done
    for start in range(len(dependencies)):
        if state[start]:
            continue
        path, stack = [start], [iter(dependencies[start])]
        state[start] = 1
        while stack:
            following = next(stack[-1], None)
            if following is None:
                state[path.pop()] = 2
                stack.pop()
            elif state[following] == 1:
                return [*path[path.index(following) :], following]
            elif state[following] == 0:
                state[following] = 1
                path.append(following)
                stack.append(iter(dependencies[following]))
    return []


def _request(
    item: dict[str, Any], request_id: str, depends_on: tuple[int, ...], *, api_root: str, prefix: str
) -> BatchRequest:
    who = f"request '{shorten(request_id)}'"
    method = item.get("method")
    if not isinstance(method, str) or not _TOKEN.fullmatch(method) or len(method) > 32:
        raise BadRequest(f"The 'method' of {who} must be an HTTP method name such as GET or POST.")
    path, query = _relative(item.get("url"), who, api_root=api_root, prefix=prefix)
    headers = _headers(item.get("headers"), who)
    return BatchRequest(request_id, method.upper(), path, query, headers, _body(item, headers, who), depends_on)


def _relative(url: Any, who: str, *, api_root: str, prefix: str) -> tuple[str, str]:
    """(path, query) of a request's `url` under the API root."""
    if not isinstance(url, str) or not 1 <= len(url) <= MAX_URL_LENGTH:
        raise BadRequest(f"The 'url' of {who} must be a string of 1 to {MAX_URL_LENGTH} characters.")
    if _CONTROL.search(url):
        raise BadRequest(f"The 'url' of {who} contains a control character.")
    url = url.split("#", 1)[0]
    if _SCHEME.match(url) or url.startswith("//"):
        rest = url[len(api_root) :]
        if url[: len(api_root)].lower() != api_root.lower() or rest[:1] not in ("", "/", "?"):
            raise BadRequest(f"The 'url' of {who} must be relative to the API root (such as /me/profile).")
        url = rest.removeprefix("/")
    else:
        url = url.removeprefix("/")
        head = url[: len(prefix)]
        if prefix and head.lower() == prefix.lower() and url[len(prefix) : len(prefix) + 1] in ("", "/", "?"):
            url = url[len(prefix) :].removeprefix("/")
    path, _, query = url.partition("?")
    return quote(path, safe=_PATH_SAFE), query


def _headers(value: Any, who: str) -> dict[str, str]:
    """A request's headers: an object of strings; names are compared ignoring case and kept lower-case."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest(f"The 'headers' of {who} must be an object of header names and string values.")
    headers: dict[str, str] = {}
    for name, text in value.items():
        lower = name.lower()
        if not _TOKEN.fullmatch(name) or not isinstance(text, str) or "\r" in text or "\n" in text or "\0" in text:
            raise BadRequest(
                f"The header '{shorten(name)}' of {who} must be a header name with a string value (no line breaks)."
            )
        if lower in headers:
            raise BadRequest(f"The header '{shorten(name)}' appears more than once in {who}.")
        if lower not in _FRAMING:
            headers[lower] = text
    return headers


def _body(item: dict[str, Any], headers: dict[str, str], who: str) -> bytes:
    """A JSON value's compact UTF-8 text; a string is a base64 (or base64url) encoded body, as in Graph."""
    value = item.get("body")
    if value is None:
        return b""
    if "content-type" not in headers:
        raise BadRequest(f"{who[0].upper()}{who[1:]} has a body but no Content-Type header.")
    if not isinstance(value, str):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    text = value.strip().replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise BadRequest(
            f"The 'body' of {who} is a string that is not base64: send a JSON body as an object "
            "(or encode it in base64)."
        ) from None


def url_query(query: str) -> str:
    """A raw query string safe to put in a URL (spaces and non-ASCII percent-encoded, escapes kept)."""
    return quote(query, safe=_QUERY_SAFE)
