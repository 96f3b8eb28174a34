"""Property-based API fuzzing with schemathesis: the running API (the local host as a subprocess, real
RS256 tokens, the SQLite store) against the OpenAPI document it serves at /api/openapi.json.

Every operation of the document (the profile and the ten of each collection; schemathesis
leaves out the one that serves the document) gets requests generated from the document: its examples
(the `$filter` examples of each type), valid data (query options within their patterns: `$select`,
`$orderby`, `$expand`, `$top`, `$skip`, `$count`) and invalid data; and on top of those, requests the
document does not describe but the contract does: the query options without their `$`, and `$top` /
`$skip` of thousands of digits. Each response is checked: not a 5xx, a documented status code, the
documented content type, a body matching the response schema, the documented headers.

The run is bounded and reproducible (a few examples per operation, derandomized, no example database,
no shrinking); any failing check fails the test, listing each failure with a reproducing curl command.

The API is started by a fixture, so the schema is loaded lazily; schemathesis' lazy pytest integration
(`schemathesis.pytest.from_fixture`, 4.32) fails under pytest 9 (it rewrites `Function._nodeid`, which
pytest 9 no longer has). The per-operation Hypothesis tests are therefore built here from the public
`APIOperation.as_strategy`, `APIOperation.Case`, `get_strategies_from_examples` and `Case.call_and_validate`.
"""

from __future__ import annotations

import zlib
from collections import Counter
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shared.facets.catalog import FACET_TYPES, by_collection
from shared.facets.model import FacetType
from shared.openapi import document
from tests.functions.helpers import TABLE
from tests.support.facet_bodies import full_body

pytestmark = pytest.mark.long_running

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
#: The `{user}` the users/{user}/... requests are aimed at (the seed's user; the local directory knows a GUID).
SEED_USER = "db789417-4ccb-41d1-a0a9-47b01a09ea49"
#: The `{id}` of an explicit case: always replaced by a live facet's.
LIVE = "live"
#: A `{user}` the directory does not know (404), never replaced.
NOBODY = "nobody@contoso.test"
#: 6 profile operations, 10 per collection, `$batch` (the document's own operation is left out by schemathesis),
#: and delta: per collection under me/ and users/{user}/ and tenant-wide, and tenant-wide over every collection.
OPERATIONS = 6 + 10 * len(FACET_TYPES) + 1 + 3 * len(FACET_TYPES) + 1
BATCH = "POST /$batch"
#: A batch that runs: one request the token above may make.
RUNNING_BATCH = {"requests": [{"id": "1", "method": "GET", "url": "/me/profile"}]}
LONG_NUMBER = "9" * 4000
OPTIONS = ("$top", "$skip", "$filter", "$orderby", "$select", "$count", "$expand")


def bounds(max_examples: int) -> settings:
    """Hypothesis settings for one operation: few examples, reproducible (derandomized, no database).

    No per-example deadline (that would be a timing assertion) and no shrinking (requests change the
    server's state, so a shrunk example would not replay the same way): a failure is reported as found.
    """
    return settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )


def facet_type_of(path: str) -> FacetType | None:
    """The collection an operation's path names (`/me/profile/skills/{id}` -> skills), None for the profile."""
    parts = path.strip("/").split("/")
    after = parts[2:] if parts[0] == "me" else parts[3:]
    return by_collection(after[0]) if after else None


