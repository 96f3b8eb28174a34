"""`CosmosRepository`: the ProfileRepository port over Azure Cosmos DB for NoSQL (azure-cosmos, sync).

Layout, round trips and guarantees: docs/data-model.md. Retries: policy.py. Failures: errors.py.
"""
from __future__ import annotations

import functools
import logging
import secrets
import threading
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, ParamSpec, TypeVar

from shared.errors import (
    ApiError,
    Conflict,
    FacetNotFound,
    IdempotencyReplay,
    QuotaExceeded,
    StaleFacet,
)
from shared.facets.model import FacetType
from shared.models import DirectoryUser, IdempotencyRecord, Versioned
from shared.repository.cosmos import documents as docs
from shared.repository.cosmos.connection import CosmosConnection, connection_from_settings
from shared.repository.cosmos.documents import Doc
from shared.repository.cosmos.errors import Refused, to_api_error
from shared.repository.cosmos.policy import RETRIES, Retry
from shared.repository.cosmos.store import Store
from shared.repository.port import Facet, IfMatch, etag_matches
from shared.settings import Settings

log = logging.getLogger("profile_api.cosmos")

DUPLICATE = "A facet with this id already exists."
#: Striped locks serialising one process's writes per user partition.
PARTITION_LOCKS = 64

P = ParamSpec("P")
R = TypeVar("R")


def _guarded(method: Callable[P, R]) -> Callable[P, R]:
    """The adapter's edge: only the port's errors leave; anything else is a store failure (503)."""

    @functools.wraps(method)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except (ApiError, IdempotencyReplay):
            raise
        except Refused as refused:
            raise refused.unexpected() from refused
        except Exception as error:
            raise to_api_error(error) from error

    return guarded


