"""Thin, error-mapped calls on the container: point reads, single-partition queries, batches."""
from __future__ import annotations

import random
import time
from collections.abc import Iterator
from typing import Any

from azure.core import MatchConditions
from azure.cosmos.exceptions import CosmosBatchOperationError, CosmosHttpResponseError

from shared.errors import Conflict
from shared.repository.cosmos_connection import CosmosConnection
from shared.repository.cosmos_errors import OWNER_NOT_FOUND, raise_mapped, status_of, translated

#: Attempts of an optimistic write that lost a race on the user document.
CONTENTION_ATTEMPTS = 30


class BatchFailed(Exception):
    """A transactional batch was refused; `index` is the failing operation, `status` its code."""

    def __init__(self, index: int, status: int | None, cause: BaseException) -> None:
        super().__init__("batch failed")
        self.index, self.status, self.cause = index, status, cause

    @property
    def lost_race(self) -> bool:
        """True when the first operation (the user document's if-match/create) failed."""
        return self.index == 0 and self.status in (409, 412)

    def reraise(self) -> None:
        """Raise the mapped API error of the failing operation."""
        raise_mapped(self.cause)


def contention_attempts(attempts: int = CONTENTION_ATTEMPTS) -> Iterator[int]:
    """Attempt numbers with a short jittered back-off between them; Conflict when exhausted."""
    for attempt in range(attempts):
        if attempt:
            time.sleep(random.uniform(0, min(0.05, 0.002 * 2**attempt)))
        yield attempt
    raise Conflict("The user's data is being changed by another request; retry.")


class Store:
    """The container, seen through point reads, single-partition queries and batches."""

    def __init__(self, connection: CosmosConnection) -> None:
        self.connection = connection
        self._timeout = connection.timeouts.operation

    def read(self, doc_id: str, pk: str) -> dict[str, Any] | None:
        """A point read; None when the document does not exist."""
        with translated():
            container = self.connection.container()
            try:
                return container.read_item(doc_id, partition_key=pk, timeout=self._timeout)
            except CosmosHttpResponseError as error:
                if error.status_code == 404 and error.sub_status != OWNER_NOT_FOUND:
                    return None
                raise

    def query(self, sql: str, parameters: dict[str, Any], pk: str) -> list[dict[str, Any]]:
        """Every result of a query scoped to one logical partition (never cross-partition)."""
        params = [{"name": name, "value": value} for name, value in parameters.items()]
        with translated():
            container = self.connection.container()
            items = container.query_items(sql, parameters=params, partition_key=pk, timeout=self._timeout)
            return list(items)

    def batch(self, operations: list[tuple[Any, ...]], pk: str) -> list[dict[str, Any]]:
        """One transactional batch; BatchFailed names the failing operation."""
        with translated():
            container = self.connection.container()
            try:
                return list(container.execute_item_batch(operations, partition_key=pk, timeout=self._timeout))
            except CosmosBatchOperationError as error:
                raise BatchFailed(error.error_index or 0, status_of(error), error) from None

    def upsert(self, body: dict[str, Any]) -> dict[str, Any]:
        with translated():
            return self.connection.container().upsert_item(body, timeout=self._timeout)

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        with translated():
            return self.connection.container().create_item(body, timeout=self._timeout)

    def replace(self, body: dict[str, Any], etag: str) -> dict[str, Any]:
        """Replace if the stored `_etag` is still `etag` (412 → PreconditionFailed otherwise)."""
        with translated():
            return self.connection.container().replace_item(
                body["id"], body, etag=etag, match_condition=MatchConditions.IfNotModified, timeout=self._timeout
            )

    def delete(self, doc_id: str, pk: str, etag: str | None = None) -> None:
        """Delete, conditionally on `etag` when given."""
        kwargs: dict[str, Any] = {"timeout": self._timeout}
        if etag is not None:
            kwargs.update(etag=etag, match_condition=MatchConditions.IfNotModified)
        with translated():
            self.connection.container().delete_item(doc_id, partition_key=pk, **kwargs)


def replace_op(body: dict[str, Any], etag: str) -> tuple[Any, ...]:
    """Batch operation: replace `body` if its stored etag is still `etag`."""
    return ("replace", (body["id"], body), {"if_match_etag": etag})


def create_op(body: dict[str, Any]) -> tuple[Any, ...]:
    return ("create", (body,))


def upsert_op(body: dict[str, Any]) -> tuple[Any, ...]:
    return ("upsert", (body,))


def delete_op(doc_id: str, etag: str | None = None) -> tuple[Any, ...]:
    return ("delete", (doc_id,), {"if_match_etag": etag}) if etag else ("delete", (doc_id,))