class LiveFacets:
    """Existing facets to aim the `{id}` operations at (random ids only ever meet 404).

    For about half the cases of an operation with `{id}` or `{user}` (chosen from the generated values, so
    the run stays reproducible) the `{user}` becomes the seed user and the `{id}` a facet of the collection
    that exists: the caller's own for `me/...`, the seed user's for `users/{user}/...`. A facet a DELETE
    removed is created again.
    """

    def __init__(self, api: Any, token: str) -> None:
        self.api, self.token = api, token
        self.ids: dict[tuple[str, bool], str] = {}

    def id_for(self, facet_type: FacetType, users: bool) -> str:
        collection = f"{'users/' + SEED_USER if users else 'me'}/profile/{facet_type.collection}"
        known = self.ids.get((facet_type.collection, users))
        if known is None or self.api.request("GET", f"{collection}/{known}", self.token).status_code != 200:
            created = self.api.request("POST", collection, self.token, json=full_body(facet_type))
            assert created.status_code == 201, created.text
            self.ids[(facet_type.collection, users)] = known = created.json()["id"]
        return known

    def aim(self, case: Any) -> None:
        params = case.path_parameters or {}
        if not params or params.get("user") == NOBODY:
            return
        if params.get("id") != LIVE and zlib.crc32(repr(sorted(params.items())).encode()) % 2:
            return
        if "user" in params:
            params["user"] = SEED_USER
        facet_type = facet_type_of(case.operation.path)
        if "id" in params and facet_type is not None:
            params["id"] = self.id_for(facet_type, "user" in params)


def without_dollar(case: Any) -> None:
    """For about a third of the cases with query options: the same options named without their `$`."""
    query = case.query or {}
    if query and zlib.crc32(repr(sorted(query.items())).encode()) % 3 == 0:
        case.query = {name.removeprefix("$") if name in OPTIONS else name: value for name, value in query.items()}


def explicit_cases(operation: Any) -> list[dict[str, Any]]:
    """Cases every run sends, aimed at live facets: one the operation must succeed with, and the requests the
    contract describes beyond the document (option names without `$`, numbers of thousands of digits)."""
    path, method = operation.path, operation.method.upper()
    facet_type = facet_type_of(path)
    params = {name: SEED_USER if name == "user" else LIVE for name in ("user", "id") if f"{{{name}}}" in path}
    queries: list[dict[str, str]] = []
    if method == "GET" and facet_type is not None and "{id}" not in path:
        queries += [
            {"top": "2", "skip": "1", "count": "true", "orderby": "createdDateTime desc", "select": "id"},
            {"$top": LONG_NUMBER},
            {"$skip": LONG_NUMBER},
            {"top": "1" + "0" * 3000},
            {"skip": "0" * 3000 + "1"},
            {"filter": "id ne null", "$count": "TRUE"},
            {"$top": "5", "top": "5"},
            {"$skiptoken": "x" * 64},
        ]
    elif method == "GET" and facet_type is not None:
        queries += [{"select": "id,allowedAudiences"}, {"$top": "1"}]
    elif method == "GET":
        queries += [{"expand": "*"}, {"expand": "names(select=first,last),skills", "select": "id"}, {"$top": "1"}]
    else:
        queries.append({})
    cases: list[dict[str, Any]] = [{"path_parameters": dict(params), "query": query} for query in queries]
    if path == "/$batch":
        return [
            {**cases[0], "body": RUNNING_BATCH, "media_type": "application/json"},
            {**cases[0], "body": {"requests": []}, "media_type": "application/json"},
        ]
    if method in ("POST", "PATCH"):
        cases[0].update(body=full_body(facet_type) if facet_type is not None else {}, media_type="application/json")
    if method in ("POST", "PATCH") and facet_type is not None:  # refused whatever the generator drew
        cases.append({**cases[0], "body": {"notAProperty": True}})
    if "user" in params:
        cases.append({**cases[0], "path_parameters": {**params, "user": NOBODY}})
    return cases


def fuzz(
    api_url: str, headers: dict[str, str], max_examples: int, live: LiveFacets | None = None
) -> tuple[list[str], Counter, int]:
    """Run every operation of the served document; return the failures (text), the statuses seen and the
    number of operations."""
    schema = schemathesis.openapi.from_url(f"{api_url}/openapi.json", timeout=30)
    failures: list[str] = []
    statuses: Counter = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        try:
            fuzz_operation(schema, operation, headers, max_examples, live, statuses)
        except (Exception, FailureGroup) as exc:
            failures.append(f"{operation.label}:\n{exc}")
    return failures, statuses, len(operations)


