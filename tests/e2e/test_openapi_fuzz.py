"""Property-based API fuzzing with schemathesis: the running API (the local host as a subprocess, real
RS256 tokens, the SQLite store) against the OpenAPI document it serves at /api/openapi.json.

For every operation in the document, schemathesis generates requests from the document (its examples,
valid data and invalid data), sends them over HTTP and checks each response: not a 5xx, a documented
status code, the documented content type, a body matching the response schema, the documented headers.
The run is bounded (a fixed number of examples per operation, derandomized, no example database, no
shrinking) and any failing check fails the test, listing each failure with a reproducing curl command.

(schemathesis' own pytest integration, `schemathesis.pytest.from_fixture`, does not run under pytest 9,
so the per-operation Hypothesis tests are built here from the public `as_strategy` and `call_and_validate`.)
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

from tests.support.identity import TEST_OID

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
#: The example `{user}` of the document (the seed's user): the users/{user}/... accounts are aimed at it.
SEED_USER = "db789417-4ccb-41d1-a0a9-47b01a09ea49"
JSON = {"Content-Type": "application/json"}


def bounds(max_examples: int) -> settings:
    """Hypothesis settings for one operation: few examples, reproducible, no timing assertion."""
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
        except (Exception, FailureGroup) as exc:  # noqa: BLE001 - report every failing operation, not just the first
            failures.append(f"{operation.label}:\n{exc}")
    return failures, statuses


@pytest.mark.timeout(240)
def test_api_conforms_to_its_document_with_a_token(sqlite_api: Any, identity: Any) -> None:
    token = identity.mint(scp="User.ReadWrite.All")
    auth = {"Authorization": f"Bearer {token}"}
    failures, statuses = fuzz(sqlite_api.url, auth, max_examples=25, live=LiveAccounts(sqlite_api, token))
    print(sorted(statuses.items()))
    assert not failures, "\n\n".join(failures)


@pytest.mark.timeout(240)
def test_api_conforms_to_its_document_without_a_token(sqlite_api: Any) -> None:
    failures, statuses = fuzz(sqlite_api.url, {}, max_examples=10)
    print(sorted(statuses.items()))
    assert not failures, "\n\n".join(failures)
