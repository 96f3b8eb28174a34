"""The Cosmos adapter's pure parts: the one error route, the retry table, the document layout.

A store failure is 503 with Retry-After (429 when throttled), never a 500; failures that point at a
bug or a misconfiguration are logged with their cause; passing outages are not logged as failures.
"""

from __future__ import annotations

import binascii
import inspect
import logging
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from azure.core.exceptions import ClientAuthenticationError, ServiceRequestError
from azure.cosmos.exceptions import CosmosBatchOperationError, CosmosHttpResponseError

from shared.errors import Conflict, PreconditionFailed, ServiceUnavailable, Throttled
from shared.facets.catalog.account import ACCOUNT
from shared.facets.catalog.work import SKILLS
from shared.repository.cosmos import connection as cosmos_connection
from shared.repository.cosmos import documents as docs
from shared.repository.cosmos.connection import CosmosConnection, isolate_response_headers
from shared.repository.cosmos.errors import Refused, retry_after_seconds, route, to_api_error
from shared.repository.cosmos.policy import RETRIES, Retry
from shared.repository.port import ProfileRepository

ROOT = Path(__file__).resolve().parents[2]


def _http(status: int, headers: dict[str, str] | None = None, sub_status: int | None = None) -> CosmosHttpResponseError:
    error = CosmosHttpResponseError(status_code=status, message="SDK-INTERNAL detail")
    error.headers = headers or {}
    error.sub_status = sub_status
    return error


def _batch(statuses: list[int], index: int) -> CosmosBatchOperationError:
    return CosmosBatchOperationError(
        error_index=index,
        headers={},
        status_code=statuses[index],
        message="SDK-INTERNAL batch",
        operation_responses=[{"statusCode": status} for status in statuses],
    )


# --- the one route ----------------------------------------------------------------------------
@pytest.mark.parametrize("status", [404, 409, 412])
def test_item_answers_are_for_the_repository_to_interpret(status):
    routed = route(_http(status))
    assert isinstance(routed, Refused) and routed.status == status and routed.index is None
    assert routed.lost_race == (status in (409, 412))


def test_a_batch_names_its_failing_operation():
    facet_etag = route(_batch([424, 412, 424], 1))  # the service: nothing applied, the others 424
    assert isinstance(facet_etag, Refused) and facet_etag.index == 1 and facet_etag.status == 412
    assert not facet_etag.lost_race  # a facet's ETag, not the user document
    lost = route(_batch([412, 424, 424], 0))
    assert isinstance(lost, Refused) and lost.lost_race


def test_throttling_carries_the_store_s_retry_after():
    routed = route(_http(429, {"x-ms-retry-after-ms": "1001"}))
    assert isinstance(routed, Throttled) and routed.headers["Retry-After"] == "2"
    batch = _batch([429, 424], 0)
    batch.headers = {"x-ms-retry-after-ms": "10"}
    assert isinstance(route(batch), Throttled)


@pytest.mark.parametrize(
    "error",
    [
        _http(503),
        _http(500),
        _http(408),
        _http(449),
        ServiceRequestError("connection refused to https://127.0.0.1:1"),
        ConnectionResetError("reset"),
        TimeoutError("slow"),
    ],
)
def test_a_passing_outage_is_503_and_not_logged_as_a_failure(caplog, error):
    with caplog.at_level(logging.ERROR, logger="profile_api.cosmos"):
        mapped = route(error)
    assert isinstance(mapped, ServiceUnavailable) and mapped.headers["Retry-After"] == "5"
    assert "127.0.0.1" not in mapped.message and "SDK" not in mapped.message
    assert not caplog.records


@pytest.mark.parametrize(
    "error",
    [
        _http(400),
        _http(401),
        _http(403),
        _http(413),
        _http(404, sub_status=1003),
        binascii.Error("Invalid base64-encoded string"),
        RuntimeError("OrderedDict mutated during iteration"),
        KeyError("statusCode"),
        ValueError("bad"),
    ],
)
def test_a_bug_or_a_misconfiguration_is_a_logged_503_never_a_500(caplog, error):
    with caplog.at_level(logging.ERROR, logger="profile_api.cosmos"):
        mapped = route(error)
    assert isinstance(mapped, ServiceUnavailable) and mapped.status == 503 and mapped.headers["Retry-After"] == "5"
    assert "SDK" not in mapped.message and "OrderedDict" not in mapped.message and "base64" not in mapped.message
    assert any(record.exc_info for record in caplog.records)


def test_a_credential_without_a_token_is_503():
    mapped = to_api_error(ClientAuthenticationError("no token for SDK-INTERNAL"))
    assert isinstance(mapped, ServiceUnavailable) and mapped.message == "The profile store could not be reached."


