"""The container seen through point reads, single-partition queries, single writes and batches.

Every SDK call of the adapter goes through `Store._call`, the one place where an SDK failure is
routed (errors.py): item answers (404/409/412) become `Refused`, everything else the API's error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from shared.repository.cosmos.connection import CosmosConnection
from shared.repository.cosmos.documents import Doc, Operation
from shared.repository.cosmos.errors import Refused, route

if TYPE_CHECKING:
    from azure.cosmos import ContainerProxy

T = TypeVar("T")


class Store:
    """Error-routed calls on the container, each with the operation's time budget."""

    def __init__(self, connection: CosmosConnection) -> None:
        self.connection = connection
        self._timeout = connection.timeouts.operation

    def _call(self, action: Callable[[ContainerProxy], T]) -> T:
        try:
            return action(self.connection.container())
        except Exception as error:  # the one route: nothing from the SDK leaves as itself
            raise route(error) from error

    def read(self, doc_id: str, pk: str) -> Doc | None:
        """A point read; None when the document does not exist."""
        try:
            return self._call(lambda c: dict(c.read_item(doc_id, partition_key=pk, timeout=self._timeout)))
        except Refused as refused:
            if refused.status == 404:
                return None
            raise refused.unexpected() from refused

    def stream(self, sql: str, parameters: dict[str, Any], pk: str) -> Iterator[Doc]:
        """The results of a query scoped to one logical partition, as the caller iterates: the SDK
        fetches a page (up to the service's page size) at a time, so they are never all held here."""
        params = [{"name": name, "value": value} for name, value in parameters.items()]
        try:
            pages = self._call(
                lambda c: iter(
                    c.query_items(sql, parameters=params, partition_key=pk, max_item_count=-1, timeout=self._timeout)
                )
            )
        except Refused as refused:
            raise refused.unexpected() from refused
        while True:
            try:
                item = next(pages)
            except StopIteration:
                return
            except Exception as error:  # the one route, as in _call
                routed = route(error)
                raise (routed.unexpected() if isinstance(routed, Refused) else routed) from error
            yield dict(item)

    def query(self, sql: str, parameters: dict[str, Any], pk: str) -> list[Doc]:
        """Every result of a query scoped to one logical partition.

        `max_item_count=-1` lets the service fill a page up to its size limit, so a user's data comes
        back in one round trip unless the answer is larger than one page (4 MB).
        """
        return self._query(sql, parameters, {"partition_key": pk})

    def query_across(self, sql: str, parameters: dict[str, Any]) -> list[Doc]:
        """Every result of a cross-partition query (the tenant-wide delta feed only; its `TOP` bounds the answer)."""
        return self._query(sql, parameters, {"enable_cross_partition_query": True})

    def _query(self, sql: str, parameters: dict[str, Any], scope: dict[str, Any]) -> list[Doc]:
        params = [{"name": name, "value": value} for name, value in parameters.items()]

        def run(container: ContainerProxy) -> list[Doc]:
            items = container.query_items(sql, parameters=params, max_item_count=-1, timeout=self._timeout, **scope)
            return [dict(item) for item in items]

        try:
            return self._call(run)
        except Refused as refused:
            raise refused.unexpected() from refused

    def batch(self, operations: Sequence[Operation], pk: str) -> list[dict[str, Any]]:
        """One transactional batch, all or nothing; `Refused` names the failing operation (nothing applied)."""
        return self._call(
            lambda c: list(c.execute_item_batch(list(operations), partition_key=pk, timeout=self._timeout))
        )

    def create(self, body: Doc) -> Doc:
        return self._call(lambda c: dict(c.create_item(body, timeout=self._timeout)))

    def upsert(self, body: Doc) -> Doc:
        return self._call(lambda c: dict(c.upsert_item(body, timeout=self._timeout)))

    def replace(self, body: Doc, etag: str | None) -> Doc:
        """Replace; if `etag` is given, only while the stored `_etag` is still `etag` (else 412)."""

        def run(container: ContainerProxy) -> Doc:
            kwargs: dict[str, Any] = {"timeout": self._timeout}
            if etag is not None:
                from azure.core import MatchConditions

                kwargs.update(etag=etag, match_condition=MatchConditions.IfNotModified)
            return dict(container.replace_item(body["id"], body, **kwargs))

        return self._call(run)

    def delete(self, doc_id: str, pk: str, etag: str | None = None) -> None:
        """Delete, conditionally on `etag` when given."""

        def run(container: ContainerProxy) -> None:
            kwargs: dict[str, Any] = {"timeout": self._timeout}
            if etag is not None:
                from azure.core import MatchConditions

                kwargs.update(etag=etag, match_condition=MatchConditions.IfNotModified)
            container.delete_item(doc_id, partition_key=pk, **kwargs)

        self._call(run)
