"""Property-based API fuzzing with schemathesis: the running API (the local host as a subprocess, real
RS256 tokens, the SQLite store) against the OpenAPI document it serves at /api/openapi.json.

For every operation in the document, schemathesis generates requests from the document (its examples,
valid data and invalid data), sends them over HTTP and checks each response: not a 5xx, a documented
status code, the documented content type, a body matching the response schema, the documented headers.
The run is bounded (a fixed number of examples per operation, derandomized, no example database, no
shrinking) and any failing check fails the test, listing each failure with a reproducing curl command.

The API is started by a fixture, so the schema must be loaded lazily; schemathesis' lazy pytest
integration (`schemathesis.pytest.from_fixture`, 4.32) fails under pytest 9 (it rewrites `Function._nodeid`,
which pytest 9 no longer has). The per-operation Hypothesis tests are therefore built here from the
public `APIOperation.as_strategy`, `get_strategies_from_examples` and `Case.call_and_validate`.
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

from shared.openapi import document

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
#: The example `{user}` of the document (the seed's user): the users/{user}/... accounts are aimed at it.
SEED_USER = "db789417-4ccb-41d1-a0a9-47b01a09ea49"


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


class LiveAccounts:
    """Existing accounts to aim the `{id}` operations at (random ids only ever meet 404).

    For about half the cases of an operation with `{id}` (chosen from the generated id, so the run stays
    reproducible) the id, and the `{user}`, are replaced with an account that exists: the caller's own for
    `me/...`, the seed user's for `users/{user}/...`. An account a DELETE removed is created again.
    """

    def __init__(self, api: Any, token: str) -> None:
        self.api, self.token, self.ids = api, token, {}

    def _path(self, users: bool) -> str:
        return f"users/{SEED_USER}/profile/account" if users else "me/profile/account"

    def id_for(self, users: bool) -> str:
        known = self.ids.get(users)
        if known is None or self.api.request("GET", f"{self._path(users)}/{known}", self.token).status_code != 200:
            created = self.api.request("POST", self._path(users), self.token, json={"countryCode": "NO"})
            assert created.status_code == 201, created.text
            self.ids[users] = known = created.json()["id"]
        return known

    def aim(self, case: Any) -> None:
        params = case.path_parameters or {}
        if "id" not in params or zlib.crc32(str(params["id"]).encode()) % 2:
            return
        users = "user" in params
        if users:
            params["user"] = SEED_USER
        params["id"] = self.id_for(users)


def fuzz(api_url: str, headers: dict[str, str], max_examples: int, live: LiveAccounts | None = None) -> tuple[list[str], Counter]:
    """Run every operation of the served document; return the failures (text) and the statuses seen."""
    schema = schemathesis.openapi.from_url(f"{api_url}/openapi.json", timeout=30)
    failures: list[str] = []
    statuses: Counter = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    # schemathesis leaves out the operation that serves the document itself: the 16 product routes remain.
    assert len(operations) == 16, [operation.label for operation in operations]
    for operation in operations:
        strategies = [operation.as_strategy(mode) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
        strategies += schema.get_strategies_from_examples(operation)

        @bounds(max_examples)
        @given(case=st.one_of(strategies))
        def run(case: Any) -> None:
            if live is not None:
                live.aim(case)
            response = case.call_and_validate(headers=headers, checks=CHECKS, timeout=30)
            statuses[(operation.label, response.status_code)] += 1

        try:
            run()
        except (Exception, FailureGroup) as exc:
            failures.append(f"{operation.label}:\n{exc}")
    return failures, statuses


@pytest.mark.timeout(120)  # a hang guard only: the run takes seconds (16 operations x 25 examples)
def test_api_conforms_to_its_document_with_a_token(sqlite_api: Any, identity: Any) -> None:
    """A delegated User.ReadWrite.All token: past authentication and authorization on every route."""
    token = identity.mint(scp="User.ReadWrite.All")
    auth = {"Authorization": f"Bearer {token}"}
    failures, statuses = fuzz(sqlite_api.url, auth, max_examples=25, live=LiveAccounts(sqlite_api, token))
    assert not failures, "\n\n".join(failures)
    # The run reached the handlers (not only 401s), and their success paths.
    reached = {label for (label, status) in statuses if status != 401}
    assert len(reached) == 16, sorted(statuses.items())
    assert {200, 201, 204} <= {status for (_, status) in statuses}, sorted(statuses.items())


@pytest.mark.timeout(120)
def test_api_conforms_to_its_document_without_a_token(sqlite_api: Any) -> None:
    """No token: every product route answers 401 with the documented challenge and envelope."""
    failures, statuses = fuzz(sqlite_api.url, {}, max_examples=10)
    assert not failures, "\n\n".join(failures)
    assert {status for (_, status) in statuses} == {401}, sorted(statuses.items())


def test_the_document_is_served_without_a_token(sqlite_api: Any) -> None:
    """The one operation schemathesis leaves out (it serves the schema): anonymous, JSON, with the ids."""
    response = requests.get(f"{sqlite_api.url}/openapi.json", headers={"client-request-id": "fuzz-1"}, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["client-request-id"] == "fuzz-1" and response.headers["request-id"]
    assert response.json() == document()