def test_an_unexpected_refusal_is_a_store_failure():
    assert isinstance(Refused(409, index=2).unexpected(), ServiceUnavailable)


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"x-ms-retry-after-ms": "1"}, 1),
        ({"X-MS-RETRY-AFTER-MS": "2500"}, 3),
        ({}, 1),
        (None, 1),
        ({"x-ms-retry-after-ms": "soon"}, 1),
        ({"x-ms-retry-after-ms": "inf"}, 1),
        ({"x-ms-retry-after-ms": "nan"}, 1),
    ],
)
def test_retry_after_is_whole_seconds_at_least_one(headers, seconds):
    assert retry_after_seconds(headers) == seconds


# --- the retry table ----------------------------------------------------------------------------
def test_every_port_method_has_a_retry_policy():
    members = inspect.getmembers(ProfileRepository, inspect.isfunction)
    methods = {name for name, _ in members if not name.startswith("_")}
    assert methods == set(RETRIES)


def test_reads_are_never_retried_by_the_adapter_and_writes_only_on_user_document_contention():
    """A facet's ETag conflict is the caller's answer (replace_facet retries only its user-document race,
    and a facet race only when the caller gave no precondition: tests/contract)."""
    reads = ("get_facet", "list_facets", "get_user", "find_user_by_upn", "read_changes", "latest_cursor")
    assert all(RETRIES[name].attempts == 1 for name in reads)
    contention = {
        RETRIES[name] for name in ("add_facet", "replace_facet", "delete_facet", "create_profile", "delete_profile")
    }
    assert len(contention) == 1 and next(iter(contention)).attempts > 1 and next(iter(contention)).budget_s > 0


def test_a_spent_retry_budget_is_503_with_retry_after_not_a_conflict():
    seen = []
    with pytest.raises(ServiceUnavailable) as caught:
        for attempt in Retry("a race", attempts=4).tries():
            seen.append(attempt)
    assert seen == [0, 1, 2, 3] and caught.value.headers["Retry-After"] == "1"
    assert not isinstance(caught.value, (Conflict, PreconditionFailed))


# --- documents ----------------------------------------------------------------------------------
def test_document_ids_use_the_storage_prefix_and_hash_unsafe_ids():
    account_id = "0fb4c1e3-c1e3-0fb4-e3c1-b40fe3c1b40f"
    assert docs.facet_doc_id(ACCOUNT, account_id) == f"acct:{account_id}"
    assert docs.facet_doc_id(SKILLS, "abc") == "skills:abc"
    hashed = docs.facet_doc_id(SKILLS, "a/b?c#d")
    assert hashed.startswith("skills~") and "/" not in hashed and len(hashed) == len("skills~") + 64
    assert docs.user_pk("t", "o") == "t:o" and docs.user_pk("t", "o/x").startswith("t:~")
    assert ":" not in docs.SECRETS_PK  # never a user's partition


def test_the_previous_versions_count_and_marker_are_read_and_folded_in():
    old = {"id": "user", "accountCount": 3, "profile": {"id": "p", "createdDateTime": "x"}, "rev": 7, "_etag": "e"}
    assert docs.counts_of(old) == {"account": 3} and docs.has_marker(old)
    written = docs.next_user(old, "t", "o", counts={**docs.counts_of(old), "skills": 1})
    assert written["counts"] == {"account": 3, "skills": 1} and "accountCount" not in written
    assert written["rev"] == 8 and "_etag" not in written and written["profile"] == old["profile"]
    assert docs.counts_of({"counts": {"account": 1}, "accountCount": 5}) == {"account": 1}  # new value wins


def test_a_facet_is_read_from_its_member_or_the_previous_versions():
    assert docs.facet_of({"type": "skills", "facet": {"id": "1"}}) == {"id": "1"}
    assert docs.facet_of({"type": "account", "account": {"id": "2"}}) == {"id": "2"}


def test_etags_are_quoted_and_map_back_only_when_well_formed():
    style = docs.EtagStyle()
    assert style.raw('"abc"') is None  # nothing seen yet: the caller reads first
    assert style.present("abc-1") == '"abc-1"'  # the test server's bare etags
    assert style.raw('"abc-1"') == "abc-1" and style.raw(('"abc-1"',)) == "abc-1"
    assert style.raw("abc-1") is None and style.raw(('"a"', '"b"')) is None and style.raw('""') is None
    assert style.present('"00000000-0000"') == '"00000000-0000"'  # the service's are quoted already
    assert style.raw('"00000000-0000"') == '"00000000-0000"'