class CosmosRepository:
    """Profile markers, the facets of every collection, the directory, idempotency records and secrets."""

    def __init__(self, connection: CosmosConnection, *, retries: Mapping[str, Retry] = RETRIES) -> None:
        self._store = Store(connection)
        self._retries = retries
        self._secrets: dict[str, bytes] = {}
        self._secrets_lock = threading.Lock()
        self._etags = docs.EtagStyle()
        self._partition_locks = tuple(threading.Lock() for _ in range(PARTITION_LOCKS))

    @classmethod
    def from_settings(
        cls, settings: Settings, *, retries: Mapping[str, Retry] = RETRIES, **client_options: Any
    ) -> CosmosRepository:
        """Repository for COSMOS_*; no I/O until the first call (client options and retries: tests only)."""
        return cls(connection_from_settings(settings, **client_options), retries=retries)

    def _tries(self, method: str) -> Iterator[int]:
        return self._retries[method].tries()

    def _serialised(self, pk: str) -> threading.Lock:
        """The lock that serialises this process's read-decide-write cycles on one user's partition.

        Requests of one instance then queue instead of racing for the user document (a burst of
        creates for one user costs no lost races); races with other instances are retried (policy.py).
        """
        return self._partition_locks[zlib.crc32(pk.encode("utf-8")) % len(self._partition_locks)]

    # --- directory ---------------------------------------------------------------------------
    @_guarded
    def record_user(self, user: DirectoryUser) -> None:
        """Upsert the directory entry and the UPN index; 2 point reads and no write when unchanged."""
        tenant_id, object_id = user.tenant_id, user.object_id
        pk = docs.user_pk(tenant_id, object_id)
        fields = docs.directory_fields(user)
        previous: str | None = None
        with self._serialised(pk):
            for _ in self._tries("record_user"):
                current = self._store.read(docs.USER_ID, pk)
                previous = ((current or {}).get("directory") or {}).get("upn")
                if current is not None and current.get("directory") == fields:
                    break
                try:
                    self._write_user(current, docs.next_user(current, tenant_id, object_id, directory=fields))
                except Refused as refused:
                    if refused.lost_race:
                        continue
                    raise
                break
        if user.user_principal_name:
            self._index_upn(user)
        if previous and previous.lower() != (user.user_principal_name or "").lower():
            self._unindex_upn(tenant_id, previous, object_id)

    def _write_user(self, current: Doc | None, body: Doc) -> Doc:
        """Create the user document, or replace it if it is still the version we read (else Refused)."""
        if current is None:
            return self._store.create(body)
        return self._store.replace(body, current["_etag"])

    def _index_upn(self, user: DirectoryUser) -> None:
        body = docs.upn_doc(user)
        current = self._store.read(docs.UPN_ID, body["pk"])
        if current is not None and docs.body_of(current) == body:
            return
        self._store.upsert(body)
        if current is not None and current.get("oid") != user.object_id:  # the UPN moved: release it
            self._release_upn(user.tenant_id, str(current["oid"]), body["directory"]["upn"])

    def _release_upn(self, tenant_id: str, object_id: str, upn: str) -> None:
        pk = docs.user_pk(tenant_id, object_id)
        for _ in self._tries("record_user"):
            current = self._store.read(docs.USER_ID, pk)
            directory = (current or {}).get("directory") or {}
            if current is None or (directory.get("upn") or "").lower() != upn.lower():
                return
            try:
                self._store.replace(
                    docs.next_user(current, tenant_id, object_id, directory={**directory, "upn": None}),
                    current["_etag"],
                )
            except Refused as refused:
                if refused.lost_race:
                    continue
                raise
            return

    def _unindex_upn(self, tenant_id: str, upn: str, object_id: str) -> None:
        pk = docs.upn_pk(tenant_id, upn)
        current = self._store.read(docs.UPN_ID, pk)
        if current is not None and current.get("oid") == object_id:
            try:
                self._store.delete(docs.UPN_ID, pk, etag=current["_etag"])
            except Refused as refused:  # taken over or removed meanwhile: leave it
                if refused.status not in (404, 412):
                    raise

    @_guarded
    def get_user(self, tenant_id: str, object_id: str) -> DirectoryUser | None:
        """1 point read of the user document."""
        current = self._store.read(docs.USER_ID, docs.user_pk(tenant_id, object_id))
        return docs.user_from_directory(tenant_id, object_id, (current or {}).get("directory"))

    @_guarded
    def find_user_by_upn(self, tenant_id: str, upn: str) -> DirectoryUser | None:
        """1 point read of the UPN index document."""
        found = self._store.read(docs.UPN_ID, docs.upn_pk(tenant_id, upn))
        if found is None or ((found.get("directory") or {}).get("upn") or "").lower() != upn.lower():
            return None
        return docs.user_from_directory(str(found["tenant"]), str(found["oid"]), found["directory"])

    # --- profile -----------------------------------------------------------------------------
    @_guarded
    def create_profile(self, tenant_id: str, object_id: str) -> None:
        """1 point read + 1 write (create, or if-match replace, of the user document)."""
        pk = docs.user_pk(tenant_id, object_id)
        with self._serialised(pk):
            for _ in self._tries("create_profile"):
                current = self._store.read(docs.USER_ID, pk)
                if docs.has_marker(current):
                    raise Conflict("The profile already exists.")
                try:
                    marked = docs.next_user(current, tenant_id, object_id, profile=docs.profile_marker())
                    self._write_user(current, marked)
                except Refused as refused:
                    if refused.lost_race:
                        continue
                    raise
                return

    @_guarded
    def delete_profile(self, tenant_id: str, object_id: str) -> None:
        """1 point read + 1 query + ceil(documents / 99) batches; the marker is cleared in the last one.

        Each batch is [user document if-match (counts lowered by the facets it deletes), up to 99
        deletes]; idempotency records go first, facets after them. See docs/data-model.md.
        """
        pk = docs.user_pk(tenant_id, object_id)
        with self._serialised(pk):
            for _ in self._tries("delete_profile"):
                current = self._store.read(docs.USER_ID, pk)
                rows = self._store.query("SELECT c.id, c.type FROM c WHERE c.pk = @pk", {"@pk": pk}, pk)
                rows = sorted(
                    (row for row in rows if row["id"] != docs.USER_ID),
                    key=lambda row: (row.get("type") != docs.TYPE_IDEMPOTENCY, str(row.get("type")), str(row["id"])),
                )
                if not rows and not docs.has_marker(current) and not any(docs.counts_of(current).values()):
                    return  # nothing stored: nothing to write
                try:
                    self._delete_in_batches(tenant_id, object_id, current, rows)
                except Refused as refused:
                    if refused.lost_race:
                        continue
                    raise
                return

    def _delete_in_batches(self, tenant_id: str, object_id: str, current: Doc | None, rows: list[Doc]) -> None:
        pk = docs.user_pk(tenant_id, object_id)
        runs = docs.chunks(rows, docs.BATCH_LIMIT - 1)
        counts = docs.counts_of(current)
        marker = (current or {}).get("profile")
        for number, run in enumerate(runs):
            last = number == len(runs) - 1
            counts = {} if last else docs.lowered(counts, run)
            head = docs.next_user(current, tenant_id, object_id, counts=counts, profile=None if last else marker)
            operations = [docs.user_write(current, head)] + [docs.delete_op(row["id"]) for row in run]
            results = self._store.batch(operations, pk)
            current = {**head, "_etag": docs.result_etag(results[0])}

    # --- facets ------------------------------------------------------------------------------
    @_guarded
    def add_facet(
        self,
        tenant_id: str,
        object_id: str,
        facet_type: FacetType,
        facet: Facet,
        *,
        max_count: int,
        idempotency: IdempotencyRecord | None = None,
    ) -> Versioned[Facet]:
        """1 read (user document, facet id and idempotency key in one query) + 1 batch.

        Batch: [user document create / if-match replace (count + 1, marker set), upsert of the
        idempotency record, create of the facet]. Replay, duplicate id and quota are decided from the
        read, so a refused create writes nothing.
        """
        pk = docs.user_pk(tenant_id, object_id)
        body = docs.facet_doc(tenant_id, object_id, facet_type, facet)
        record = docs.idempotency_doc(tenant_id, object_id, idempotency) if idempotency else None
        wanted = [docs.USER_ID, body["id"]] + ([record["id"]] if record else [])
        collection = facet_type.collection
        with self._serialised(pk):
            for _ in self._tries("add_facet"):
                found = self._read_ids(pk, wanted)
                if record is not None:
                    earlier = docs.idempotency_from(found.get(record["id"]))
                    if earlier is not None:
                        raise IdempotencyReplay(earlier)
                if body["id"] in found:
                    raise Conflict(DUPLICATE)
                current = found.get(docs.USER_ID)
                counts = docs.counts_of(current)
                if counts.get(collection, 0) >= max_count:
                    raise QuotaExceeded(f"The user already has the maximum of {max_count} items in '{collection}'.")
                marker = (current or {}).get("profile") or docs.profile_marker()
                counts[collection] = counts.get(collection, 0) + 1
                head = docs.next_user(current, tenant_id, object_id, counts=counts, profile=marker)
                operations = [docs.user_write(current, head)]
                operations += [docs.upsert_op(record)] if record else []
                operations += [docs.create_op(body)]
                try:
                    results = self._store.batch(operations, pk)
                except Refused as refused:
                    if refused.lost_race:
                        continue
                    if refused.status == 409:  # the read saw no such id, so this is not expected; still a duplicate
                        raise Conflict(DUPLICATE) from refused
                    raise
                return Versioned(dict(facet), self._etags.present(docs.result_etag(results[-1])))
        raise AssertionError("unreachable: Retry.tries() raises when spent")

    @_guarded
    def get_facet(
        self, tenant_id: str, object_id: str, facet_type: FacetType, facet_id: str
    ) -> Versioned[Facet] | None:
        """1 point read."""
        found = self._store.read(docs.facet_doc_id(facet_type, facet_id), docs.user_pk(tenant_id, object_id))
        if found is None or not docs.is_facet(found, facet_type):
            return None
        return Versioned(docs.facet_of(found), self._etags.present(found["_etag"]))

    @_guarded
    def list_facets(
        self, tenant_id: str, object_id: str, facet_types: Sequence[FacetType]
    ) -> dict[str, list[Versioned[Facet]]]:
        """1 single-partition query for any number of collections (none for no collection)."""
        listed: dict[str, list[Versioned[Facet]]] = {facet_type.collection: [] for facet_type in facet_types}
        if not listed:
            return listed
        pk = docs.user_pk(tenant_id, object_id)
        sql, parameters = docs.select_in("type", list(listed), pk)
        for found in self._store.query(sql, parameters, pk):
            items = listed.get(str(found.get("type")))
            if items is not None and (docs.FACET in found or found["type"] in found):
                items.append(Versioned(docs.facet_of(found), self._etags.present(found["_etag"])))
        return listed

    def scan_facets(
        self, tenant_id: str, object_id: str, facet_types: Sequence[FacetType]
    ) -> Iterator[tuple[str, Versioned[Facet]]]:
        """The query of `list_facets`, its results handed over page by page as the caller iterates."""
        wanted = {facet_type.collection for facet_type in facet_types}
        if not wanted:
            return
        pk = docs.user_pk(tenant_id, object_id)
        sql, parameters = docs.select_in("type", sorted(wanted), pk)
        found = self._store.stream(sql, parameters, pk)
        while True:
            try:
                doc = next(found)
            except StopIteration:
                return
            except (ApiError, IdempotencyReplay):
                raise
            except Exception as error:  # the adapter's edge, as `_guarded` is for the other methods
                raise to_api_error(error) from error
            kind = str(doc.get("type"))
            if kind in wanted and (docs.FACET in doc or kind in doc):
                yield kind, Versioned(docs.facet_of(doc), self._etags.present(doc["_etag"]))

    @_guarded
    def replace_facet(
        self, tenant_id: str, object_id: str, facet_type: FacetType, facet: Facet, *, if_match: IfMatch
    ) -> Versioned[Facet]:
        """One replace of the facet document, atomic by itself; the user document is not touched.

        - None or "*": 1 unconditional replace (404: NotFound).
        - One entity tag as this store hands them out (the service's read-modify-write): 1 replace
          if-match that tag (404: NotFound, 412: PreconditionFailed).
        - Any other precondition (several tags, a malformed one): 1 point read, decided by
          `etag_matches`, then 1 replace if-match the `_etag` read.
        A write in between is PreconditionFailed, never overwritten, and never retried here.
        """
        pk = docs.user_pk(tenant_id, object_id)
        body = docs.facet_doc(tenant_id, object_id, facet_type, facet)
        expected: str | None = None
        if if_match is not None and if_match != "*":
            expected = self._etags.raw(if_match)
            if expected is None:
                current = self._store.read(body["id"], pk)
                if current is None or not docs.is_facet(current, facet_type):
                    raise FacetNotFound()
                if not etag_matches(if_match, self._etags.present(current["_etag"])):
                    raise StaleFacet()
                expected = str(current["_etag"])
        try:
            saved = self._store.replace(body, expected)
        except Refused as refused:
            if refused.status == 404:
                raise FacetNotFound() from refused
            if refused.status == 412:
                raise StaleFacet() from refused
            raise
        return Versioned(dict(facet), self._etags.present(saved["_etag"]))

    @_guarded
    def delete_facet(
        self, tenant_id: str, object_id: str, facet_type: FacetType, facet_id: str, *, if_match: IfMatch
    ) -> None:
        """1 read (user document and facet in one query) + 1 batch [user document if-match (count - 1), delete]."""
        pk = docs.user_pk(tenant_id, object_id)
        doc_id = docs.facet_doc_id(facet_type, facet_id)
        collection = facet_type.collection
        with self._serialised(pk):
            for _ in self._tries("delete_facet"):
                found = self._read_ids(pk, [docs.USER_ID, doc_id])
                target = found.get(doc_id)
                if target is None or not docs.is_facet(target, facet_type):
                    raise FacetNotFound()
                if not etag_matches(if_match, self._etags.present(target["_etag"])):
                    raise StaleFacet()
                current = found.get(docs.USER_ID)
                counts = docs.counts_of(current)
                head = docs.next_user(
                    current, tenant_id, object_id, counts={**counts, collection: max(0, counts.get(collection, 0) - 1)}
                )
                conditional = if_match is not None and if_match != "*"
                operations = [
                    docs.user_write(current, head),
                    docs.delete_op(doc_id, target["_etag"] if conditional else None),
                ]
                try:
                    self._store.batch(operations, pk)
                except Refused as refused:
                    if refused.lost_race:
                        continue
                    if refused.status == 412:  # the facet changed after our read: the caller's tag is stale now
                        raise StaleFacet() from refused
                    if refused.status == 404:
                        raise FacetNotFound() from refused
                    raise
                return

    @_guarded
    def get_idempotency_record(self, tenant_id: str, object_id: str, key: str) -> IdempotencyRecord | None:
        """1 point read; an expired record reads as None even before the TTL purge."""
        found = self._store.read(docs.idempotency_doc_id(key), docs.user_pk(tenant_id, object_id))
        return docs.idempotency_from(found)

    # --- deployment-wide -----------------------------------------------------------------------
    @_guarded
    def secret(self, name: str) -> bytes:
        """A document in the partition "secrets", created if missing (on 409 read back); cached here."""
        with self._secrets_lock:
            cached = self._secrets.get(name)
        if cached is not None:
            return cached
        doc_id = docs.secret_doc_id(name)
        for _ in self._tries("secret"):
            found = self._store.read(doc_id, docs.SECRETS_PK)
            if found is None:
                try:
                    found = self._store.create(docs.secret_doc(name, secrets.token_bytes(32)))
                except Refused as refused:
                    if refused.status == 409:  # another instance created it first: use theirs
                        continue
                    raise
            value = docs.secret_from(found)
            with self._secrets_lock:
                return self._secrets.setdefault(name, value)
        raise AssertionError("unreachable: Retry.tries() raises when spent")

    def close(self) -> None:
        self._store.connection.close()

    # --- plumbing ------------------------------------------------------------------------------
    def _read_ids(self, pk: str, ids: list[str]) -> dict[str, Doc]:
        """A few documents of one partition in ONE round trip (a single-partition query on `id`)."""
        sql, parameters = docs.select_in("id", ids, pk)
        return {str(found["id"]): found for found in self._store.query(sql, parameters, pk)}