def fuzz_operation(
    schema: Any, operation: Any, headers: dict[str, str], max_examples: int, live: LiveFacets | None, statuses: Counter
) -> None:
    """One operation's bounded Hypothesis run (raises the first failure)."""
    strategies = [operation.as_strategy(mode) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
    strategies += schema.get_strategies_from_examples(operation)

    def send(case: Any) -> None:
        if live is not None:
            live.aim(case)
        response = case.call_and_validate(headers=headers, checks=CHECKS, timeout=30)
        statuses[(operation.label, response.status_code)] += 1

    for spec in explicit_cases(operation):
        send(operation.Case(**spec))

    @bounds(max_examples)
    @given(case=st.one_of(strategies))
    def run(case: Any) -> None:
        without_dollar(case)
        send(case)

    run()


@pytest.mark.timeout(600)  # a hang guard only (196 operations, each 8 generated cases and a few explicit ones)
def test_api_conforms_to_its_document_with_a_token(sqlite_api: Any, identity: Any) -> None:
    """A delegated User.ReadWrite.All token: past authentication and authorization on every route."""
    token = identity.mint(scp="User.ReadWrite.All")
    auth = {"Authorization": f"Bearer {token}"}
    failures, statuses, count = fuzz(sqlite_api.url, auth, max_examples=8, live=LiveFacets(sqlite_api, token))
    assert not failures, "\n\n".join(failures)
    assert count == OPERATIONS
    # Every operation succeeded at least once (a profile POST may meet the profile a facet created: 409),
    # and was refused at least once in a documented way (but DELETE me/profile, which takes nothing to get wrong).
    labels = {label for (label, _) in statuses}
    succeeded = {label for (label, status) in statuses if status < 300 or (status == 409 and label.endswith("profile"))}
    assert succeeded == labels and len(labels) == OPERATIONS, sorted(statuses.items())
    refused = {label for (label, status) in statuses if 400 <= status < 500}
    assert refused == labels - {"DELETE /me/profile"}, sorted(labels - refused)


@pytest.mark.timeout(600)
def test_api_conforms_to_its_document_without_a_token(sqlite_api: Any) -> None:
    """No token: every product route answers 401 with the documented challenge and envelope (the explicit
    cases and one generated case per operation: authentication comes before anything else is read).
    `$batch` needs no token of its own: 200 with each request's 401, or 400 for a malformed batch."""
    failures, statuses, count = fuzz(sqlite_api.url, {}, max_examples=1)
    assert not failures, "\n\n".join(failures)
    assert count == OPERATIONS
    assert {status for (label, status) in statuses if label != BATCH} == {401}, sorted(statuses.items())
    assert {status for (label, status) in statuses if label == BATCH} <= {200, 400}


def without_security(document: dict[str, Any]) -> dict[str, Any]:
    """The document with every operation's `security` left out."""
    paths = {
        path: {
            method: ({k: v for k, v in op.items() if k != "security"} if isinstance(op, dict) else op)
            for method, op in item.items()
        }
        for path, item in document["paths"].items()
    }
    return {**document, "paths": paths}


def test_the_document_is_served_without_a_token(sqlite_api: Any, identity: Any) -> None:
    """The one operation schemathesis leaves out (it serves the schema): anonymous, JSON, with the ids."""
    response = requests.get(f"{sqlite_api.url}/openapi.json", headers={"client-request-id": "fuzz-1"}, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["client-request-id"] == "fuzz-1" and response.headers["request-id"]
    assert response.headers["ETag"]
    served, built = response.json(), document(TABLE)
    # The sign-in scheme and its scope names name the deployment's own tenant, authority and application
    # (this process has other settings): everything else is the document built from the table.
    schemes = served["components"].pop("securitySchemes")
    assert without_security(served) == without_security(
        {**built, "components": {k: v for k, v in built["components"].items() if k != "securitySchemes"}}
    )
    flow = next(s for s in schemes.values() if s["type"] == "oauth2")["flows"]["authorizationCode"]
    assert flow["authorizationUrl"] == f"{identity.server.base_url}/{identity.tenant_id}/oauth2/v2.0/authorize"