def test_queries_carry_values_as_parameters_only():
    sql, parameters = docs.select_in("type", ["skills", "x') OR 1=1 --"], "t:o")
    assert "skills" not in sql and "OR 1=1" not in sql
    assert parameters == {"@pk": "t:o", "@v0": "skills", "@v1": "x') OR 1=1 --"}


# --- cold start and thread safety ----------------------------------------------------------------
def test_importing_the_adapter_does_not_import_the_sdk():
    code = (
        "import sys; import shared.repository.cosmos; "
        "print(sorted(m for m in sys.modules if m.startswith(('azure.cosmos', 'azure.identity'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_last_response_headers_of_a_client_connection_are_per_thread():
    class Connection:
        def __init__(self) -> None:
            self.last_response_headers: dict[str, object] = {"from": "constructor"}

    class Client:
        client_connection = Connection()

    client = Client()
    isolate_response_headers(client)  # type: ignore[arg-type]  # the mechanism on a plain object, no network
    connection = client.client_connection
    mine: dict[str, object] = {"from": "main"}
    connection.last_response_headers = mine
    seen: dict[str, dict[str, object]] = {}

    def other_thread() -> None:
        seen["before"] = dict(connection.last_response_headers)
        connection.last_response_headers = {"from": "other"}
        connection.last_response_headers["x-ms-throttle-retry-count"] = 1

    worker = threading.Thread(target=other_thread)
    worker.start()
    worker.join()
    assert seen["before"] == {} and connection.last_response_headers is mine and mine == {"from": "main"}


class _PlainConnection:
    """Stands for azure-cosmos' CosmosClientConnection: the headers are a plain instance attribute."""

    def __init__(self) -> None:
        self.last_response_headers: dict[str, object] = {"from": "constructor"}


class _PlainClient:
    def __init__(self) -> None:
        self.client_connection = _PlainConnection()


def test_the_per_thread_headers_are_applied_to_the_pinned_azure_cosmos(monkeypatch, caplog):
    import azure.cosmos

    monkeypatch.setattr(azure.cosmos, "__version__", "4.17.1")
    client = _PlainClient()
    with caplog.at_level(logging.DEBUG, logger="profile_api.library_versions"):
        isolate_response_headers(client)  # type: ignore[arg-type]  # the mechanism on a plain object, no network
    assert type(client.client_connection) is not _PlainConnection
    assert isinstance(client.client_connection, _PlainConnection) and not caplog.records


@pytest.mark.parametrize("version", ["4.18.0", "4.17.0", "5.0.0", "4.17.2b1", None])
def test_another_azure_cosmos_keeps_its_own_response_headers(monkeypatch, caplog, version):
    """Outside the pinned range the client connection stays the library's own class and attribute."""
    import azure.cosmos

    monkeypatch.setattr(azure.cosmos, "__version__", version, raising=False)
    client = _PlainClient()
    connection = client.client_connection
    with caplog.at_level(logging.DEBUG, logger="profile_api.library_versions"):
        isolate_response_headers(client)  # type: ignore[arg-type]
    assert type(connection) is _PlainConnection
    assert vars(connection) == {"last_response_headers": {"from": "constructor"}}
    seen: dict[str, object] = {}

    def other_thread() -> None:
        connection.last_response_headers = {"from": "other"}

    worker = threading.Thread(target=other_thread)
    worker.start()
    worker.join()
    seen.update(connection.last_response_headers)
    assert seen == {"from": "other"}, "one shared attribute, as the library has it"
    assert [record.getMessage() for record in caplog.records] == [
        f"azure-cosmos {version} is not within the tested >=4.17.1,<4.18: skipping the per-thread response "
        "headers (the library's own behaviour stays)"
    ]


def test_the_adapter_adds_no_request_hook_of_its_own(monkeypatch):
    """Test-server adjustments are the tests' (tests/support/cosmos_quirks.py), given as process options."""
    monkeypatch.setattr(cosmos_connection, "_process_options", {})
    connection = CosmosConnection("https://127.0.0.1:1/", "db", "c", "a2V5")
    assert "raw_request_hook" not in connection._client_kwargs()

    def hook(request: object) -> None:
        return None

    cosmos_connection.set_process_client_options(raw_request_hook=hook, user_agent_suffix="process")
    assert connection._client_kwargs()["raw_request_hook"] is hook
    own = CosmosConnection("https://127.0.0.1:1/", "db", "c", "a2V5", user_agent_suffix="own")
    assert own._client_kwargs()["user_agent_suffix"] == "own", "a connection's own options win"
